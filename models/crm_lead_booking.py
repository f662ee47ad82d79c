from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from .deal_phase import CONSULTATIONS, MEETING_EVENT_FIELDS, NOT_SOLD, PHASES, QUALIFIED, _lt

UNCONFIRMED_CALL = _lt("Unconfirmed consultation: call to confirm")
# The phases a booking link is sent from: a lead books its consultation, or moves, cancels and
# confirms the one it has.
LINK_PHASES = (QUALIFIED, NOT_SOLD, *(code for code, phase in PHASES.items() if phase.meeting_field))
ATTENDANCE = [
    ("needsAction", "Not confirmed"),
    ("tentative", "Maybe"),
    ("accepted", "Confirmed"),
    ("declined", "Declined"),
]


class CrmLead(models.Model):
    """The consultation the lead handles itself: its booking links, whether the customer has
    confirmed the booked consultation, and which closer a booking goes to - one rule for the
    booking link, the booking wizard and the inquiry page (crm.deal.slots._assign)."""

    _inherit = "crm.lead"

    booking_link_ids = fields.One2many("crm.deal.booking.link", "lead_id", "Booking Links", readonly=True)
    consultation_attendance = fields.Selection(
        ATTENDANCE,
        "Customer's Answer",
        compute="_compute_consultation_attendance",
        help="The customer's answer to the invitation of the booked consultation: confirmed (the link in the "
        "invitation, the reminder or the booking page), declined (which cancels it), or none yet.",
    )

    @api.depends("stage_id", "first_meeting_event_id", "second_meeting_event_id", "partner_id")
    def _compute_consultation_attendance(self):
        for lead in self:
            event = lead._consultation_event()
            attendee = event.sudo().attendee_ids.filtered(lambda a, lead=lead: a.partner_id == lead.partner_id)[:1]
            lead.consultation_attendance = attendee.state if event and attendee else False

    # ACTIONS

    def action_send_booking_link(self):
        """A new booking link (the lead's earlier ones stop working), shown once with its
        e-mail and WhatsApp buttons."""
        self.ensure_one()
        if self.deal_phase not in LINK_PHASES or not self.active:
            raise UserError(
                self.env._(
                    '"%(lead)s" is in %(phase)s: a booking link is sent from Qualified (no appointment), Not sold '
                    "and a booked consultation.",
                    lead=self.display_name,
                    phase=self.stage_id.name,
                )
            )
        link, token = self.env["crm.deal.booking.link"]._issue(self)
        wizard = self.env["crm.deal.booking.link.send"].create({"link_id": link.id, "url": self._booking_url(token)})
        return self._window_action(self.env._("Booking Link"), wizard._name, wizard.id, target="new")

    # BUSINESS

    @api.model
    def _cron_confirm_consultations(self):
        """A consultation the customer has not confirmed this many hours (the settings) before
        it: the lead's setter (else its salesperson, else its closer) gets a call to confirm
        it, once. A no-show is the worst outcome of a consultation."""
        now = fields.Datetime.now()
        soon = now + timedelta(hours=self._deal_settings().unconfirmed_call_hours)
        stages = self.env["crm.stage"]._stages_of_phases(list(CONSULTATIONS))
        leads = self.search(
            [("stage_id", "in", stages.ids), ("consultation_date", ">", now), ("consultation_date", "<=", soon)]
        )
        # once per consultation: a call done (its activity gone) and still no answer asks no more
        unconfirmed = leads.filtered(
            lambda lead: (
                lead.consultation_attendance not in ("accepted", "declined")
                and not lead._consultation_event().sudo().deal_confirmation_call
            )
        )
        unconfirmed._schedule_for_users(
            "mail.mail_activity_data_call",
            fields.Date.context_today(self),
            UNCONFIRMED_CALL,
            lambda lead: lead.setter_id or lead.user_id or lead.closer_id,
        )
        self.env["calendar.event"].union(*(lead._consultation_event() for lead in unconfirmed))._deal_write(
            {"deal_confirmation_call": True}
        )

    def _booking_url(self, token):
        return f"{self.get_base_url()}/crm_deal_phases/book/{token}"

    def _consultation_event(self):
        """The event of the consultation the lead is booked for now, if any."""
        self.ensure_one()
        spec = PHASES.get(self.deal_phase)
        return (
            self[MEETING_EVENT_FIELDS[spec.meeting_field]]
            if spec and spec.meeting_field
            else self.env["calendar.event"]
        )

    def _consultation_closers(self):
        """Who a booking of this lead may go to: the closers of its team (its own closer among
        them), else its closer."""
        self.ensure_one()
        team = self.team_id
        closers = (team.member_ids | team.user_id).filtered(
            lambda user: user.deal_phase_role == "closer" and not user.share
        )
        return (closers | self.closer_id).sorted("id")

    def _closer_for(self, start, candidates=None):
        """The closer a consultation at start goes to, by the rule of every booking: the
        lead's closer when free then, else of the closers free then the one the rule gives."""
        self.ensure_one()
        Slots = self.env["crm.deal.slots"]
        duration = timedelta(minutes=self._deal_settings().meeting_duration_minutes)
        free = Slots._free_at(candidates or self._consultation_closers(), start, duration)
        return Slots._assign(free, start, owner=self.closer_id, caps=self._closer_caps())

    def _closer_caps(self):
        """{closer: consultations a day at most} of the lead's team."""
        self.ensure_one()
        return {
            member.user_id: member.deal_consultations_per_day
            for member in self.team_id.sudo().crm_team_member_ids
            if member.deal_consultations_per_day
        }

    def _tell_closer_of_cancellation(self, start):
        """The customer cancelled their consultation: the closer is told, with a call to make."""
        self._schedule_for_users(
            "mail.mail_activity_data_call",
            fields.Date.context_today(self),
            self.env._("The customer cancelled the consultation of %s: call back?", self._format_user_datetime(start)),
            lambda lead: lead.closer_id or lead.user_id,
        )
        self._message_log_batch(
            bodies=dict.fromkeys(
                self.ids,
                Markup("<p>%s</p>")
                % self.env._(
                    "The customer cancelled the consultation of %s on their booking link.",
                    self._format_user_datetime(start),
                ),
            )
        )
