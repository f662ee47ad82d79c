import re
from contextlib import closing
from datetime import datetime, timedelta
from html import unescape

from odoo import fields, sql_db
from odoo.tests import BaseCase, Form, HttpCase, get_db_name, new_test_user, tagged
from odoo.tests.common import freeze_time

from ..models.crm_deal_booking_link import token_digest
from ..models.crm_lead_booking import UNCONFIRMED_CALL
from .common import RELIABILITY, STAGE_XMLIDS, DealPhasesCase, RawRequestMixin, TwoConnectionsMixin

BOOK = "/crm_deal_phases/book/{token}"
BERLIN = {"tz": "Europe/Berlin"}


class BookingCase(HttpCase, DealPhasesCase):
    """A team of three closers - two in Berlin on the company's 40-hour calendar, one in New
    York without working hours (08:00 to 18:00 there) - and qualified leads with a booking
    link each; the page used through its real route, as a browser does (its cookie, its CSRF
    token), as nobody in particular."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.de")
        calendar = cls.env.ref("resource.resource_calendar_std")
        # the closers read English, whatever the database's language: the history and their
        # activities are written in it
        closer = {"deal_phase_role": "closer", "lang": "en_US"}
        cls.user_closer.write({**closer, "tz": "Europe/Berlin", "resource_calendar_id": calendar.id})
        cls.closer_b = new_test_user(
            cls.env, login="dp_closer_b", name="Berta Berlin", groups="sales_team.group_sale_salesman"
        )
        cls.closer_c = new_test_user(
            cls.env, login="dp_closer_c", name="Nora New York", groups="sales_team.group_sale_salesman"
        )
        cls.closer_b.write({**closer, "tz": "Europe/Berlin", "resource_calendar_id": calendar.id})
        cls.closer_c.write({**closer, "tz": "America/New_York", "resource_calendar_id": False})
        cls.closer_c.company_id.resource_calendar_id = False
        cls.team.member_ids |= cls.closer_b | cls.closer_c
        settings = cls.env["ir.config_parameter"].sudo()
        for name, value in (
            ("booking_notice_hours", 4),
            ("booking_buffer_minutes", 15),
            ("booking_days", 14),
            ("meeting_duration_minutes", 60),
            ("self_service_hours", 24),
        ):
            settings.set_param(f"crm_deal_phases.{name}", value)
        cls.Booking = cls.env["crm.deal.booking"]

    def qualified(self, **vals):
        lead = self.create_lead(
            "qualified",
            **{"first_meeting_date": False, "closer_id": False, "email_from": "jana@example.com", **vals},
        )
        return self.in_english(lead)

    def in_english(self, lead):
        """The person speaks English: the page and the mails in it."""
        lead.partner_id.lang = "en_US"
        lead.lang_id = self.env.ref("base.lang_en")
        return lead

    def german(self, **vals):
        """The person speaks German, with a German mobile number."""
        lead = self.qualified(contact_firstname="Jana", phone="+49 151 23456789", **vals)
        lead.partner_id.lang = "de_DE"
        lead.lang_id = self.env.ref("base.lang_de")
        return lead

    def link(self, lead, user=None):
        """Send booking link as the setter would: the token of the link it shows once."""
        action = lead.with_user(user or self.user_setter).action_send_booking_link()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        return wizard.url.rpartition("/")[2], wizard

    def open(self, token):
        self.env.flush_all()  # what the test wrote, for the server's request
        return self.url_open(BOOK.format(token=token))

    def post(self, token, action, opened=None, **fields_):
        self.env.flush_all()
        hidden = dict(re.findall(r'name="(csrf_token)" value="([^"]*)"', (opened or self.open(token)).text)[:1])
        return self.url_open(BOOK.format(token=token), data={**hidden, "action": action, **fields_}, timeout=30)

    def offered(self, response, after_days=0):
        """The times the page offers; after_days: only those that many days ahead (the person may
        move or cancel a consultation until the day before)."""
        limit = fields.Datetime.now() + timedelta(days=after_days)
        slots = re.findall(r'id="slot-\d+-\d+" value="([^"]+)"', response.text)
        return [slot for slot in slots if self.slot_of(slot) >= limit]

    def busy(self, user, start, minutes=60):
        return self.env["calendar.event"].create(
            {
                "name": "Busy",
                "start": start,
                "stop": start + timedelta(minutes=minutes),
                "partner_ids": [(6, 0, user.partner_id.ids)],
                "user_id": user.id,
            }
        )

    @staticmethod
    def slot_of(value):
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestBookingLink(BookingCase):
    def test_a_qualified_lead_books_its_first_consultation(self):
        lead = self.qualified()
        token, wizard = self.link(lead)
        self.assertEqual(wizard.url, f"{lead.get_base_url()}/crm_deal_phases/book/{token}")
        opened = self.open(token)
        self.assertEqual(opened.status_code, 200)
        self.assertEqual(opened.headers["Cache-Control"], "no-store")
        slots = self.offered(opened)
        self.assertTrue(slots, "the closers' free times of the coming days")
        soon = fields.Datetime.now() + timedelta(hours=4)
        self.assertTrue(all(self.slot_of(slot) >= soon for slot in slots), "not before the minimum notice")
        response = self.post(token, "book", opened, slot=slots[0])
        self.assertEqual(response.status_code, 200, unescape(response.text)[-1500:])
        self.assertIn("Your consultation is booked.", unescape(response.text))
        self.assertEqual(lead.deal_phase, "first_meeting")
        self.assertEqual(lead.first_meeting_date, self.slot_of(slots[0]))
        self.assertIn(lead.closer_id, self.user_closer | self.closer_b | self.closer_c)
        event = lead.first_meeting_event_id
        self.assertEqual((event.start, event.user_id), (lead.first_meeting_date, lead.closer_id))
        self.assertIn(lead.partner_id, event.partner_ids, "the customer is invited")
        self.assertTrue(event.deal_booked_by_lead)
        self.assertEqual(event.activity_ids.user_id, lead.closer_id, "the closer's meeting activity")
        entry = self.log_of(lead)[-1]
        self.assertEqual((entry.from_phase, entry.to_phase), ("qualified", "first_meeting"))
        self.assertEqual(entry.reason, "Booked by the customer on their booking link.")
        confirmation = lead.message_ids.filtered(lambda message: "is booked" in (message.body or ""))
        self.assertTrue(confirmation, "the confirmation with the link to move or cancel")
        self.assertIn(f"/crm_deal_phases/book/{token}", confirmation[0].body)
        self.assertEqual(confirmation.author_id, lead.closer_id.partner_id, "from the closer, whom a reply reaches")

    def test_the_lead_moves_then_cancels_its_consultation(self):
        lead = self.qualified()
        token, _wizard = self.link(lead)
        first = self.offered(self.open(token), after_days=2)[0]
        self.post(token, "book", slot=first)
        booked = self.open(token)
        self.assertIn("Your consultation", unescape(booked.text))
        others = self.offered(booked, after_days=2)
        self.assertNotIn(first, others)
        response = self.post(token, "move", booked, slot=others[3])
        self.assertIn("Your consultation is moved.", unescape(response.text))
        self.assertEqual((lead.deal_phase, lead.first_meeting_date), ("first_meeting", self.slot_of(others[3])))
        self.assertEqual(lead.postponed_count, 1, "a postponement, counted as ever")
        self.assertEqual(lead.first_meeting_event_id.start, self.slot_of(others[3]), "the event moved")
        self.assertEqual(lead.first_meeting_event_id.deal_postponed_by_lead, 1)
        refused = self.post(token, "cancel")
        self.assertEqual(refused.status_code, 422, "cancelling asks to tick that one cannot come")
        event = lead.first_meeting_event_id
        response = self.post(token, "cancel", confirm_cancel="yes")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(lead.deal_phase, "qualified", "a cancelled appointment: back to Qualified")
        self.assertFalse(event.active, "the event is cancelled")
        self.assertEqual(event.deal_cancelled_by, "lead")
        self.assertEqual(self.log_of(lead)[-1].reason, "Cancelled by the customer.")
        told = lead.activity_ids.filtered(
            lambda activity: activity.user_id == lead.closer_id and "cancelled the consultation" in activity.summary
        )
        self.assertTrue(told, "the closer is told")
        self.assertTrue(self.offered(self.open(token)), "the link books again")

    def test_a_second_consultation_cancelled_is_not_sold(self):
        lead = self.in_english(self.create_lead("not_sold", email_from="jana@example.com", second_meeting_date=False))
        token, _wizard = self.link(lead, self.user_closer)
        slots = self.offered(self.open(token), after_days=2)
        self.assertTrue(slots)
        self.post(token, "book", slot=slots[0])
        self.assertEqual((lead.deal_phase, lead.closer_id), ("second_meeting", self.user_closer), "its closer's")
        self.post(token, "cancel", confirm_cancel="yes")
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertEqual(lead.lost_reason_id, self.env.ref("crm_deal_phases.lost_reason_second_meeting_cancelled"))

    def test_the_lead_confirms_or_declines_its_invitation(self):
        lead = self.qualified()
        token, _wizard = self.link(lead)
        self.post(token, "book", slot=self.offered(self.open(token))[0])
        self.assertEqual(lead.consultation_attendance, "needsAction")
        self.post(token, "attend")
        lead.invalidate_recordset(["consultation_attendance"])
        self.assertEqual(lead.consultation_attendance, "accepted", "the invitation's answer, calendar's own")
        attendee = lead.first_meeting_event_id.attendee_ids.filtered(lambda a: a.partner_id == lead.partner_id)
        attendee.do_decline()  # calendar's Decline link, in the invitation or a reminder
        self.assertEqual(lead.deal_phase, "qualified", "declining cancels the consultation as the seed says")

    def test_late_changes_are_refused_and_the_page_says_to_call(self):
        lead = self.qualified()
        token, _wizard = self.link(lead)
        slot = self.offered(self.open(token))[0]
        self.post(token, "book", slot=slot)
        with freeze_time(self.slot_of(slot) - timedelta(hours=3)):
            page = self.open(token)
            self.assertIn("please call us", unescape(page.text))
            self.assertFalse(self.offered(page))
            refused = self.post(token, "cancel", page, confirm_cancel="yes")
            self.assertEqual(refused.status_code, 409)
        self.assertEqual(lead.deal_phase, "first_meeting")

    def test_bad_links_say_nothing_and_write_nothing(self):
        lead = self.qualified()
        old, _wizard = self.link(lead)
        new, _wizard = self.link(lead)
        expired_lead = self.qualified(name="Expired", email_from="ex@example.com")
        expired, _wizard = self.link(expired_lead)
        expired_lead.booking_link_ids.sudo().expires_at = fields.Datetime.now() - timedelta(minutes=1)
        revoked_lead = self.qualified(name="Revoked", email_from="rev@example.com")
        revoked, _wizard = self.link(revoked_lead)
        revoked_lead.with_user(self.user_setter).booking_link_ids.action_revoke()  # the lead form's Revoke
        sold = self.qualified(name="Decided", email_from="sold@example.com")
        decided, _wizard = self.link(sold)
        self.as_addon(sold).write({"stage_id": self.stages["first_meeting"].id, **self.answers()})
        with self.during_meeting(sold):
            sold.with_user(self.user_manager).write({"stage_id": self.stages["sold"].id})
        history = {record: len(self.log_of(record)) for record in (lead, expired_lead, revoked_lead, sold)}
        bodies = set()
        for what, token in (
            ("replaced by a newer link", old),
            ("expired", expired),
            ("revoked", revoked),
            ("forged", "x" * 43),
            ("a NUL byte", new[:-1] + "%00"),
            ("too short", "abc"),
        ):
            with self.subTest(what):
                opened = self.open(token)
                self.assertEqual(opened.status_code, 404)
                self.assertNotIn("Jana", opened.text, "nothing of the person")
                bodies.add(re.sub(r'csrf_token[^>]*|"/web/assets/[^"]*"', "", opened.text))
                posted = self.url_open(BOOK.format(token=token), data={"action": "cancel"})
                self.assertEqual(posted.status_code, 404)
                RELIABILITY["hostile calls refused"] += 1
        self.assertEqual(len(bodies), 1, "one page for every bad link")
        closed = self.open(decided)
        self.assertIn("Nothing to book here", unescape(closed.text), "a decided lead books nothing")
        self.assertFalse(self.offered(closed))
        booking = self.post(decided, "book", self.open(new), slot="2030-01-07T08:00:00Z")  # a valid form of the session
        self.assertEqual(booking.status_code, 409)
        self.assertEqual({record: len(self.log_of(record)) for record in history}, history, "nothing written")
        self.assertEqual(lead.deal_phase, "qualified")
        self.assertEqual(self.open(new).status_code, 200, "the newest link works")

    def test_a_time_taken_meanwhile_is_refused_with_the_next_ones(self):
        lead = self.qualified()
        token, _wizard = self.link(lead)
        opened = self.open(token)
        slot = self.offered(opened)[0]
        for closer in self.user_closer | self.closer_b | self.closer_c:
            self.busy(closer, self.slot_of(slot))
        response = self.post(token, "book", opened, slot=slot)
        self.assertEqual(response.status_code, 409)
        self.assertIn("This time was just taken.", unescape(response.text))
        self.assertNotIn(slot, self.offered(response), "the next free times, without it")
        self.assertEqual(lead.deal_phase, "qualified")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestBookingLinkRefuses(RawRequestMixin, BookingCase):
    """What no page of ours sends, on a valid link: a body announced and never sent, one in
    chunks, another content type, no CSRF token, actions and times of script and control
    characters. Each answered at once with its status, never a 500; nothing written, nothing
    echoed unescaped."""

    def test_hostile_posts_are_refused_and_write_nothing(self):
        lead = self.qualified()
        token, _wizard = self.link(lead)
        path = BOOK.format(token=token)
        history = len(self.log_of(lead))
        form = "Content-Type: application/x-www-form-urlencoded"
        status, seconds, answer = self.send_headers_only(path, [form, "Content-Length: 999999999"])
        self.assertEqual(status, "HTTP/1.1 413 REQUEST ENTITY TOO LARGE", f"{seconds}s: {answer[:300]}")
        self.assertLess(seconds, 3, "answered from the declared length, the body not awaited")
        status, _seconds, _answer = self.send_headers_only(path, [form, "Transfer-Encoding: chunked"])
        self.assertEqual(status, "HTTP/1.1 411 LENGTH REQUIRED")
        script = "<script>alert(1)</script>"
        opened = self.open(token)
        cases = [
            ("an action that is none", {"action": script}, 400),
            ("a time of control characters", {"action": "book", "slot": "\x00\x01\x1b\x7f\x9f"}, 422),
            ("a time of script", {"action": "book", "slot": script}, 422),
            ("a time on no day", {"action": "book", "slot": "2030-13-45T99:00:00Z"}, 422),
        ]
        for what, fields_, expected in cases:
            with self.subTest(what):
                answered = self.post(token, fields_.pop("action"), opened, **fields_)
                self.assertEqual(answered.status_code, expected, answered.text[:300])
                self.assertNotIn(script, answered.text, "nothing echoed unescaped")
                RELIABILITY["hostile calls refused"] += 2 if what == cases[0][0] else 1
        no_csrf = self.url_open(path, data={"action": "cancel", "confirm_cancel": "yes"})
        self.assertEqual(no_csrf.status_code, 400, "a form without the session's token")
        as_json = self.url_open(path, data='{"action": "cancel"}', headers={"Content-Type": "application/json"})
        self.assertEqual(as_json.status_code, 400, "another content type reads as no form")
        self.assertEqual(len(self.log_of(lead)), history, "nothing written")
        self.assertEqual(lead.deal_phase, "qualified")
        self.assertFalse(lead.first_meeting_event_id)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestBookingOnAPhone(BookingCase):
    """The person on a phone (390 x 844), in German: book, confirm, move and cancel clicked in
    Chromium; the setter sending the link, by e-mail and WhatsApp; axe-core on the page. A tour
    fails on any JS error."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        cls.user_setter.write({"lang": "de_DE", "tz": "Europe/Berlin"})

    def test_the_person_books_confirms_moves_and_cancels(self):
        lead = self.german()
        token, _wizard = self.link(lead)
        self.env.flush_all()
        self.start_tour(BOOK.format(token=token), "crm_deal_phases_booking_page", login=None, cookies=BERLIN)
        self.assertEqual(lead.deal_phase, "qualified", "cancelled: back to Qualified (without appointment)")
        self.assertEqual(
            [(entry.from_phase, entry.to_phase, entry.reason) for entry in self.log_of(lead)[-2:]],
            [
                ("qualified", "first_meeting", "Booked by the customer on their booking link."),
                ("first_meeting", "qualified", "Cancelled by the customer."),
            ],
            "logged as the person's own, in the closer's language",
        )
        self.assertEqual(lead.postponed_count, 1, "the move: a postponement")
        event = (
            self.env["calendar.event"]
            .with_context(active_test=False)
            .search([("opportunity_id", "=", lead.id), ("deal_meeting_field", "=", "first_meeting_date")])
        )
        self.assertFalse(event.active)
        self.assertEqual(
            (event.deal_booked_by_lead, event.deal_confirmed, event.deal_postponed_by_lead, event.deal_cancelled_by),
            (True, True, 1, "lead"),
        )
        self.assertEqual(
            event.attendee_ids.filtered(lambda attendee: attendee.partner_id == lead.partner_id).state,
            "accepted",
            "the person had said they would come",
        )

    def test_the_page_passes_axe_core(self):
        """Every input labelled, a language, contrast, landmarks: axe-core's WCAG 2 A and AA
        rules on the page with the free times, then on the booked consultation."""
        lead = self.german()
        token, _wizard = self.link(lead)
        self.env.flush_all()
        self.check_axe_core(BOOK.format(token=token))
        self.post(token, "book", slot=self.offered(self.open(token), after_days=2)[0])
        self.env.flush_all()
        self.check_axe_core(BOOK.format(token=token))


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestNoShowPrevention(BookingCase):
    """Reminders before each consultation, the customer's answer to the invitation, and a
    call for the setter where none came: on fixed clocks, with calendar's own alarm manager
    and the addon's cron."""

    def booked(self, **vals):
        lead = self.qualified(**vals)
        token, _wizard = self.link(lead)
        link = self.env["crm.deal.booking.link"]._of_token(token)
        slot = next(slot for slot in self.Booking._offer(lead) if slot > fields.Datetime.now() + timedelta(days=3))
        self.assertIsNone(self.Booking._book(link, slot))
        return lead, lead.first_meeting_event_id

    def test_reminders_go_to_the_customer_before_the_consultation(self):
        lead, event = self.booked()
        self.assertEqual(event.alarm_ids, self.env["crm.lead"]._deal_settings().meeting_alarms)
        Mail = self.env["mail.mail"].sudo()
        for before in (timedelta(days=1), timedelta(hours=2)):
            with self.subTest(before=before), freeze_time(event.start - before + timedelta(minutes=1)):
                since = Mail.search([], order="id desc", limit=1).id or 0
                self.env["calendar.alarm_manager"].with_context(
                    lastcall=event.start - before - timedelta(minutes=1)
                )._send_reminder()
                reminders = Mail.search([("id", ">", since), ("recipient_ids", "in", lead.partner_id.ids)])
                self.assertTrue(reminders, "calendar's reminder to the customer")
                self.assertIn("/calendar/meeting/view?token=", reminders[0].body_html, "with its answer link")

    def test_declining_the_invitation_cancels_and_accepting_confirms(self):
        lead, event = self.booked()
        attendee = event.attendee_ids.filtered(lambda a: a.partner_id == lead.partner_id)
        self.env.flush_all()
        self.url_open(f"/calendar/meeting/accept?token={attendee.access_token}&id={event.id}")
        lead.invalidate_recordset(["consultation_attendance"])
        self.assertEqual(lead.consultation_attendance, "accepted", "calendar's Accept link, as nobody in particular")
        self.url_open(f"/calendar/meeting/decline?token={attendee.access_token}&id={event.id}")
        lead.invalidate_recordset()
        self.assertEqual(lead.deal_phase, "qualified", "declining cancels it as the seed says")
        self.assertEqual(self.log_of(lead)[-1].reason, "Cancelled by the customer.")

    def test_an_unconfirmed_consultation_gets_a_call_of_the_setter(self):
        lead, event = self.booked(setter_id=self.user_setter.id)
        confirmed, confirmed_event = self.booked(setter_id=self.user_setter.id, email_from="ok@example.com")
        confirmed_event.attendee_ids.filtered(lambda a: a.partner_id == confirmed.partner_id).do_accept()

        summaries = set(self.env["crm.lead"]._all_translations(UNCONFIRMED_CALL).values())

        def calls(record):
            return record.activity_ids.filtered(lambda a: a.summary in summaries)

        with freeze_time(event.start - timedelta(hours=30)):
            self.env["crm.lead"]._cron_confirm_consultations()
            self.assertFalse(calls(lead), "not yet: more than a day ahead")
        with freeze_time(event.start - timedelta(hours=20)):
            self.env["crm.lead"]._cron_confirm_consultations()
            self.env["crm.lead"]._cron_confirm_consultations()
            self.assertEqual(calls(lead).user_id, self.user_setter, "one call, the setter's")
            calls(lead).action_feedback(feedback="Voicemail")
            self.env["crm.lead"]._cron_confirm_consultations()
            self.assertFalse(calls(lead), "the call made, still no answer: not asked again")
        with freeze_time(confirmed_event.start - timedelta(hours=20)):
            self.env["crm.lead"]._cron_confirm_consultations()
            self.assertFalse(calls(confirmed), "a confirmed consultation needs no call")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestSendingTheBookingLink(BookingCase):
    """The German setter sends a lead its link from the lead's form, in Chromium: by e-mail from
    the chatter, and by their own WhatsApp (the click-to-chat address checked)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        cls.user_setter.write({"lang": "de_DE", "tz": "Europe/Berlin"})

    def test_the_setter_sends_the_link_by_mail_and_whatsapp(self):
        lead = self.german()
        self.env.flush_all()
        self.start_tour(f"/odoo/crm/{lead.id}", "crm_deal_phases_send_booking_link", login="dp_setter")
        link = lead.with_context(active_test=False).booking_link_ids
        self.assertEqual(len(link), 1)
        self.assertFalse(link.active, "revoked from the lead's form")
        mail = lead.message_ids.filtered(lambda message: "/crm_deal_phases/book/" in (message.body or ""))
        self.assertEqual(len(mail), 1, "the link sent once, from the chatter")
        token = re.search(r"/crm_deal_phases/book/([\w-]+)", mail.body).group(1)
        self.assertEqual(link.token_hash, token_digest(token), "the mail carries the link")
        self.assertEqual(self.url_open(BOOK.format(token=token)).status_code, 404, "revoked: it books nothing")
        self.assertEqual(mail.author_id, self.user_setter.partner_id)
        self.assertFalse(self.env["crm.deal.booking.link.send"].search([]).url, "the link is shown once")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestConsultationFigures(BookingCase):
    """The Consultations report a manager reads: show-ups, confirmations, self-bookings, the
    wait from Qualified to the booking, who moved and who cancelled - from what happened."""

    def move(self, lead, user, phase, **values):
        lead.with_user(user).write({"stage_id": self.stages[phase].id, **values})

    def test_four_consultations_in_the_figures(self):
        Booking, now = self.Booking, fields.Datetime.now()
        with freeze_time(now - timedelta(days=3)):
            came, missed, moved, dropped = (self.qualified(setter_id=self.user_setter.id) for _i in range(4))
        slots = sorted(slot for slot in Booking._offer(came) if slot > now + timedelta(days=2))
        # the person books on the link, confirms, and comes
        link = self.env["crm.deal.booking.link"]._of_token(self.link(came)[0])
        self.assertIsNone(Booking._book(link, slots[0]))
        self.assertIsNone(Booking._attend(link))
        with self.during_meeting(came):
            self.move(came, came.closer_id, "sold")
        # the setter books, nobody comes
        self.move(missed, self.user_setter, "first_meeting", first_meeting_date=slots[1], closer_id=self.user_closer.id)
        with self.during_meeting(missed):
            self.move(missed, self.user_closer, "follow_up")
        # the person books, moves it, the closer moves it, the person cancels
        link = self.env["crm.deal.booking.link"]._of_token(self.link(moved)[0])
        self.assertIsNone(Booking._book(link, slots[2]))
        later = max(slot for slot, closers in Booking._offer(moved).items() if moved.closer_id in closers)
        self.assertIsNone(Booking._move(link, later))
        moved.with_user(moved.closer_id).write({"first_meeting_date": later + timedelta(hours=1)})
        self.assertIsNone(Booking._cancel(link))
        # the setter books and moves it, the closer cancels
        self.move(
            dropped, self.user_setter, "first_meeting", first_meeting_date=slots[3], closer_id=self.user_closer.id
        )
        dropped.with_user(self.user_setter).write({"first_meeting_date": slots[3] + timedelta(hours=2)})
        self.move(dropped, self.user_closer, "qualified")
        self.env.flush_all()

        Report = self.env["crm.deal.consultation.report"].with_user(self.user_manager)
        measures = [
            "booked_count",
            "show_up_rate",
            "confirmed_rate",
            "self_booked_rate",
            "cancelled_rate",
            "cancelled_by_lead_count",
            "cancelled_by_closer_count",
            "postponed_count",
            "postponed_by_lead_count",
            "postponed_by_setter_count",
            "postponed_by_closer_count",
            "days_to_booking",
        ]
        domain = [("lead_id", "in", (came | missed | moved | dropped).ids)]
        [row] = Report._read_group(domain, [], [f"{name}:sum" for name in measures])
        figures = dict(zip(measures, row, strict=True))
        self.assertAlmostEqual(figures.pop("days_to_booking"), 3, delta=0.1, msg="three days in Qualified")
        self.assertEqual(
            figures,
            {
                "booked_count": 4,
                "show_up_rate": 0.5,
                "confirmed_rate": 0.25,
                "self_booked_rate": 0.5,
                "cancelled_rate": 0.5,
                "cancelled_by_lead_count": 1,
                "cancelled_by_closer_count": 1,
                "postponed_count": 3,
                "postponed_by_lead_count": 1,
                "postponed_by_setter_count": 1,
                "postponed_by_closer_count": 1,
            },
        )
        by_setter = Report._read_group(domain, ["setter_id"], ["show_up_rate:sum", "booked_count:sum"])
        self.assertEqual(by_setter, [(self.user_setter, 0.5, 4)])
        by_source = Report._read_group(domain, ["closer_id"], ["show_up_rate:sum"])
        self.assertTrue(all(rate in (0.0, 0.5, 1.0, None) for _closer, rate in by_source))


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestOneSlotEngine(BookingCase):
    """The booking link, the booking wizard and the inquiry page read their free times from one
    engine (crm.deal.slots); the two the addon had before are gone."""

    def test_every_booking_reads_one_engine(self):
        Slots = self.env["crm.deal.slots"]
        for model, gone in (
            ("crm.deal.intake", ("_setter_working_intervals", "_setters_busy", "_busy_query", "_page_slot_days")),
            ("crm.lead.booking.mixin", ("_closer_events", "_free_slots", "_working_intervals")),
        ):
            for name in gone:
                self.assertFalse(hasattr(self.env[model], name), f"{model}.{name} is the engine's now")
        now = fields.Datetime.now()
        duration, buffer = timedelta(hours=1), timedelta(minutes=15)
        lead = self.qualified()
        page = self.Booking._offer(lead, now=now)
        engine = Slots._free_slots(
            lead._consultation_closers(), now + timedelta(hours=4), now + timedelta(days=14), duration, buffer
        )
        self.assertEqual(page, engine, "the booking link's times")
        wizard = self.env["crm.lead.phase.move"].create(
            {"lead_ids": lead.ids, "to_phase": "first_meeting", "closer_id": self.closer_b.id}
        )
        wizard_slots = [fields.Datetime.to_datetime(slot["start"]) for slot in wizard.free_slots]
        engine_slots = [slot for slot, closers in engine.items() if self.closer_b in closers]
        self.assertTrue(wizard_slots)
        self.assertTrue(
            set(wizard_slots) <= set(Slots._free_slots(self.closer_b, now, now + timedelta(days=8), duration))
        )
        self.assertTrue(set(engine_slots) & set(wizard_slots) or not engine_slots)
        self.user_setter.write({"deal_phase_role": "setter", "tz": "Europe/Berlin"})
        source = self.env["crm.deal.intake.source"].create(
            {
                "name": "Engine",
                "code": "engine",
                "team_id": self.team.id,
                "public_form": True,
                "offer_setter_call": True,
            }
        )
        setter_minutes = timedelta(minutes=self.env["crm.lead"]._deal_settings().setter_call_minutes)
        self.assertEqual(
            self.env["crm.deal.intake"]._page_free_slots(source, now=now),
            Slots._free_slots(self.user_setter, now + timedelta(minutes=30), now + timedelta(days=7), setter_minutes),
            "the inquiry page's setter calls",
        )


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestWhoGetsABooking(BookingCase):
    """One rule for the link, the booking wizard and the inquiry page (crm.deal.slots._assign):
    the lead's closer first, else the fewest booked that week, each closer's daily cap kept."""

    def setUp(self):
        super().setUp()
        # a Wednesday 15:00 UTC in a coming week: 16:00 in Berlin, 10:00 in New York - all three work
        today = fields.Date.today()
        self.wednesday = datetime.combine(today + timedelta(days=14 + (2 - today.weekday()) % 7), datetime.min.time())
        self.slot = self.wednesday.replace(hour=15)
        self.closers = self.user_closer | self.closer_b | self.closer_c

    def booked(self, closer, count, day=None):
        """count consultations of closer that week (on day, else Monday)."""
        monday = self.wednesday - timedelta(days=2)
        for index in range(count):
            start = (day or monday).replace(hour=8 + index)
            lead = self.create_lead("first_meeting", name=f"{closer.name} {index}", closer_id=closer.id)
            lead.first_meeting_event_id.write({"start": start, "stop": start + timedelta(hours=1)})

    def pick(self, lead):
        return lead._closer_for(self.slot)

    def test_owner_priority_then_fewest_booked_then_the_cap(self):
        self.booked(self.user_closer, 1)
        self.booked(self.closer_b, 2)
        self.booked(self.closer_c, 3)
        owned = self.qualified(closer_id=self.closer_c.id)
        self.assertEqual(self.pick(owned), self.closer_c, "the lead's own closer first when free")
        self.assertEqual(self.pick(self.qualified()), self.user_closer, "else the fewest booked that week")
        self.busy(self.user_closer, self.slot)
        self.assertEqual(self.pick(self.qualified()), self.closer_b, "of those free then")
        self.env["crm.team.member"].search(
            [("crm_team_id", "=", self.team.id), ("user_id", "=", self.closer_b.id)]
        ).deal_consultations_per_day = 1
        self.booked(self.closer_b, 1, day=self.wednesday)
        self.assertEqual(self.pick(self.qualified()), self.closer_c, "a closer at their daily cap gets no more")

    def test_the_wizard_form_picks_by_the_same_rule(self):
        """The booking wizard asks the rule while the form is edited, for its new records."""
        self.booked(self.user_closer, 1)
        self.booked(self.closer_b, 2)
        self.booked(self.closer_c, 3)
        lead = self.qualified()
        form = Form(
            self.env["crm.lead.phase.move"]
            .with_user(self.user_setter)
            .with_context(default_lead_ids=lead.ids, default_to_phase="first_meeting")
        )
        form.first_meeting_date = self.slot
        self.assertEqual(form.closer_id, self.user_closer, "the fewest booked that week")

    def test_strict_rotation(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.round_robin", "rotation")
        self.booked(self.closer_b, 1)  # the last booking went to B
        self.assertEqual(self.pick(self.qualified()), self.closer_c, "each in turn: the one after B")

    def test_two_time_zones_read_their_own_working_hours(self):
        Slots = self.env["crm.deal.slots"]
        early = self.wednesday.replace(hour=7)  # 08:00 in Berlin, 02:00 in New York
        late = self.wednesday.replace(hour=20)  # 21:00 in Berlin, 15:00 in New York
        duration = timedelta(hours=1)
        self.assertEqual(Slots._free_at(self.closers, early, duration), self.user_closer | self.closer_b)
        self.assertEqual(Slots._free_at(self.closers, late, duration), self.closer_c)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestBookingRace(TwoConnectionsMixin, BaseCase):
    """Two people book the same closer at the same moment, on two real connections: one gets
    the time, the other the page again with the next free times - for one slot, and for the
    last consultation of the closer's day under their cap. The data is committed for real, so
    the test removes it at the end."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            closer, team = self.committed_team_member(
                env, "Rosa Race", "dp_booking_race_closer", "closer", "Booking race team"
            )
            criteria = env["crm.qualification.criterion"].search([])
            leads = env["crm.lead"].create(
                [
                    {
                        "name": f"Racer {name}",
                        "team_id": team.id,
                        "contact_firstname": name,
                        "contact_lastname": "Race",
                        "phone": f"+4915100000{index}",
                        "email_from": f"{name.lower()}@example.com",
                        "qualification_criterion_ids": [(6, 0, criteria.ids)],
                        "stage_id": env.ref(STAGE_XMLIDS["qualified"]).id,
                    }
                    for index, name in enumerate(("Rita", "Rolf"))
                ]
            )
            self.tokens = [env["crm.deal.booking.link"]._issue(lead)[1] for lead in leads]
            self.ids = {"closer": closer.id, "team": team.id, "leads": leads.ids}
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self.remove_data)

    def remove_data(self):
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            leads, closer = env["crm.lead"].browse(self.ids["leads"]), env["res.users"].browse(self.ids["closer"])
            self.remove_committed(env, leads, closer, env["crm.team"].browse(self.ids["team"]))

    def book(self, env, token, slot, results):
        try:
            link = env["crm.deal.booking.link"]._of_token(token)
            results.append(env["crm.deal.booking"]._book(link, slot))
        except Exception as failure:  # pylint: disable=broad-exception-caught
            results.append(f"failed: {failure!r}")  # the racing thread's failure, shown by the test

    def race(self, first_slot, second_slot):
        first_results, second_results = [], []
        self.race_on_two_connections(
            lambda env: self.book(env, self.tokens[0], first_slot, first_results),
            lambda env: self.book(env, self.tokens[1], second_slot, second_results),
            self.env_for,
            "the closer's calendar, locked by the first booking",
        )
        return first_results[0], second_results[0]

    def slots(self):
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            offer = env["crm.deal.booking"]._offer(env["crm.lead"].browse(self.ids["leads"][0]))
            return list(offer)

    def phases(self):
        with closing(self.db.cursor()) as cr:
            return self.env_for(cr)["crm.lead"].browse(self.ids["leads"]).mapped("deal_phase")

    def test_two_people_racing_for_one_slot(self):
        slot = self.slots()[0]
        first, second = self.race(slot, slot)
        self.assertIsNone(first, "the first books")
        self.assertIn("just taken", second, "the second is offered the next free times")
        self.assertEqual(self.phases(), ["first_meeting", "qualified"])
        RELIABILITY["concurrent races resolved"] += 1

    def test_the_daily_cap_holds_under_the_same_race(self):
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            env["crm.team.member"].search([("crm_team_id", "=", self.ids["team"])]).deal_consultations_per_day = 1
            cr.commit()  # pylint: disable=invalid-commit
        slots = self.slots()
        same_day = [slot for slot in slots if slot.date() == slots[0].date()]
        first, second = self.race(same_day[0], same_day[2])
        self.assertIsNone(first)
        self.assertIn("just taken", second, "the closer's one consultation of the day is booked")
        self.assertEqual(self.phases(), ["first_meeting", "qualified"])
        RELIABILITY["concurrent races resolved"] += 1
