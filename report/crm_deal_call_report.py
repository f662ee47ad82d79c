from odoo import fields, models
from odoo.tools import SQL

from ..models.crm_deal_call import CALL_OUTCOMES
from ..models.deal_phase import DEAL_PHASES, QUALIFIED


class CrmDealCallReport(models.Model):
    """The setters' calls and their speed-to-lead: one row per call, with whether it reached
    the lead, and - on the lead's first call - the minutes from the inquiry to it and the
    calls it took until the lead was qualified. Rates, the median and the 90th percentile
    are computed on the server for any grouping (setter, source, day, phase, ...)."""

    _name = "crm.deal.call.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Calls and Speed to Lead"
    _order = "date desc"
    _rec_name = "lead_id"
    _phase_dimensions = ("phase",)
    _ratio_measures = {
        "reach_rate": ("reached_count", "call_count"),
        "within_5_min_rate": ("within_5_min_count", "first_call_count"),
    }
    # {measure: (column, percentile)}: the percentile of the column over the group's rows
    _percentile_measures = {
        "first_call_median": ("minutes_to_first_call", 0.5),
        "first_call_p90": ("minutes_to_first_call", 0.9),
    }

    date = fields.Datetime(readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    user_id = fields.Many2one("res.users", "Caller", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    phase = fields.Selection(DEAL_PHASES, readonly=True)
    outcome = fields.Selection(CALL_OUTCOMES, readonly=True)
    call_count = fields.Integer("Calls", readonly=True)
    reached_count = fields.Integer("Reached", readonly=True)
    reach_rate = fields.Float(readonly=True)
    first_call_count = fields.Integer("First Calls", readonly=True)
    minutes_to_first_call = fields.Float("Minutes to First Call", readonly=True, aggregator="avg")
    first_call_median = fields.Float("First Call, Median (min)", readonly=True)
    first_call_p90 = fields.Float("First Call, 90 % Within (min)", readonly=True)
    within_5_min_count = fields.Integer("First Call Within 5 Minutes", readonly=True)
    within_5_min_rate = fields.Float("Within 5 Minutes", readonly=True)
    calls_until_qualified = fields.Float(
        readonly=True,
        aggregator="avg",
        help="On the lead's first call: its calls until Qualified.",
    )

    def _select(self):
        return SQL(
            """
            call.id, call.start AS date, call.lead_id, call.user_id, call.team_id, lead.source_id, call.company_id,
            call.phase, call.outcome,
            1 AS call_count,
            (call.outcome = 'reached')::int AS reached_count,
            NULL::float AS reach_rate,
            (call.rank = 1)::int AS first_call_count,
            CASE WHEN call.rank = 1 THEN EXTRACT(EPOCH FROM call.start - lead.deal_inquiry_date) / 60.0 END
                AS minutes_to_first_call,
            NULL::float AS first_call_median,
            NULL::float AS first_call_p90,
            (call.rank = 1 AND call.start - lead.deal_inquiry_date <= interval '5 minutes')::int AS within_5_min_count,
            NULL::float AS within_5_min_rate,
            CASE WHEN call.rank = 1 THEN (SELECT COUNT(*) FROM crm_deal_call before
                                           WHERE before.lead_id = call.lead_id AND before.start <= qualified.date)
            END AS calls_until_qualified
            """
        )

    def _from(self):
        return SQL(
            """
            (SELECT *, row_number() OVER (PARTITION BY lead_id ORDER BY start, id) AS rank FROM crm_deal_call
              WHERE outcome <> 'logged') call
            JOIN crm_lead lead ON lead.id = call.lead_id
            LEFT JOIN LATERAL (SELECT MIN(log.date) AS date FROM crm_deal_phase_log log
                                WHERE log.lead_id = call.lead_id AND log.to_phase = %s) qualified ON TRUE
            """,
            QUALIFIED,
        )

    def _read_group_select(self, aggregate_spec, query):
        fname = aggregate_spec.partition(":")[0]
        if fname in self._percentile_measures:
            column, percentile = self._percentile_measures[fname]
            return SQL(
                "percentile_cont(%s) WITHIN GROUP (ORDER BY %s)",
                percentile,
                self._field_to_sql(self._table, column, query),
            )
        return super()._read_group_select(aggregate_spec, query)
