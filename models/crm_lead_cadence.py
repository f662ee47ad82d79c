from odoo import api, fields, models
from odoo.tools import split_every

from .crm_lead_calls import CALL_ACTIVITY_XMLID, GOODWILL_CALL
from .deal_phase import FOLLOW_UP, QUALIFIED, _lt

CRON_BATCH_SIZE = 1000
QUALIFIED_FOLLOW_UP = _lt("Follow up: qualified, no appointment yet")


class CrmLead(models.Model):
    """The cadence cron keeps the follow-up lists moving: a call activity for Follow-up
    leads due for a call, a follow-up activity for Qualified leads with nothing planned.
    It never duplicates an open activity, so running it twice changes nothing."""

    _inherit = "crm.lead"

    @api.model
    def _cron_deal_phase_cadence(self, batch_size=CRON_BATCH_SIZE):
        governed = self._deal_phases_domain()
        call_type = self.env.ref(CALL_ACTIVITY_XMLID)
        due_for_call = self.search(
            [
                *governed,
                ("deal_phase", "=", FOLLOW_UP),
                ("is_due_for_call", "=", True),
                ("activity_ids", "not any", [("activity_type_id", "=", call_type.id)]),
            ]
        )
        without_plan = self.search([*governed, ("deal_phase", "=", QUALIFIED), ("activity_ids", "=", False)])
        today = fields.Date.context_today(self)
        for ids in split_every(batch_size, due_for_call.ids):
            self.browse(ids)._schedule_for_users(
                CALL_ACTIVITY_XMLID,
                today,
                GOODWILL_CALL,
                lambda lead: lead.setter_id or lead.user_id or lead.team_id.user_id,
            )
        for ids in split_every(batch_size, without_plan.ids):
            self.browse(ids)._schedule_for_users(
                "mail.mail_activity_data_todo",
                today,
                QUALIFIED_FOLLOW_UP,
                lambda lead: lead.closer_id or lead.team_id.user_id or lead.user_id,
            )
        return len(due_for_call), len(without_plan)
