import json

from odoo import fields, models
from odoo.tools import SQL

from .deal_phase import DECISIONS, ENTERED_PHASES_LABEL, SECOND_MEETING, PhaseIntent

# The columns _log_phase_changes fills from each moved lead, one array per column.
LOG_COLUMNS = (
    "lead_id",
    "company_id",
    "team_id",
    "from_stage_id",
    "to_stage_id",
    "from_phase",
    "to_phase",
    "label",
    "closer_id",
    "setter_id",
)


def _array_literal(values):
    """A PostgreSQL array literal of integers or phase codes. psycopg2 adapts a list element
    by element, which on a 1,000-lead move costs more than PostgreSQL's checks of the rows."""
    return "{" + ",".join("NULL" if value is None else str(value) for value in values) + "}"


def _rate_facts_sql():
    """What the consultation rates count of the moves' rows (is_first_decision,
    is_after_second_meeting) and the joins that find it: the lead's own earlier rows. Only a
    batch with a decision pays for them; any other move writes two constants."""
    return SQL("decision.first, decision.after_second"), SQL(
        """
        CROSS JOIN LATERAL (
              SELECT CASE WHEN moves.to_phase IN %(decisions)s
                          THEN NOT EXISTS (SELECT 1 FROM crm_deal_phase_log earlier
                                            WHERE earlier.lead_id = moves.lead_id
                                              AND earlier.merged_lead_ref IS NULL
                                              AND earlier.to_phase IN %(decisions)s
                                              AND earlier.is_override IS NOT TRUE)
                          ELSE FALSE END AS first) first_decision
        CROSS JOIN LATERAL (
              SELECT first_decision.first,
                     CASE WHEN first_decision.first
                          THEN EXISTS (SELECT 1 FROM crm_deal_phase_log second
                                        WHERE second.lead_id = moves.lead_id AND second.to_phase = %(second)s)
                          ELSE FALSE END AS after_second) decision
        """,
        decisions=DECISIONS,
        second=SECOND_MEETING,
    )


class CrmLead(models.Model):
    """The phase history of a lead: one row per move, written by the server only."""

    _inherit = "crm.lead"

    phase_log_ids = fields.One2many("crm.deal.phase.log", "lead_id", "Phase History", readonly=True)

    # BUSINESS

    def _log_phase_changes(self, from_stage_ids):
        """Record the leads' move from from_stage_ids ({lead id: stage id}, empty on creation)
        to their current stage. The log is written by the server only and has nothing to
        compute, so it skips the ORM: one plain INSERT for the whole batch, the phases and
        the outcome's label (in every language) taken from registry caches.

        The INSERT holds only while this process's caches are as current as the database's
        (crm.stage._phase_caches_are_current): a process whose caches were checked against a
        lagging replica, or before another server's change committed, judges the moves again
        on the data of the write's own transaction - no query more on a move."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        label_translations = self.env["crm.stage.transition"]._label_translations()
        intent = PhaseIntent.of(self.env)
        labels, label_index = [], {}

        def index_of(key, translations):
            if key not in label_index:
                label_index[key] = len(labels)
                labels.append(translations)
            return label_index[key]

        rows = []
        for lead in self:
            from_stage_id = from_stage_ids.get(lead.id) or None
            to_stage_id = lead.stage_id.id or None
            from_phase, to_phase = phase_of.get(from_stage_id), phase_of.get(to_stage_id)
            if not (from_phase or to_phase):
                continue
            if intent and intent.label:
                label = index_of("intent", self._all_translations(intent.label))
            elif (from_phase, to_phase) in label_translations:
                label = index_of((from_phase, to_phase), label_translations[from_phase, to_phase])
            elif from_stage_id and not from_phase:
                label = index_of("entered", self._all_translations(ENTERED_PHASES_LABEL))
            else:
                label = None
            rows.append(
                (
                    lead.id,
                    lead.company_id.id or None,
                    lead.team_id.id or None,
                    from_stage_id,
                    to_stage_id,
                    from_phase,
                    to_phase,
                    label,
                    lead.closer_id.id or None,
                    lead.setter_id.id or None,
                )
            )
        if not rows:
            return
        columns = [_array_literal(column) for column in zip(*rows, strict=True)]
        deciding = not (intent and intent.override) and any(row[6] in DECISIONS for row in rows)
        rate_facts, rate_facts_join = _rate_facts_sql() if deciding else (SQL("FALSE, FALSE"), SQL())
        # one array per column: the statement is the same for 1 or 10,000 rows
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_deal_phase_log (lead_id, company_id, team_id, from_stage_id, to_stage_id,
                       from_phase, to_phase, transition_label, closer_id, setter_id, reason, is_override, user_id,
                       date, is_first_decision, is_after_second_meeting)
                SELECT moves.lead_id, moves.company_id, moves.team_id, moves.from_stage_id, moves.to_stage_id,
                       moves.from_phase, moves.to_phase, %(labels)s::jsonb -> moves.label, moves.closer_id,
                       moves.setter_id, %(reason)s, %(override)s, %(uid)s, %(now)s, %(rate_facts)s
                  FROM unnest(%(lead_id)s::int[], %(company_id)s::int[], %(team_id)s::int[],
                              %(from_stage_id)s::int[], %(to_stage_id)s::int[], %(from_phase)s::varchar[],
                              %(to_phase)s::varchar[], %(label)s::int[], %(closer_id)s::int[], %(setter_id)s::int[])
                    AS moves(lead_id, company_id, team_id, from_stage_id, to_stage_id, from_phase, to_phase, label,
                             closer_id, setter_id)
                 %(rate_facts_join)s
                 WHERE %(current)s
                """,
                current=self.env["crm.stage"]._phase_caches_are_current(),
                **dict(zip(LOG_COLUMNS, columns, strict=True)),
                rate_facts=rate_facts,
                rate_facts_join=rate_facts_join,
                labels=json.dumps(labels),
                reason=(intent.reason if intent else None) or None,
                override=bool(intent and intent.override),
                uid=self.env.uid,
                now=fields.Datetime.now(),
            )
        )
        if not self.env.cr.rowcount and self.env["crm.stage"]._refresh_stale_phase_caches():
            if from_stage_ids:
                for stage, leads in self.grouped("stage_id").items():
                    leads._check_phase_moves(stage.id, from_stage_ids)
            return self._log_phase_changes(from_stage_ids)
        # no log record is in the cache yet: only the leads' list of entries is stale
        self.invalidate_recordset(["phase_log_ids"])
