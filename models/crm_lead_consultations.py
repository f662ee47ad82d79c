from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError

from .calendar_event import NO_SHOW_EVENT_TYPE
from .deal_phase import (
    CANCELLED,
    DECIDED,
    LOST_PHASES,
    MEETING_EVENT_FIELDS,
    MEETING_OUTCOMES,
    MISSED,
    PHASES,
    PhaseIntent,
)


class CrmLead(models.Model):
    """What the outcome of a consultation does, as the phase table says (MEETING_OUTCOMES):
    who may record it (the lead's closer, or a Sales Administrator), when (a no-show once the
    meeting began, a decision before it only when confirmed), what becomes of the booked
    meeting - held and kept, missed and marked, or cancelled, the customer told as the
    settings say - and of the closer's meeting activity; and crm's meaning of the outcome
    phases: Sold is won at 100 %, Not sold and Unqualified are lost at 0 %, and Predictive
    Lead Scoring learns from them as from crm's won and lost."""

    _inherit = "crm.lead"

    @api.depends("active", "probability", "stage_id")
    def _compute_won_status(self):
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        lost = self.filtered(lambda lead: phase_of.get(lead.stage_id.id) in LOST_PHASES)
        lost.won_status = "lost"
        return super(CrmLead, self - lost)._compute_won_status()

    # BUSINESS

    def _lost_values(self, target_stage_id):
        """A lost phase is crm's lost: probability 0, closed today (the lost phases' hook)."""
        lost = {"probability": 0, "automated_probability": 0, "date_closed": fields.Datetime.now()}
        return dict.fromkeys(self.ids, lost)

    def _check_consultation_outcomes(self, from_stage_ids, to_phase):
        """These leads leave a phase whose outcomes the closer records: refused as a whole
        when the user is not their closer (nor a Sales Administrator), or when the meeting has
        not begun yet - a no-show cannot happen before it, a decision taken early needs the
        user's confirmation (the outcome dialog asks it)."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        user = self.env.user
        decides_all = self.env.uid == SUPERUSER_ID or user.has_group("sales_team.group_sale_manager")
        intent = PhaseIntent.of(self.env)
        confirmed = bool(intent and (intent.early_confirmed or intent.cancelled_events))
        now = fields.Datetime.now()
        refusals = []
        for lead in self:
            from_phase = phase_of[from_stage_ids[lead.id]]
            if not decides_all and lead.closer_id != user:
                refusals.append(
                    self.env._(
                        '"%(lead)s" is in %(phase)s: its outcomes are recorded by its closer (%(closer)s) or a '
                        "Sales Administrator.",
                        lead=lead.display_name,
                        phase=lead.stage_id.name,
                        closer=lead.closer_id.name or self.env._("none yet"),
                    )
                )
                continue
            outcome = MEETING_OUTCOMES.get((from_phase, to_phase))
            start = lead[PHASES[from_phase].meeting_field] if PHASES[from_phase].meeting_field else False
            if outcome not in (MISSED, DECIDED) or not start or start <= now:
                continue
            if outcome == MISSED:
                refusals.append(
                    self.env._(
                        '"%(lead)s" cannot be a no-show before its consultation has begun (%(date)s).',
                        lead=lead.display_name,
                        date=self._format_user_datetime(start),
                    )
                )
            elif not confirmed:
                refusals.append(
                    self.env._(
                        '"%(lead)s" has its consultation on %(date)s: a decision before it is recorded with the '
                        "outcome button, which asks to confirm it.",
                        lead=lead.display_name,
                        date=self._format_user_datetime(start),
                    )
                )
        if refusals:
            raise UserError(
                self.env._("This outcome cannot be recorded; nothing was changed.\n%s", self._format_lines(refusals))
            )

    def _meeting_not_begun(self, to_phase):
        """The start of the lead's consultation when deciding it now to to_phase would be an
        early decision (the meeting has not begun), else False."""
        self.ensure_one()
        spec = PHASES.get(self.deal_phase)
        if not (spec and spec.meeting_field) or MEETING_OUTCOMES.get((self.deal_phase, to_phase)) != DECIDED:
            return False
        start = self[spec.meeting_field]
        return start if start and start > fields.Datetime.now() else False

    def _close_consultations(self, from_stage_ids):
        """The consultation the leads leave ends with its outcome: a meeting that took place
        stays in the calendar as history, tagged held (or no-show, the customer's attendance
        declined), with no reminder left; one that will not take place is cancelled - archived,
        its reminders gone, the customer told by calendar's cancellation when the appointment
        was cancelled, or after an early decision when the settings say so. The closer's
        meeting activity is done with the outcome as its feedback, or removed with the meeting."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        intent = PhaseIntent.of(self.env)
        cancelled_in_calendar = intent.cancelled_events if intent else ()
        tell_on_early = self._deal_settings().early_outcome_customer == "tell"
        Transition = self.env["crm.stage.transition"]
        now = fields.Datetime.now()
        for lead in self:
            from_phase, to_phase = phase_of[from_stage_ids[lead.id]], phase_of.get(lead.stage_id.id)
            link = MEETING_EVENT_FIELDS[PHASES[from_phase].meeting_field]
            event = lead[link].sudo()
            if not event:
                continue
            outcome = MEETING_OUTCOMES.get((from_phase, to_phase))
            if event in cancelled_in_calendar or outcome == CANCELLED or (outcome != MISSED and event.start > now):
                if event in cancelled_in_calendar or outcome == CANCELLED:
                    event._deal_write({"deal_cancelled_by": lead._deal_actor()})
                if event in cancelled_in_calendar:
                    event.activity_ids.unlink()  # the calendar removes the event itself
                else:
                    event._deal_cancel(tell_attendees=outcome == CANCELLED or tell_on_early)
                # the lead keeps the date as the history of the appointment; a new booking asks a new one
                lead._with_intent().write({link: False})
                continue
            label = Transition._label(from_phase, to_phase) or lead.stage_id.name
            if outcome == MISSED:
                event._deal_mark_held(label, NO_SHOW_EVENT_TYPE)
                event.attendee_ids.filtered(lambda attendee, lead=lead: attendee.partner_id == lead.partner_id).write(
                    {"state": "declined"}
                )
            else:
                event._deal_mark_held(label)
