from odoo import fields, models


class CrmLeadStrike(models.TransientModel):
    _name = "crm.lead.strike"
    _description = "Add a Strike"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    reason = fields.Char(required=True, help="What went wrong, in a few words.")

    def action_apply(self):
        self.ensure_one()
        self.lead_ids.action_add_strike(self.reason)
        return {"type": "ir.actions.act_window_close"}
