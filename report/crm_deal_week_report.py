from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_phase import (
    APPOINTMENT_CANCELLED,
    CONSULTATIONS,
    ENTRY_PHASE,
    FIRST_MEETING,
    NO_SHOW,
    NOT_SOLD,
    PHASES,
    WON_PHASE,
)

# The week's figures, one measure each: a total adds up one figure, never two.
FIGURES = (
    ("new_inquiry_count", "New Inquiries"),
    ("call_count", "Calls"),
    ("reached_count", "Reached"),
    ("booked_count", "Bookings"),
    ("strike_count", "Strikes"),
    ("held_count", "Consultations Held"),
    ("no_show_count", "No-shows"),
    ("sold_count", "Sold"),
    ("not_sold_count", "Not Sold"),
)


class CrmDealWeekReport(models.Model):
    """A manager's start page: what the team did, one row per event that counts - from the
    phase history (a new inquiry, a booking, a consultation held, a no-show, sold, not sold),
    a call and a strike - with the team member it counts for: the lead's setter for inquiries
    and bookings, the caller for calls, who gave a strike, the lead's closer for the
    consultations and their outcomes."""

    _name = "crm.deal.week.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Deal Phases: the Team's Week"
    _order = "date desc"
    _rec_name = "lead_id"

    # The event
    date = fields.Datetime(readonly=True)
    member_id = fields.Many2one("res.users", "Team Member", readonly=True)
    role = fields.Selection([("setter", "Setter"), ("closer", "Closer")], readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    # The figures
    new_inquiry_count = fields.Integer("New Inquiries", readonly=True)
    call_count = fields.Integer("Calls", readonly=True)
    reached_count = fields.Integer("Reached", readonly=True)
    booked_count = fields.Integer("Bookings", readonly=True)
    strike_count = fields.Integer("Strikes", readonly=True)
    held_count = fields.Integer("Consultations Held", readonly=True)
    no_show_count = fields.Integer("No-shows", readonly=True)
    sold_count = fields.Integer("Sold", readonly=True)
    not_sold_count = fields.Integer("Not Sold", readonly=True)

    def _select(self):
        # three kinds of events, their ids kept apart: phase log 3n, call 3n + 1, strike 3n + 2
        return SQL("*")

    def _from(self):
        closer_phases = [code for code, phase in PHASES.items() if phase.closer_decides]
        return SQL(
            """
            (
            SELECT log.id * 3 AS id, log.date, log.lead_id, log.team_id, log.company_id,
                   CASE WHEN setter_event THEN lead.setter_id ELSE lead.closer_id END AS member_id,
                   CASE WHEN setter_event THEN 'setter' ELSE 'closer' END AS role,
                   new_inquiry::int AS new_inquiry_count, 0 AS call_count, 0 AS reached_count,
                   booked::int AS booked_count, 0 AS strike_count, held::int AS held_count,
                   no_show::int AS no_show_count, sold::int AS sold_count, not_sold::int AS not_sold_count
              FROM crm_deal_phase_log log
              JOIN crm_lead lead ON lead.id = log.lead_id
             CROSS JOIN LATERAL (
                   SELECT log.from_phase IS NULL AND log.to_phase = %(entry)s AS new_inquiry,
                          log.to_phase = %(first)s AS booked,
                          log.from_phase = ANY(%(consultations)s)
                              AND (log.from_phase, log.to_phase) NOT IN (%(no_show)s, %(cancelled)s) AS held,
                          (log.from_phase, log.to_phase) = %(no_show)s AS no_show,
                          log.to_phase = %(won)s AS sold,
                          log.to_phase = %(not_sold)s AS not_sold
                   ) figures
             CROSS JOIN LATERAL (SELECT figures.new_inquiry OR figures.booked AS setter_event) roles
             WHERE new_inquiry OR booked OR held OR no_show OR sold OR not_sold
            UNION ALL
            SELECT call.id * 3 + 1, call.start, call.lead_id, call.team_id, call.company_id, call.user_id,
                   CASE WHEN call.phase = ANY(%(closer_phases)s) THEN 'closer' ELSE 'setter' END,
                   0, 1, (call.outcome = 'reached')::int, 0, 0, 0, 0, 0, 0
              FROM crm_deal_call call
            UNION ALL
            SELECT strike.id * 3 + 2, strike.date, strike.lead_id, strike.team_id, strike.company_id,
                   strike.user_id, 'setter', 0, 0, 0, 0, 1, 0, 0, 0, 0
              FROM crm_deal_strike strike
            ) events
            """,
            entry=ENTRY_PHASE,
            first=FIRST_MEETING,
            consultations=list(CONSULTATIONS),
            no_show=NO_SHOW,
            cancelled=APPOINTMENT_CANCELLED,
            won=WON_PHASE,
            not_sold=NOT_SOLD,
            closer_phases=closer_phases,
        )
