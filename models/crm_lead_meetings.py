from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.fields import Command

from .deal_phase import DETAILS_PREFETCH, MEETING_EVENT_FIELDS, MEETING_TITLES, PHASES, PhaseIntent


class CrmLead(models.Model):
    """Consultations and setter appointments as calendar events, crm's own meetings: booking
    creates the event (the closer organises it, the customer is invited, reminders as the
    settings say), a new date moves it and counts as a postponement, a cancellation cancels
    it; what an outcome does to it is in crm_lead_consultations.py, the event side in
    calendar_event.py."""

    _inherit = "crm.lead"

    # The booked meetings and their events
    setter_appointment = fields.Datetime(help="A booked setter call, if any.", copy=False, prefetch=DETAILS_PREFETCH)
    first_meeting_date = fields.Datetime("First Consultation", tracking=True, copy=False)
    second_meeting_date = fields.Datetime("Second Consultation", tracking=True, copy=False)
    first_meeting_event_id = fields.Many2one(
        "calendar.event",
        "First Consultation Event",
        readonly=True,
        copy=False,
        ondelete="set null",
        prefetch=DETAILS_PREFETCH,
    )
    second_meeting_event_id = fields.Many2one(
        "calendar.event",
        "Second Consultation Event",
        readonly=True,
        copy=False,
        ondelete="set null",
        prefetch=DETAILS_PREFETCH,
    )
    # read by every decision of a lead (its setter call closes): with the lead's row, not the details
    setter_appointment_event_id = fields.Many2one("calendar.event", readonly=True, copy=False, ondelete="set null")

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        if any(vals.get("setter_appointment") for vals in vals_list):
            leads.filtered("setter_appointment")._sync_setter_appointments()
        return leads

    def write(self, vals):
        if not vals.keys() & set(MEETING_EVENT_FIELDS):
            return super().write(vals)
        before = {lead.id: (lead.stage_id.id, {name: lead[name] for name in MEETING_EVENT_FIELDS}) for lead in self}
        res = super().write(vals)
        self._record_postponements(before)
        if "setter_appointment" in vals:
            self._sync_setter_appointments()
        return res

    # BUSINESS

    def _record_postponements(self, before):
        """A consultation that stays in its phase with a new date was postponed: counted,
        said in the chatter (in the user's format and time zone), its event moved."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        postponed = {}
        for lead in self:
            stage_id, dates = before[lead.id]
            phase = phase_of.get(lead.stage_id.id)
            field = PHASES[phase].meeting_field if phase else ""
            if field and stage_id == lead.stage_id.id and dates[field] and lead[field] != dates[field]:
                postponed[lead] = field
        if not postponed:
            return
        leads = self.browse([lead.id for lead in postponed])
        for count, group in leads._group_by_value("postponed_count").items():
            group._with_intent().write({"postponed_count": count + 1})
        intent = PhaseIntent.of(self.env)
        by_lead = bool(intent and intent.by_lead)
        message = (
            self.env._("%(meeting)s moved to %(date)s by the customer, on their booking link.")
            if by_lead
            else self.env._("%(meeting)s postponed to %(date)s.")
        )
        leads._message_log_batch(
            bodies={
                lead.id: Markup("<p>%s</p>")
                % (
                    message
                    % {
                        "meeting": lead._fields[field]._description_string(self.env),
                        "date": self._format_user_datetime(lead[field]),
                    }
                )
                for lead, field in postponed.items()
            }
        )
        leads._move_consultation_events()
        for lead, field in postponed.items():
            event = lead[MEETING_EVENT_FIELDS[field]].sudo()
            if field == "setter_appointment" or not event:
                continue
            values = {"deal_postponed_count": event.deal_postponed_count + 1}
            by_whom = f"deal_postponed_by_{lead._deal_actor()}"
            if by_whom in event._fields:
                values[by_whom] = event[by_whom] + 1
            event._deal_write(values)

    def _deal_actor(self):
        """Who changes the lead's consultation now, for the consultation figures: the person
        on their booking link, the lead's setter, its closer, or someone else (a manager)."""
        self.ensure_one()
        intent = PhaseIntent.of(self.env)
        if intent and intent.by_lead:
            return "lead"
        if self.env.user == self.closer_id:
            return "closer"
        if self.env.user == self.setter_id:
            return "setter"
        return "other"

    def _book_consultations(self, from_stage_ids):
        """Entering a consultation creates its calendar event, in one batch for all leads.
        The closer organises it: calendar gives them the meeting's activity on the lead and
        the invitation."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        self._create_meeting_events({lead: PHASES[phase_of[lead.stage_id.id]].meeting_field for lead in self})

    def _create_meeting_events(self, fields_by_lead):
        """One calendar event per lead for its meeting date field, linked to the lead (crm's
        opportunity_id: the lead's meeting button and count see it)."""
        intent = PhaseIntent.of(self.env)
        options = intent.booking if intent else {}
        settings = self._deal_settings()
        pairs = [(lead, field) for lead, field in fields_by_lead.items() if lead[field]]
        if not pairs:
            return
        events = (
            self.env["calendar.event"]
            .with_context(**{PhaseIntent.CONTEXT_KEY: PhaseIntent()})
            .create([lead._meeting_event_values(field, settings, options) for lead, field in pairs])
        )
        for (lead, field), event in zip(pairs, events, strict=True):
            lead._with_intent()[MEETING_EVENT_FIELDS[field]] = event

    def _meeting_event_values(self, field, settings, options):
        self.ensure_one()
        intent = PhaseIntent.of(self.env)
        organizer = self._meeting_organizer(field)
        attendees = organizer.partner_id | self.partner_id
        if options.get("invite_setter") and self.setter_id:
            attendees |= self.setter_id.partner_id
        start = self[field]
        minutes = settings.setter_call_minutes if field == "setter_appointment" else settings.meeting_duration_minutes
        lang = self.lang_id.code or organizer.lang or self.env.lang
        title = self.env(context=dict(self.env.context, lang=lang))._(MEETING_TITLES[field])
        return {
            "name": f"{title}: {self.name}",
            "start": start,
            "stop": start + timedelta(minutes=minutes),
            "duration": minutes / 60.0,
            "user_id": organizer.id,
            "partner_ids": [fields.Command.set(attendees.ids)],
            "alarm_ids": [fields.Command.set(settings.meeting_alarms.ids)],
            "opportunity_id": self.id,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "description": self._meeting_event_description(),
            "location": options.get("location") or False,
            "videocall_location": options.get("videocall_location") or False,
            "deal_meeting_field": field,
            "deal_booked_by_lead": bool(intent and intent.by_lead),
        }

    def _meeting_organizer(self, field):
        if field == "setter_appointment":
            return self.setter_id or self.user_id or self.env.user
        return self.closer_id or self.env.user

    def _meeting_event_description(self):
        lines = [
            (self.env._("Company"), self.partner_name),
            (self.env._("Mobile"), self.phone),
            (self.env._("E-mail"), self.email_from),
            (self.env._("Questionnaire"), self.questionnaire),
        ]
        return Markup("").join(
            Markup("<p><strong>%s</strong>: %s</p>") % (label, value) for label, value in lines if value
        )

    def _move_consultation_events(self):
        """Postponed: the same event moves (calendar tells the attendees); a lead booked
        before it had an event gets one."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        without_event = {}
        for lead in self:
            field = PHASES[phase_of[lead.stage_id.id]].meeting_field
            event = lead[MEETING_EVENT_FIELDS[field]]
            if not event:
                without_event[lead] = field
            elif event.start != lead[field]:
                event._deal_write({"start": lead[field], "stop": lead[field] + (event.stop - event.start)})
        self._create_meeting_events(without_event)

    def _close_setter_items(self, from_stage_ids):
        """A lead the closers take over (its consultation booked) or decided has no setter call
        left open: the booked call is held - it has begun, or the settings say so - or
        cancelled, calendar's cancellation telling the customer. (The call activities close
        with _close_call_activities, beside it in the phase table.)"""
        events = self.sudo().setter_appointment_event_id.filtered("active")
        if events:
            now = fields.Datetime.now()
            hold_all = self._deal_settings().setter_appointment_on_consultation == "held"
            held = events.filtered(lambda event: hold_all or event.start <= now)
            held._deal_mark_held(self.env._("Held: the closers took the lead over."))
            cancelled = events - held
            if cancelled:
                cancelled._deal_cancel(tell_attendees=True)
                self.filtered(lambda lead: lead.setter_appointment_event_id in cancelled)._with_intent().write(
                    {"setter_appointment": False, "setter_appointment_event_id": False}
                )

    def _sync_setter_appointments(self):
        """The setter appointment is an event of the setter with the customer, moved and
        cancelled with the lead's date, handed over with its setter."""
        to_create = {}
        for lead in self:
            event = lead.setter_appointment_event_id
            if not lead.setter_appointment:
                if event:
                    event._deal_write({"active": False})
                    lead._with_intent().setter_appointment_event_id = False
            elif not event:
                to_create[lead] = "setter_appointment"
            else:
                moved = {}
                if event.start != lead.setter_appointment:
                    moved = {
                        "start": lead.setter_appointment,
                        "stop": lead.setter_appointment + (event.stop - event.start),
                    }
                setter = lead.setter_id
                if setter and event.user_id != setter:
                    moved["user_id"] = setter.id
                    moved["partner_ids"] = [
                        Command.unlink(event.user_id.partner_id.id),
                        Command.link(setter.partner_id.id),
                    ]
                if moved:
                    event._deal_write(moved)
        if to_create:
            self.browse([lead.id for lead in to_create])._link_customer_contact({})
            self._create_meeting_events(to_create)
