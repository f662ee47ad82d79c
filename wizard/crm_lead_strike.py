from odoo import fields, models


class CrmLeadStrike(models.TransientModel):
    """A strike with a short reason, for one lead or a selection from the call list."""

    _name = "crm.lead.strike"
    _description = "Add a Strike"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    reason = fields.Char(required=True, help="What went wrong, in a few words.")

    def action_apply(self):
        self.ensure_one()
        result = self.lead_ids.action_add_strike(self.reason)
        default = result if isinstance(result, dict) else {"type": "ir.actions.act_window_close"}
        return self.env["crm.deal.call.session"]._after_wizard(default)
