from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Command

from .deal_phase import (
    DEAL_ACTORS,
    MEETING_EVENT_FIELDS,
    NOT_SOLD_REASON,
    PHASES,
    SECOND_MEETING_CANCELLED_REASON,
    PhaseIntent,
)

HELD_EVENT_TYPE = "crm_deal_phases.calendar_event_type_held"
NO_SHOW_EVENT_TYPE = "crm_deal_phases.calendar_event_type_no_show"
CANCELLATION_TEMPLATE = "calendar.calendar_template_delete_event"


class CalendarEvent(models.Model):
    """The calendar side of a lead's consultations: moving the event moves the lead's
    meeting date (a postponement), deleting or archiving it cancels the consultation - the
    lead moves as the graph says, or the deletion is refused when the graph does not allow
    it. The lead side is in crm_lead_meetings.py."""

    _inherit = "calendar.event"

    deal_meeting_field = fields.Selection(
        [
            ("first_meeting_date", "First consultation"),
            ("second_meeting_date", "Second consultation"),
            ("setter_appointment", "Setter appointment"),
        ],
        string="Deal Meeting",
        readonly=True,
        copy=False,
        help="The meeting of the lead this event carries.",
    )
    # who booked, confirmed, moved and cancelled the consultation: the consultation figures
    deal_booked_by_lead = fields.Boolean("Booked by the Lead", readonly=True, copy=False)
    deal_confirmed = fields.Boolean(
        "Confirmed by the Customer", readonly=True, copy=False, help="The customer said they will attend."
    )
    deal_postponed_count = fields.Integer("Postponements", readonly=True, copy=False)
    deal_postponed_by_lead = fields.Integer("Postponed by the Lead", readonly=True, copy=False)
    deal_postponed_by_setter = fields.Integer("Postponed by the Setter", readonly=True, copy=False)
    deal_postponed_by_closer = fields.Integer("Postponed by the Closer", readonly=True, copy=False)
    deal_cancelled_by = fields.Selection(DEAL_ACTORS, "Cancelled by", readonly=True, copy=False)
    # the setter was asked once to call a customer who had not confirmed (crm_lead_booking.py)
    deal_confirmation_call = fields.Boolean("Confirmation Call Asked", readonly=True, copy=False)

    # ORM

    def write(self, vals):
        if PhaseIntent.of(self.env) or not vals.keys() & {"start", "active"}:
            return super().write(vals)
        if "active" in vals and not vals["active"]:
            self._cancel_deal_meetings(self.env._("The event was archived in the calendar."))
        res = super().write(vals)
        if "start" in vals:
            self._follow_deal_meetings()
        return res

    def unlink(self):
        if not PhaseIntent.of(self.env):
            self._cancel_deal_meetings(self.env._("The event was deleted from the calendar."))
        return super().unlink()

    # BUSINESS

    def _deal_write(self, vals):
        """A write the lead side makes: it must not come back to the lead. Nor to the event:
        calendar moves the organiser's meeting activity with it, and that activity's write
        would move the event once more - a second "date updated" e-mail to every attendee."""
        intent = {PhaseIntent.CONTEXT_KEY: PhaseIntent(), "calendar_event_meeting_update": True}
        return self.with_context(**intent).sudo().write(vals)

    def _deal_mark_held(self, feedback, tag_xmlid=HELD_EVENT_TYPE):
        """The meeting took place (or is counted so): it stays in the calendar as history,
        tagged, with no reminder left; its organiser's meeting activity is done with feedback."""
        tag = self.env.ref(tag_xmlid, raise_if_not_found=False)
        self._deal_write({"alarm_ids": [Command.clear()], "categ_ids": [Command.link(tag.id)] if tag else []})
        for activity in self.sudo().activity_ids:
            activity.action_feedback(feedback=feedback)

    def _deal_cancel(self, tell_attendees):
        """The meeting will not take place: archived with its reminders gone, its organiser's
        meeting activity removed; the attendees told by calendar's cancellation when asked."""
        template = self.env.ref(CANCELLATION_TEMPLATE, raise_if_not_found=False)
        for event in self.sudo().filtered("active"):
            if template and tell_attendees:
                template.sudo().send_mail(event.id)
            event._deal_write({"active": False, "alarm_ids": [Command.clear()]})
        self.sudo().activity_ids.unlink()

    def _deal_lead(self):
        """The lead this event is the current meeting of (none for an old or foreign event)."""
        self.ensure_one()
        lead = self.opportunity_id
        field = self.deal_meeting_field
        if not (lead and field) or lead.sudo()[MEETING_EVENT_FIELDS[field]] != self:
            return lead.browse()
        phase = lead.sudo().deal_phase
        if field != "setter_appointment" and (not phase or PHASES[phase].meeting_field != field):
            return lead.browse()
        return lead.sudo()

    def _follow_deal_meetings(self):
        """Moved in the calendar: the lead's date follows, which counts as a postponement."""
        for event in self:
            lead = event._deal_lead()
            if lead and lead[event.deal_meeting_field] != event.start:
                lead.write({event.deal_meeting_field: event.start})

    def _cancel_deal_meetings(self, reason):
        """Deleted or archived in the calendar: the consultation is cancelled, the lead moves
        where the phase table sends a cancelled consultation (Qualified from a First
        consultation, Not sold from a Second one); a setter appointment is simply gone."""
        for event in self:
            lead = event._deal_lead()
            if not lead:
                continue
            intent = {"reason": reason, "cancelled_events": event}
            if event.deal_meeting_field == "setter_appointment":
                lead._with_intent(**intent).write({"setter_appointment": False, "setter_appointment_event_id": False})
                continue
            target = PHASES[lead.deal_phase].cancelled_to
            values = {"stage_id": self.env["crm.stage"]._stage_of_phase(target).id}
            if NOT_SOLD_REASON in PHASES[target].requirements:
                values["lost_reason_id"] = self.env.ref(SECOND_MEETING_CANCELLED_REASON).id
            try:
                lead._with_intent(**intent).write(values)
            except UserError as error:
                raise UserError(
                    self.env._(
                        'The event "%(event)s" is the consultation of "%(lead)s": removing it cancels the '
                        "consultation, which the deal phases do not allow now. The event stays.\n%(why)s",
                        event=event.name,
                        lead=lead.display_name,
                        why=error.args[0],
                    )
                ) from error
