from datetime import timedelta

from odoo import api, fields, models

from .crm_deal_slots import CONSULTATION_FIELDS
from .deal_phase import (
    FIRST_MEETING,
    NOT_SOLD,
    NOT_SOLD_REASON,
    PHASES,
    QUALIFIED,
    SECOND_MEETING,
    SECOND_MEETING_CANCELLED_REASON,
    _lt,
)

# what a booking link books, by the lead's phase
BOOKED_FROM = {QUALIFIED: FIRST_MEETING, NOT_SOLD: SECOND_MEETING}
BOOKED_BY_LEAD = _lt("Booked by the customer on their booking link.")
CANCELLED_BY_LEAD = _lt("Cancelled by the customer.")


class CrmDealBooking(models.AbstractModel):
    """The consultation the lead handles itself - its booking link's page and the answers to
    the calendar's invitation (controllers/booking.py is HTTP only): what the page offers, and
    the booking, the move, the cancellation and the confirmation the person makes. Each goes
    through the phase graph as any other door, in the name of the consultation's closer, and is
    logged as the person's own: booked, Qualified to First consultation (Not sold to Second);
    moved, a postponement; cancelled, First consultation to Qualified, Second to Not sold, the
    closer told.

    The one place a visitor's request writes the CRM, as superuser in the closer's name (their
    calendar, their event, their activity): the lead's stage, its consultation's date, its
    closer and not-sold reason, the event's marks of what the person did (_as_closer)."""

    _name = "crm.deal.booking"
    _description = "Consultations the Lead Books"

    # WHAT THE PAGE SHOWS

    @api.model
    def _state_of(self, lead):
        """ "book" (a consultation to book), "booked" (one to move, cancel or confirm) or
        "closed" (nothing to do here: the page says to call)."""
        if not lead.active:
            return "closed"
        if lead.deal_phase in BOOKED_FROM:
            return "book"
        if lead.deal_phase in (FIRST_MEETING, SECOND_MEETING) and lead._consultation_event().active:
            return "booked"
        return "closed"

    @api.model
    def _offer(self, lead, now=None):
        """{slot: the closers free then} the page offers: the days of the settings from the
        minimum notice on, each closer's buffer kept. A booking goes to the team's closers (a
        Not sold lead's to its closer), a move stays with the booked closer."""
        settings = lead._deal_settings()
        now = now or fields.Datetime.now()
        state = self._state_of(lead)
        event = lead._consultation_event()
        if state == "book":
            closers = lead.closer_id if lead.deal_phase == NOT_SOLD and lead.closer_id else lead._consultation_closers()
        elif state == "booked":
            closers = event.user_id or lead.closer_id
        else:
            return {}
        free = self.env["crm.deal.slots"]._free_slots(
            closers,
            now + timedelta(hours=settings.booking_notice_hours),
            now + timedelta(days=settings.booking_days),
            self._duration(),
            buffer=timedelta(minutes=settings.booking_buffer_minutes),
            ignore_events=event,
        )
        free.pop(event.start, None)  # another time than the booked one
        return free

    @api.model
    def _changeable_until(self, lead):
        """Until when the person moves or cancels the booked consultation on the page."""
        event = lead._consultation_event()
        return event.start - timedelta(hours=lead._deal_settings().self_service_hours) if event else False

    # WHAT THE PERSON DOES

    @api.model
    def _book(self, link, slot):
        """Book the consultation at slot with the closer the rule gives: None, or why not."""
        lead = link.lead_id.sudo()
        if self._state_of(lead) != "book":
            return self.env._("This link books no consultation any more.")
        Slots = self.env["crm.deal.slots"]
        settings = lead._deal_settings()
        candidates = self._offer(lead).get(slot)
        caps = lead._closer_caps()
        while candidates:
            closer = Slots._assign(candidates, slot, owner=lead.closer_id, caps=caps)
            if not closer:
                break
            buffer = timedelta(minutes=settings.booking_buffer_minutes)
            if Slots._take(
                closer, slot, self._duration(), buffer, day_cap=caps.get(closer), fields=CONSULTATION_FIELDS
            ):
                to_phase = BOOKED_FROM[lead.deal_phase]
                if lead.closer_id != closer:
                    lead.closer_id = closer  # the consultation's closer books it
                as_closer = self._as_closer(lead, closer)
                as_closer._with_intent(reason=as_closer.env._(BOOKED_BY_LEAD), by_lead=True).write(
                    {
                        "stage_id": self.env["crm.stage"]._stage_of_phase(to_phase).id,
                        PHASES[to_phase].meeting_field: slot,
                    }
                )
                link.sudo()._keep_until(slot)
                return None
            candidates -= closer
        return self.env._("This time was just taken. Please choose one of the next free times.")

    @api.model
    def _move(self, link, slot):
        """Move the booked consultation to slot, with its closer: a postponement. None, or why not."""
        lead = link.lead_id.sudo()
        refusal = self._refusal_to_change(lead)
        if refusal:
            return refusal
        event = lead._consultation_event()
        closer = event.user_id or lead.closer_id
        buffer = timedelta(minutes=lead._deal_settings().booking_buffer_minutes)
        free = closer in self._offer(lead).get(slot, closer.browse())
        if not free or not self.env["crm.deal.slots"]._take(
            closer, slot, self._duration(), buffer, ignore_events=event
        ):
            return self.env._("This time was just taken. Please choose one of the next free times.")
        self._as_closer(lead, closer)._with_intent(by_lead=True).write({PHASES[lead.deal_phase].meeting_field: slot})
        link.sudo()._keep_until(slot)
        return None

    @api.model
    def _cancel(self, link):
        lead = link.lead_id.sudo()
        return self._refusal_to_change(lead) or self._cancel_consultation(lead)

    @api.model
    def _attend(self, link):
        """The person will come: their answer to the invitation is yes."""
        lead = link.lead_id.sudo()
        if self._state_of(lead) != "booked":
            return self.env._("This link has no consultation to confirm.")
        lead._consultation_event().attendee_ids.filtered(lambda a: a.partner_id == lead.partner_id).do_accept()
        return None

    @api.model
    def _cancel_consultation(self, lead):
        """The person cancels their consultation - on the page, or by declining the calendar's
        invitation: as the seed says, a First consultation goes back to Qualified (no
        appointment), a Second one to Not sold; the event is cancelled, the closer told."""
        event = lead._consultation_event().sudo()
        closer = lead.closer_id or event.user_id
        from_phase = lead.deal_phase
        target = PHASES[from_phase].cancelled_to
        values = {"stage_id": self.env["crm.stage"]._stage_of_phase(target).id}
        if NOT_SOLD_REASON in PHASES[target].requirements:
            values["lost_reason_id"] = self.env.ref(SECOND_MEETING_CANCELLED_REASON).id
        # a Second consultation cancelled is Not sold: no early decision to confirm, the person's own
        as_closer = self._as_closer(lead, closer)
        as_closer._with_intent(
            reason=as_closer.env._(CANCELLED_BY_LEAD), by_lead=True, early_confirmed=from_phase == SECOND_MEETING
        ).write(values)
        as_closer._tell_closer_of_cancellation(event.start)
        return None

    # BUSINESS

    @api.model
    def _as_closer(self, lead, closer):
        """The lead in the closer's name and language, as superuser: the graph judges the
        closer's move, the event is theirs, what is logged and asked of them reads in their
        language (the page speaks the person's); a visitor's request may not read the
        contacts it invites."""
        return lead.with_user(closer).with_context(lang=closer.lang or lead.env.lang).sudo()

    @api.model
    def _refusal_to_change(self, lead):
        if self._state_of(lead) != "booked":
            return self.env._("This link has no consultation to move or cancel.")
        if fields.Datetime.now() > self._changeable_until(lead):
            return self.env._("The consultation is too close to move or cancel here. Please call us.")
        return None

    @api.model
    def _duration(self):
        return timedelta(minutes=self.env["crm.lead"]._deal_settings().meeting_duration_minutes)
