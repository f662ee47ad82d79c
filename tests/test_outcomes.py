from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged, users

from .common import DealPhasesCase

SEEDED_LABELS = {
    "first_meeting": [
        "Sold",
        "Not sold",
        "Second consultation",
        "Appointment cancelled",
        "No-show",
        "Setter error",
    ],
    "second_meeting": ["Sold", "Not sold or cancelled"],
    "not_sold": ["Offer + written confirmation", "Another follow-up meeting"],
    "sold": [],
    "unqualified": [],
}


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestOutcomeActions(DealPhasesCase):
    def transition(self, lead, label):
        return lead.available_transition_ids.filtered(lambda t: t.name == label)

    @users("dp_closer")
    def test_buttons_come_from_the_transition_table(self):
        for phase, labels in SEEDED_LABELS.items():
            with self.subTest(phase=phase):
                lead = self.create_lead(phase, user_id=self.user_closer.id).with_env(self.env)
                self.assertEqual(lead.available_transition_ids.mapped("name"), labels)

    def test_admin_change_to_the_table_changes_the_buttons(self):
        lead = self.create_lead("second_meeting")
        transition = self.env.ref("crm_deal_phases.transition_second_meeting_to_not_sold")
        transition.with_user(self.user_manager).active = False
        lead.invalidate_recordset(["available_transition_ids"])
        self.assertEqual(lead.available_transition_ids.mapped("name"), ["Sold"])
        with self.assertRaises(UserError):
            lead.with_user(self.user_manager).write({"stage_id": self.stages["not_sold"].id})

    @users("dp_closer")
    def test_sold_moves_at_once_and_is_logged_with_its_label(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id).with_env(self.env)
        self.assertTrue(lead.action_open_phase_transition(self.transition(lead, "Sold").id))
        self.assertEqual(lead.deal_phase, "sold")
        entry = self.log_of(lead)[-1]
        self.assertEqual((entry.from_phase, entry.to_phase, entry.transition_label), ("first_meeting", "sold", "Sold"))

    def test_relabelled_outcome_is_logged_with_the_new_label_in_each_language(self):
        """The log takes labels from a registry cache: an admin's rename, in English or
        through the German translation dialog, reaches the next move."""
        self.ensure_german()
        transition = self.env.ref("crm_deal_phases.transition_first_meeting_to_sold")
        leads = [self.create_lead("first_meeting", user_id=self.user_closer.id) for _i in range(4)]

        def sell(lead, lang):
            lead.with_user(self.user_closer).with_context(lang=lang).write({"stage_id": self.stages["sold"].id})
            return self.log_of(lead)[-1].transition_label

        self.assertEqual(sell(leads[0], "de_DE"), "Verkauft")
        transition.with_user(self.user_manager).update_field_translations("name", {"de_DE": "Unterschrieben"})
        self.assertEqual(sell(leads[1], "de_DE"), "Unterschrieben")
        self.assertEqual(sell(leads[2], "en_US"), "Sold")
        transition.with_user(self.user_manager).with_context(lang="en_US").name = "Signed"
        self.assertEqual(sell(leads[3], "en_US"), "Signed")

    @users("dp_closer")
    def test_no_show_goes_to_follow_up_and_counts(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id).with_env(self.env)
        lead.action_open_phase_transition(self.transition(lead, "No-show").id)
        self.assertEqual(lead.deal_phase, "follow_up")
        self.assertEqual(lead.no_show_count, 1)
        self.assertEqual(self.log_of(lead)[-1].transition_label, "No-show")

    @users("dp_closer")
    def test_not_sold_asks_for_the_reason(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id, lost_reason_id=False)
        lead = lead.with_env(self.env)
        action = lead.action_open_phase_transition(self.transition(lead, "Not sold").id)
        self.assertEqual(action["res_model"], "crm.lead.phase.move")
        self.assertEqual(lead.deal_phase, "first_meeting", "nothing moves before the wizard is confirmed")
        wizard_form = Form(self.env["crm.lead.phase.move"].with_context(action["context"]))
        self.assertEqual(wizard_form.transition_label, "Not sold")
        wizard_form.lost_reason_id = self.lost_reason
        wizard_form.note = "Wants to think about it until spring"
        wizard_form.save().action_apply()
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertEqual(lead.lost_reason_id, self.lost_reason)
        self.assertTrue(lead.active)
        entry = self.log_of(lead)[-1]
        self.assertEqual(entry.reason, "Wants to think about it until spring")
        self.assertEqual(entry.transition_label, "Not sold")

    @users("dp_setter")
    def test_wizard_completes_the_inquiry_and_the_gold_standard(self):
        lead = self.env["crm.lead"].create(
            {"name": "Half inquiry", "contact_firstname": "Jonas", "team_id": self.team.id}
        )
        transition = lead.available_transition_ids.filtered(lambda t: t.to_phase == "first_meeting")
        action = lead.action_open_phase_transition(transition.id)
        wizard_form = Form(self.env["crm.lead.phase.move"].with_context(action["context"]))
        self.assertTrue(wizard_form.ask_contact)
        self.assertTrue(wizard_form.ask_gold_standard)
        wizard_form.contact_lastname = "Becker"
        wizard_form.phone = "+49 171 9876543"
        for criterion in self.criteria:
            wizard_form.qualification_criterion_ids.add(criterion)
        meeting = fields.Datetime.now() + timedelta(days=3)
        wizard_form.meeting_date = meeting
        wizard_form.closer_id = self.user_closer
        wizard_form.save().action_apply()
        self.assertEqual(lead.deal_phase, "first_meeting")
        self.assertEqual(lead.contact_name, "Jonas Becker")
        self.assertTrue(lead.is_gold_standard)
        self.assertEqual(lead.closer_id, self.user_closer)
        self.assertEqual(lead.first_meeting_date, meeting.replace(microsecond=0))

    @users("dp_closer")
    def test_postponed_stays_and_counts(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id).with_env(self.env)
        log_before = len(self.log_of(lead))
        action = lead.action_open_postpone()
        new_date = fields.Datetime.now() + timedelta(days=7)
        wizard = self.env[action["res_model"]].with_context(action["context"]).create({"meeting_date": new_date})
        wizard.action_apply()
        self.assertEqual(lead.deal_phase, "first_meeting")
        self.assertEqual(lead.postponed_count, 1)
        self.assertEqual(lead.first_meeting_date, new_date.replace(microsecond=0))
        self.assertEqual(len(self.log_of(lead)), log_before, "a postponement is no phase change")

    @users("dp_closer")
    def test_second_meeting_is_remembered(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id).with_env(self.env)
        self.assertFalse(lead.needed_second_meeting)
        lead.write({"stage_id": self.stages["second_meeting"].id})
        lead.write({"stage_id": self.stages["sold"].id})
        self.assertTrue(lead.needed_second_meeting)

    def test_stale_button_is_refused_clearly(self):
        lead = self.create_lead("first_meeting", closer_id=self.user_closer.id).with_user(self.user_closer)
        sold = self.transition(lead, "Sold")
        lead.write({"stage_id": self.stages["not_sold"].id})
        with self.assertRaises(UserError) as error:
            lead.action_open_phase_transition(sold.id)
        self.assertIn("is in Not sold now", str(error.exception))


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestWonLost(DealPhasesCase):
    @users("dp_closer")
    def test_lost_from_a_consultation_is_not_sold(self):
        lead = self.create_lead("second_meeting", user_id=self.user_closer.id, lost_reason_id=False)
        lead = lead.with_env(self.env)
        wizard = self.env["crm.lead.lost"].create({"lead_ids": lead.ids, "lost_reason_id": self.lost_reason.id})
        wizard.action_lost_reason_apply()
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertTrue(lead.active, "the process does not archive leads")
        self.assertEqual(lead.lost_reason_id, self.lost_reason)

    @users("dp_setter")
    def test_lost_elsewhere_needs_the_ko_flow(self):
        lead = self.create_lead("follow_up").with_env(self.env)
        with self.assertRaises(UserError):
            lead.action_set_lost(lost_reason_id=self.lost_reason.id)
        self.assertEqual(self.phase_of(lead), "follow_up")
        self.assertEqual(lead.action_open_lost_flow()["context"]["default_to_phase"], "unqualified")

    def test_restore_keeps_the_not_sold_reason(self):
        lead = self.create_lead("not_sold")
        lead.action_archive()
        lead.action_unarchive()
        self.assertTrue(lead.active)
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertEqual(lead.lost_reason_id, self.lost_reason)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestServerActions(DealPhasesCase):
    def run_action(self, xmlid, leads, user):
        action = self.env.ref(xmlid).with_user(user)
        return action.with_context(active_model="crm.lead", active_ids=leads.ids, active_id=leads[:1].id).run()

    def test_log_goodwill_call(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.follow_up_cadence_days", "3")
        leads = self.create_lead("follow_up", setter_id=self.user_setter.id) | self.create_lead("inquiry")
        self.run_action("crm_deal_phases.crm_lead_action_log_goodwill_call", leads, self.user_setter)
        self.assertEqual(leads.mapped("call_count"), [1, 1])
        self.assertTrue(all(leads.mapped("last_call_date")))
        activity = leads[0].activity_ids
        self.assertEqual(activity.user_id, self.user_setter)
        self.assertEqual(activity.date_deadline, fields.Date.context_today(leads) + timedelta(days=3))
        self.run_action("crm_deal_phases.crm_lead_action_log_goodwill_call", leads[0], self.user_setter)
        self.assertEqual(leads.mapped("call_count"), [2, 1])

    def test_mixed_selection_is_refused_whole_and_names_the_leads(self):
        callable_lead = self.create_lead("follow_up", name="Callable")
        sold = self.create_lead("sold", name="Closed deal")
        with self.assertRaises(UserError) as error:
            self.run_action("crm_deal_phases.crm_lead_action_log_goodwill_call", callable_lead | sold, self.user_setter)
        self.assertIn("Closed deal", str(error.exception))
        self.assertNotIn("Callable", str(error.exception))
        self.assertEqual(callable_lead.call_count, 0)

    def test_strikes_reach_the_threshold(self):
        leads = self.create_lead("follow_up", ko_reason_id=False) | self.create_lead("inquiry", ko_reason_id=False)
        action = self.run_action("crm_deal_phases.crm_lead_action_add_strike", leads, self.user_setter)
        strike = self.env[action["res_model"]].with_user(self.user_setter).with_context(action["context"])
        strike.create({"reason": "No answer"}).action_apply()
        strike.create({"reason": "Hung up"}).action_apply()
        self.assertEqual(leads.mapped("strike_count"), [2, 2])
        self.assertEqual(set(leads.mapped("deal_phase")), {"follow_up", "inquiry"})
        strike.create({"reason": "Rude again"}).action_apply()
        self.assertEqual(set(leads.mapped("deal_phase")), {"unqualified"})
        self.assertEqual(leads.mapped("ko_reason_id"), self.env.ref("crm_deal_phases.ko_reason_strikes"))
        entry = self.log_of(leads[0])[-1]
        self.assertEqual(entry.to_phase, "unqualified")
        for reason in ("No answer", "Hung up", "Rude again"):
            self.assertIn(reason, entry.reason)

    def test_strikes_refused_where_unqualified_is_not_allowed(self):
        lead = self.create_lead("second_meeting", name="In second meeting")
        with self.assertRaises(UserError) as error:
            lead.with_user(self.user_closer).action_add_strike("Late")
        self.assertIn("In second meeting", str(error.exception))
        self.assertEqual(lead.strike_count, 0)

    def test_start_closer_follow_up(self):
        not_sold = self.create_lead("not_sold", user_id=False)
        self.run_action("crm_deal_phases.crm_lead_action_start_closer_follow_up", not_sold, self.user_closer)
        self.assertEqual(not_sold.closer_id, self.user_closer)
        self.assertEqual(not_sold.activity_ids.user_id, self.user_closer)
        with self.assertRaises(UserError):
            self.run_action(
                "crm_deal_phases.crm_lead_action_start_closer_follow_up",
                self.create_lead("sold", closer_id=self.user_closer.id),
                self.user_closer,
            )

    def test_move_to_follow_up_all_or_nothing(self):
        ready = self.create_lead("inquiry", name="Ready")
        final = self.create_lead("unqualified", name="Gone")
        with self.assertRaises(UserError) as error:
            self.run_action("crm_deal_phases.crm_lead_action_move_to_follow_up", ready | final, self.user_setter)
        self.assertIn("Gone", str(error.exception))
        self.assertEqual(self.phase_of(ready), "inquiry")
        self.run_action("crm_deal_phases.crm_lead_action_move_to_follow_up", ready, self.user_setter)
        self.assertEqual(self.phase_of(ready), "follow_up")

    def test_mark_unqualified_ko(self):
        leads = self.create_lead("inquiry", ko_reason_id=False) | self.create_lead("qualified", ko_reason_id=False)
        action = self.run_action("crm_deal_phases.crm_lead_action_mark_unqualified", leads, self.user_setter)
        wizard_form = Form(self.env[action["res_model"]].with_user(self.user_setter).with_context(action["context"]))
        wizard_form.ko_reason_id = self.env.ref("crm_deal_phases.ko_reason_offensive")
        wizard_form.save().action_apply()
        self.assertEqual(set(leads.mapped("deal_phase")), {"unqualified"})
        self.assertEqual(leads.mapped("ko_reason_id"), self.env.ref("crm_deal_phases.ko_reason_offensive"))


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseLogAccess(DealPhasesCase):
    def test_salesperson_reads_but_cannot_touch_the_log(self):
        lead = self.create_lead("inquiry")
        Log = self.env["crm.deal.phase.log"].with_user(self.user_setter)
        entry = Log.search([("lead_id", "=", lead.id)])
        self.assertEqual(len(entry), 1)
        with self.assertRaises(AccessError):
            Log.create({"lead_id": lead.id, "to_phase": "sold"})
        with self.assertRaises(AccessError):
            entry.write({"to_phase": "sold"})
        with self.assertRaises(AccessError):
            entry.unlink()

    def test_manager_cannot_edit_the_log_either(self):
        entry = self.log_of(self.create_lead("inquiry"))
        with self.assertRaises(AccessError):
            entry.with_user(self.user_manager).write({"reason": "rewritten"})


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestOutcomeQueryBudget(DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create = cls.env["crm.lead"].with_user(cls.user_manager).create
        cls.warmup_leads = create(
            [cls.complete_vals(name=f"W{i}", stage_id=cls.stages["follow_up"].id) for i in range(2)]
        )
        cls.leads_100 = create(
            [cls.complete_vals(name=f"L{i}", stage_id=cls.stages["follow_up"].id) for i in range(100)]
        )
        meeting = {"stage_id": cls.stages["first_meeting"].id, "closer_id": cls.user_closer.id}
        cls.meeting = create([cls.complete_vals(name="Meeting", **meeting)])
        cls.warmup_meeting = create([cls.complete_vals(name="Meeting 0", **meeting)])

    def test_query_count_goodwill_call_on_100_leads(self):
        self.warmup_leads.with_user(self.user_setter).action_log_goodwill_call()
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(11):
            self.leads_100.with_user(self.user_setter).with_context(tracking_disable=True).action_log_goodwill_call()
            self.env.flush_all()
        self.assertEqual(set(self.leads_100.mapped("call_count")), {1})

    def test_query_count_outcome_action(self):
        sold = self.env.ref("crm_deal_phases.transition_first_meeting_to_sold").id
        self.warmup_meeting.with_user(self.user_closer).action_open_phase_transition(sold)
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(20):
            self.meeting.with_user(self.user_closer).with_context(tracking_disable=True).action_open_phase_transition(
                sold
            )
            self.env.flush_all()
        self.assertEqual(self.meeting.deal_phase, "sold")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestServerActionQueryBudget(DealPhasesCase):
    """Each server action on 100 leads, run as the list view runs it: a fixed number of
    queries, whatever the selection's size (a first run on two leads warms the caches).
    Budgets as measured on a fresh database with demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        create = cls.env["crm.lead"].with_user(cls.user_manager).create
        cls.leads = {
            (phase, size): create(
                [cls.complete_vals(name=f"{phase} {size} {i}", stage_id=cls.stages[phase].id) for i in range(size)]
            )
            for phase in ("inquiry", "follow_up", "not_sold")
            for size in (2, 100)
        }

    def run_action(self, xmlid, leads):
        """The server action on leads as the setter would start it from the list."""
        action = self.env.ref(xmlid).with_user(self.user_setter)
        context = {"active_model": "crm.lead", "active_ids": leads.ids, "tracking_disable": True}
        result = action.with_context(**context).run()
        self.env.flush_all()
        return result

    def apply_wizard(self, xmlid, leads, **values):
        """Server actions that need an answer open a wizard: open it, fill it in, apply it."""
        action = self.run_action(xmlid, leads)
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.user_setter)
            .with_context(**action["context"], tracking_disable=True)
            .create(values)
        )
        wizard.action_apply()
        self.env.flush_all()

    def assert_budget(self, budget, run, phase):
        run(self.leads[phase, 2])
        self.env.invalidate_all()
        with self.assertQueryCount(budget):
            run(self.leads[phase, 100])

    def test_log_goodwill_call(self):
        self.assert_budget(
            15, lambda leads: self.run_action("crm_deal_phases.crm_lead_action_log_goodwill_call", leads), "follow_up"
        )
        self.assertEqual(set(self.leads["follow_up", 100].mapped("call_count")), {1})

    def test_add_strike(self):
        self.assert_budget(
            18,
            lambda leads: self.apply_wizard("crm_deal_phases.crm_lead_action_add_strike", leads, reason="No answer"),
            "follow_up",
        )
        self.assertEqual(set(self.leads["follow_up", 100].mapped("strike_count")), {1})

    def test_start_closer_follow_up(self):
        self.assert_budget(
            15,
            lambda leads: self.run_action("crm_deal_phases.crm_lead_action_start_closer_follow_up", leads),
            "not_sold",
        )
        self.assertEqual(len(self.leads["not_sold", 100].activity_ids), 100)

    def test_move_to_follow_up(self):
        self.assert_budget(
            18,
            lambda leads: self.run_action("crm_deal_phases.crm_lead_action_move_to_follow_up", leads),
            "inquiry",
        )
        self.assertEqual(set(self.leads["inquiry", 100].mapped("deal_phase")), {"follow_up"})

    def test_mark_unqualified(self):
        self.assert_budget(
            21,
            lambda leads: self.apply_wizard(
                "crm_deal_phases.crm_lead_action_mark_unqualified", leads, ko_reason_id=self.ko_reason.id
            ),
            "follow_up",
        )
        self.assertEqual(set(self.leads["follow_up", 100].mapped("deal_phase")), {"unqualified"})
