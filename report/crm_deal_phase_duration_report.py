from odoo import fields, models, tools

from ..models.deal_phase import DEAL_PHASES


class CrmDealPhaseDurationReport(models.Model):
    """Time spent in each phase, per phase and month of entry: the median and the average
    days of the stays that ended (a lead still in its phase has not finished its stay)."""

    _name = "crm.deal.phase.duration.report"
    _description = "Time in Deal Phase"
    _auto = False
    _order = "month desc, phase"
    _rec_name = "phase"

    phase = fields.Selection(DEAL_PHASES, "Phase", readonly=True)
    month = fields.Date("Month Entered", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    entry_count = fields.Integer("Entries", readonly=True)
    finished_count = fields.Integer("Finished Stays", readonly=True)
    median_days = fields.Float("Median Days", readonly=True, aggregator="max", digits=(16, 1))
    average_days = fields.Float("Average Days", readonly=True, aggregator="avg", digits=(16, 1))

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                WITH stays AS (
                    SELECT log.to_phase AS phase,
                           date_trunc('month', log.date)::date AS month,
                           log.company_id,
                           EXTRACT(EPOCH FROM LEAD(log.date) OVER entries - log.date) / 86400.0 AS days
                      FROM crm_deal_phase_log log
                    WINDOW entries AS (PARTITION BY log.lead_id ORDER BY log.date, log.id)
                )
                SELECT row_number() OVER (ORDER BY month, phase, company_id) AS id,
                       phase, month, company_id,
                       COUNT(*) AS entry_count,
                       COUNT(days) AS finished_count,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY days) AS median_days,
                       AVG(days) AS average_days
                  FROM stays
                 WHERE phase IS NOT NULL
              GROUP BY phase, month, company_id
            )
            """
        )
