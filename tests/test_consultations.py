from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, tagged

from ..models.crm_lead_worklists import WIN_BACK
from .common import DealPhasesCase, RpcMixin


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestConsultationOutcomes(DealPhasesCase):
    """The day after the outcome: a consultation's outcome ends its meeting - held and kept,
    missed and marked, or cancelled - closes the closer's meeting activity, and mails the
    customer nothing the settings do not say; outcomes wait for the meeting and are the
    closer's to record."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.start = (fields.Datetime.now() + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)

    def booked(self, **vals):
        """A qualified lead the setter books for the closer, the customer invited."""
        lead = self.create_lead(
            "qualified",
            first_meeting_date=False,
            closer_id=False,
            partner_id=False,
            setter_id=self.user_setter.id,
            email_from="kunde@example.com",
            **vals,
        ).with_user(self.user_setter)
        transition = lead.available_transition_ids.filtered(lambda t: t.to_phase == "first_meeting")
        action = lead.action_open_phase_transition(transition.id)
        self.apply_wizard(action, self.user_setter, first_meeting_date=self.start, closer_id=self.user_closer.id)
        lead = lead.with_user(self.user_closer)
        self.assertTrue(lead.first_meeting_event_id.activity_ids, "calendar gave the closer a meeting activity")
        return lead

    def decide(self, lead, to_phase, **answers):
        """The closer clicks the outcome button and confirms its dialog, if it opens one."""
        transition = lead.available_transition_ids.filtered(lambda t: t.to_phase == to_phase)
        action = lead.action_open_phase_transition(transition.id)
        if isinstance(action, dict):
            self.apply_wizard(action, self.user_closer, **answers)

    def mails_to(self, partner, since_id):
        return self.env["mail.mail"].sudo().search([("id", ">", since_id), ("recipient_ids", "in", partner.ids)])

    def last_mail_id(self):
        return self.env["mail.mail"].sudo().search([], order="id desc", limit=1).id or 0

    def assert_meeting_held(self, lead, tag_xmlid="crm_deal_phases.calendar_event_type_held"):
        event = lead.first_meeting_event_id
        self.assertTrue(event.active, "the meeting took place: it stays in the calendar")
        self.assertIn(self.env.ref(tag_xmlid), event.categ_ids)
        self.assertFalse(event.alarm_ids, "no reminder left")
        self.assertFalse(event.activity_ids, "the closer's meeting activity is done")
        self.assertFalse(lead.activity_ids.filtered(lambda a: a.activity_type_id.category == "meeting"))

    def test_sold_after_the_meeting_keeps_it_as_held_and_mails_nobody(self):
        lead = self.booked()
        customer = lead.partner_id
        since = self.last_mail_id()
        with self.during_meeting(lead):
            self.decide(lead, "sold", expected_revenue=8000)
        self.assertEqual((lead.deal_phase, lead.expected_revenue), ("sold", 8000))
        self.assert_meeting_held(lead)
        self.assertFalse(self.mails_to(customer, since), "no mail to the customer after a sale")
        done = lead.message_ids.filtered(lambda message: message.mail_activity_type_id)
        self.assertTrue(done, "the meeting activity is marked done on the lead")

    def test_not_sold_keeps_the_meeting_and_plans_the_win_back(self):
        lead = self.booked()
        with self.during_meeting(lead):
            self.decide(lead, "not_sold", lost_reason_id=self.lost_reason.id)
        self.assert_meeting_held(lead)
        win_back = lead.activity_ids.filtered(lambda activity: activity.user_id == self.user_closer)
        self.assertEqual(len(win_back), 1, "the closer follow-up starts by itself")
        self.assertIn(win_back.summary, lead._all_translations(WIN_BACK).values())
        lead.action_start_closer_follow_up()
        self.assertEqual(len(lead.activity_ids), 1, "no second win-back while one is open")

    def test_no_show_waits_for_the_meeting_and_is_marked(self):
        lead = self.booked()
        customer = lead.partner_id
        with self.assertRaises(UserError) as refusal:
            self.decide(lead, "follow_up")
        self.assertIn("before its consultation has begun", str(refusal.exception))
        self.assertEqual(lead.deal_phase, "first_meeting")
        since = self.last_mail_id()
        with self.during_meeting(lead):
            self.decide(lead, "follow_up")
        self.assert_meeting_held(lead, "crm_deal_phases.calendar_event_type_no_show")
        attendance = lead.first_meeting_event_id.attendee_ids.filtered(lambda a: a.partner_id == customer)
        self.assertEqual(attendance.state, "declined")
        self.assertFalse(self.mails_to(customer, since), "no mail to the customer after a no-show")

    def test_early_sale_is_confirmed_and_cancels_the_meeting_for_the_customer_too(self):
        lead = self.booked()
        customer, event = lead.partner_id, lead.first_meeting_event_id
        with self.assertRaises(UserError) as refusal:
            lead.write({"stage_id": self.stages["sold"].id})
        self.assertIn("asks to confirm it", str(refusal.exception))
        transition = lead.available_transition_ids.filtered(lambda t: t.to_phase == "sold")
        action = lead.action_open_phase_transition(transition.id)
        Wizard = self.env["crm.lead.phase.move"].with_user(self.user_closer).with_context(**action["context"])
        wizard = Form(Wizard)
        self.assertTrue(wizard.meeting_not_begun, "the dialog says the consultation has not taken place")
        with self.assertRaises(UserError):
            wizard.save().action_apply()
        self.assertEqual(lead.deal_phase, "first_meeting")
        since = self.last_mail_id()
        wizard = Form(Wizard)
        wizard.confirm_early_decision = True
        wizard.expected_revenue = 9000
        wizard.save().action_apply()
        self.assertEqual(lead.deal_phase, "sold")
        self.assertFalse(event.active, "the consultation that will not take place leaves the calendars")
        self.assertFalse(event.alarm_ids)
        self.assertFalse(event.activity_ids.exists())
        self.assertTrue(
            self.mails_to(customer, since), "by default calendar's cancellation takes it out of the customer's calendar"
        )

    def test_early_decision_leaves_telling_the_customer_to_the_closer_when_the_settings_say_so(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.early_outcome_customer", "closer")
        lead = self.booked()
        customer = lead.partner_id
        since = self.last_mail_id()
        self.decide(lead, "not_sold", lost_reason_id=self.lost_reason.id, confirm_early_decision=True)
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertFalse(self.mails_to(customer, since), "the closer tells the customer")

    def test_setters_record_no_closer_outcome(self):
        lead = self.booked().with_user(self.user_setter)
        self.assertFalse(lead.available_transition_ids, "the setter is offered no closer outcome")
        self.assertFalse(lead.can_add_strike)
        for phase in ("sold", "not_sold", "follow_up", "unqualified"):
            with self.subTest(phase=phase), self.assertRaises(UserError) as refusal:
                lead.write({"stage_id": self.stages[phase].id, "lost_reason_id": self.lost_reason.id})
            self.assertIn("recorded by its closer (Carl Closer) or a Sales Administrator", str(refusal.exception))
        with self.assertRaises(UserError):
            lead.action_add_strike("no answer")
        self.assertEqual(self.phase_of(lead), "first_meeting")
        with self.during_meeting(lead):
            lead.with_user(self.user_manager).write({"stage_id": self.stages["follow_up"].id})
        self.assertEqual(self.phase_of(lead), "follow_up", "a Sales Administrator may")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestCloserOutcomesOverRpc(RpcMixin, HttpCase, DealPhasesCase):
    """The same rule at the API: a setter with an API key cannot record a closer's outcome."""

    rpc_login = "dp_rpc_setter"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpRpc()

    def test_setter_outcome_over_json2_is_refused(self):
        lead = self.create_lead("first_meeting", setter_id=self.rpc_user.id)
        for payload in (
            {"ids": lead.ids, "vals": {"stage_id": self.stages["sold"].id}},
            {"ids": lead.ids, "vals": {"stage_id": self.stages["follow_up"].id}},
        ):
            with self.subTest(payload=payload):
                self.assertJson2Refused("crm.lead", "write", payload, expected_text="recorded by its closer")
        transition = self.env.ref("crm_deal_phases.transition_first_meeting_to_sold")
        self.assertJson2Refused(
            "crm.lead",
            "action_apply_outcome",
            {"ids": lead.ids, "transition_id": transition.id, "values": {"expected_revenue": 1}},
            expected_text="recorded by its closer",
        )
        self.assertEqual(self.phase_of(lead), "first_meeting")
