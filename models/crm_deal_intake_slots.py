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

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse

from ..wizard.crm_lead_booking_mixin import WORKING_HOURS

# how far ahead the page offers setter calls, and how soon the first may be
SLOT_DAYS = 7
MIN_NOTICE = timedelta(minutes=30)
# pg_advisory_xact_lock(SLOT_LOCK, setter id): one booking of a setter's calendar at a time
SLOT_LOCK = 4_477_011


def _to_utc(moment):
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


class CrmDealIntake(models.AbstractModel):
    """The inquiry page's setter calls: the free slots of the team's setters (their working
    hours minus their busy events, in steps of the setter call's length) and the booking of
    one, a slot taken meanwhile refused - never two calls in one setter's slot."""

    _inherit = "crm.deal.intake"

    # FREE SLOTS

    @api.model
    def _page_setters(self, source):
        team = source.team_id
        return (
            (team.member_ids | team.user_id)
            .filtered(lambda user: user.deal_phase_role == "setter" and not user.share)
            .sorted("id")
        )

    @api.model
    def _page_free_slots(self, source, now=None, ignore_busy=False):
        """{slot start (naive UTC): [setters free then]}, in time order: the next seven days
        (ignore_busy: the setters' working slots, booked or not)."""
        setters = self._page_setters(source)
        if not setters:
            return {}
        duration = timedelta(minutes=self.env["crm.lead"]._deal_settings().setter_call_minutes)
        now = now or fields.Datetime.now()
        first, last = now + MIN_NOTICE, now + timedelta(days=SLOT_DAYS)
        busy = {} if ignore_busy else self._setters_busy(setters, first, last + duration)
        free = defaultdict(list)
        for setter in setters:
            taken = busy.get(setter.partner_id.id, [])
            for begin, end in self._setter_working_intervals(setter, now, last):
                slot = begin
                while slot + duration <= end:
                    clash = any(start < slot + duration and stop > slot for start, stop in taken)
                    if first <= slot <= last and not clash:
                        free[slot].append(setter)
                    slot += duration
        return dict(sorted(free.items()))

    def _setters_busy(self, setters, start, stop):
        """{partner id: [(start, stop)]}: the events they attend and have not declined, shown
        as busy - free/busy only, nothing else of the events."""
        self.env["calendar.event"].flush_model(["start", "stop", "active", "show_as"])
        self.env["calendar.attendee"].flush_model(["event_id", "partner_id", "state"])
        busy = defaultdict(list)
        for partner_id, begin, end in self.env.execute_query(self._busy_query(setters, start, stop)):
            busy[partner_id].append((begin, end))
        return busy

    def _busy_query(self, setters, start, stop):
        return SQL(
            """
            SELECT attendee.partner_id, event.start, event.stop
              FROM calendar_attendee attendee
              JOIN calendar_event event ON event.id = attendee.event_id
             WHERE attendee.partner_id IN %s AND attendee.state IS DISTINCT FROM 'declined'
               AND event.active AND event.show_as = 'busy' AND event.start < %s AND event.stop > %s
            """,
            tuple(setters.partner_id.ids),
            stop,
            start,
        )

    def _setter_working_intervals(self, setter, now, last):
        """The setter's working intervals from today to the last day, naive UTC: the working
        hours of the setter's calendar (else the company's) in the setter's time zone, minus
        its leaves; weekdays 08:00 to 18:00 without a calendar."""
        tz = pytz.timezone(setter.tz or "UTC")
        today = pytz.utc.localize(now).astimezone(tz).date()
        days = [today + timedelta(days=offset) for offset in range((last - now).days + 2)]
        calendar = setter.resource_calendar_id or setter.company_id.resource_calendar_id
        if not calendar:
            return [
                tuple(_to_utc(tz.localize(datetime.combine(day, time(hour)))) for hour in WORKING_HOURS)
                for day in days
                if day.weekday() < 5
            ]
        start = tz.localize(datetime.combine(days[0], time.min))
        end = tz.localize(datetime.combine(days[-1], time.max))
        intervals = calendar._work_intervals_batch(start, end, tz=tz)[False]
        return [(_to_utc(begin), _to_utc(stop)) for begin, stop, _attendance in intervals]

    @api.model
    def _page_slot_days(self, free, tz):
        """The free slots as the page lists them, day by day in tz and the visitor's language:
        [{"label": "Tuesday, December 8, 2026", "short": "Tue, Dec 8", "times": [(value, "9:00 AM")]}]."""
        locale = babel_locale_parse(self.env.lang or "en_US")
        days = {}
        for slot in free:
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
    def _page_tz_label(self, tz):
        """A time zone as a visitor reads it: "Central European Time (Berlin)", not Europe/Berlin."""
        if tz.zone in ("UTC", "Etc/UTC"):
            return "UTC"
        locale = babel_locale_parse(self.env.lang or "en_US")
        zone = get_timezone(tz.zone)
        name = get_timezone_name(zone, "long", locale=locale, zone_variant="generic")
        return f"{name} ({get_timezone_location(zone, locale=locale, return_city=True)})"

    # BOOKING

    @api.model
    def _page_slot(self, value):
        try:
            return datetime.strptime(value or "", "%Y-%m-%dT%H:%M:%SZ")
        except ValueError:
            return None

    def _book_setter_call(self, source, slot):
        """The setter who takes the call at slot, or none: each free setter's calendar locked
        in turn for the rest of the transaction, then read again on a cursor of its own - this
        transaction's snapshot predates a booking committed while it waited for the lock - so
        of two visitors racing for one setter's slot the second finds it taken."""
        duration = timedelta(minutes=self.env["crm.lead"]._deal_settings().setter_call_minutes)
        for setter in self._page_free_slots(source).get(slot, []):
            self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", SLOT_LOCK, setter.id))
            # the query alone on that cursor: an environment on it would wait for the
            # registry's lock, which a module update (or Odoo's test runner) holds
            with self.env.registry.cursor() as fresh:
                fresh.execute(self._busy_query(setter, slot, slot + duration))
                taken = fresh.fetchall()
            if not taken:
                return setter
        return self.env["res.users"]
