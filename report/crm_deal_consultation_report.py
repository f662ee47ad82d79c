from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_deal_slots import CONSULTATION_FIELDS
from ..models.deal_phase import DEAL_ACTORS, QUALIFIED

# the tags the consultation's close puts on its event (models/calendar_event.py)
HELD_TAG = "calendar_event_type_held"
NO_SHOW_TAG = "calendar_event_type_no_show"


class CrmDealConsultationReport(models.Model):
    """Every consultation booked (first and second), from its calendar event: did the
    customer come, had they confirmed, who booked it - the person on their booking link or
    the team - and who moved or cancelled it; per closer, setter, inquiry source and month.
    The rates are ratios of the sums for every grouping (crm.deal.report.mixin)."""

    _name = "crm.deal.consultation.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Consultations"
    _order = "start desc"
    _rec_name = "lead_id"
    _ratio_measures = {
        "show_up_rate": ("held_count", "due_count"),
        "confirmed_rate": ("confirmed_count", "booked_count"),
        "self_booked_rate": ("booked_by_lead_count", "booked_count"),
        "cancelled_rate": ("cancelled_count", "booked_count"),
        "days_to_booking": ("days_to_booking_sum", "booked_from_qualified_count"),
    }

    # the consultation
    start = fields.Datetime("Date", readonly=True)
    consultation = fields.Selection(
        [("first_meeting_date", "First consultation"), ("second_meeting_date", "Second consultation")],
        readonly=True,
    )
    lead_id = fields.Many2one("crm.lead", readonly=True)
    closer_id = fields.Many2one("res.users", readonly=True)
    setter_id = fields.Many2one("res.users", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    intake_source_id = fields.Many2one("crm.deal.intake.source", "Inquiry Source", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    cancelled_by = fields.Selection(DEAL_ACTORS, readonly=True)
    # what became of it
    booked_count = fields.Integer("Booked", readonly=True)
    booked_by_lead_count = fields.Integer("Booked by the Lead", readonly=True)
    confirmed_count = fields.Integer("Confirmed", readonly=True, help="The customer said they will attend.")
    due_count = fields.Integer("Due", readonly=True, help="Consultations that were due: held or no-show.")
    held_count = fields.Integer("Held", readonly=True)
    no_show_count = fields.Integer("No-shows", readonly=True)
    cancelled_count = fields.Integer("Cancelled", readonly=True)
    cancelled_by_lead_count = fields.Integer("Cancelled by the Lead", readonly=True)
    cancelled_by_setter_count = fields.Integer("Cancelled by the Setter", readonly=True)
    cancelled_by_closer_count = fields.Integer("Cancelled by the Closer", readonly=True)
    postponed_count = fields.Integer("Postponements", readonly=True)
    postponed_by_lead_count = fields.Integer("Postponed by the Lead", readonly=True)
    postponed_by_setter_count = fields.Integer("Postponed by the Setter", readonly=True)
    postponed_by_closer_count = fields.Integer("Postponed by the Closer", readonly=True)
    booked_from_qualified_count = fields.Integer(
        "Booked from Qualified", readonly=True, help="First consultations booked for a lead in Qualified."
    )
    days_to_booking_sum = fields.Float(readonly=True)
    # the rates
    show_up_rate = fields.Float("Show-up Rate", readonly=True, help="Held of the consultations due.")
    confirmed_rate = fields.Float(readonly=True, help="Consultations the customer confirmed.")
    self_booked_rate = fields.Float(
        "Self-booked Rate", readonly=True, help="Consultations the person booked on their booking link."
    )
    cancelled_rate = fields.Float("Cancellation Rate", readonly=True)
    days_to_booking = fields.Float(
        "Days to Booking",
        readonly=True,
        digits=(16, 1),
        help="Days from entering Qualified (without appointment) to the booking of the first consultation.",
    )

    def _select(self):
        return SQL(
            """
            event.id AS id, event.start, event.deal_meeting_field AS consultation, lead.id AS lead_id,
            event.user_id AS closer_id, lead.setter_id, lead.source_id, lead.intake_source_id, lead.team_id,
            lead.company_id, event.deal_cancelled_by AS cancelled_by,
            1 AS booked_count,
            COALESCE(event.deal_booked_by_lead, FALSE)::int AS booked_by_lead_count,
            COALESCE(event.deal_confirmed, FALSE)::int AS confirmed_count,
            (outcome.held OR outcome.no_show)::int AS due_count,
            outcome.held::int AS held_count,
            outcome.no_show::int AS no_show_count,
            (event.deal_cancelled_by IS NOT NULL)::int AS cancelled_count,
            (event.deal_cancelled_by = 'lead')::int AS cancelled_by_lead_count,
            (event.deal_cancelled_by = 'setter')::int AS cancelled_by_setter_count,
            (event.deal_cancelled_by = 'closer')::int AS cancelled_by_closer_count,
            COALESCE(event.deal_postponed_count, 0) AS postponed_count,
            COALESCE(event.deal_postponed_by_lead, 0) AS postponed_by_lead_count,
            COALESCE(event.deal_postponed_by_setter, 0) AS postponed_by_setter_count,
            COALESCE(event.deal_postponed_by_closer, 0) AS postponed_by_closer_count,
            (qualified.date IS NOT NULL)::int AS booked_from_qualified_count,
            COALESCE(qualified.days, 0) AS days_to_booking_sum,
            CASE WHEN outcome.held OR outcome.no_show THEN outcome.held::int END AS show_up_rate,
            COALESCE(event.deal_confirmed, FALSE)::int AS confirmed_rate,
            COALESCE(event.deal_booked_by_lead, FALSE)::int AS self_booked_rate,
            (event.deal_cancelled_by IS NOT NULL)::int AS cancelled_rate,
            qualified.days AS days_to_booking
            """
        )

    # The outcome from the tags the consultation's close puts on the event (held, no-show);
    # the wait from the history row that last brought the lead into Qualified before the
    # booking (the history's index on the lead).
    def _from(self):
        return SQL(
            """
            calendar_event event
            JOIN crm_lead lead ON lead.id = event.opportunity_id
            CROSS JOIN LATERAL (
                SELECT COALESCE(bool_or(tag.name = %(held)s), FALSE) AS held,
                       COALESCE(bool_or(tag.name = %(no_show)s), FALSE) AS no_show
                  FROM meeting_category_rel rel
                  JOIN ir_model_data tag ON tag.model = 'calendar.event.type' AND tag.res_id = rel.type_id
                                        AND tag.module = 'crm_deal_phases'
                 WHERE rel.event_id = event.id) outcome
            LEFT JOIN LATERAL (
                SELECT log.date, EXTRACT(EPOCH FROM event.create_date - log.date) / 86400.0 AS days
                  FROM crm_deal_phase_log log
                 WHERE event.deal_meeting_field = 'first_meeting_date'
                   AND log.lead_id = lead.id AND log.to_phase = %(qualified)s AND log.date <= event.create_date
                 ORDER BY log.date DESC
                 LIMIT 1) qualified ON TRUE
            """,
            held=HELD_TAG,
            no_show=NO_SHOW_TAG,
            qualified=QUALIFIED,
        )

    def _where(self):
        return SQL("event.deal_meeting_field IN %s", CONSULTATION_FIELDS)
