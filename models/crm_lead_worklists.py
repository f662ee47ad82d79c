from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .res_config_settings import DEFAULT_FOLLOW_UP_CADENCE_DAYS, FOLLOW_UP_CADENCE_PARAM, get_int_param


class CrmLead(models.Model):
    """What the work lists show and filter on: time in the phase and calls that are due."""

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

    def _call_due_limit(self):
        cadence = get_int_param(self.env, FOLLOW_UP_CADENCE_PARAM, DEFAULT_FOLLOW_UP_CADENCE_DAYS)
        return fields.Datetime.now() - timedelta(days=cadence)
