from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, unique

from ..models.deal_phase import DEAL_PHASES, ENTRY_PHASE, FUNNEL_MASKS, FUNNEL_PREVIOUS, PHASE_CODES

# How the read in progress counts the leads of a group (see _counting_leads): set by the
# report's own read methods only, so no RPC context reaches it.
LEAD_COUNT = ContextVar("crm_deal_funnel_lead_count", default=None)
# Set while the report reads one row per lead (see _read_in_one_pass), by its own methods only.
ONE_ROW_PER_LEAD = ContextVar("crm_deal_funnel_one_row_per_lead", default=False)

# The report's columns that are the lead's own: {field: column of crm_lead}
LEAD_COLUMNS = {
    "lead_id": "id",
    "cohort_date": "deal_inquiry_date",
    "team_id": "team_id",
    "user_id": "user_id",
    "setter_id": "setter_id",
    "closer_id": "closer_id",
    "source_id": "source_id",
    "medium_id": "medium_id",
    "campaign_id": "campaign_id",
    "company_id": "company_id",
}
# The measures a read in one pass computes from the phases' counts.
COUNTED_MEASURES = ("__count", "lead_count", "cohort_share", "step_share")
ENTRY_INDEX = PHASE_CODES.index(ENTRY_PHASE)


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
    _depends = {"crm.lead": [*LEAD_COLUMNS.values(), "deal_phases_entered"]}
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
            steps.phase,
            1 AS lead_count,
            NULL::float AS cohort_share,
            NULL::float AS step_share,
            %s
            """,
            len(PHASE_CODES),
            self._lead_columns(),
        )

    def _lead_columns(self):
        return SQL(", ").join(
            SQL("%s AS %s", SQL.identifier("lead", column), SQL.identifier(fname))
            for fname, column in LEAD_COLUMNS.items()
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

    @property
    def _table_sql(self):
        table_sql = super()._table_sql
        if not ONE_ROW_PER_LEAD.get():
            return table_sql
        leads = SQL(
            "(SELECT lead.id AS id, %s, lead.deal_phases_entered FROM crm_lead lead WHERE %s)",
            self._lead_columns(),
            self._where(),
        )
        return SQL("%s", leads, to_flush=table_sql.to_flush)

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        if not (having or offset or limit) and self._reads_in_one_pass(domain, [groupby], aggregates, order):
            [rows] = self._read_in_one_pass(domain, [tuple(groupby)], tuple(aggregates), order)
            return rows
        with self._counting_leads(domain, [groupby]):
            return super()._read_group(domain, groupby, aggregates, having, offset, limit, order)

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        if self._reads_in_one_pass(domain, grouping_sets, aggregates, order):
            return self._read_in_one_pass(
                domain, [tuple(groupby) for groupby in grouping_sets], tuple(aggregates), order
            )
        with self._counting_leads(domain, grouping_sets):
            return super()._read_grouping_sets(domain, grouping_sets, aggregates, order)

    def _reads_in_one_pass(self, domain, groupings, aggregates, order):
        """Whether the read can count the leads per phase from one row per lead: only its
        counts and shares, grouped and filtered by the lead's own columns (and grouped by the
        phase), the phase ordered as the pipeline is."""
        if any(spec.partition(":")[0] not in COUNTED_MEASURES for spec in aggregates):
            return False
        specs = {spec for groupby in groupings for spec in groupby}
        if any(spec != "phase" and spec.partition(":")[0].partition(".")[0] not in LEAD_COLUMNS for spec in specs):
            return False
        for term in (order or "").split(","):
            spec, _sep, direction = term.strip().partition(" ")
            if spec and (spec not in specs or (spec == "phase" and direction.strip().upper() not in ("", "ASC"))):
                return False
        return all(
            condition.field_expr.partition(".")[0] in LEAD_COLUMNS for condition in Domain(domain).iter_conditions()
        )

    def _read_in_one_pass(self, domain, grouping_sets, aggregates, order):
        """The funnel without expanding a lead into a row per phase it reached: the leads
        grouped by the dimensions asked but the phase, each group counting its leads per phase
        in one filtered count each (one read of the leads, as crm's pipeline analysis makes),
        then unpivoted into a group per phase reached, in the pipeline's order."""
        without_phase = list(unique(tuple(spec for spec in groupby if spec != "phase") for groupby in grouping_sets))
        terms = [term.strip() for term in (order or "").split(",") if term.strip()]
        lead_order = ", ".join(term for term in terms if term.partition(" ")[0] != "phase")
        token = ONE_ROW_PER_LEAD.set(True)
        try:
            results = super()._read_grouping_sets(domain, without_phase, ["lead_count"], lead_order or None)
        finally:
            ONE_ROW_PER_LEAD.reset(token)
        counted = dict(zip(without_phase, results, strict=True))
        ordered_by = [term.partition(" ")[0] for term in terms]
        return [
            self._with_shares(
                groupby,
                aggregates,
                self._unpivoted(
                    groupby, aggregates, ordered_by or list(groupby), counted[tuple(s for s in groupby if s != "phase")]
                ),
            )
            for groupby in grouping_sets
        ]

    def _unpivoted(self, groupby, aggregates, ordered_by, rows):
        """rows: (the values of groupby but the phase, [leads per phase of PHASE_CODES]) in
        the order asked but the phase. A total across the phases counts a lead once (in the
        entry phase, which every lead of the report reached), its rows once per phase."""
        measures = [spec.partition(":")[0] for spec in aggregates]
        if "phase" not in groupby:
            return [
                (*values, *(counts[ENTRY_INDEX] if measure == "lead_count" else sum(counts) for measure in measures))
                for *values, counts in rows
            ]
        position = groupby.index("phase")
        others = [spec for spec in groupby if spec != "phase"]
        ordered = [
            *(spec for spec in ordered_by if spec in groupby),
            *(spec for spec in groupby if spec not in ordered_by),
        ]
        # the groups sort by the terms before the phase (contiguous in the rows' order), then by the phase
        before = [others.index(spec) for spec in ordered[: ordered.index("phase")]]
        pipeline = [PHASE_CODES.index(phase) for phase in self._dimension_orders()["phase"] if phase in PHASE_CODES]
        prefixes = {}
        unpivoted = []
        for index, (*values, counts) in enumerate(rows):
            prefix = prefixes.setdefault(tuple(values[i] for i in before), len(prefixes))
            for rank, phase_index in enumerate(pipeline):
                if count := counts[phase_index]:
                    row = (*values[:position], PHASE_CODES[phase_index], *values[position:], *[count] * len(measures))
                    unpivoted.append(((prefix, rank, index), row))
        unpivoted.sort(key=lambda keyed: keyed[0])
        return [row for _key, row in unpivoted]

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
        if ONE_ROW_PER_LEAD.get():
            entered = SQL.identifier(self._table, "deal_phases_entered")
            return SQL(
                "ARRAY[%s]",
                SQL(", ").join(
                    SQL("COUNT(*) FILTER (WHERE %s & %s <> 0)", entered, FUNNEL_MASKS[phase]) for phase in PHASE_CODES
                ),
            )
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
