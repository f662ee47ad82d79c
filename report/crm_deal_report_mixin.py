from odoo import api, models, tools
from odoo.tools import SQL

# A phase dimension's extra value for "no next phase yet", shown last.
STAYING = "staying"


class CrmDealReportMixin(models.AbstractModel):
    """What the deal phase reports share.

    - The view is built from overridable parts, as crm's reports are: _select, _from,
      _where, _group_by, _window.
    - Phase dimensions group in pipeline order (the stages' sequence), never by the codes'
      alphabet.
    - Rates are computed on the server for every grouping: a ratio measure is the ratio of
      two sums (_ratio_measures), a share measure divides a group's count by the count of
      another group (_share_measures), e.g. the leads reaching a phase by the cohort.
    """

    _name = "crm.deal.report.mixin"
    _description = "Deal Phase Report"
    _auto = False

    # {rate field: (numerator field, denominator field)}, rendered as 0..1 (percentage widget)
    _ratio_measures = {}
    # {share field: (phase dimension, {phase: phase of the denominator group} or None: all)}
    _share_measures = {}
    # the selection fields holding phase codes, grouped in pipeline order
    _phase_dimensions = ()
    # {count field: the field it counts once per value}: a lead reaching three phases is one
    # lead in a total across the phases, not three
    _distinct_measures = {}

    def init(self):
        if self._abstract:
            return
        tools.drop_view_if_exists(self.env.cr, self._table)
        query = SQL("SELECT %s FROM %s", self._select(), self._from())
        if where := self._where():
            query = SQL("%s WHERE %s", query, where)
        if group_by := self._group_by():
            query = SQL("%s GROUP BY %s", query, group_by)
        if window := self._window():
            query = SQL("%s WINDOW %s", query, window)
        self.env.cr.execute(SQL("CREATE OR REPLACE VIEW %s AS (%s)", SQL.identifier(self._table), query))

    def _select(self):
        raise NotImplementedError

    def _from(self):
        raise NotImplementedError

    def _where(self):
        return SQL()

    def _group_by(self):
        return SQL()

    def _window(self):
        return SQL()

    # READ GROUP

    def _read_group_select(self, aggregate_spec, query):
        fname, _sep, _func = aggregate_spec.partition(":")
        if fname in self._ratio_measures:
            numerator, denominator = self._ratio_measures[fname]
            return SQL(
                "SUM(%s)::float / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        if fname in self._share_measures:
            return SQL("COUNT(*)")
        if fname in self._distinct_measures:
            return SQL("COUNT(DISTINCT %s)", self._field_to_sql(self._table, self._distinct_measures[fname], query))
        return super()._read_group_select(aggregate_spec, query)

    def _dimension_orders(self):
        """{selection field: its values in the order its groups show}: phases in pipeline order."""
        in_order = [*self.env["crm.stage"]._phases_in_pipeline_order(), STAYING]
        return dict.fromkeys(self._phase_dimensions, in_order)

    def _read_group_orderby(self, order, groupby_terms, query):
        orders = {spec: values for spec, values in self._dimension_orders().items() if spec in groupby_terms}
        if not orders:
            return super()._read_group_orderby(order, groupby_terms, query)
        ordering_terms = dict(groupby_terms)
        for spec, values in orders.items():
            ordering_terms[spec] = SQL("array_position(%s::varchar[], %s::varchar)", values, groupby_terms[spec])
        order_sql = super()._read_group_orderby(order, ordering_terms, query)
        # the grouping keeps the column itself; other terms the ordering extended stay extended
        for spec, term in ordering_terms.items():
            if spec not in orders:
                groupby_terms[spec] = term
        return order_sql

    @api.model
    def _read_group(self, domain, groupby=(), aggregates=(), having=(), offset=0, limit=None, order=None):
        rows = super()._read_group(domain, groupby, aggregates, having, offset, limit, order)
        if (limit or offset or having) and self._shares_in(aggregates):
            # the groups the shares divide by may lie outside the page: count them all
            complete = super()._read_group(domain, groupby, ["__count"])
            counts = {tuple(row[:-1]): row[-1] for row in complete}
            return self._with_shares(tuple(groupby), tuple(aggregates), rows, counts)
        return self._with_shares(tuple(groupby), tuple(aggregates), rows)

    @api.model
    def _read_grouping_sets(self, domain, grouping_sets, aggregates=(), order=None):
        results = super()._read_grouping_sets(domain, grouping_sets, aggregates, order)
        return [
            self._with_shares(tuple(groupby), tuple(aggregates), rows)
            for groupby, rows in zip(grouping_sets, results, strict=True)
        ]

    def _shares_in(self, aggregates):
        return [
            (index, self._share_measures[spec.partition(":")[0]])
            for index, spec in enumerate(aggregates)
            if spec.partition(":")[0] in self._share_measures
        ]

    def _with_shares(self, groupby, aggregates, rows, counts=None):
        """Replace the counts standing for share measures by the share: the group's count
        divided by the count of the group it is a share of - read from the same rows (every
        group of the grouping is there), or from counts ({group values: count}) for a page."""
        shares = self._shares_in(aggregates)
        if not shares or not rows:
            return rows
        width = len(groupby)
        rows = [list(row) for row in rows]
        for index, (dimension, base_of) in shares:
            column = width + index
            if counts is None:
                counts = {tuple(row[:width]): row[column] for row in rows}
            if dimension not in groupby:
                # a total across the dimension: the whole (100 %) of what shares of all divide by,
                # no share at all of the step before (None: shown as a dash, not as 0 %)
                whole = base_of is None or len(set(base_of.values())) == 1
                for row in rows:
                    row[column] = 1.0 if whole else None
                continue
            position = groupby.index(dimension)
            if base_of is None:
                totals = {}
                for key, count in counts.items():
                    rest = key[:position] + key[position + 1 :]
                    totals[rest] = totals.get(rest, 0) + count
                for row in rows:
                    total = totals.get(tuple(row[:position]) + tuple(row[position + 1 : width]))
                    row[column] = counts[tuple(row[:width])] / total if total else None
                continue
            for row in rows:
                base = base_of.get(row[position])
                key = (*row[:position], base, *row[position + 1 : width])
                row[column] = counts[tuple(row[:width])] / counts[key] if base and counts.get(key) else None
        return [tuple(row) for row in rows]
