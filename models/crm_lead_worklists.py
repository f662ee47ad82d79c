from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .deal_phase import NOT_SOLD, _lt

WIN_BACK = _lt("Win back: offer + written confirmation or another meeting")


class CrmLead(models.Model):
    """What the work lists show and filter on (time in the phase, calls that are due), and
    the closer follow-up they start."""

    _inherit = "crm.lead"

    days_in_phase = fields.Integer(
        "Days in Phase",
        compute="_compute_days_in_phase",
        help="Days since the lead entered its current phase.",
    )
    is_due_for_call = fields.Boolean(
        "Due for a Call",
        compute="_compute_is_due_for_call",
        search="_search_is_due_for_call",
        help="No call for longer than the follow-up cadence.",
    )

    @api.depends("date_last_stage_update")
    def _compute_days_in_phase(self):
        now = fields.Datetime.now()
        for lead in self:
            entered = lead.date_last_stage_update or lead.create_date
            lead.days_in_phase = (now - entered).days if entered else 0

    @api.depends("last_call_date")
    def _compute_is_due_for_call(self):
        limit = self._call_due_limit()
        for lead in self:
            lead.is_due_for_call = not lead.last_call_date or lead.last_call_date < limit

    def _search_is_due_for_call(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Search 'Due for a Call' with = or != and True or False."))
        due = ["|", ("last_call_date", "=", False), ("last_call_date", "<", self._call_due_limit())]
        return due if (operator == "=") == value else ["!", *due]

    # ACTIONS

    def action_start_closer_follow_up(self):
        """Closer follow-up on Not sold leads: the closer (or whoever starts it) gets a
        win-back activity."""
        self._check_phases_allow(
            lambda lead: lead.deal_phase == NOT_SOLD,
            self.env._("Closer follow-up starts from Not sold only; nothing was changed."),
        )
        self.filtered(lambda lead: not lead.closer_id).write({"closer_id": self.env.uid})
        self._schedule_for_users(
            "mail.mail_activity_data_todo",
            fields.Date.context_today(self) + timedelta(days=1),
            WIN_BACK,
            lambda lead: lead.closer_id,
        )
        return True

    # BUSINESS

    def _call_due_limit(self):
        return fields.Datetime.now() - timedelta(days=self._deal_settings().follow_up_cadence_days)
