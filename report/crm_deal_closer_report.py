from odoo import api, fields, models, tools

from ..models.res_config_settings import DEFAULT_SECOND_MEETING_ALERT, SECOND_MEETING_ALERT_PARAM, get_int_param


class CrmDealCloserReport(models.Model):
    """Per closer and month of the decision: the deals decided (Sold or Not sold for the
    first time) and how many of them needed a Second consultation. "A second call must
    never become the rule": closers above the alert threshold are flagged."""

    _name = "crm.deal.closer.report"
    _description = "Second Consultation Rate"
    _auto = False
    _order = "month desc, closer_id"
    _rec_name = "closer_id"

    closer_id = fields.Many2one("res.users", "Closer", readonly=True)
    month = fields.Date("Month", readonly=True)
    company_id = fields.Many2one("res.company", "Company", readonly=True)
    decided_count = fields.Integer("Deals Decided", readonly=True)
    second_meeting_count = fields.Integer("With Second Consultation", readonly=True)
    second_meeting_rate = fields.Float("Second Consultation Rate (%)", readonly=True, aggregator="avg", digits=(16, 1))
    first_meeting_count = fields.Integer("First Consultations", readonly=True)
    no_show_count = fields.Integer("No-shows", readonly=True)
    is_above_threshold = fields.Boolean(
        "Above Threshold", compute="_compute_is_above_threshold", search="_search_is_above_threshold"
    )

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                WITH decisions AS (
                    SELECT DISTINCT ON (log.lead_id)
                           log.lead_id, log.date, log.company_id
                      FROM crm_deal_phase_log log
                     WHERE log.to_phase IN ('sold', 'not_sold')
                  ORDER BY log.lead_id, log.date, log.id
                ), decided AS (
                    SELECT lead.closer_id,
                           date_trunc('month', decisions.date)::date AS month,
                           decisions.company_id,
                           COUNT(*) AS decided_count,
                           COUNT(*) FILTER (WHERE EXISTS (
                               SELECT 1 FROM crm_deal_phase_log second
                                WHERE second.lead_id = decisions.lead_id
                                  AND second.to_phase = 'second_meeting'
                                  AND second.date <= decisions.date
                           )) AS second_meeting_count
                      FROM decisions
                      JOIN crm_lead lead ON lead.id = decisions.lead_id
                  GROUP BY 1, 2, 3
                ), meetings AS (
                    SELECT lead.closer_id,
                           date_trunc('month', log.date)::date AS month,
                           log.company_id,
                           COUNT(*) FILTER (WHERE log.to_phase = 'first_meeting') AS first_meeting_count,
                           COUNT(*) FILTER (WHERE log.from_phase = 'first_meeting'
                                              AND log.to_phase = 'follow_up') AS no_show_count
                      FROM crm_deal_phase_log log
                      JOIN crm_lead lead ON lead.id = log.lead_id
                     WHERE log.to_phase = 'first_meeting'
                        OR (log.from_phase = 'first_meeting' AND log.to_phase = 'follow_up')
                  GROUP BY 1, 2, 3
                )
                SELECT row_number() OVER (ORDER BY month, closer_id, company_id) AS id,
                       closer_id, month, company_id,
                       COALESCE(decided.decided_count, 0) AS decided_count,
                       COALESCE(decided.second_meeting_count, 0) AS second_meeting_count,
                       CASE WHEN COALESCE(decided.decided_count, 0) = 0 THEN 0
                            ELSE 100.0 * decided.second_meeting_count / decided.decided_count END
                           AS second_meeting_rate,
                       COALESCE(meetings.first_meeting_count, 0) AS first_meeting_count,
                       COALESCE(meetings.no_show_count, 0) AS no_show_count
                  FROM decided
             FULL JOIN meetings USING (closer_id, month, company_id)
            )
            """
        )

    @api.model
    def _alert_threshold(self):
        return get_int_param(self.env, SECOND_MEETING_ALERT_PARAM, DEFAULT_SECOND_MEETING_ALERT)

    def _compute_is_above_threshold(self):
        threshold = self._alert_threshold()
        for row in self:
            row.is_above_threshold = row.second_meeting_rate > threshold

    def _search_is_above_threshold(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        above = [("second_meeting_rate", ">", self._alert_threshold())]
        return above if (operator == "=") == value else ["!", *above]
