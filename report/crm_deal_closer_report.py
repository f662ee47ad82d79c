from odoo import api, fields, models
from odoo.tools import SQL

from ..models.crm_deal_phase_log import CONSULTATION_RATES_ROWS
from ..models.deal_phase import APPOINTMENT_CANCELLED, FIRST_MEETING, NO_SHOW, WON_PHASE


class CrmDealCloserReport(models.Model):
    """The consultations' rates per month, closer and setter: show-ups of first
    consultations (held vs no-show), the share of decided deals (Sold or Not sold for the
    first time) that needed a Second consultation - "it must never become the rule": closers
    above the alert threshold are flagged - and the win rate from First consultation. A move
    a Sales Administrator forced (an override) is no consultation outcome: left out."""

    _name = "crm.deal.closer.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Consultation Rates"
    _order = "month desc, closer_id"
    _rec_name = "closer_id"
    _ratio_measures = {
        "show_up_rate": ("held_count", "ended_count"),
        "second_meeting_rate": ("second_meeting_count", "decided_count"),
        "win_rate": ("sold_count", "held_count"),
    }

    month = fields.Date(readonly=True)
    closer_id = fields.Many2one("res.users", readonly=True)
    setter_id = fields.Many2one("res.users", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    booked_count = fields.Integer("Booked", readonly=True, help="First consultations booked.")
    ended_count = fields.Integer("Due", readonly=True, help="First consultations that were due: held or no-show.")
    held_count = fields.Integer("Held", readonly=True)
    no_show_count = fields.Integer("No-shows", readonly=True)
    cancelled_count = fields.Integer("Cancelled", readonly=True)
    show_up_rate = fields.Float("Show-up Rate", readonly=True)
    decided_count = fields.Integer("Decided", readonly=True, help="Deals decided: Sold or Not sold for the first time.")
    second_meeting_count = fields.Integer(
        "With 2nd", readonly=True, help="Decided deals that needed a Second consultation."
    )
    second_meeting_rate = fields.Float("2nd Rate", readonly=True)
    sold_count = fields.Integer("Sold", readonly=True)
    win_rate = fields.Float(readonly=True, help="Sold of the first consultations held.")
    is_above_threshold = fields.Boolean(
        "Above Threshold", compute="_compute_is_above_threshold", search="_search_is_above_threshold"
    )

    def _select(self):
        return SQL(
            """
            row_number() OVER (ORDER BY events.month, events.closer_id, events.setter_id, events.team_id,
                                        events.company_id) AS id,
            events.month, events.closer_id, events.setter_id, events.team_id, events.company_id,
            SUM(events.booked) AS booked_count,
            SUM(events.held + events.no_show) AS ended_count,
            SUM(events.held) AS held_count,
            SUM(events.no_show) AS no_show_count,
            SUM(events.cancelled) AS cancelled_count,
            SUM(events.held)::float / NULLIF(SUM(events.held + events.no_show), 0) AS show_up_rate,
            SUM(events.decided) AS decided_count,
            SUM(events.with_second) AS second_meeting_count,
            SUM(events.with_second)::float / NULLIF(SUM(events.decided), 0) AS second_meeting_rate,
            SUM(events.sold) AS sold_count,
            SUM(events.sold)::float / NULLIF(SUM(events.held), 0) AS win_rate
            """
        )

    # One pass over the rows that can count (the history's partial index of them), and over
    # the history alone: which decision is a deal's first, whether a Second consultation came
    # before it, and the lead's closer and setter then are fixed on the row when it is written
    # (crm_lead_history.py) - no join of the leads, no self-join of the history, no sort of
    # every decision, no correlated subquery (whose estimate once made PostgreSQL compile the
    # query with JIT on every read).
    def _from(self):
        return SQL(
            """
            (SELECT date_trunc('month', log.date)::date AS month, log.closer_id, log.setter_id, log.team_id,
                    log.company_id,
                    (log.to_phase = %(first)s)::int AS booked,
                    (log.from_phase = %(first)s
                     AND (log.from_phase, log.to_phase) NOT IN (%(no_show)s, %(cancelled)s))::int AS held,
                    ((log.from_phase, log.to_phase) = %(no_show)s)::int AS no_show,
                    ((log.from_phase, log.to_phase) = %(cancelled)s)::int AS cancelled,
                    (log.is_first_decision IS TRUE)::int AS decided,
                    (log.is_first_decision IS TRUE AND log.is_after_second_meeting IS TRUE)::int AS with_second,
                    (log.is_first_decision IS TRUE AND log.to_phase = %(won)s)::int AS sold
               FROM crm_deal_phase_log log
              WHERE %(rows)s) events
            """,
            first=FIRST_MEETING,
            won=WON_PHASE,
            no_show=NO_SHOW,
            cancelled=APPOINTMENT_CANCELLED,
            # unqualified as in the index's predicate, so it serves
            rows=SQL(CONSULTATION_RATES_ROWS),
        )

    def _group_by(self):
        return SQL("events.month, events.closer_id, events.setter_id, events.team_id, events.company_id")

    @api.model
    def _alert_threshold(self):
        return self.env["crm.lead"]._deal_settings().second_meeting_alert / 100.0

    def _compute_is_above_threshold(self):
        threshold = self._alert_threshold()
        for row in self:
            row.is_above_threshold = row.second_meeting_rate > threshold

    def _search_is_above_threshold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        above = [("second_meeting_rate", ">", self._alert_threshold())]
        return above if (operator == "=") == value else ["!", *above]
