from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import format_date

# The hours a closer's free slots are offered in, in the closer's time zone, when neither the
# closer nor the company has working hours (resource.calendar).
WORKING_HOURS = (8, 18)
# a whole working day of one-hour slots
MAX_FREE_SLOTS = 12
# How many days ahead the next free slots are looked for when the asked day has none left.
FREE_SLOT_DAYS = 7


class CrmLeadBookingMixin(models.AbstractModel):
    """What a wizard that books or moves a consultation asks beside the date: where it takes
    place, whether the setter is invited - and the closer's calendar around it: a warning
    (not a refusal) when the closer is busy then, and the closer's next free slots of the day."""

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
        duration = timedelta(minutes=self.env["crm.lead"]._deal_settings().meeting_duration_minutes)
        for wizard in self:
            field = wizard._booking_date_field()
            closer = wizard._booking_closer()
            start = wizard[field] if field else False
            wizard.meeting_conflict = False
            wizard.free_slots = False
            if not (field and closer):
                continue
            tz = pytz.timezone(closer.tz or self.env.user.tz or "UTC")
            today = datetime.now(tz).date()
            day = max(pytz.utc.localize(start).astimezone(tz).date(), today) if start else today
            days = [day + timedelta(days=offset) for offset in range(FREE_SLOT_DAYS)]
            window_start, window_end = _day_bounds(days[0], tz)[0], _day_bounds(days[-1], tz)[1]
            busy = wizard._closer_events(
                closer, min(window_start, start or window_start), max(window_end, (start or window_end) + duration)
            )
            if start:
                clash = busy.filtered(lambda event, start=start: event.start < start + duration and event.stop > start)
                if clash:
                    wizard.meeting_conflict = self.env._(
                        '%(closer)s has "%(event)s" then (%(start)s to %(stop)s): book anyway, or pick a free slot.',
                        closer=closer.name,
                        event=clash[0].name,
                        start=self.env["crm.lead"]._format_user_datetime(clash[0].start),
                        stop=self.env["crm.lead"]._format_user_datetime(clash[0].stop),
                    )
            wizard.free_slots = wizard._next_free_slots(busy, days, duration, tz, closer)

    def _booking_depends(self):
        return ["location"]

    def _closer_events(self, closer, start, stop):
        return (
            self.env["calendar.event"]
            .sudo()
            .search([("partner_ids", "in", closer.partner_id.ids), ("start", "<", stop), ("stop", ">", start)])
            - self._booking_events_to_ignore()
        )

    def _next_free_slots(self, busy, days, duration, tz, closer):
        """The free slots of the first of days that has any left: the asked day's, or, once its
        working hours are over or booked up, the next working day's (labelled with their date)."""
        calendar = closer.resource_calendar_id or closer.company_id.resource_calendar_id
        for day in days:
            if day != days[0] and day.weekday() >= 5 and not calendar:
                continue
            slots = self._free_slots(busy, _working_intervals(calendar, day, tz), duration, tz)
            if slots:
                if day != days[0]:
                    for slot in slots:
                        slot["label"] = f"{format_date(self.env, day)} {slot['label']}"
                return slots
        return []

    def _free_slots(self, busy, intervals, duration, tz):
        """The slots of duration within the working intervals ([(start, stop)], naive UTC) that
        lie ahead and clash with no event of the closer."""
        now = fields.Datetime.now()
        slots = []
        for slot, stop in intervals:
            while slot + duration <= stop and len(slots) < MAX_FREE_SLOTS:
                if slot >= now and not any(event.start < slot + duration and event.stop > slot for event in busy):
                    local = pytz.utc.localize(slot).astimezone(tz)
                    slots.append({"start": fields.Datetime.to_string(slot), "label": local.strftime("%H:%M")})
                slot += duration
        return slots

    def _booking_options(self):
        """What the booking adds to the consultation's calendar event."""
        return {
            "location": self.location,
            "videocall_location": self.videocall_location,
            "invite_setter": self.invite_setter,
        }


def _to_utc(moment):
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


def _day_bounds(day, tz):
    """The start and end of day in tz, as naive UTC datetimes."""
    start = tz.localize(datetime.combine(day, time.min))
    return _to_utc(start), _to_utc(start + timedelta(days=1))


def _working_intervals(calendar, day, tz):
    """The closer's working intervals of day, as naive UTC (start, stop): the working hours
    of the calendar (the closer's, else the company's) read in the closer's time zone, minus
    the calendar's leaves; 08:00 to 18:00 without a calendar."""
    if not calendar:
        return [tuple(_to_utc(tz.localize(datetime.combine(day, time(hour)))) for hour in WORKING_HOURS)]
    start = tz.localize(datetime.combine(day, time.min))
    intervals = calendar._work_intervals_batch(start, start + timedelta(days=1), tz=tz)[False]
    return [(_to_utc(begin), _to_utc(end)) for begin, end, _attendance in intervals]
