from odoo import api, fields, models


class CrmLeadPhaseForce(models.TransientModel):
    """A Sales Administrator's override: any phase, with a mandatory reason."""

    _name = "crm.lead.phase.force"
    _description = "Force a Deal Phase"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    stage_id = fields.Many2one("crm.stage", "Move To", required=True, domain=[("deal_phase", "!=", False)])
    reason = fields.Text(required=True)

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        if "lead_ids" in fields_list and self.env.context.get("active_model") == "crm.lead":
            defaults["lead_ids"] = [fields.Command.set(self.env.context.get("active_ids") or [])]
        return defaults

    def action_apply(self):
        self.ensure_one()
        self.lead_ids.action_force_phase(self.stage_id, self.reason)
        return {"type": "ir.actions.act_window_close"}
