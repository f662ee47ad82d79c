from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from ..models.deal_phase import DEAL_PHASES, ENTRY_PHASE, FUNNEL_MASKS, FUNNEL_PREVIOUS, PHASE_CODES

# How the read in progress counts the leads of a group (see _counting_leads): set by the
# report's own read methods only, so no RPC context reaches it.
LEAD_COUNT = ContextVar("crm_deal_funnel_lead_count", default=None)


class CrmDealFunnelReport(models.Model):
    """The conversion funnel: one row per lead and phase it reached, the lead's cohort being
    the month its inquiry arrived. A lead reached a phase when it entered it or a phase lying
    beyond it (FUNNEL_MASKS over the phases it entered, crm_lead_funnel.py); the shares of the
    cohort and of the phase before are computed on the server for every grouping."""

    _name = "crm.deal.funnel.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Deal Phase Funnel"
    _order = "cohort_date desc, lead_id"
    _rec_name = "lead_id"
    _phase_dimensions = ("phase",)
    _distinct_measures = {"lead_count": "lead_id"}
    _share_measures = {
        "cohort_share": ("phase", dict.fromkeys(PHASE_CODES, ENTRY_PHASE)),
        "step_share": ("phase", FUNNEL_PREVIOUS),
    }

    lead_id = fields.Many2one("crm.lead", readonly=True)
    phase = fields.Selection(DEAL_PHASES, "Phase Reached", readonly=True)
    cohort_date = fields.Datetime("Inquiry Arrived", readonly=True)
    lead_count = fields.Integer("Leads", readonly=True)
    cohort_share = fields.Float("Share of the Cohort", readonly=True, help="Of the leads whose inquiry arrived then.")
    step_share = fields.Float(
        "Share of the Phase Before",
        readonly=True,
        help="Of the leads that reached the phase before (Qualified before First consultation, First consultation "
        "before Sold, ...).",
    )
    team_id = fields.Many2one("crm.team", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    setter_id = fields.Many2one("res.users", readonly=True)
    closer_id = fields.Many2one("res.users", readonly=True)
    source_id = fields.Many2one("utm.source", readonly=True)
    medium_id = fields.Many2one("utm.medium", readonly=True)
    campaign_id = fields.Many2one("utm.campaign", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)

    def _select(self):
        return SQL(
            """
            lead.id * %s + steps.position AS id,
            lead.id AS lead_id,
            steps.phase,
            lead.deal_inquiry_date AS cohort_date,
            1 AS lead_count,
            NULL::float AS cohort_share,
            NULL::float AS step_share,
            lead.team_id,
            lead.user_id,
            lead.setter_id,
            lead.closer_id,
            lead.source_id,
            lead.medium_id,
            lead.campaign_id,
            lead.company_id
            """,
            len(PHASE_CODES),
        )

    def _from(self):
        return SQL(
            """crm_lead lead
               JOIN (VALUES %s) AS steps(phase, position, mask) ON lead.deal_phases_entered & steps.mask <> 0""",
            SQL(", ").join(
                SQL("(%s, %s, %s)", phase, position, FUNNEL_MASKS[phase]) for position, phase in enumerate(PHASE_CODES)
            ),
        )

    def _where(self):
        return SQL("lead.deal_phases_entered <> 0")

    # READ GROUP

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        with self._counting_leads(domain, [groupby]):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        with self._counting_leads(domain, grouping_sets):
            return super()._read_grouping_sets(domain, grouping_sets, aggregates, order)

    @contextmanager
    def _counting_leads(self, domain, groupings):
        """Every lead of the report reached the entry phase (FUNNEL_MASKS), so its leads are
        counted without COUNT(DISTINCT) - a sort of every row per grouping: a group of one
        phase has each lead once, a total across the phases has it once in the entry phase.
        Only where the domain keeps every phase of a lead; else the distinct count."""
        grouped = ["phase" in (spec.partition(":")[0] for spec in groupby) for groupby in groupings]
        if any(condition.field_expr.partition(".")[0] == "phase" for condition in Domain(domain).iter_conditions()):
            mode = None
        elif all(grouped):
            mode = "rows"
        elif not any(grouped):
            mode = "entry_phase"
        else:
            mode = "by_grouping"
        token = LEAD_COUNT.set(mode)
        try:
            yield
        finally:
            LEAD_COUNT.reset(token)

    def _read_group_select(self, aggregate_spec, query):
        mode = LEAD_COUNT.get()
        if aggregate_spec.partition(":")[0] != "lead_count" or mode is None:
            return super()._read_group_select(aggregate_spec, query)
        phase = self._field_to_sql(self._table, "phase", query)
        entry_rows = SQL("COUNT(*) FILTER (WHERE %s = %s)", phase, ENTRY_PHASE)
        if mode == "rows":
            return SQL("COUNT(*)")
        if mode == "entry_phase":
            return entry_rows
        return SQL("CASE WHEN GROUPING(%s) = 0 THEN COUNT(*) ELSE %s END", phase, entry_rows)
