from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_phase import APPOINTMENT_CANCELLED, ENTRY_PHASE, FIRST_MEETING, NO_SHOW, WON_PHASE

FIGURES = [
    ("new_inquiry", "New inquiries"),
    ("booked", "Bookings"),
    ("held", "Consultations held"),
    ("no_show", "No-shows"),
    ("sale", "Sold"),
]


class CrmDealWeekReport(models.Model):
    """A manager's start page: what the team did, one row per event of the phase log that
    counts - a new inquiry, a first consultation booked or held, a no-show, a sale - with the
    team member it counts for (the setter for inquiries and bookings, the closer for the
    consultations and sales)."""

    _name = "crm.deal.week.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Deal Phases: the Team's Week"
    _order = "date desc"
    _rec_name = "figure"

    figure = fields.Selection(FIGURES, readonly=True)
    date = fields.Datetime(readonly=True)
    member_id = fields.Many2one("res.users", "Team Member", readonly=True)
    role = fields.Selection([("setter", "Setter"), ("closer", "Closer")], readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    setter_id = fields.Many2one("res.users", readonly=True)
    closer_id = fields.Many2one("res.users", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def _dimension_orders(self):
        return {**super()._dimension_orders(), "figure": [code for code, _label in FIGURES]}

    def _select(self):
        return SQL(
            """
            log.id * 8 + figures.position AS id,
            figures.figure,
            log.date,
            CASE WHEN figures.role = 'setter' THEN COALESCE(lead.setter_id, log.user_id) ELSE lead.closer_id END
                AS member_id,
            figures.role,
            log.lead_id,
            lead.setter_id,
            lead.closer_id,
            log.team_id,
            log.company_id
            """
        )

    def _from(self):
        return SQL(
            """
            crm_deal_phase_log log
            JOIN crm_lead lead ON lead.id = log.lead_id
            JOIN (VALUES ('new_inquiry', 0, 'setter'), ('booked', 1, 'setter'), ('held', 2, 'closer'),
                         ('no_show', 3, 'closer'), ('sale', 4, 'closer')) AS figures(figure, position, role)
              ON (figures.figure = 'new_inquiry' AND log.to_phase = %(entry)s AND log.from_phase IS NULL)
              OR (figures.figure = 'booked' AND log.to_phase = %(first)s)
              OR (figures.figure = 'held' AND log.from_phase = %(first)s
                  AND (log.from_phase, log.to_phase) NOT IN (%(no_show)s, %(cancelled)s))
              OR (figures.figure = 'no_show' AND (log.from_phase, log.to_phase) = %(no_show)s)
              OR (figures.figure = 'sale' AND log.to_phase = %(won)s)
            """,
            entry=ENTRY_PHASE,
            first=FIRST_MEETING,
            no_show=NO_SHOW,
            cancelled=APPOINTMENT_CANCELLED,
            won=WON_PHASE,
        )
