from odoo import fields, models


class CrmDealIntakeSecret(models.TransientModel):
    """A new token or API key of an inquiry source, shown once: only its hash is kept."""

    _name = "crm.deal.intake.secret"
    _description = "Inquiry Source Secret"

    source_id = fields.Many2one("crm.deal.intake.source", required=True, readonly=True, ondelete="cascade")
    secret = fields.Char(readonly=True)

    def action_done(self):
        self.secret = False
        return {"type": "ir.actions.act_window_close"}
