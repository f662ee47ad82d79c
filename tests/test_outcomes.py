from ast import literal_eval
from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
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
    def test_sold_asks_the_amount_and_is_won(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id, expected_revenue=0).with_env(self.env)
        with self.assertRaises(UserError) as refusal:
            lead.write({"stage_id": self.stages["sold"].id})
        self.assertIn("without the deal's amount", str(refusal.exception))
        action = lead.action_open_phase_transition(self.transition(lead, "Sold").id)
        self.assertEqual(action["res_model"], "crm.lead.phase.move")
        wizard_form = Form(self.env["crm.lead.phase.move"].with_context(**action["context"]))
        self.assertTrue(wizard_form.ask_sale_amount)
        self.assertFalse(wizard_form.meeting_not_begun, "the consultation took place")
        wizard_form.expected_revenue = 12000
        wizard_form.save().action_apply()
        self.assertEqual((lead.deal_phase, lead.expected_revenue), ("sold", 12000))
        self.assertEqual((lead.probability, lead.won_status), (100, "won"), "crm's won")
        entry = self.log_of(lead)[-1]
        self.assertEqual((entry.from_phase, entry.to_phase, entry.transition_label), ("first_meeting", "sold", "Sold"))

    @users("dp_closer")
    def test_not_sold_and_unqualified_are_crms_lost(self):
        for phase in ("not_sold", "unqualified"):
            with self.subTest(phase=phase):
                lead = self.create_lead("first_meeting", user_id=self.user_closer.id).with_env(self.env)
                lead.write({"stage_id": self.stages[phase].id})
                self.assertEqual((lead.probability, lead.won_status), (0, "lost"))
                self.assertTrue(lead.active, "findable: the closer follow-up and the KO list read it")
                self.assertTrue(lead.date_closed)
        lead.invalidate_recordset()
        won_back = self.create_lead("not_sold", user_id=self.user_closer.id).with_env(self.env)
        self.assertEqual(won_back.won_status, "lost")
        won_back.write({"stage_id": self.stages["sold"].id})
        self.assertEqual((won_back.probability, won_back.won_status), (100, "won"))

    def test_predictive_lead_scoring_learns_from_the_outcome_phases(self):
        def counts():
            entries = self.env["crm.lead.scoring.frequency"].search(
                [("team_id", "=", self.team.id), ("variable", "=", "stage_id")]
            )
            return sum(entries.mapped("won_count")), sum(entries.mapped("lost_count"))

        lost, won = (self.create_lead("first_meeting").with_user(self.user_closer) for _i in range(2))
        before = counts()
        lost.write({"stage_id": self.stages["not_sold"].id})
        after_lost = counts()
        self.assertGreater(after_lost[1], before[1], "PLS counts a Not sold lead as lost")
        won.write({"stage_id": self.stages["sold"].id})
        after_won = counts()
        self.assertGreater(after_won[0], before[0], "and a Sold one as won")
        lost.write({"stage_id": self.stages["sold"].id})
        self.assertLess(counts()[1], after_lost[1], "won back: no longer counted as lost")

    def test_relabelled_outcome_is_logged_with_the_new_label_in_each_language(self):
        """The log takes labels from a registry cache: an admin's rename, in English or
        through the German translation dialog, reaches the next move."""
        self.ensure_german()
        transition = self.env.ref("crm_deal_phases.transition_first_meeting_to_sold")
        leads = [self.create_lead("first_meeting", user_id=self.user_closer.id) for _i in range(4)]

        def sell(lead, lang):
            """The move, by a user reading lang; the label the log kept, in every language."""
            lead.with_user(self.user_closer).with_context(lang=lang).write({"stage_id": self.stages["sold"].id})
            entry = self.log_of(lead)[-1]
            return {code: entry.with_context(lang=code).transition_label for code in ("en_US", "de_DE")}

        self.assertEqual(sell(leads[0], "de_DE"), {"en_US": "Sold", "de_DE": "Verkauft"})
        transition.with_user(self.user_manager).update_field_translations("name", {"de_DE": "Unterschrieben"})
        self.assertEqual(sell(leads[1], "en_US"), {"en_US": "Sold", "de_DE": "Unterschrieben"})
        self.assertEqual(sell(leads[2], "de_DE"), {"en_US": "Sold", "de_DE": "Unterschrieben"})
        transition.with_user(self.user_manager).with_context(lang="en_US").name = "Signed"
        self.assertEqual(sell(leads[3], "de_DE"), {"en_US": "Signed", "de_DE": "Unterschrieben"})
        self.assertEqual(self.log_of(leads[0])[-1].with_context(lang="de_DE").transition_label, "Verkauft")

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
        wizard_form = Form(self.env["crm.lead.phase.move"].with_context(**action["context"]))
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
        wizard_form = Form(self.env["crm.lead.phase.move"].with_context(**action["context"]))
        self.assertTrue(wizard_form.ask_contact)
        self.assertTrue(wizard_form.ask_gold_standard)
        wizard_form.contact_lastname = "Becker"
        wizard_form.phone = "+49 171 9876543"
        for criterion in self.criteria:
            wizard_form.qualification_criterion_ids.add(criterion)
        meeting = fields.Datetime.now() + timedelta(days=3)
        wizard_form.first_meeting_date = meeting
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
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({"meeting_date": new_date})
        wizard.action_apply()
        self.assertEqual(lead.deal_phase, "first_meeting")
        self.assertEqual(lead.postponed_count, 1)
        self.assertEqual(lead.first_meeting_date, new_date.replace(microsecond=0))
        self.assertEqual(len(self.log_of(lead)), log_before, "a postponement is no phase change")

    @users("dp_closer")
    def test_a_consultation_is_not_postponed_into_the_past(self):
        lead = self.create_lead("first_meeting", user_id=self.user_closer.id).with_env(self.env)
        action = lead.action_open_postpone()
        past = fields.Datetime.now() - timedelta(hours=2)
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({"meeting_date": past})
        with self.assertRaises(UserError) as refusal:
            wizard.action_apply()
        self.assertIn("has passed. Choose a date to come.", str(refusal.exception))
        self.assertEqual(lead.postponed_count, 0)

    def test_a_ko_with_a_common_reason_and_its_note_in_the_chatter(self):
        lead = self.create_lead("follow_up").with_user(self.user_setter)
        reasons = self.env["crm.ko.reason"].search([]).mapped("name")
        for common in ("No budget, now or later", "No interest", "Not the decision maker"):
            self.assertIn(common, reasons, "the reasons a team gives every day are there")
        action = lead.action_open_ko_wizard()
        self.apply_wizard(
            action,
            self.user_setter,
            ko_reason_id=self.env.ref("crm_deal_phases.ko_reason_no_interest").id,
            note="Hat nie angefragt, Formular vom Kollegen",
        )
        self.assertEqual(lead.deal_phase, "unqualified")
        self.assertIn("Hat nie angefragt", self.log_of(lead)[-1].reason)
        self.assertIn("Hat nie angefragt", lead.message_ids[0].body, "the note is in the chatter too")

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
        self.assertFalse(lead.available_transition_ids.filtered(lambda t: t.to_phase == "not_sold"))

    def test_restore_keeps_the_not_sold_reason(self):
        lead = self.create_lead("not_sold")
        lead.action_archive()
        lead.action_unarchive()
        self.assertTrue(lead.active)
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertEqual(lead.lost_reason_id, self.lost_reason)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestOutcomeWizards(DealPhasesCase):
    """Every wizard an outcome opens asks what the phase table says, and opens from any
    caller (button, drag and drop, statusbar) as a complete window action."""

    def test_wizard_actions_carry_their_views(self):
        lead = self.create_lead("first_meeting").with_user(self.user_closer)
        for transition in lead.available_transition_ids:
            with self.subTest(outcome=transition.name):
                action = lead.action_open_phase_transition(transition.id)
                if isinstance(action, dict):
                    self.assertEqual(action["views"], [(False, "form")])
                    self.assertEqual(action["target"], "new")
                lead = self.create_lead("first_meeting").with_user(self.user_closer)

    def test_wizard_asks_what_each_phase_requires(self):
        incomplete = self.create_lead("inquiry", contact_lastname=False, qualification_criterion_ids=False)
        expected = {
            "follow_up": {"contact"},
            "qualified": {"contact", "gold_standard"},
            "first_meeting": {"contact", "gold_standard", "first_meeting"},
            "unqualified": {"contact", "ko_reason"},
        }
        for phase, asks in expected.items():
            with self.subTest(phase=phase):
                wizard = self.env["crm.lead.phase.move"].new({"lead_ids": incomplete.ids, "to_phase": phase})
                asked = {
                    name
                    for name in (
                        "contact",
                        "gold_standard",
                        "first_meeting",
                        "second_meeting",
                        "not_sold_reason",
                        "ko_reason",
                    )
                    if wizard[f"ask_{name}"]
                }
                self.assertEqual(asked, asks)
        complete = self.create_lead("first_meeting")
        wizard = self.env["crm.lead.phase.move"].new({"lead_ids": complete.ids, "to_phase": "not_sold"})
        self.assertTrue(wizard.ask_not_sold_reason, "a reason is asked on every entry")
        self.assertFalse(wizard.ask_contact or wizard.ask_gold_standard, "data the lead holds is not asked again")

    def test_drop_on_a_phase_that_asks_opens_the_same_wizard(self):
        lead = self.create_lead("qualified").with_user(self.user_setter)
        action = lead.action_drop_on_stage(self.stages["first_meeting"].id)
        self.assertEqual(action["res_model"], "crm.lead.phase.move")
        self.assertEqual(action["context"]["default_to_phase"], "first_meeting")
        self.assertEqual(self.phase_of(lead), "qualified", "nothing moves before the wizard is confirmed")
        ko = lead.action_drop_on_stage(self.stages["unqualified"].id)
        self.assertEqual(ko["context"]["default_to_phase"], "unqualified", "a KO asks its reason")
        follow_up = self.create_lead("inquiry").with_user(self.user_setter)
        self.assertFalse(follow_up.action_drop_on_stage(self.stages["follow_up"].id), "a move that asks nothing")
        self.assertFalse(follow_up.action_drop_on_stage(self.stages["sold"].id), "a forbidden move keeps its error")
        for malformed in ([self.stages["sold"].id], "1", None, -3):
            self.assertFalse(follow_up.action_drop_on_stage(malformed))

    def test_a_first_consultation_is_booked_whatever_the_path(self):
        lead = self.create_lead("qualified", first_meeting_date=False, closer_id=False).with_user(self.user_setter)
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["first_meeting"].id})
        self.assertIn("the date of the first consultation, a closer", str(error.exception))
        lead.write(
            {
                "stage_id": self.stages["first_meeting"].id,
                "first_meeting_date": fields.Datetime.now() + timedelta(days=1),
                "closer_id": self.user_closer.id,
            }
        )
        self.assertEqual(lead.deal_phase, "first_meeting")

    def test_apply_outcome_with_its_answers(self):
        lead = self.create_lead("first_meeting", lost_reason_id=False).with_user(self.user_closer)
        not_sold = self.env.ref("crm_deal_phases.transition_first_meeting_to_not_sold")
        with self.assertRaises(UserError):
            lead.action_apply_outcome(not_sold.id, {})
        self.assertEqual(self.phase_of(lead), "first_meeting")
        lead.action_apply_outcome(not_sold.id, {"lost_reason_id": self.lost_reason.id, "note": "Later"})
        self.assertEqual(self.phase_of(lead), "not_sold")
        self.assertEqual(self.log_of(lead)[-1].reason, "Later")

    def test_form_flags_follow_the_phase_table_and_the_graph(self):
        meeting = self.create_lead("first_meeting")
        self.assertTrue(meeting.can_postpone)
        self.assertTrue(meeting.can_add_strike)
        self.assertEqual(
            meeting.phase_required_fields.split(),
            [
                "contact_firstname",
                "contact_lastname",
                "phone",
                "qualification_criterion_ids",
                "first_meeting_date",
                "closer_id",
            ],
        )
        self.env.ref("crm_deal_phases.transition_first_meeting_to_unqualified").with_user(
            self.user_manager
        ).active = False
        meeting.invalidate_recordset(["can_add_strike"])
        self.assertFalse(meeting.can_add_strike, "an admin's edit of the table reaches the form")
        sold = self.create_lead("sold")
        self.assertFalse(sold.can_log_call or sold.can_postpone or sold.can_add_strike)
        self.assertFalse(sold.can_create_upsell, "no upsell team configured")

    def test_not_sold_reasons_are_the_consultation_ones(self):
        domain = self.env["crm.lead.phase.move"]._fields["lost_reason_id"].domain
        reasons = self.env["crm.lost.reason"].search(literal_eval(domain))
        self.assertIn(self.lost_reason, reasons)
        stock = self.env.ref("crm.lost_reason_1", raise_if_not_found=False)
        if stock:
            self.assertNotIn(stock, reasons)
