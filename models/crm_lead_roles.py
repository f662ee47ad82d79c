from odoo import SUPERUSER_ID, fields, models

from .deal_phase import DETAILS_PREFETCH, _lt

NO_SHOW_CALL = _lt("No-show: call again")


class CrmLead(models.Model):
    """Who works the lead - the setter on the phone, the closer in the consultations - and
    what their meetings came to."""

    _inherit = "crm.lead"

    # Roles
    setter_id = fields.Many2one(
        "res.users",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Pre-qualifies the lead by phone.",
    )
    closer_id = fields.Many2one(
        "res.users",
        index="btree_not_null",
        tracking=True,
        domain="[('share', '=', False)]",
        help="Runs the consultations and the closer follow-up.",
    )
    # What their meetings came to
    postponed_count = fields.Integer("Postponements", readonly=True, copy=False, prefetch=DETAILS_PREFETCH)
    no_show_count = fields.Integer(
        "No-shows",
        readonly=True,
        copy=False,
        help="First consultations the lead did not attend: a sign of missing personal suitability.",
        prefetch=DETAILS_PREFETCH,
    )
    needed_second_meeting = fields.Boolean(
        "Needed a Second Consultation",
        readonly=True,
        copy=False,
        help="The deal went through a Second consultation.",
        prefetch=DETAILS_PREFETCH,
    )

    # BUSINESS

    def _record_no_show(self, from_stage_ids):
        """A no-show is counted and the setter told: the lead is back on their call list
        (its event is marked by _close_consultations)."""
        for count, leads in self._group_by_value("no_show_count").items():
            leads._with_intent().write({"no_show_count": count + 1})
        self._schedule_for_users(
            "mail.mail_activity_data_call",
            fields.Date.context_today(self),
            NO_SHOW_CALL,
            lambda lead: lead.setter_id or lead.user_id,
        )

    def _mark_second_meeting(self, from_stage_ids):
        self.filtered(lambda lead: not lead.needed_second_meeting)._with_intent().write({"needed_second_meeting": True})

    def _record_setter(self, from_stage_ids):
        """The salesperson who pre-qualifies a lead (moves it out of Inquiry received, logs a
        call) becomes its setter when it has none; the cron and imports by OdooBot don't."""
        without_setter = self._gaining_setter()
        if without_setter:
            without_setter.setter_id = self.env.user

    def _record_creating_setter(self, from_stage_ids):
        """A setter who types in an inquiry is its setter."""
        if self.env.user.deal_phase_role == "setter":
            self.filtered(lambda lead: lead.id not in from_stage_ids)._gaining_setter().setter_id = self.env.user

    def _setter_values(self, target_stage_id):
        """The setter a lead leaving Inquiry received gains, in the move's own write (its hook
        there; _record_setter after the write covers the moves that bypass it)."""
        return {lead_id: {"setter_id": self.env.uid} for lead_id in self._gaining_setter().ids}

    def _gaining_setter(self):
        """The leads the current user becomes the setter of: those without one, when the
        user is a salesperson (not the cron, nor an import by OdooBot)."""
        if self.env.uid == SUPERUSER_ID or not self.env.user._is_internal():
            return self.browse()
        return self.filtered(lambda lead: not lead.setter_id)
