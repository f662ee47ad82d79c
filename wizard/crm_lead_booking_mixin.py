from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import format_date

# a whole working day of one-hour slots
MAX_FREE_SLOTS = 12
# How many days ahead the next free slots are looked for when the asked day has none left.
FREE_SLOT_DAYS = 7


def _to_utc(moment):
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


class CrmLeadBookingMixin(models.AbstractModel):
    """What a wizard that books or moves a consultation asks beside the date: where it takes
    place, whether the setter is invited - and the closer's calendar around it, from the one
    slot engine (crm.deal.slots): a warning (not a refusal) when the closer is busy then, and
    the closer's free slots of the day (or of the next working day once it is over or booked up)."""

    _name = "crm.lead.booking.mixin"
    _description = "Consultation Booking Options"

    location = fields.Char()
    videocall_location = fields.Char("Video Link")
    invite_setter = fields.Boolean("Invite the Setter", help="The lead's setter attends the consultation too.")
    meeting_conflict = fields.Char("Closer Busy", compute="_compute_closer_calendar")
    free_slots = fields.Json(compute="_compute_closer_calendar")

    def _booking_date_field(self):
        """The name of the wizard's field holding the meeting's date (empty: nothing booked)."""
        raise NotImplementedError

    def _booking_closer(self):
        raise NotImplementedError

    def _booking_events_to_ignore(self):
        """The events the booking replaces (a postponed consultation's own event)."""
        return self.env["calendar.event"]

    @api.depends(lambda self: self._booking_depends())
    def _compute_closer_calendar(self):
        Slots = self.env["crm.deal.slots"]
        duration = timedelta(minutes=self.env["crm.lead"]._deal_settings().meeting_duration_minutes)
        for wizard in self:
            field = wizard._booking_date_field()
            closer = wizard._booking_closer()
            start = wizard[field] if field else False
            wizard.meeting_conflict = False
            wizard.free_slots = False
            if not (field and closer):
                continue
            ignored = wizard._booking_events_to_ignore()
            if start:
                clash = Slots._busy_events(closer, start, start + duration, ignored)
                if clash:
                    wizard.meeting_conflict = self.env._(
                        '%(closer)s has "%(event)s" then (%(start)s to %(stop)s): book anyway, or pick a free slot.',
                        closer=closer.name,
                        event=clash[0].name,
                        start=self.env["crm.lead"]._format_user_datetime(clash[0].start),
                        stop=self.env["crm.lead"]._format_user_datetime(clash[0].stop),
                    )
            wizard.free_slots = wizard._next_free_slots(closer, start, duration, ignored)

    def _booking_depends(self):
        return ["location"]

    def _next_free_slots(self, closer, start, duration, ignored):
        """The free slots of the asked day (today when none is asked), or, once its working
        hours are over or booked up, of the next working day that has any (labelled with its
        date): [{"start", "label"}], in the closer's time zone."""
        tz = pytz.timezone(closer.tz or self.env.user.tz or "UTC")
        today = datetime.now(tz).date()
        first = max(pytz.utc.localize(start).astimezone(tz).date(), today) if start else today
        now = fields.Datetime.now()
        for offset in range(FREE_SLOT_DAYS):
            day = first + timedelta(days=offset)
            begin = max(_to_utc(tz.localize(datetime.combine(day, time.min))), now)
            end = _to_utc(tz.localize(datetime.combine(day, time.max)))
            slots = list(self.env["crm.deal.slots"]._free_slots(closer, begin, end, duration, ignore_events=ignored))
            if slots:
                prefix = f"{format_date(self.env, day)} " if day != first else ""
                return [
                    {
                        "start": fields.Datetime.to_string(slot),
                        "label": prefix + pytz.utc.localize(slot).astimezone(tz).strftime("%H:%M"),
                    }
                    for slot in slots[:MAX_FREE_SLOTS]
                ]
        return []

    def _booking_options(self):
        """What the booking adds to the consultation's calendar event."""
        return {
            "location": self.location,
            "videocall_location": self.videocall_location,
            "invite_setter": self.invite_setter,
        }
