"""The daily work in a real browser: Odoo tours in headless Chromium, as German-speaking
setters, closers and managers. A tour fails on any client error or uncaught JS error.

TOUR_CASES is the coverage of the outcome buttons: one lead per case, in the case's phase,
named as the tour finds it; together they click every transition of the seeded table (the
README's coverage table is kept equal to it by tests/test_readme.py)."""

from datetime import timedelta

import pytz

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import DealPhasesCase

# (lead, from phase, to phase, tour, what the lead lacks: the wizard asks it)
TOUR_CASES = [
    ("Tour 01", "inquiry", "follow_up", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 02", "inquiry", "qualified", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 03", "inquiry", "first_meeting", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 04", "inquiry", "unqualified", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 05", "follow_up", "qualified", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 06", "follow_up", "first_meeting", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 07", "follow_up", "unqualified", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 08", "qualified", "first_meeting", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 09", "qualified", "unqualified", "crm_deal_phases_setter_outcomes", ""),
    ("Tour 10", "inquiry", "follow_up", "crm_deal_phases_setter_outcomes", "contact"),
    ("Tour 11", "inquiry", "qualified", "crm_deal_phases_setter_outcomes", "gold_standard"),
    ("Tour 12", "first_meeting", "sold", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 13", "first_meeting", "not_sold", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 14", "first_meeting", "second_meeting", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 15", "first_meeting", "qualified", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 16", "first_meeting", "follow_up", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 17", "first_meeting", "unqualified", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 18", "second_meeting", "sold", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 19", "second_meeting", "not_sold", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 20", "not_sold", "sold", "crm_deal_phases_closer_outcomes", ""),
    ("Tour 21", "not_sold", "second_meeting", "crm_deal_phases_closer_outcomes", ""),
]
LACKING = {
    "contact": {"contact_lastname": False, "phone": False},
    "gold_standard": {"qualification_criterion_ids": False},
}


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestDayInTheBrowser(HttpCase, DealPhasesCase):
    """Each role's day where it happens."""

    # all eight columns on screen, so a card is dropped where a user would drop it
    browser_size = "3200x1000"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        for user, role in ((cls.user_setter, "setter"), (cls.user_closer, "closer"), (cls.user_manager, "manager")):
            user.write({"lang": "de_DE", "tz": "Europe/Berlin", "deal_phase_role": role})
        cls.tour_list = cls.env["ir.actions.act_window"].create(
            {
                "name": "Tour leads",
                "res_model": "crm.lead",
                "view_mode": "list,form",
                "domain": "[('name', '=like', 'Tour %')]",
            }
        )

    def start(self, path, tour, user):
        self.start_tour(path, tour, login=user.login, password=self.password_of(user))

    @staticmethod
    def password_of(user):
        return user.login + "x" * (8 - len(user.login))

    def create_tour_leads(self, tour):
        leads = {}
        for name, phase, _to, case_tour, lacking in TOUR_CASES:
            if case_tour == tour:
                leads[name] = self.create_lead(
                    phase,
                    name=f"{name} {phase}",
                    user_id=self.user_setter.id,
                    setter_id=self.user_setter.id,
                    closer_id=self.user_closer.id,
                    **LACKING.get(lacking, {}),
                )
        return leads

    def assert_cases_reached(self, leads):
        for name, _phase, to_phase, _tour, _lacking in TOUR_CASES:
            if name in leads:
                self.assertEqual(self.phase_of(leads[name]), to_phase, name)

    def test_setter_clicks_every_outcome_of_the_setter_phases(self):
        leads = self.create_tour_leads("crm_deal_phases_setter_outcomes")
        self.start(f"/odoo/action-{self.tour_list.id}", "crm_deal_phases_setter_outcomes", self.user_setter)
        self.assert_cases_reached(leads)
        self.assertEqual(leads["Tour 10"].contact_lastname, "Lange")
        self.assertTrue(leads["Tour 11"].is_gold_standard)
        self.assertTrue(leads["Tour 03"].first_meeting_event_id, "the booking is an event")

    def test_closer_clicks_every_outcome_of_the_consultations(self):
        leads = self.create_tour_leads("crm_deal_phases_closer_outcomes")
        self.start(f"/odoo/action-{self.tour_list.id}", "crm_deal_phases_closer_outcomes", self.user_closer)
        self.assert_cases_reached(leads)
        self.assertEqual(leads["Tour 16"].no_show_count, 1)
        self.assertTrue(leads["Tour 14"].second_meeting_event_id)

    def test_setter_flows_calls_strikes_and_the_call_list(self):
        follow_up = self.create_lead(
            "follow_up", name="Tour Anruf", user_id=self.user_setter.id, setter_id=self.user_setter.id
        )
        listed = self.create_lead(
            "follow_up", name="Tour Liste", user_id=self.user_setter.id, setter_id=self.user_setter.id
        )
        inquiry = self.create_lead("inquiry", name="Tour Sammel", user_id=self.user_setter.id)
        self.start("/odoo", "crm_deal_phases_setter_flows", self.user_setter)
        self.assertEqual(follow_up.call_count, 1)
        self.assertEqual(follow_up.strike_count, 1)
        self.assertEqual(listed.call_count, 1)
        self.assertEqual(listed.strike_count, 1)
        self.assertEqual(self.phase_of(inquiry), "unqualified")

    def test_closer_postpones_and_finds_the_booking_in_the_calendar(self):
        meeting = self.create_lead(
            "first_meeting",
            name="Tour Termin",
            user_id=self.user_setter.id,
            closer_id=self.user_closer.id,
            first_meeting_date=fields.Datetime.now() + timedelta(days=1),
        )
        win_back = self.create_lead("not_sold", name="Tour Rückgewinnung", closer_id=False, user_id=self.user_closer.id)
        self.start("/odoo", "crm_deal_phases_closer_flows", self.user_closer)
        self.assertEqual(meeting.postponed_count, 1)
        self.assertEqual(meeting.first_meeting_event_id.start, meeting.first_meeting_date)
        self.assertEqual(win_back.closer_id, self.user_closer)

    def test_board_drops_ask_and_quick_create_where_leads_start(self):
        gold = self.create_lead("qualified", name="Tour Gold", user_id=self.user_setter.id, first_meeting_date=False)
        inquiry = self.create_lead("inquiry", name="Tour Inquiry", user_id=self.user_setter.id)
        by_statusbar = self.create_lead(
            "qualified", name="Tour Status", user_id=self.user_setter.id, first_meeting_date=False
        )
        pipeline = self.env.ref("crm.crm_lead_action_pipeline")
        self.start(f"/odoo/action-{pipeline.id}", "crm_deal_phases_board", self.user_setter)
        self.assertEqual(self.phase_of(inquiry), "inquiry")
        for lead in (gold, by_statusbar):
            self.assertEqual(self.phase_of(lead), "first_meeting")
            self.assertTrue(lead.first_meeting_event_id)

    def test_manager_forces_a_phase_and_reads_every_report(self):
        lead = self.create_lead("inquiry", name="Tour Chef", user_id=self.user_setter.id)
        self.start(f"/odoo/action-{self.tour_list.id}", "crm_deal_phases_manager", self.user_manager)
        self.assertEqual(self.phase_of(lead), "sold")
        self.assertTrue(self.log_of(lead)[-1].is_override)

    def test_outcomes_wait_for_the_meeting_or_a_confirmation(self):
        early = self.create_lead(
            "first_meeting",
            name="Tour Früh",
            user_id=self.user_closer.id,
            closer_id=self.user_closer.id,
            first_meeting_date=fields.Datetime.now() + timedelta(days=2),
        )
        self.start(f"/odoo/action-{self.tour_list.id}", "crm_deal_phases_outcome_rules", self.user_closer)
        self.assertEqual(self.phase_of(early), "sold")
        self.assertEqual(early.expected_revenue, 12000)
        self.assertFalse(early.first_meeting_event_id.active, "the meeting that will not take place is cancelled")
        self.assertEqual(early.no_show_count, 0, "the refused no-show changed nothing")

    def test_setters_book_but_record_no_closer_outcome(self):
        self.create_lead("first_meeting", name="Tour Beim Closer", user_id=self.user_setter.id)
        booking = self.create_lead(
            "inquiry",
            name="Tour Buchung",
            user_id=self.user_setter.id,
            first_meeting_date=False,
            closer_id=False,
            qualification_criterion_ids=False,
        )
        self.start(f"/odoo/action-{self.tour_list.id}", "crm_deal_phases_setter_on_a_consultation", self.user_setter)
        self.assertEqual(self.phase_of(booking), "first_meeting")
        self.assertEqual(booking.closer_id, self.user_closer)
        berlin = pytz.timezone("Europe/Berlin")
        self.assertEqual(pytz.utc.localize(booking.first_meeting_date).astimezone(berlin).hour, 15)

    def test_a_link_opens_its_lead_for_any_role(self):
        lead = self.create_lead("follow_up", name="Tour Link", user_id=self.user_setter.id)
        self.start(f"/odoo/deal-phases/{lead.id}", "crm_deal_phases_deep_link", self.user_manager)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestOnAPhone(HttpCase, DealPhasesCase):
    """A setter's day on a phone (390 x 844): the call list as cards, the call buttons at hand."""

    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        cls.user_setter.write({"lang": "de_DE", "tz": "Europe/Berlin", "deal_phase_role": "setter"})

    def test_a_call_on_a_phone_keeps_the_note_typed_after_reached(self):
        self.team.lead_properties_definition = [
            {"name": "budget", "string": "Budget", "type": "integer"},
            {"name": "start", "string": "Start", "type": "selection", "selection": [["now", "Sofort"]]},
        ]
        lead = self.create_lead(
            "inquiry",
            name="Tour Paula",
            contact_firstname="Paula",
            contact_lastname="Handy",
            user_id=self.user_setter.id,
            phone="+49 152 55501234",
        )
        lead.lead_properties = {"budget": 4000, "start": "now"}
        self.start_tour(
            "/odoo/start-calling", "crm_deal_phases_calling_on_a_phone", login="dp_setter", password="dp_setter"
        )
        self.assertEqual(lead.call_ids.mapped("outcome"), ["reached"])
        self.assertEqual(lead.call_ids.note, "Will im Frühjahr starten, Budget steht", "typed after Reached, kept")

    def test_the_call_list_on_a_phone(self):
        lead = self.create_lead("follow_up", name="Tour Handy", user_id=self.user_setter.id, phone="+49 152 44401234")
        self.start_tour("/odoo", "crm_deal_phases_on_a_phone", login=self.user_setter.login, password="dp_setter")
        self.assertEqual(lead.call_count, 1)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestCallingSession(HttpCase, DealPhasesCase):
    """A German setter works the queue on the call screen."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        for user, role in ((cls.user_setter, "setter"), (cls.user_closer, "closer")):
            user.write({"lang": "de_DE", "tz": "Europe/Berlin", "deal_phase_role": role})

    def lead(self, phase, first, last, **vals):
        return self.create_lead(
            phase,
            name=f"Tour {first}",
            contact_firstname=first,
            contact_lastname=last,
            user_id=self.user_setter.id,
            **vals,
        )

    def test_five_leads_five_outcomes(self):
        now = fields.Datetime.now()
        first = self.lead("inquiry", "Anna", "Erste")
        self.env.cr.execute("UPDATE crm_lead SET create_date = %s WHERE id = %s", (now - timedelta(hours=2), first.id))
        second = self.lead("inquiry", "Bernd", "Zweite", first_meeting_date=False)
        due = {"next_call_due": now - timedelta(hours=1)}
        call_back = self.as_addon(self.lead("follow_up", "Carla", "Rückruf")).write(
            {
                **due,
                "call_back_at": now - timedelta(minutes=5),
                "call_back_user_id": self.user_setter.id,
                "call_count": 4,
            }
        )
        fourth = self.lead("follow_up", "Dieter", "Fällig")
        fifth = self.lead("follow_up", "Emil", "Fällig")
        self.as_addon(fourth).write({**due, "call_count": 1, "last_call_date": now - timedelta(days=3)})
        self.as_addon(fifth).write({**due, "call_count": 2, "last_call_date": now - timedelta(days=4)})
        self.env.invalidate_all()
        self.start_tour("/odoo", "crm_deal_phases_calling_session", login="dp_setter", password="dp_setter")
        outcomes = {
            lead.contact_firstname: lead.call_ids.mapped("outcome")
            for lead in self.env["crm.lead"].search([("name", "=like", "Tour %")])
        }
        self.assertEqual(
            outcomes,
            {
                "Anna": ["no_answer"],
                "Bernd": ["reached"],
                "Carla": ["wrong_number"],
                "Dieter": ["voicemail"],
                "Emil": ["call_back"],
            },
        )
        self.assertEqual(second.deal_phase, "first_meeting", "booked through the wizard")
        self.assertEqual(second.call_ids.note, "Hat Interesse, Termin gewünscht")
        self.assertTrue(call_back is True and fifth.call_back_at)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestInquirySourceInTheBrowser(HttpCase, DealPhasesCase):
    """A German Sales Administrator sets up a form tool's door and replays a refused submission."""

    def test_a_source_and_a_replay(self):
        self.ensure_german()
        self.user_manager.write({"lang": "de_DE", "tz": "Europe/Berlin"})
        source = self.env["crm.deal.intake.source"].create(
            {"name": "Tour Alt", "code": "tour-alt", "team_id": self.team.id}
        )
        refused = self.env["crm.deal.intake"]._submit_payloads(
            source, [{"vorname": "Rolf", "nachname": "Replay", "handy": "0151 24681357"}]
        )[0]
        self.assertEqual(refused["status"], "refused")
        source.mapping_ids = [
            (0, 0, {"key": "vorname", "target": "first_name"}),
            (0, 0, {"key": "nachname", "target": "last_name"}),
            (0, 0, {"key": "handy", "target": "phone"}),
        ]
        self.start_tour("/odoo/crm", "crm_deal_phases_inquiry_source", login="dp_manager", password="dp_manager")
        created = self.env["crm.deal.intake.source"].search([("code", "=", "tour-typeform")])
        self.assertTrue(created.sudo().token_hash and created.user_id)
        replayed = self.env["crm.deal.intake.log"].browse(refused["log_id"]).replayed_by_id
        self.assertEqual((replayed.status, replayed.lead_id.contact_name), ("created", "Rolf Replay"))
