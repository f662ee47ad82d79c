from bisect import bisect_left
from collections import defaultdict
from datetime import datetime, time, timedelta

import pytz
from babel.dates import (
    format_date,
    format_skeleton,
    format_time,
    get_timezone,
    get_timezone_location,
    get_timezone_name,
)

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse

# The hours slots are offered in, in the user's time zone, when neither the user nor the
# company has working hours (resource.calendar): Monday to Friday.
DEFAULT_WORKING_HOURS = (8, 18)
# pg_advisory_xact_lock(SLOT_LOCK, user id): one booking of a user's calendar at a time
SLOT_LOCK = 4_477_011
# the consultations a closer holds, and the setter calls: the events a round counts
CONSULTATION_FIELDS = ("first_meeting_date", "second_meeting_date")
SETTER_CALL_FIELDS = ("setter_appointment",)


def _to_utc(moment):
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


class CrmDealSlots(models.AbstractModel):
    """The one engine of free times, for every booking: the setter calls of the inquiry page,
    the consultations of the booking wizard and of a lead's booking link. A user's free slots
    are their working hours - their resource.calendar, else their company's, in their time
    zone, minus its leaves; Monday to Friday 08:00 to 18:00 without one - minus the events they
    attend and have not declined (free/busy only: nothing else of an event), widened by a
    buffer, in steps of the meeting's length. A slot is taken under a lock per user, and read
    again on a fresh cursor: two bookings never share one user's time. Who of the free users
    gets a booking is one rule too (_assign)."""

    _name = "crm.deal.slots"
    _description = "Free Slots of Setters and Closers"

    # FREE SLOTS

    @api.model
    def _free_slots(self, users, start, stop, duration, buffer=timedelta(0), ignore_events=None, ignore_busy=False):
        """{slot start (naive UTC): the users free then}, in time order, for the slots that
        begin between start and stop (ignore_busy: the working slots, booked or not)."""
        users = users._origin.sorted("id")  # a form's new records stand for the users they hold
        if not users:
            return {}
        busy = {} if ignore_busy else self._busy(users, start - buffer, stop + duration + buffer, ignore_events)
        free = defaultdict(lambda: self.env["res.users"])
        for user, intervals in self._working_intervals(users, start, stop + duration).items():
            taken = busy.get(user.partner_id.id, ([], []))
            for begin, end in intervals:
                slot = begin
                while slot + duration <= end:
                    if start <= slot <= stop and not self._overlaps(taken, slot - buffer, slot + duration + buffer):
                        free[slot] |= user
                    slot += duration
        return dict(sorted(free.items()))

    @api.model
    def _free_at(self, users, start, duration, buffer=timedelta(0), ignore_events=None):
        """The users working the whole of [start, start + duration) and free then - any time,
        not only a slot of the grid (the booking wizard's date is typed)."""
        users = users._origin
        if not users:
            return users
        stop = start + duration
        busy = self._busy(users, start - buffer, stop + buffer, ignore_events)
        working = self._working_intervals(users, start, stop)
        return users.filtered(
            lambda user: (
                any(begin <= start and stop <= end for begin, end in working[user])
                and not self._overlaps(busy.get(user.partner_id.id, ([], [])), start - buffer, stop + buffer)
            )
        )

    @api.model
    def _working_intervals(self, users, start, stop):
        """{user: [(begin, end)]} of each user's working time between start and stop, naive
        UTC; computed once per calendar and time zone, however many users share them."""
        groups = defaultdict(lambda: self.env["res.users"])
        for user in users:
            groups[user.resource_calendar_id or user.company_id.resource_calendar_id, user.tz or "UTC"] |= user
        result = {}
        for (calendar, tz_name), members in groups.items():
            tz = pytz.timezone(tz_name)
            first_day = pytz.utc.localize(start).astimezone(tz).date()
            last_day = pytz.utc.localize(stop).astimezone(tz).date()
            if calendar:
                begin = tz.localize(datetime.combine(first_day, time.min))
                end = tz.localize(datetime.combine(last_day, time.max))
                intervals = [
                    (_to_utc(b), _to_utc(e))
                    for b, e, _attendance in calendar._work_intervals_batch(begin, end, tz=tz)[False]
                ]
            else:
                days = [first_day + timedelta(days=offset) for offset in range((last_day - first_day).days + 1)]
                intervals = [
                    tuple(_to_utc(tz.localize(datetime.combine(day, time(hour)))) for hour in DEFAULT_WORKING_HOURS)
                    for day in days
                    if day.weekday() < 5
                ]
            for user in members:
                result[user] = intervals
        return result

    @api.model
    def _busy(self, users, start, stop, ignore_events=None):
        """{partner id: (starts, ends)} of the users' busy time between start and stop: the
        events they attend and have not declined, merged into disjoint intervals in time order."""
        self.env["calendar.event"].flush_model(["start", "stop", "active", "show_as"])
        self.env["calendar.attendee"].flush_model(["event_id", "partner_id", "state"])
        intervals = defaultdict(list)
        for partner_id, begin, end in self.env.execute_query(self._busy_query(users, start, stop, ignore_events)):
            intervals[partner_id].append((begin, end))
        return {partner_id: self._merged(spans) for partner_id, spans in intervals.items()}

    @api.model
    def _busy_query(self, users, start, stop, ignore_events=None):
        ignored = tuple(ignore_events.ids) if ignore_events else (0,)
        return SQL(
            """
            SELECT attendee.partner_id, event.start, event.stop
              FROM calendar_attendee attendee
              JOIN calendar_event event ON event.id = attendee.event_id
             WHERE attendee.partner_id IN %s AND attendee.state IS DISTINCT FROM 'declined'
               AND event.active AND event.show_as = 'busy' AND event.start < %s AND event.stop > %s
               AND event.id NOT IN %s
             ORDER BY event.start
            """,
            tuple(users.partner_id.ids),
            stop,
            start,
            ignored,
        )

    @staticmethod
    def _merged(spans):
        starts, ends = [], []
        for begin, end in sorted(spans):
            if ends and begin <= ends[-1]:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(begin)
                ends.append(end)
        return starts, ends

    @staticmethod
    def _overlaps(busy, start, stop):
        """Whether [start, stop) meets the disjoint busy intervals (starts, ends): only the last
        one that begins before stop can."""
        starts, ends = busy
        index = bisect_left(starts, stop) - 1
        return index >= 0 and ends[index] > start

    @api.model
    def _busy_events(self, user, start, stop, ignore_events=None):
        """The events that make a user busy between start and stop, to name a clash to the
        user who books (the wizard's warning)."""
        events = (
            self.env["calendar.event"]
            .sudo()
            .search(
                [("partner_ids", "in", user.partner_id.ids), ("start", "<", stop), ("stop", ">", start)], order="start"
            )
        )
        return events - (ignore_events or events.browse())

    # TAKING A SLOT

    @api.model
    def _take(self, user, slot, duration, buffer=timedelta(0), ignore_events=None, day_cap=0, fields=()):
        """Whether user's slot is still free - and, with a day_cap, the user still under it for
        these meetings (fields) that day - their calendar locked for the rest of this
        transaction: read again on a cursor of its own, as this transaction's snapshot predates
        a booking committed while it waited for the lock. Of two bookings racing for one user's
        slot, or for their last one of a day, the second finds it taken."""
        self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", SLOT_LOCK, user.id))
        # the queries alone on that cursor: an environment on it would wait for the registry's
        # lock, which a module update (or Odoo's test runner) holds
        with self.env.registry.cursor() as fresh:
            fresh.execute(self._busy_query(user, slot - buffer, slot + duration + buffer, ignore_events))
            if fresh.fetchall():
                return False
            if not day_cap:
                return True
            tz = pytz.timezone(user.tz or "UTC")
            day = pytz.utc.localize(slot).astimezone(tz).date()
            begin = _to_utc(tz.localize(datetime.combine(day, time.min)))
            fresh.execute(
                SQL(
                    """
                    SELECT count(*) FROM calendar_event
                     WHERE user_id = %s AND active AND deal_meeting_field IN %s AND start >= %s AND start < %s
                    """,
                    user.id,
                    tuple(fields),
                    begin,
                    begin + timedelta(days=1),
                )
            )
            return fresh.fetchone()[0] < day_cap

    # WHO GETS A BOOKING

    @api.model
    def _assign(self, candidates, slot, owner=None, fields=CONSULTATION_FIELDS, caps=None):
        """Who of candidates (the users free at slot) gets the booking, or none: the owner -
        the lead's closer or setter - first when free; else, of those under their daily cap
        (caps: {user: meetings a day}), the one with the fewest of these meetings (fields: the
        lead fields the events carry) in the slot's week, or, in strict rotation, the next
        after the one who got the last."""
        candidates, owner = candidates._origin, owner and owner._origin
        caps = {user._origin: cap for user, cap in (caps or {}).items()}
        mode = self.env["crm.lead"]._deal_settings().round_robin
        load = self._load(candidates, slot, fields)
        open_ones = candidates.filtered(lambda user: not caps.get(user) or load[user.id]["day"] < caps[user])
        if owner and owner in open_ones:
            return owner
        if not open_ones:
            return self.env["res.users"]
        if mode == "rotation":
            last = self._last_assigned(candidates, fields)
            ordered = candidates.sorted("id")
            after = ordered.ids[ordered.ids.index(last.id) + 1 :] if last in ordered else ordered.ids
            rotation = [user_id for user_id in (*after, *ordered.ids) if user_id in open_ones.ids]
            return self.env["res.users"].browse(rotation[:1])
        return min(open_ones, key=lambda user: (load[user.id]["week"], user.id))

    @api.model
    def _load(self, users, slot, fields):
        """{user id: {"day": meetings on the slot's day, "week": in its week}}, days and weeks
        in each user's time zone, counting the users' active events of these meetings."""
        users = users._origin
        load = {user.id: {"day": 0, "week": 0} for user in users}
        if not users:
            return load
        window = (slot - timedelta(days=8), slot + timedelta(days=8))
        rows = self.env.execute_query(
            SQL(
                """
                SELECT user_id, start FROM calendar_event
                 WHERE user_id IN %s AND active AND deal_meeting_field IN %s AND start > %s AND start < %s
                """,
                tuple(users.ids),
                tuple(fields),
                *window,
            )
        )
        for user_id, start in rows:
            tz = pytz.timezone(users.browse(user_id).tz or "UTC")
            day, local = (pytz.utc.localize(moment).astimezone(tz).date() for moment in (start, slot))
            if day.isocalendar()[:2] == local.isocalendar()[:2]:
                load[user_id]["week"] += 1
            if day == local:
                load[user_id]["day"] += 1
        return load

    @api.model
    def _last_assigned(self, users, fields):
        [row] = self.env.execute_query(
            SQL(
                "SELECT max(id) FROM calendar_event WHERE user_id IN %s AND deal_meeting_field IN %s",
                tuple(users.ids),
                tuple(fields),
            )
        )
        return self.env["calendar.event"].browse(row[0]).user_id if row[0] else self.env["res.users"]

    # AS PEOPLE READ THEM

    @api.model
    def _slot_days(self, slots, tz):
        """Slots as a page lists them, day by day in tz and the user's language:
        [{"label": "Tuesday, December 8, 2026", "short": "Tue, Dec 8", "times": [(value, "9:00 AM")]}]."""
        locale = babel_locale_parse(self.env.lang or "en_US")
        days = {}
        for slot in slots:
            local = pytz.utc.localize(slot).astimezone(tz)
            day = days.setdefault(
                local.date(),
                {
                    "label": format_date(local.date(), "full", locale=locale),
                    "short": format_skeleton("MMMEd", local.date(), locale=locale),
                    "times": [],
                },
            )
            day["times"].append((slot.strftime("%Y-%m-%dT%H:%M:%SZ"), format_time(local, "short", locale=locale)))
        return list(days.values())

    @api.model
    def _tz_label(self, tz):
        """A time zone as people say it: "Central European Time (Berlin)", not Europe/Berlin."""
        if tz.zone in ("UTC", "Etc/UTC"):
            return "UTC"
        locale = babel_locale_parse(self.env.lang or "en_US")
        zone = get_timezone(tz.zone)
        name = get_timezone_name(zone, "long", locale=locale, zone_variant="generic")
        return f"{name} ({get_timezone_location(zone, locale=locale, return_city=True)})"

    @api.model
    def _slot_of(self, value):
        """A slot as a page sends it back ("2026-12-08T09:00:00Z"), or None."""
        try:
            return datetime.strptime(value or "", "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return None
