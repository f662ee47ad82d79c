from odoo import api, models

# Where CRM opens, by the user's deal phase role.
HOME_ACTIONS = {
    "setter": "crm_deal_phases.crm_lead_follow_up_calls_action",
    "closer": "crm_deal_phases.crm_lead_my_consultations_action",
    "manager": "crm_deal_phases.crm_deal_week_report_action",
}


class CrmLead(models.Model):
    """Each role lands on its work when it opens CRM; everyone else where crm opens."""

    _inherit = "crm.lead"

    @api.model
    def _action_deal_phases_home(self):
        xmlid = HOME_ACTIONS.get(self.env.user.deal_phase_role)
        if xmlid and self.env.ref(xmlid, raise_if_not_found=False):
            return self.env["ir.actions.actions"]._for_xml_id(xmlid)
        return self.env["crm.team"].action_your_pipeline()
