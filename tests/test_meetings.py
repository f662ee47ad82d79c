from datetime import date, datetime, time, timedelta

import pytz

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tests.common import freeze_time
from odoo.tools import format_date

from .common import DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestConsultationsInTheCalendar(DealPhasesCase):
    """A booked consultation is a calendar event of the closer with the customer invited, and
    the lead and the event stay one in both directions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ensure_german()
        cls.monday_10 = (fields.Datetime.now() + timedelta(days=7)).replace(hour=9, minute=0, second=0, microsecond=0)

    def book(self, lead, **answers):
        """The setter books the first consultation with the outcome's wizard."""
        lead = lead.with_user(self.user_setter)
        transition = lead.available_transition_ids.filtered(lambda t: t.to_phase == "first_meeting")
        action = lead.action_open_phase_transition(transition.id)
        form = Form(self.env["crm.lead.phase.move"].with_user(self.user_setter).with_context(**action["context"]))
        form.first_meeting_date = answers.pop("date", self.monday_10)
        form.closer_id = self.user_closer
        for name, value in answers.items():
            setattr(form, name, value)
        form.save().action_apply()
        return lead.with_env(self.env)

    def new_qualified(self, **vals):
        return self.create_lead(
            "qualified",
            first_meeting_date=False,
            closer_id=False,
            partner_id=False,
            setter_id=self.user_setter.id,
            lang_id=self.env.ref("base.lang_de").id,
            email_from="erika@example.com",
            partner_name="Muster GmbH",
            questionnaire="Budget: 5.000 €",
            **vals,
        )

    def test_booking_creates_the_event_with_the_customer_invited(self):
        lead = self.book(self.new_qualified(), location="Büro Berlin", invite_setter=True)
        event = lead.first_meeting_event_id
        self.assertEqual(event.opportunity_id, lead)
        self.assertIn(event, lead.calendar_event_ids, "crm's meeting button and count see it")
        self.assertEqual(event.start, self.monday_10)
        self.assertEqual(event.stop - event.start, timedelta(minutes=60))
        self.assertEqual(event.user_id, self.user_closer)
        customer = lead.partner_id
        self.assertEqual(customer.name, "Erika Mustermann", "the customer became a contact")
        self.assertEqual(customer.phone, lead.phone)
        self.assertEqual(customer.lang, "de_DE")
        self.assertEqual(event.partner_ids, self.user_closer.partner_id | customer | self.user_setter.partner_id)
        self.assertEqual(event.location, "Büro Berlin")
        self.assertIn("Muster GmbH", event.description)
        self.assertIn("Budget: 5.000 €", event.description)
        self.assertEqual(event.name, "Erstgespräch: Complete inquiry", "named in the customer's language")
        alarms = event.alarm_ids.sorted("duration_minutes")
        self.assertEqual(alarms.mapped("alarm_type"), ["email", "email"])
        self.assertEqual(alarms.mapped("duration_minutes"), [120, 1440])
        invitation = self.env["mail.message"].search(
            [("model", "=", "calendar.event"), ("res_id", "=", event.id), ("partner_ids", "in", customer.ids)]
        )
        self.assertTrue(invitation, "the customer is invited")
        self.assertFalse(
            self.env["mail.mail"].search([("state", "=", "sent"), ("mail_message_id", "in", invitation.ids)])
        )
        closer_todo = lead.activity_ids.filtered(lambda activity: activity.calendar_event_id == event)
        self.assertEqual(closer_todo.user_id, self.user_closer, "the closer is told")
        self.assertEqual(closer_todo.date_deadline, self.monday_10.date())

    def test_postponing_moves_the_same_event(self):
        lead = self.book(self.new_qualified()).with_user(self.user_closer)
        event = lead.first_meeting_event_id
        later = self.monday_10 + timedelta(days=2)
        action = lead.action_open_postpone()
        self.apply_wizard(action, self.user_closer, meeting_date=later)
        self.assertEqual(lead.first_meeting_event_id, event)
        self.assertEqual(event.start, later)
        self.assertEqual(lead.postponed_count, 1)
        self.assertEqual(self.phase_of(lead), "first_meeting")

    def test_moving_the_event_moves_the_lead(self):
        lead = self.book(self.new_qualified())
        event = lead.first_meeting_event_id.with_user(self.user_closer)
        later = self.monday_10 + timedelta(hours=3)
        event.write({"start": later, "stop": later + timedelta(hours=1)})
        self.assertEqual(lead.first_meeting_date, later)
        self.assertEqual(lead.postponed_count, 1)

    def test_cancelled_appointment_cancels_the_event(self):
        lead = self.book(self.new_qualified()).with_user(self.user_closer)
        event = lead.first_meeting_event_id
        cancelled = lead.available_transition_ids.filtered(lambda t: t.to_phase == "qualified")
        lead.action_open_phase_transition(cancelled.id)
        self.assertEqual(self.phase_of(lead), "qualified")
        self.assertFalse(event.active, "cancelled: out of the calendars, kept as history")
        self.assertFalse(lead.first_meeting_event_id)
        cancellation = self.env["mail.mail"].search([("model", "=", "calendar.event"), ("res_id", "=", event.id)])
        self.assertTrue(cancellation.filtered(lambda mail: "canceled" in (mail.body_html or "") or mail.subject))

    def test_no_show_marks_the_event(self):
        lead = self.book(self.new_qualified()).with_user(self.user_closer)
        event = lead.first_meeting_event_id
        no_show = lead.available_transition_ids.filtered(lambda t: t.to_phase == "follow_up")
        with self.assertRaises(UserError) as refusal:
            lead.action_open_phase_transition(no_show.id)
        self.assertIn("cannot be a no-show before its consultation has begun", str(refusal.exception))
        with self.during_meeting(lead):
            lead.action_open_phase_transition(no_show.id)
        self.assertTrue(event.active)
        self.assertIn(self.env.ref("crm_deal_phases.calendar_event_type_no_show"), event.categ_ids)
        customer = event.attendee_ids.filtered(lambda attendee: attendee.partner_id == lead.partner_id)
        self.assertEqual(customer.state, "declined")
        setter_call = lead.activity_ids.filtered(lambda activity: activity.user_id == (lead.setter_id or lead.user_id))
        self.assertTrue(setter_call, "the setter is told to call again")

    def test_second_consultation_gets_its_own_event_and_sold_keeps_them(self):
        lead = self.book(self.new_qualified()).with_user(self.user_closer)
        second = lead.available_transition_ids.filtered(lambda t: t.to_phase == "second_meeting")
        with self.during_meeting(lead):
            action = lead.action_open_phase_transition(second.id)
            self.apply_wizard(
                action,
                self.user_closer,
                second_meeting_date=self.monday_10 + timedelta(days=5),
                closer_id=self.user_closer.id,
            )
        self.assertTrue(lead.second_meeting_event_id)
        self.assertNotEqual(lead.second_meeting_event_id, lead.first_meeting_event_id)
        with self.during_meeting(lead):
            lead.write({"stage_id": self.stages["sold"].id})
        self.assertTrue(lead.first_meeting_event_id.active and lead.second_meeting_event_id.active)

    def test_deleting_the_event_cancels_as_the_graph_says(self):
        lead = self.book(self.new_qualified())
        lead.first_meeting_event_id.with_user(self.user_closer).unlink()
        self.assertEqual(self.phase_of(lead), "qualified")
        entry = self.log_of(lead)[-1]
        self.assertEqual(entry.transition_label, "Appointment cancelled")
        self.assertIn("deleted from the calendar", entry.reason)
        second = self.create_lead("second_meeting", lost_reason_id=False)
        second.second_meeting_event_id.unlink()
        self.assertEqual(self.phase_of(second), "not_sold")
        self.assertEqual(second.lost_reason_id, self.env.ref("crm_deal_phases.lost_reason_second_meeting_cancelled"))

    def test_a_deletion_the_graph_refuses_keeps_the_event(self):
        lead = self.book(self.new_qualified())
        event = lead.first_meeting_event_id
        self.env.ref("crm_deal_phases.transition_first_meeting_to_qualified").with_user(
            self.user_manager
        ).active = False
        with self.assertRaises(UserError) as error:
            event.with_user(self.user_closer).unlink()
        self.assertIn("The event stays", str(error.exception))
        self.assertTrue(event.exists())
        self.assertEqual(self.phase_of(lead), "first_meeting")

    def test_the_setter_appointment_is_an_event_of_the_setter(self):
        lead = self.create_lead("inquiry", setter_id=self.user_setter.id, setter_appointment=self.monday_10)
        event = lead.setter_appointment_event_id
        self.assertEqual(event.user_id, self.user_setter)
        self.assertIn(lead.partner_id, event.partner_ids)
        lead.write({"setter_appointment": self.monday_10 + timedelta(hours=2)})
        self.assertEqual(event.start, self.monday_10 + timedelta(hours=2))
        event.unlink()
        self.assertFalse(lead.setter_appointment)
        self.assertEqual(self.phase_of(lead), "inquiry")

    def setter_called_lead(self, appointment):
        """A lead of the inquiry page: a setter call booked (an event with the customer invited,
        and the setter's meeting activity), then qualified with a goodwill call planned."""
        lead = self.new_qualified(setter_appointment=appointment)
        lead.with_user(self.user_setter).action_log_goodwill_call()
        self.assertTrue(lead.setter_appointment_event_id.activity_ids, "the setter's meeting activity")
        self.assertTrue(self.call_activities(lead), "the goodwill call")
        return lead

    def call_activities(self, lead):
        return lead.activity_ids.filtered(lambda activity: activity.activity_type_id.category == "phonecall")

    def test_booking_cancels_the_setters_coming_call_and_closes_the_call_activities(self):
        lead = self.setter_called_lead(self.monday_10 + timedelta(days=1))
        event, customer = lead.setter_appointment_event_id, lead.partner_id
        since = self.env["mail.mail"].sudo().search([], order="id desc", limit=1).id or 0
        lead = self.book(lead)
        self.assertFalse(event.active, "the setter's call will not take place")
        self.assertFalse(event.activity_ids.exists(), "nor is it on the setter's to-do list")
        self.assertFalse(lead.setter_appointment_event_id)
        cancelled = self.env["mail.mail"].sudo().search([("id", ">", since), ("recipient_ids", "in", customer.ids)])
        self.assertTrue(cancelled.filtered(lambda mail: event.name in (mail.subject or "")), "the customer is told")
        self.assertFalse(self.call_activities(lead), "nobody is asked to call a lead the closers took over")
        self.assertEqual(lead.meeting_display_date, self.monday_10.date(), "the meeting button shows the consultation")
        with self.during_meeting(lead):
            lead.with_user(self.user_closer).action_apply_outcome(
                lead.available_transition_ids.filtered(lambda t: t.to_phase == "sold").id, {"expected_revenue": 9000}
            )
        self.assertFalse(
            self.call_activities(lead) | lead.setter_appointment_event_id.filtered("active").activity_ids,
            "a customer who bought is called by no setter",
        )

    def test_a_setter_call_that_has_begun_is_held_and_the_settings_may_hold_a_coming_one(self):
        begun = self.setter_called_lead(self.monday_10)
        with freeze_time(self.monday_10 + timedelta(minutes=10)):
            begun = self.book(begun, date=self.monday_10 + timedelta(days=1))
        self.assert_setter_call_held(begun)
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.setter_appointment_on_consultation", "held")
        coming = self.book(self.setter_called_lead(self.monday_10 + timedelta(days=1)))
        self.assert_setter_call_held(coming)

    def assert_setter_call_held(self, lead):
        event = lead.setter_appointment_event_id
        self.assertTrue(event.active, "held: it stays in the calendar as history")
        self.assertIn(self.env.ref("crm_deal_phases.calendar_event_type_held"), event.categ_ids)
        self.assertFalse(event.alarm_ids, "no reminder left")
        self.assertFalse(event.activity_ids, "the setter's activity done")
        self.assertFalse(self.call_activities(lead))

    def test_the_wizard_warns_of_a_busy_closer_and_offers_free_slots(self):
        self.env["calendar.event"].create(
            {
                "name": "Dentist",
                "start": self.monday_10,
                "stop": self.monday_10 + timedelta(hours=1),
                "partner_ids": [(6, 0, self.user_closer.partner_id.ids)],
                "user_id": self.user_closer.id,
            }
        )
        lead = self.new_qualified()
        wizard = Form(
            self.env["crm.lead.phase.move"].with_context(default_lead_ids=lead.ids, default_to_phase="first_meeting")
        )
        wizard.closer_id = self.user_closer
        wizard.first_meeting_date = self.monday_10 + timedelta(minutes=30)
        self.assertIn("Dentist", wizard.meeting_conflict)
        starts = [fields.Datetime.to_datetime(slot["start"]) for slot in wizard.free_slots]
        self.assertTrue(starts)
        for start in starts:
            self.assertFalse(self.monday_10 - timedelta(hours=1) < start < self.monday_10 + timedelta(hours=1))
        wizard.first_meeting_date = starts[0]
        self.assertFalse(wizard.meeting_conflict)

    def test_a_booked_up_day_offers_the_next_working_days_slots(self):
        self.user_closer.tz = "Europe/Berlin"
        berlin = pytz.timezone("Europe/Berlin")

        def utc(day, hour):
            return berlin.localize(datetime.combine(day, time(hour))).astimezone(pytz.utc).replace(tzinfo=None)

        today = date.today()
        friday = today + timedelta(days=7 + (4 - today.weekday()) % 7)
        self.env["calendar.event"].create(
            {
                "name": "Trade fair",
                "start": utc(friday, 8),
                "stop": utc(friday, 18),
                "partner_ids": [(6, 0, self.user_closer.partner_id.ids)],
                "user_id": self.user_closer.id,
            }
        )
        wizard = Form(
            self.env["crm.lead.phase.move"].with_context(
                default_lead_ids=self.new_qualified().ids, default_to_phase="first_meeting"
            )
        )
        wizard.closer_id = self.user_closer
        wizard.first_meeting_date = utc(friday, 10)
        self.assertIn("Trade fair", wizard.meeting_conflict)
        monday = friday + timedelta(days=3)
        self.assertEqual(fields.Datetime.to_datetime(wizard.free_slots[0]["start"]), utc(monday, 8))
        self.assertEqual(wizard.free_slots[0]["label"], f"{format_date(self.env, monday)} 08:00")
