from datetime import timedelta
from pathlib import Path

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.modules.module import load_script
from odoo.tests import new_test_user, tagged
from odoo.tests.common import freeze_time

from .common import DealPhasesCase

ADDON = Path(__file__).resolve().parent.parent


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestCallQueue(DealPhasesCase):
    """The setters' calling session: the queue's order, its claims, the cadence each outcome
    sets, the call records and their figures."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.now = fields.Datetime.now()
        cls.other_setter = new_test_user(cls.env, login="dp_setter2", groups="sales_team.group_sale_salesman")
        cls.team.member_ids |= cls.other_setter

    def lead(self, phase, name, **vals):
        return self.create_lead(phase, name=name, **{"user_id": self.user_setter.id, **vals})

    def due(self, lead, **vals):
        """A lead the cadence says is due, as the call service leaves it."""
        self.as_addon(lead).write({"next_call_due": self.now - timedelta(hours=1), **vals})
        return lead

    def session(self, user=None, phases=("inquiry", "follow_up", "qualified")):
        return (
            self.env["crm.deal.call.session"].with_user(user or self.user_setter).create({"phases": ",".join(phases)})
        )

    def next_lead(self, session):
        session._action_next()
        return session.lead_id

    def test_the_queue_in_order(self):
        old = self.lead("inquiry", "Old inquiry")
        self.env.cr.execute(
            "UPDATE crm_lead SET create_date = %s WHERE id = %s", (self.now - timedelta(days=1), old.id)
        )
        new = self.lead("inquiry", "New inquiry")
        call_back = self.due(
            self.lead("follow_up", "Call back"),
            call_back_at=self.now - timedelta(minutes=5),
            call_back_user_id=self.user_setter.id,
            call_count=5,
        )
        few = self.due(
            self.lead("follow_up", "Few attempts"), call_count=1, last_call_date=self.now - timedelta(days=3)
        )
        many = self.due(
            self.lead("qualified", "Many attempts"), call_count=4, last_call_date=self.now - timedelta(days=5)
        )
        # not in the queue
        self.due(self.lead("follow_up", "Just called"), call_count=1, last_call_date=self.now - timedelta(minutes=30))
        self.due(self.lead("follow_up", "Number to check"), phone_needs_check=True)
        self.as_addon(self.lead("follow_up", "Later")).write({"next_call_due": self.now + timedelta(days=1)})
        other_team = self.env["crm.team"].create({"name": "Other phases team", "use_deal_phases": True})
        self.due(self.lead("follow_up", "Other team", team_id=other_team.id))
        self.env.invalidate_all()
        session = self.session()
        session._action_next()
        seen = []
        while session.lead_id and len(seen) < 20:
            seen.append(session.lead_id.name)
            session.action_skip()
        self.assertEqual(seen[:5], ["Old inquiry", "New inquiry", "Call back", "Few attempts", "Many attempts"])
        self.assertEqual(len(seen), 5, f"nothing else is called: {seen}")
        self.assertTrue(new and call_back and few and many)

    def test_a_claimed_lead_goes_to_nobody_else_until_the_claim_expires(self):
        lead = self.lead("inquiry", "Claimed", user_id=False)  # both setters may read it
        mine = self.session()
        self.assertEqual(self.next_lead(mine), lead)
        theirs = self.session(self.other_setter)
        self.assertFalse(self.next_lead(theirs), "the other setter gets no lead while it is claimed")
        with freeze_time(self.now + timedelta(minutes=11)):
            self.assertEqual(self.next_lead(theirs), lead, "an abandoned claim expires")
        claim = self.env["crm.deal.call.claim"].search([("lead_id", "=", lead.id)])
        self.assertEqual(claim.user_id, self.other_setter)

    def test_each_outcome_sets_the_cadence(self):
        lead = self.lead("follow_up", "Cadence", setter_id=self.user_setter.id).with_user(self.user_setter)
        settings = self.env["ir.config_parameter"].sudo()
        settings.set_param("crm_deal_phases.call_retry_hours", "4")
        settings.set_param("crm_deal_phases.unanswered_calls_strike", "3")
        lead.action_log_call("no_answer")
        self.assertAlmostEqual(
            lead.next_call_due, fields.Datetime.now() + timedelta(hours=4), delta=timedelta(minutes=1)
        )
        lead.action_log_call("voicemail")
        self.assertEqual(lead.strike_count, 0)
        lead.action_log_call("busy")
        self.assertEqual(lead.strike_count, 1, "three unanswered calls in a row: a strike")
        self.assertEqual(lead.strike_ids.reason, "3 calls in a row unanswered")
        lead.action_log_call("reached", note="Interested, wants numbers")
        lead.action_log_call("no_answer")
        self.assertEqual(lead.strike_count, 1, "a reached call starts the count again")
        self.assertEqual((lead.call_count, len(lead.call_ids)), (5, 5), "the counter is a figure of the records")
        self.assertEqual(lead.last_call_date, max(lead.call_ids.mapped("start")))
        self.assertEqual(
            lead.call_ids.filtered(lambda call: call.outcome == "reached").note, "Interested, wants numbers"
        )
        back = (fields.Datetime.now() + timedelta(days=2)).replace(hour=16, minute=0, second=0, microsecond=0)
        lead.action_log_call("call_back", call_back_at=fields.Datetime.to_string(back))
        self.assertEqual(
            (lead.call_back_at, lead.next_call_due, lead.call_back_user_id), (back, back, self.user_setter)
        )
        activity = lead.activity_ids.filtered(
            lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call")
        )
        self.assertEqual((activity.user_id, activity.date_deadline), (self.user_setter, back.date()))
        with freeze_time(back + timedelta(minutes=1)):
            self.env.invalidate_all()
            self.assertEqual(self.next_lead(self.session()), lead, "the call-back comes when due")

    def test_a_wrong_number_keeps_the_inquiry_until_it_is_corrected(self):
        lead = self.lead("inquiry", "Wrong number").with_user(self.user_setter)
        lead.action_log_call("wrong_number")
        self.assertTrue(lead.phone_needs_check)
        self.assertFalse(lead.is_inquiry_complete)
        with self.assertRaises(UserError) as refusal:
            lead.write({"stage_id": self.stages["follow_up"].id})
        self.assertIn("is to be checked", str(refusal.exception))
        self.assertFalse(self.next_lead(self.session()), "nobody calls a number to check")
        lead.phone = "+49 152 1234567"
        self.assertFalse(lead.phone_needs_check)
        lead.write({"stage_id": self.stages["follow_up"].id})
        self.assertEqual(lead.deal_phase, "follow_up")

    def test_bad_calls_are_refused_and_calls_are_the_services(self):
        lead = self.lead("follow_up", "API").with_user(self.user_setter)
        for outcome, call_back in (("hung up", False), ("logged", False), (42, False), ("call_back", False)):
            with self.subTest(outcome=outcome), self.assertRaises(UserError):
                lead.action_log_call(outcome, call_back_at=call_back)
        self.assertFalse(lead.call_ids)
        with self.assertRaises(AccessError):
            self.env["crm.deal.call"].with_user(self.user_setter).create(
                {"lead_id": lead.id, "user_id": self.user_setter.id, "outcome": "reached"}
            )
        with self.assertRaises(AccessError):
            self.env["crm.deal.strike"].with_user(self.user_manager).create(
                {"lead_id": lead.id, "user_id": self.user_manager.id, "reason": "forged"}
            )
        lead.action_log_call("reached")
        call = lead.call_ids
        for user in (self.user_setter, self.user_manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                call.with_user(user).write({"outcome": "no_answer"})
            with self.assertRaises(AccessError):
                call.with_user(user).unlink()

    def test_the_session_walks_the_queue_with_the_outcome_wizards(self):
        first = self.lead("inquiry", "Session 1")
        second = self.lead("inquiry", "Session 2")
        session = self.session()
        self.assertEqual(self.next_lead(session), first)
        session.action_reached()
        self.assertEqual((session.state, first.call_count), ("reached", 1))
        to_follow_up = first.available_transition_ids.filtered(lambda t: t.to_phase == "follow_up")
        action = session.action_open_phase_transition(to_follow_up.id)
        self.assertEqual(action["res_model"], "crm.deal.call.session", "a move without questions: the next lead")
        self.assertEqual((first.deal_phase, session.lead_id), ("follow_up", second))
        session.action_reached()
        booking = second.available_transition_ids.filtered(lambda t: t.to_phase == "first_meeting")
        wizard_action = session.action_open_phase_transition(booking.id)
        wizard = (
            self.env[wizard_action["res_model"]].with_user(self.user_setter).with_context(**wizard_action["context"])
        )
        result = wizard.create(self.answers()).action_apply()
        self.assertEqual(second.deal_phase, "first_meeting")
        self.assertEqual(result["type"], "ir.actions.client", "no lead left: the session says so")
        self.assertEqual(session.calls_logged, 2)

    def test_what_the_setter_types_after_reached_stays_with_the_call(self):
        first = self.lead("inquiry", "Noted 1")
        second = self.lead("inquiry", "Noted 2")
        third = self.lead("inquiry", "Noted 3")
        session = self.session()
        session._action_next()
        for lead, step in (
            (first, session.action_keep_phase),
            (
                second,
                lambda: session.action_open_phase_transition(
                    second.available_transition_ids.filtered(lambda t: t.to_phase == "follow_up").id
                ),
            ),
            (third, session.action_stop),
        ):
            with self.subTest(lead=lead.name):
                self.assertEqual(session.lead_id, lead)
                session.action_reached()
                session.note = f"Budget steht, {lead.name}"  # typed on the screen after the click
                step()
                self.assertEqual(lead.call_ids.note, f"Budget steht, {lead.name}", "the note reached the call")
        self.assertEqual(second.deal_phase, "follow_up")

    def test_the_call_screen_shows_the_answers_and_the_booked_call(self):
        self.team.lead_properties_definition = [
            {"name": "budget", "string": "Budget", "type": "integer"},
            {"name": "start", "string": "Start", "type": "selection", "selection": [["now", "Sofort"]]},
            {"name": "decider", "string": "Entscheider", "type": "boolean"},
        ]
        lead = self.lead("inquiry", "Page lead", questionnaire="gclid: Cj0")
        lead.lead_properties = {"budget": 3000, "start": "now", "decider": True}
        booked = self.lead("inquiry", "Booked for later", setter_appointment=self.now + timedelta(days=2))
        session = self.session()
        session._action_next()
        self.assertEqual(session.lead_id, lead, "a lead whose call is booked for later waits for it")
        answers = session.answers
        for text in (
            "<strong>Budget</strong>: 3000",
            "<strong>Start</strong>: Sofort",
            "<strong>Entscheider</strong>: Yes",
        ):
            self.assertIn(text, answers)
        self.assertIn("<strong>gclid</strong>: Cj0", answers, "and the questionnaire's lines")
        session.action_skip()
        self.assertFalse(session.lead_id, "nothing else is due now")
        with freeze_time(booked.setter_appointment - timedelta(minutes=2)):
            session = self.session(phases=("inquiry",))
            session.skipped_lead_ids = lead.ids
            session._action_next()
            self.assertEqual(session.lead_id, booked, "at its time the booked call is offered")
            self.assertEqual(session.setter_appointment, booked.setter_appointment, "the screen shows it")

    def test_a_lead_without_a_number_is_not_called_and_its_setter_writes_for_one(self):
        lead = self.lead("inquiry", "Only e-mail", phone=False, email_from="ole@example.com").with_user(
            self.user_setter
        )
        self.assertFalse(self.next_lead(self.session()), "no lead to call without a number")
        with self.assertRaises(UserError) as refusal:
            lead.action_log_call("reached")
        self.assertIn("no mobile number to call", str(refusal.exception))
        self.assertFalse(lead.call_ids)
        wrong = self.lead("follow_up", "Wrong number", email_from="jana@example.com").with_user(self.user_setter)
        wrong.action_log_call("wrong_number")
        email = self.env.ref("mail.mail_activity_data_email")
        asked = wrong.activity_ids.filtered(lambda activity: activity.activity_type_id == email)
        self.assertEqual((len(asked), asked.user_id), (1, self.user_setter), "the wrong number asks for the right one")

    def test_the_call_figures(self):
        """A small cohort called for real: reach rate, minutes to the first call, the share
        within five minutes, calls until qualified."""
        start = self.now.replace(microsecond=0)
        leads = []
        for index, minutes in enumerate((2, 4, 30)):
            with freeze_time(start):
                lead = self.lead("inquiry", f"Figures {index}").with_user(self.user_setter)
            with freeze_time(start + timedelta(minutes=minutes)):
                lead.action_log_call("no_answer" if index == 2 else "reached")
            leads.append(lead)
        with freeze_time(start + timedelta(hours=5)):
            leads[2].action_log_call("reached")
            leads[2].write({"stage_id": self.stages["qualified"].id})
        self.env.flush_all()
        Report = self.env["crm.deal.call.report"]
        domain = [("lead_id", "in", [lead.id for lead in leads])]
        [(calls, reached, rate, median, within)] = Report._read_group(
            domain,
            [],
            ["call_count:sum", "reached_count:sum", "reach_rate:sum", "first_call_median:sum", "within_5_min_rate:sum"],
        )
        self.assertEqual((calls, reached), (4, 3))
        self.assertAlmostEqual(rate, 0.75)
        self.assertAlmostEqual(median, 4.0, places=1)
        self.assertAlmostEqual(within, 2 / 3)
        [(until,)] = Report._read_group(
            [*domain, ("lead_id", "=", leads[2].id), ("first_call_count", "=", 1)], [], ["calls_until_qualified:avg"]
        )
        self.assertEqual(until, 2)

    def test_the_old_counters_become_calls(self):
        lead = self.lead("follow_up", "Before outcomes")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE crm_lead SET call_count = 3, last_call_date = %s, strike_count = 2, strike_notes = %s, "
            "next_call_due = NULL WHERE id = %s",
            (self.now - timedelta(days=3), "01.11.: Mailbox\n02.11.: Kein Interesse", lead.id),
        )
        script = load_script(str(ADDON / "migrations" / "19.0.3.0.0" / "post-migrate.py"), "crm_deal_phases_19_0_3")
        script.migrate_to_call_records(self.env)
        script.migrate_to_call_records(self.env)  # an upgrade run twice changes nothing more
        self.assertEqual(len(lead.call_ids), 3)
        self.assertEqual(set(lead.call_ids.mapped("outcome")), {"logged"})
        self.assertEqual(sorted(lead.strike_ids.mapped("reason")), ["01.11.: Mailbox", "02.11.: Kein Interesse"])
        self.assertTrue(lead.next_call_due)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestCallRecordRules(DealPhasesCase):
    def test_calls_and_strikes_stay_in_their_company(self):
        other = self.env["res.company"].create({"name": "Andere Anrufe GmbH"})
        team = self.env["crm.team"].create({"name": "Andere", "company_id": other.id, "use_deal_phases": True})
        manager_both = self.user_manager
        manager_both.company_ids |= other
        foreign = self.create_lead(
            "follow_up", name="Foreign calls", company_id=other.id, team_id=team.id, user_id=False, closer_id=False
        )
        own = self.create_lead("follow_up", name="Own calls")
        for lead in (foreign, own):
            lead.with_user(manager_both).with_context(allowed_company_ids=(self.company | other).ids).action_log_call(
                "no_answer"
            )
            self.as_addon(lead).sudo().action_add_strike("test")
        local = new_test_user(
            self.env, login="dp_local_manager", groups="sales_team.group_sale_manager", company_id=self.company.id
        )
        for model in ("crm.deal.call", "crm.deal.strike"):
            with self.subTest(model=model):
                names = set(self.env[model].with_user(local).search([]).mapped("lead_id.name"))
                self.assertIn("Own calls", names)
                self.assertNotIn("Foreign calls", names)
        report = self.env["crm.deal.call.report"].with_user(local).search([])
        self.assertNotIn("Foreign calls", report.mapped("lead_id.name"))
        salesperson = new_test_user(self.env, login="dp_own_only", groups="sales_team.group_sale_salesman")
        self.assertFalse(self.env["crm.deal.call"].with_user(salesperson).search([("lead_id", "=", own.id)]))
