from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_phase import DEAL_PHASES, PHASE_CODES, PHASES


class CrmDealPhaseDurationReport(models.Model):
    """Time spent in each phase, one row per phase and month of entry: the median and the
    average days of the stays that ended, and the age of the stays still open ("waiting
    now"). Outcome phases (Sold, Not sold, Unqualified) are decisions, not stays: not shown."""

    _name = "crm.deal.phase.duration.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Time in Deal Phase"
    _order = "month desc, id"  # a month's rows in pipeline order
    _rec_name = "phase"
    _phase_dimensions = ("phase",)

    phase = fields.Selection(DEAL_PHASES, readonly=True)
    month = fields.Date("Month Entered", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    entry_count = fields.Integer("Entries", readonly=True)
    finished_count = fields.Integer("Finished Stays", readonly=True)
    median_days = fields.Float(readonly=True, aggregator="max", digits=(16, 1))
    average_days = fields.Float(readonly=True, aggregator="avg", digits=(16, 1))
    waiting_count = fields.Integer("Waiting Now", readonly=True, help="Leads still in the phase they entered then.")
    waiting_days = fields.Float(
        "Days Waiting", readonly=True, aggregator="avg", digits=(16, 1), help="Average age of the stays still open."
    )

    def _select(self):
        return SQL(
            """
            row_number() OVER (ORDER BY stays.month, array_position(%s, stays.phase::text), stays.company_id) AS id,
            stays.phase, stays.month, stays.company_id,
            COUNT(*) AS entry_count,
            COUNT(stays.days) AS finished_count,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY stays.days) AS median_days,
            AVG(stays.days) AS average_days,
            COUNT(*) - COUNT(stays.days) AS waiting_count,
            AVG(stays.age) AS waiting_days
            """,
            list(PHASE_CODES),
        )

    def _from(self):
        return SQL(
            """
            (SELECT log.to_phase AS phase,
                    date_trunc('month', log.date)::date AS month,
                    log.company_id,
                    EXTRACT(EPOCH FROM LEAD(log.date) OVER entries - log.date) / 86400.0 AS days,
                    CASE WHEN LEAD(log.id) OVER entries IS NULL
                         THEN EXTRACT(EPOCH FROM (now() AT TIME ZONE 'UTC') - log.date) / 86400.0 END AS age
               FROM crm_deal_phase_log log
              WHERE log.to_phase IS NOT NULL
             WINDOW entries AS (PARTITION BY COALESCE(log.merged_lead_ref, log.lead_id)
                                ORDER BY log.date, log.id)) stays
            """
        )

    def _where(self):
        return SQL("stays.phase IN %s", tuple(code for code, phase in PHASES.items() if not phase.outcome))

    def _group_by(self):
        return SQL("stays.phase, stays.month, stays.company_id")
