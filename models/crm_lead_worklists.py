from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .deal_phase import NOT_SOLD, PHASES, _lt

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
    consultation_date = fields.Datetime(
        "Consultation",
        compute="_compute_consultation_date",
        store=True,
        help="The booked First or Second consultation of a lead in one of them: what the closer's list sorts by.",
    )
    last_contact_date = fields.Datetime(
        "Last Contact",
        compute="_compute_last_contact_date",
        help="The last call logged or activity done on the lead.",
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

    @api.depends("stage_id", "first_meeting_date", "second_meeting_date")
    def _compute_consultation_date(self):
        # one assignment per stage: a batch moved into a phase without meetings costs one
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        for stage, leads in self.grouped("stage_id").items():
            field = PHASES[phase].meeting_field if (phase := phase_of.get(stage.id)) else ""
            if field:
                for lead in leads:
                    lead.consultation_date = lead[field]
            else:
                leads.consultation_date = False

    @api.depends("last_call_date")
    def _compute_last_contact_date(self):
        done = dict(
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", self._origin.ids),
                    ("mail_activity_type_id", "!=", False),
                ],
                ["res_id"],
                ["date:max"],
            )
        )
        for lead in self:
            dates = [date for date in (lead.last_call_date, done.get(lead._origin.id)) if date]
            lead.last_contact_date = max(dates) if dates else False

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
        self._plan_win_back({})
        return True

    # BUSINESS

    def _plan_win_back(self, from_stage_ids):
        """Not sold starts the closer follow-up: the closer gets a win-back to-do for the next
        day, unless one is open already."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        planned = {
            activity.res_id
            for activity in self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", todo.id),
                    ("summary", "in", list(self._all_translations(WIN_BACK).values())),
                ]
            )
        }
        self.filtered(lambda lead: lead.id not in planned)._schedule_for_users(
            "mail.mail_activity_data_todo",
            fields.Date.context_today(self) + timedelta(days=1),
            WIN_BACK,
            lambda lead: lead.closer_id,
        )

    def _call_due_limit(self):
        return fields.Datetime.now() - timedelta(days=self._deal_settings().follow_up_cadence_days)
