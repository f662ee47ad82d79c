import re
from contextlib import closing
from datetime import datetime, timedelta
from html import unescape

import pytz

from odoo import sql_db
from odoo.exceptions import ValidationError
from odoo.tests import BaseCase, HttpCase, get_db_name, tagged
from odoo.tools import convert_file

from ..models.crm_deal_intake_page import PAGE_LIMIT_PER_CLIENT
from .common import RELIABILITY, TEAM_QUESTIONS, DealPhasesCase, TwoConnectionsMixin

PAGE = "/crm_deal_phases/inquiry/{code}"
# the time zone the visitor's browser told (Odoo's frontend layout keeps it in this cookie)
BERLIN = {"tz": "Europe/Berlin"}


class InquiryPageCase(HttpCase, DealPhasesCase):
    """A source with its inquiry page, asking the team's questions of every type; the page
    opened and sent through the real routes, as a browser does (its cookie, its CSRF token)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.de")
        cls.team.lead_properties_definition = [
            *TEAM_QUESTIONS,
            {
                "name": "branch",
                "string": "Branche",
                "type": "selection",
                "selection": [[f"b{i}", f"Branche {i}"] for i in range(6)],
            },
            {"name": "rate", "string": "Stundensatz", "type": "float"},
            {"name": "since", "string": "Selbstständig seit", "type": "date"},
            {"name": "goal", "string": "Ziel", "type": "text"},
            {"name": "labels", "string": "Labels", "type": "tags", "tags": [["vip", "VIP", 1]]},
        ]
        cls.source = (
            cls.env["crm.deal.intake.source"]
            .with_user(cls.user_manager)
            .create(
                {
                    "name": "Own page",
                    "code": "own-page",
                    "team_id": cls.team.id,
                    "public_form": True,
                    "form_title": "Your free consultation",
                    "form_intro": "Three minutes, then we call you.",
                    "form_required_questions": "Budget, start",
                    "consent_text": "I agree to be called about my inquiry.",
                    "consent_version": "2026-12",
                }
            )
        )

    def page(self, code="own-page", headers=None, **params):
        # English unless the test asks otherwise (the company's language is the last resort)
        params = params if headers else {"lang": "en", **params}
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return self.url_open(PAGE.format(code=code) + (f"?{query}" if query else ""), headers=headers)

    def form_fields(self, response):
        return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', response.text))

    def send(self, fields, opened=None, **params):
        hidden = self.form_fields(opened or self.page(**params))
        return self.url_open(PAGE.format(code="own-page") + "?lang=en", data={**hidden, **fields}, timeout=30)

    def answers(self, **extra):
        return {
            "first_name": "Jana",
            "last_name": "Jonas",
            "phone": "0151 23456789",
            "answer_budget": "5000",
            "answer_decider": "yes",
            "answer_start": "later",
            "answer_branch": "b4",
            "answer_rate": "85,5",
            "answer_since": "2019-04-01",
            "answer_goal": "Mehr Kunden",
            "consent": "yes",
            **extra,
        }

    def page_leads(self):
        return self.env["crm.lead"].with_context(active_test=False).search([("intake_source_id", "=", self.source.id)])

    def page_logs(self):
        return self.env["crm.deal.intake.log"].search([("source_id", "=", self.source.id)])


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestInquiryPage(InquiryPageCase):
    def test_page_asks_the_team_questions_in_their_order_each_as_its_type_needs(self):
        self.ensure_german()
        response = self.page(headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"})
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertIn('lang="de-DE"', html)
        self.assertIn("Your free consultation", html)
        self.assertIn("Vorname", html, "the page is in the visitor's language")
        labels = re.findall(r'<(?:label class="form-label" for|legend class="form-label fs-6")[^>]*>([^<*]+)', html)
        self.assertEqual(
            labels[4:],
            ["Budget", "Entscheider", "Start", "Branche", "Stundensatz", "Selbstständig seit", "Ziel"],
            "the team's questions in their order; tags are no question for a visitor",
        )
        self.assertRegex(html, r'type="text"[^>]*inputmode="numeric"[^>]*id="answer_budget"[^>]*required')
        self.assertRegex(html, r'type="radio" class="btn-check" name="answer_start"[^>]*value="now"[^>]*required')
        self.assertRegex(html, r'type="radio" class="btn-check" name="answer_decider"[^>]*value="yes"')
        self.assertRegex(html, r'<select id="answer_branch" name="answer_branch"')
        self.assertRegex(html, r'type="date"[^>]*id="answer_since"')
        self.assertRegex(html, r'<textarea[^>]*id="answer_goal"')
        self.assertIn("I agree to be called about my inquiry.", html)
        self.assertEqual(response.headers["Cache-Control"], "no-store")
        self.assertEqual(response.headers["Content-Security-Policy"], "frame-ancestors 'self'")
        english = self.page(lang="en")
        self.assertIn('lang="en-US"', english.text)
        self.assertIn("First name", english.text)

    def test_no_page_for_an_unknown_code_or_a_source_without_one(self):
        self.source.public_form = False
        self.assertEqual(self.page().status_code, 404)
        self.assertEqual(self.page(code="no-such-source").status_code, 404)

    def test_an_inquiry_arrives_in_inquiry_received_with_its_typed_answers_and_attribution(self):
        opened = self.page(utm_source="facebook", utm_campaign="winter", gclid="Cj0KCQ")
        response = self.send(self.answers(email="jana@example.com"), opened=opened)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you, Jana!", unescape(response.text))
        lead = self.page_leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.deal_phase, "inquiry")
        self.assertEqual((lead.contact_firstname, lead.contact_lastname), ("Jana", "Jonas"))
        self.assertEqual(lead.phone, "+4915123456789")
        self.assertEqual(lead.email_from, "jana@example.com")
        properties = dict(lead.with_context(property_selection_get_key=True).lead_properties)
        self.assertEqual(properties["budget"], 5000)
        self.assertIs(properties["decider"], True)
        self.assertEqual(properties["start"], "later")
        self.assertEqual(properties["branch"], "b4")
        self.assertEqual(properties["rate"], 85.5)
        self.assertEqual(properties["since"], "2019-04-01")
        self.assertEqual(properties["goal"], "Mehr Kunden")
        self.assertEqual((lead.source_id.name.lower(), lead.campaign_id.name), ("facebook", "winter"))
        self.assertIn("gclid: Cj0KCQ", lead.questionnaire)
        self.assertTrue(lead.consent_date)
        self.assertEqual(lead.consent_text, "[2026-12] I agree to be called about my inquiry.")
        self.assertEqual(self.page_logs().mapped("door"), ["page"])

    def test_numbers_are_read_in_the_visitors_language(self):
        self.ensure_german()
        opened = self.page(lang="de")
        hidden = self.form_fields(opened)
        answers = self.answers(answer_budget="2.500", answer_rate="1.250,75")
        response = self.url_open(PAGE.format(code="own-page") + "?lang=de", data={**hidden, **answers}, timeout=30)
        self.assertEqual(response.status_code, 200, response.text[-1500:])
        properties = dict(self.page_leads().with_context(property_selection_get_key=True).lead_properties)
        self.assertEqual((properties["budget"], properties["rate"]), (2500, 1250.75), "German thousands and decimals")

    def test_errors_stand_next_to_their_fields_and_nothing_typed_is_lost(self):
        answers = self.answers(
            last_name="", phone="12", answer_budget="viel", answer_start="", consent="", email="jana@"
        )
        response = self.send(answers)
        self.assertEqual(response.status_code, 422)
        html = unescape(response.text)
        for field, message in (
            ("last_name", "Enter your last name."),
            ("phone", "This is no phone number we can call."),
            ("answer_budget", "Enter a whole number, e.g. 3."),
            ("answer_start", "Please answer this question."),
            ("consent", "Tick the box to send your inquiry."),
        ):
            self.assertRegex(html, rf'class="invalid-feedback d-block" id="{field}-error">{re.escape(message)}', field)
        self.assertRegex(html, r'id="phone"[^>]*value="12"[^>]*aria-invalid="true"[^>]*aria-describedby="phone-error"')
        self.assertRegex(html, r'id="first_name" name="first_name"[^>]*value="Jana"')
        self.assertRegex(html, r'id="answer_budget" name="answer_budget"[^>]*value="viel"')
        self.assertRegex(html, r'name="answer_decider" id="answer_decider-0" value="yes" checked')
        self.assertRegex(html, r'<option value="b4" selected')
        self.assertIn(">Mehr Kunden</textarea>", html)
        self.assertFalse(self.page_leads())
        [log] = self.page_logs()
        self.assertEqual((log.status, log.http_status), ("refused", 422))
        self.assertIn('"last_name"', log.errors)
        # the e-mail is checked by the intake, its error next to its field too
        fixed = self.send(self.answers(email="jana@"), opened=response)
        self.assertRegex(
            unescape(fixed.text), r'class="invalid-feedback d-block" id="email-error">"jana@" is no e-mail'
        )
        self.assertFalse(self.page_leads())

    def test_a_robot_filling_the_honeypot_is_thanked_and_makes_no_lead(self):
        response = self.send(self.answers(website_url="https://spam.example.com"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you, Jana!", unescape(response.text))
        self.assertFalse(self.page_leads())
        [log] = self.page_logs()
        self.assertEqual(log.status, "refused")
        self.assertIn("honeypot", log.errors)

    def test_a_forged_csrf_token_is_refused_and_the_answers_are_kept(self):
        opened = self.page()
        forged = {**self.form_fields(opened), "csrf_token": "0" * 40 + "o9999999999"}
        response = self.url_open(PAGE.format(code="own-page") + "?lang=en", data={**forged, **self.answers()})
        self.assertEqual(response.status_code, 400)
        self.assertIn("The form had expired.", unescape(response.text))
        self.assertRegex(response.text, r'id="first_name" name="first_name"[^>]*value="Jana"')
        self.assertFalse(self.page_leads())
        self.assertFalse(self.page_logs())
        # without any token the post is no page's: the webhook's, which wants its token
        bare = self.url_open(PAGE.format(code="own-page"), data=self.answers())
        self.assertEqual(bare.status_code, 401)
        self.assertFalse(self.page_leads())

    def test_one_address_sending_too_often_waits_a_minute_with_its_answers_kept(self):
        for index in range(PAGE_LIMIT_PER_CLIENT):
            self.send(self.answers(last_name="", first_name=f"Try {index}"))
        response = self.send(self.answers())
        self.assertEqual(response.status_code, 429)
        self.assertIn("Too many inquiries at once.", unescape(response.text))
        self.assertRegex(response.text, r'id="last_name" name="last_name"[^>]*value="Jonas"')
        self.assertEqual(len(self.page_logs()), PAGE_LIMIT_PER_CLIENT, "the limited submission writes nothing")
        self.assertFalse(self.page_leads())
        self.assertTrue(all(self.page_logs().sudo().mapped("client_key")))

    def test_the_source_limit_counts_every_door(self):
        self.source.rate_limit = 1
        self.send(self.answers(last_name=""))
        response = self.send(self.answers())
        self.assertEqual(response.status_code, 429)
        self.assertFalse(self.page_leads())

    def test_a_returning_person_sees_what_a_new_one_sees_and_a_resend_is_one_inquiry(self):
        opened = self.page()
        first = self.send(self.answers(), opened=opened)
        again = self.send(self.answers(), opened=opened)
        self.assertEqual(len(self.page_leads()), 1, "the same form sent twice is one inquiry")
        returning = self.send(self.answers(answer_goal="Doch lieber später"))
        self.assertEqual(len(self.page_leads()), 1, "the same mobile number is the same person")
        self.assertEqual(self.page_logs().mapped("status"), ["updated", "duplicate", "created"])

        def visible(response):
            return re.sub(r'<script.*?</script>|name="csrf_token" value="[^"]*"', "", response.text, flags=re.S)

        self.assertEqual(visible(first), visible(again))
        self.assertEqual(visible(first), visible(returning), "nothing tells whether a person is known")

    def test_an_oversized_body_or_a_script_writes_nothing_and_runs_nothing(self):
        hidden = self.form_fields(self.page())
        response = self.url_open(
            PAGE.format(code="own-page") + "?lang=en",
            data={**hidden, **self.answers(answer_goal="x" * 70_000)},
            timeout=30,
        )
        self.assertEqual(response.status_code, 413)
        self.assertFalse(self.page_leads() or self.page_logs(), "an oversized body writes nothing")
        script = "<script>alert(1)</script>"
        response = self.send(self.answers(first_name=script, last_name=""))
        self.assertNotIn(script, response.text, "what a visitor typed is shown escaped")
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", response.text)
        response = self.send(self.answers(first_name=script))
        self.assertNotIn(script, response.text)
        self.assertEqual(self.page_leads().contact_firstname, script, "kept as typed, never run")

    def test_embedding_sites_are_addresses_only(self):
        self.source.frame_ancestors = "https://landing.example.com https://*.example.org:8443"
        response = self.page()
        self.assertEqual(
            response.headers["Content-Security-Policy"],
            "frame-ancestors 'self' https://landing.example.com https://*.example.org:8443",
        )
        self.assertNotIn("X-Frame-Options", response.headers)
        self.assertIn('<iframe src="http', self.source.embed_snippet)
        for wrong in ("http://landing.example.com", "https://a.example.com; script-src *", "https://a.com/path"):
            with self.subTest(wrong=wrong), self.assertRaisesRegex(ValidationError, "is no site that may embed"):
                self.source.frame_ancestors = wrong
                self.source.flush_recordset()

    def test_required_questions_are_the_team_questions(self):
        with self.assertRaisesRegex(ValidationError, '"Shoe size" is no question of the team'):
            self.source.form_required_questions = "Budget, Shoe size"
            self.source.flush_recordset()


class SetterCallCase(InquiryPageCase):
    """The page offers setter calls: one setter of the team, in Berlin, on the company's
    40-hour calendar (Monday to Friday, 08:00 to 12:00 and 13:00 to 17:00)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_setter.write({"deal_phase_role": "setter", "tz": "Europe/Berlin"})
        cls.user_setter.resource_calendar_id = cls.env.ref("resource.resource_calendar_std")
        cls.source.offer_setter_call = True
        cls.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.setter_call_minutes", 20)
        cls.Intake = cls.env["crm.deal.intake"]

    def offered(self, response):
        return re.findall(r'id="slot-\d+-\d+" value="([^"]+)"', response.text)

    def busy(self, start, minutes=60, state="accepted", user=None):
        event = self.env["calendar.event"].create(
            {
                "name": "Busy",
                "start": start,
                "stop": start + timedelta(minutes=minutes),
                "partner_ids": [(6, 0, (user or self.user_setter).partner_id.ids)],
            }
        )
        event.attendee_ids.state = state
        return event


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestSetterCallSlots(SetterCallCase):
    def test_the_page_and_its_free_slots_are_read_on_a_read_only_cursor(self):
        """The GET is a read-only route (a replica's, where one is set): a write there would
        make Odoo run it again on a read/write cursor, with this warning."""
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.page()
        self.assertEqual(response.status_code, 200)
        self.assertTrue(self.offered(response), "the next seven days hold working hours")

    def test_free_slots_are_working_hours_minus_busy_events_in_steps_of_the_call(self):
        monday = datetime(2030, 1, 7, 6, 0)  # 07:00 in Berlin
        self.busy(datetime(2030, 1, 7, 8, 0))  # 09:00 to 10:00 in Berlin
        self.busy(datetime(2030, 1, 7, 13, 0), state="declined")  # declined: not busy
        free = self.Intake._page_free_slots(self.source, now=monday)
        monday_slots = [slot.strftime("%H:%M") for slot in free if slot.date() == monday.date()]
        self.assertEqual(monday_slots[:7], ["07:00", "07:20", "07:40", "09:00", "09:20", "09:40", "10:00"])
        self.assertEqual(monday_slots[-1], "15:40", "the last call ends at 17:00 in Berlin")
        self.assertIn("12:00", monday_slots, "13:00 in Berlin, after lunch, declined event or not")
        self.assertNotIn("11:00", monday_slots, "12:00 in Berlin is the lunch break")
        self.assertFalse([slot for slot in free if slot.weekday() >= 5], "no calls at the weekend")
        self.assertEqual(
            max(free), datetime(2030, 1, 11, 15, 40), "seven days ahead, to Monday 07:00: a weekend between"
        )
        self.assertEqual({tuple(setters) for setters in free.values()}, {(self.user_setter,)})
        days = self.env["crm.deal.slots"].with_context(lang="en_US")._slot_days(free, pytz.timezone("Europe/Berlin"))
        self.assertEqual(days[0]["label"], "Monday, January 7, 2030")
        self.assertEqual(days[0]["short"], "Mon, Jan 7")
        self.assertEqual(days[0]["times"][0][0], "2030-01-07T07:00:00Z")
        self.assertEqual(days[0]["times"][0][1].replace("\u202f", " "), "8:00 AM", "in Berlin")

    def test_a_call_booked_on_the_page_is_the_setters_event_with_the_visitor(self):
        opened = self.page()
        slot = self.offered(opened)[3]
        response = self.send(self.answers(email="jana@example.com", slot=slot), opened=opened)
        self.assertEqual(response.status_code, 200, response.text[-2000:])
        html = unescape(response.text)
        self.assertIn("Your call is booked:", html)
        self.assertIn('download="call.ics" href="data:text/calendar;charset=utf-8,BEGIN%3AVCALENDAR', html)
        lead = self.page_leads()
        start = datetime.strptime(slot, "%Y-%m-%dT%H:%M:%SZ")
        self.assertEqual((lead.setter_id, lead.setter_appointment), (self.user_setter, start))
        event = lead.setter_appointment_event_id
        self.assertEqual((event.start, event.stop - event.start), (start, timedelta(minutes=20)))
        self.assertEqual(event.user_id, self.user_setter)
        self.assertIn(lead.partner_id, event.partner_ids)
        self.assertEqual(lead.partner_id.email, "jana@example.com")
        self.assertEqual(event.alarm_ids, self.env["crm.lead"]._deal_settings().meeting_alarms)
        self.assertNotIn(slot, self.offered(self.page()), "the booked slot is no longer offered")

    def test_no_time_suits_means_a_call_without_appointment(self):
        response = self.send(self.answers(slot="none"))
        self.assertIn("We will call you soon.", unescape(response.text))
        self.assertFalse(self.page_leads().setter_appointment)
        missing = self.send(self.answers())
        self.assertRegex(unescape(missing.text), r'id="slot-error">Choose a time for your call, or that we call you.')

    def test_a_slot_outside_working_hours_or_in_the_past_is_refused(self):
        night = (datetime.now() + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
        past = (datetime.now() - timedelta(hours=1)).replace(second=0, microsecond=0)
        for slot, message in (
            (night, "Nobody of the team works then."),
            (past, "This time has passed."),
            ("tomorrow at nine", "Choose one of the times offered."),
        ):
            value = slot if isinstance(slot, str) else slot.strftime("%Y-%m-%dT%H:%M:%SZ")
            with self.subTest(slot=value):
                response = self.send(self.answers(slot=value))
                self.assertEqual(response.status_code, 422)
                self.assertRegex(unescape(response.text), rf'id="slot-error">{re.escape(message)}')
                self.assertTrue(self.offered(response), "the next free times are offered")
        self.assertFalse(self.page_leads())

    def test_a_slot_taken_meanwhile_is_refused_with_the_next_free_ones(self):
        opened = self.page()
        slot = self.offered(opened)[0]
        self.busy(datetime.strptime(slot, "%Y-%m-%dT%H:%M:%SZ"), minutes=20)
        response = self.send(self.answers(slot=slot), opened=opened)
        self.assertEqual(response.status_code, 422)
        self.assertRegex(unescape(response.text), r'id="slot-error">This time was just taken.')
        self.assertNotIn(slot, self.offered(response))
        self.assertRegex(response.text, r'id="first_name" name="first_name"[^>]*value="Jana"')
        self.assertFalse(self.page_leads())

    def test_a_refused_submit_keeps_the_picked_time_selected_and_listed(self):
        opened = self.page()
        slot = self.offered(opened)[4]
        response = self.send(self.answers(slot=slot, last_name="", answer_budget="viel"), opened=opened)
        self.assertEqual(response.status_code, 422)
        self.assertIn(slot, self.offered(response), "the picked time is still offered")
        self.assertRegex(response.text, rf'value="{slot}"\s+checked="checked"', "and still picked")
        self.assertFalse(self.page_leads())

    def test_a_returning_person_moving_their_call_is_told_once_and_the_note_says_what_changed(self):
        opened = self.page()
        first, second = self.offered(opened)[1], self.offered(opened)[6]
        self.send(self.answers(email="jana@example.com", answer_start="now", slot=first), opened=opened)
        lead = self.page_leads()
        customer = lead.partner_id
        since = self.env["mail.mail"].sudo().search([], order="id desc", limit=1).id or 0
        again = self.page()
        response = self.send(self.answers(email="jana@example.com", answer_start="now", slot=second), opened=again)
        self.assertIn("Your call is booked:", unescape(response.text))
        self.assertEqual(lead.setter_appointment, datetime.strptime(second, "%Y-%m-%dT%H:%M:%SZ"))
        note = lead.message_ids.filtered(lambda message: "asked again" in (message.body or ""))[:1].body
        self.assertNotIn("Kept out of the lead's fields", note, "the same answers differ from nothing")
        self.assertIn("The setter call is moved from", note)
        mails = self.env["mail.mail"].sudo().search([("id", ">", since), ("recipient_ids", "in", customer.ids)])
        self.assertEqual(len(mails), 1, f"one mail about the new date: {mails.mapped('subject')}")

    def test_a_returning_persons_different_answers_read_as_the_form_shows_them(self):
        self.send(self.answers(answer_start="now", answer_decider="yes", slot="none"))
        self.send(self.answers(answer_start="later", answer_decider="no", answer_budget="3000", slot="none"))
        note = self.page_leads().message_ids.filtered(lambda message: "asked again" in (message.body or ""))[:1].body
        self.assertIn("Start: Später", note, "the option's label, not its code")
        self.assertIn("Entscheider: No", note)
        self.assertIn("Budget: 3000", note)
        self.assertNotIn("Branche", note, "an answer given again the same is no difference")

    def test_a_returning_person_booking_a_call_gets_it_on_their_lead(self):
        self.send(self.answers(slot="none"))
        opened = self.page()
        slot = self.offered(opened)[1]
        response = self.send(self.answers(slot=slot), opened=opened)
        self.assertIn("Your call is booked:", unescape(response.text))
        lead = self.page_leads()
        self.assertEqual(len(lead), 1)
        self.assertEqual(lead.setter_appointment, datetime.strptime(slot, "%Y-%m-%dT%H:%M:%SZ"))
        self.assertEqual(lead.setter_appointment_event_id.user_id, self.user_setter)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestSlotRace(TwoConnectionsMixin, BaseCase):
    """Two visitors send the page for the same setter's slot at the same moment, on two real
    connections: one gets the call, the other the form again with the next free times. The
    data is committed for real, so the test removes it at the end."""

    def setUp(self):
        super().setUp()
        self.db = sql_db.db_connect(get_db_name())
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            setter, team = self.committed_team_member(
                env, "Rasmus Race", "dp_slot_race_setter", "setter", "Slot race team"
            )
            source = env["crm.deal.intake.source"].create(
                {
                    "name": "Slot race",
                    "code": "slot-race",
                    "team_id": team.id,
                    "public_form": True,
                    "offer_setter_call": True,
                }
            )
            self.ids = {"setter": setter.id, "team": team.id, "source": source.id, "bot": source.user_id.id}
            cr.commit()  # pylint: disable=invalid-commit
        self.addCleanup(self.remove_data)

    def remove_data(self):
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            leads = env["crm.lead"].with_context(active_test=False).search([("team_id", "=", self.ids["team"])])
            source = env["crm.deal.intake.source"].browse(self.ids["source"])
            users = env["res.users"].browse([self.ids["setter"], self.ids["bot"]])
            self.remove_committed(env, leads, users, env["crm.team"].browse(self.ids["team"]), others=[source])

    def submit(self, env, form, results):
        source = env["crm.deal.intake.source"].browse(self.ids["source"])
        try:
            results.append(env["crm.deal.intake"]._receive_page(source, form, "client of 192.0.2.1"))
        except Exception as failure:  # pylint: disable=broad-exception-caught
            # the racing thread's failure, shown by the test
            results.append((f"failed: {failure!r}", {}))

    def test_two_visitors_racing_for_one_slot(self):
        with closing(self.db.cursor()) as cr:
            env = self.env_for(cr)
            source = env["crm.deal.intake.source"].browse(self.ids["source"])
            slot = next(iter(env["crm.deal.intake"]._page_free_slots(source)))
        value = slot.strftime("%Y-%m-%dT%H:%M:%SZ")
        forms = [
            {
                "first_name": name,
                "last_name": "Rennen",
                "phone": phone,
                "slot": value,
                "submission_id": f"race-{name}-0000000000",
            }
            for name, phone in (("Rita", "+49 151 77777777"), ("Rolf", "+49 151 88888888"))
        ]
        first_results, second_results = [], []
        # the first holds the setter's calendar until it commits
        self.race_on_two_connections(
            lambda env: self.submit(env, forms[0], first_results),
            lambda env: self.submit(env, forms[1], second_results),
            self.env_for,
            "the first's booking",
        )
        self.assertEqual(first_results[0][0], "thanks")
        outcome, page = second_results[0]
        self.assertEqual(outcome, "form")
        self.assertIn("This time was just taken.", page["errors"]["slot"])
        self.assertNotIn(value, [slot for day in page["slot_days"] for slot, _label in day["times"]])
        with closing(self.db.cursor()) as cr:
            cr.execute(
                """SELECT count(*) FROM calendar_event event
                    JOIN calendar_attendee attendee ON attendee.event_id = event.id
                    JOIN res_users setter ON setter.partner_id = attendee.partner_id
                   WHERE setter.id = %s AND event.start = %s AND event.active""",
                (self.ids["setter"], slot),
            )
            self.assertEqual(cr.fetchone()[0], 1, "one call in the setter's slot")
        RELIABILITY["concurrent races resolved"] += 1


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestInquiryPageOnAPhone(SetterCallCase):
    """A visitor from an ad, on a phone (390 x 844), in German: the whole page clicked in
    Chromium, then checked by axe-core; a tour fails on any JS error."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        cls.user_setter.write({"lang": "de_DE"})
        # the page in German: the source's texts too
        cls.source.with_context(lang="de_DE").write(
            {
                "form_title": "Ihr kostenloses Erstgespräch",
                "consent_text": "Ich bin einverstanden, zu meiner Anfrage angerufen zu werden.",
            }
        )

    def test_a_visitor_answers_books_a_call_and_the_setter_finds_it(self):
        self.start_tour(
            "/crm_deal_phases/inquiry/own-page?lang=de&utm_source=facebook&utm_campaign=winter",
            "crm_deal_phases_inquiry_page",
            login=None,
            cookies=BERLIN,
        )
        lead = self.page_leads()
        self.assertEqual(lead.deal_phase, "inquiry")
        properties = dict(lead.with_context(property_selection_get_key=True).lead_properties)
        self.assertEqual(
            {name: properties[name] for name in ("budget", "decider", "start", "branch", "rate", "since", "goal")},
            {
                "budget": 5000,
                "decider": True,
                "start": "later",
                "branch": "b4",
                "rate": 85.5,
                "since": "2019-04-01",
                "goal": "Mehr Kunden",
            },
        )
        self.assertEqual((lead.source_id.name.lower(), lead.campaign_id.name), ("facebook", "winter"))
        self.assertEqual(lead.setter_id, self.user_setter)
        self.assertIn(self.user_setter.partner_id, lead.setter_appointment_event_id.partner_ids)
        self.start_tour(f"/odoo/crm/{lead.id}", "crm_deal_phases_inquiry_arrived", login="dp_setter")
        self.start_tour(
            "/odoo/action-calendar.action_calendar_event?view_type=list",
            "crm_deal_phases_setter_call_in_calendar",
            login="dp_setter",
        )

    def test_a_visitor_whose_time_was_just_taken_books_the_next(self):
        self.start_tour(
            "/crm_deal_phases/inquiry/own-page?lang=de",
            "crm_deal_phases_inquiry_slot_taken",
            login=None,
            cookies=BERLIN,
        )
        by_name = {lead.contact_firstname: lead for lead in self.page_leads()}
        anna, rolf = by_name["Anna"], by_name["Rolf"]
        self.assertTrue(anna.setter_appointment and rolf.setter_appointment)
        self.assertLess(anna.setter_appointment, rolf.setter_appointment, "Rolf has the next free time")

    def test_the_page_passes_axe_core(self):
        """Every input labelled, a language, contrast, landmarks: axe-core's WCAG 2 A and AA
        rules on the page with every question type and the free times."""
        self.check_axe_core("/crm_deal_phases/inquiry/own-page?lang=de")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestTheDemosInquiryPage(HttpCase):
    """The demo's own inquiry page (./tools/run.sh), as a German visitor fills it in."""

    def test_the_demo_page_takes_a_german_mobile_number(self):
        source = self.env.ref("crm_deal_phases.demo_intake_source_page", raise_if_not_found=False)
        if not source:
            # Odoo's runner installs without demo data: the demo file loaded as an install with it does
            convert_file(self.env, "crm_deal_phases", "demo/crm_deal_phases_demo.xml", {}, mode="init", kind="demo")
            source = self.env.ref("crm_deal_phases.demo_intake_source_page")
        self.assertEqual(source.phone_country_id, self.env.ref("base.de"), "a German company's page")
        page = f"/crm_deal_phases/inquiry/{source.code}?lang=de"
        hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', self.url_open(page).text))
        answers = {
            "first_name": "Jana",
            "last_name": "Jonas",
            "phone": "0171 2345678",
            "answer_budget": "2.500",
            "answer_start": "now",
            "slot": "none",
            "consent": "yes",
        }
        response = self.url_open(page, data={**hidden, **answers}, timeout=30)
        self.assertEqual(response.status_code, 200, unescape(response.text)[-1500:])
        self.assertIn("Danke, Jana!", unescape(response.text))
        lead = self.env["crm.lead"].search([("intake_source_id", "=", source.id), ("contact_lastname", "=", "Jonas")])
        self.assertEqual((lead.phone, lead.phone_needs_check), ("+491712345678", False))
