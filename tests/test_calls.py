from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import DealPhasesCase


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
        # the setter's today, in the setter's time zone (an hour before midnight UTC it is tomorrow in Berlin)
        setters_today = fields.Date.context_today(leads[0].with_user(self.user_setter))
        self.assertEqual(activity.date_deadline, setters_today + timedelta(days=3))
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
        strike = self.env[action["res_model"]].with_user(self.user_setter).with_context(**action["context"])
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
        wizard_form = Form(self.env[action["res_model"]].with_user(self.user_setter).with_context(**action["context"]))
        wizard_form.ko_reason_id = self.env.ref("crm_deal_phases.ko_reason_offensive")
        wizard_form.save().action_apply()
        self.assertEqual(set(leads.mapped("deal_phase")), {"unqualified"})
        self.assertEqual(leads.mapped("ko_reason_id"), self.env.ref("crm_deal_phases.ko_reason_offensive"))


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestActivitiesFollowThePhase(DealPhasesCase):
    """Activities and roles move with the lead: the setter is recorded, calls that are no
    longer due close, the user is told when the strikes take a lead off the list."""

    def call_activities(self, lead):
        return lead.activity_ids.filtered(lambda a: a.activity_type_id == self.env.ref("mail.mail_activity_data_call"))

    def test_the_pre_qualifying_salesperson_becomes_the_setter(self):
        moved = self.create_lead("inquiry", setter_id=False).with_user(self.user_setter)
        moved.write({"stage_id": self.stages["follow_up"].id})
        self.assertEqual(moved.setter_id, self.user_setter)
        called = self.create_lead("inquiry", setter_id=False).with_user(self.user_closer)
        called.action_log_goodwill_call()
        self.assertEqual(called.setter_id, self.user_closer)
        kept = self.create_lead("inquiry", setter_id=self.user_setter.id).with_user(self.user_closer)
        kept.write({"stage_id": self.stages["follow_up"].id})
        self.assertEqual(kept.setter_id, self.user_setter, "a setter once recorded stays")

    def test_a_logged_call_replaces_the_due_one(self):
        lead = self.create_lead("follow_up", setter_id=self.user_setter.id).with_user(self.user_setter)
        lead.action_log_goodwill_call()
        lead.action_log_goodwill_call()
        self.assertEqual(len(self.call_activities(lead)), 1, "one open call, the next one")
        self.assertEqual(lead.call_count, 2)

    def test_leaving_follow_up_closes_its_call_activities_with_a_note(self):
        lead = self.create_lead("follow_up", setter_id=self.user_setter.id).with_user(self.user_setter)
        lead.action_log_goodwill_call()
        lead.write({"stage_id": self.stages["qualified"].id})
        self.assertFalse(self.call_activities(lead))
        self.assertIn("Open call activity closed", lead.message_ids[0].body)
        inquiry = self.create_lead("inquiry").with_user(self.user_setter)
        inquiry.action_log_goodwill_call()
        inquiry.write({"stage_id": self.stages["unqualified"].id, "ko_reason_id": self.ko_reason.id})
        self.assertFalse(self.call_activities(inquiry), "nobody calls an Unqualified lead")

    def test_the_third_strike_tells_the_user(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.strike_threshold", "2")
        lead = self.create_lead("follow_up", name="Twice struck", ko_reason_id=False).with_user(self.user_setter)
        self.assertTrue(lead.action_add_strike("No answer"))
        result = lead.action_add_strike("No answer again")
        self.assertEqual(result["tag"], "display_notification")
        self.assertIn("Twice struck", result["params"]["message"])
        self.assertEqual(self.phase_of(lead), "unqualified")

    def test_strike_notes_read_in_the_users_language(self):
        self.ensure_german()
        self.user_setter.lang = "de_DE"
        lead = self.create_lead("follow_up").with_user(self.user_setter).with_context(lang="de_DE")
        lead.action_add_strike("Nicht erreicht")
        today = fields.Date.context_today(lead)
        self.assertEqual(lead.strike_notes, f"{today:%d.%m.%Y}: Nicht erreicht")
