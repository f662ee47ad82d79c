import json

from odoo import fields, models
from odoo.tools import SQL

from .deal_phase import DEAL_PHASES, DECISIONS, FIRST_MEETING, LOG_LABELS, SECOND_MEETING

# The columns of the log that name a record by its id, without a foreign key (AuditReference).
AUDIT_REFERENCES = ("company_id", "team_id", "from_stage_id", "to_stage_id", "closer_id", "setter_id", "user_id")
# The rows the consultation rates read: a First consultation booked or left, a deal's first
# decision (crm.deal.closer.report); the partial index holds these only.
CONSULTATION_RATES_ROWS = (
    f"is_override IS NOT TRUE AND (to_phase = '{FIRST_MEETING}' OR from_phase = '{FIRST_MEETING}'"
    " OR is_first_decision IS TRUE)"
)


class AuditReference(fields.Many2one):
    """A Many2one of an audit row without a foreign key, so that a move of 1,000 leads does
    not pay 5,000 key checks. What the key's ON DELETE SET NULL did, the ORM's unlink of the
    named model does (CrmDealPhaseLog._forget_deleted): the rows stay, their reference to the
    deleted record is cleared and every read path (forms, lists, groupings) keeps working."""

    def update_db_foreign_key(self, model, column):
        return


class CrmDealPhaseLog(models.Model):
    """One row per phase change of a lead. Written by the server only (the access rules
    grant no one create, write or unlink), so the trail can be trusted for analysis. A merge
    carries the merged lead's rows over to the lead that stays, marked with where they came
    from."""

    _name = "crm.deal.phase.log"
    _description = "Deal Phase Change"
    # Written on the hottest path of the CRM (every stage change): the only index every move
    # adds to besides the primary key is the lead's, which the lead form and the cascade
    # need. The consultation rates' (crm.deal.closer.report) is partial: only a consultation's
    # booking, outcome or first decision adds to it.
    # user_id and date say who changed what when; the ORM's create/write columns would
    # only repeat them (and cost two more foreign-key checks per move). The references to
    # other records than the lead carry no foreign key (AuditReference).
    _log_access = False
    _order = "date desc, id desc"
    _rec_name = "lead_id"
    _consultation_rates_idx = models.Index(f"(date) WHERE {CONSULTATION_RATES_ROWS}")

    # Lead
    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = AuditReference(related="lead_id.company_id", store=True, readonly=True)
    team_id = AuditReference("crm.team", "Sales Team", readonly=True)
    merged_lead_ref = fields.Integer(
        "Merged Lead ID",
        readonly=True,
        help="The lead this change was recorded on, before it was merged into this one.",
    )
    merged_lead_name = fields.Char("Merged From", readonly=True)
    # Move
    from_stage_id = AuditReference("crm.stage", "From Phase", readonly=True)
    to_stage_id = AuditReference("crm.stage", "To Phase", readonly=True)
    from_phase = fields.Selection(DEAL_PHASES, "From Phase Code", readonly=True)
    to_phase = fields.Selection(DEAL_PHASES, "To Phase Code", readonly=True)
    transition_label = fields.Char("Outcome", readonly=True, translate=True)
    reason = fields.Text(readonly=True)
    is_override = fields.Boolean("Override", readonly=True, help="A manager forced this move past the phase graph.")
    # What the consultation rates count, fixed when the row is written (crm_lead_history.py):
    # the deal's first decision, and whether a Second consultation came before it
    is_first_decision = fields.Boolean(
        "First Decision",
        readonly=True,
        help="The deal's first Sold or Not sold not forced by a Sales Administrator: a decided deal in the rates.",
    )
    is_after_second_meeting = fields.Boolean(
        "After a Second Consultation",
        readonly=True,
        help="A first decision the deal reached after a Second consultation.",
    )
    # Who: the lead's closer and setter as the move left them (what the consultation rates are
    # grouped by: the closer who held a consultation keeps it when the lead changes hands later),
    # the user who moved it, and when
    closer_id = AuditReference("res.users", "Closer", readonly=True)
    setter_id = AuditReference("res.users", "Setter", readonly=True)
    user_id = AuditReference("res.users", "Changed By", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)

    # BUSINESS

    def _forget_deleted(self, records):
        """records (users, teams, stages or companies) are being deleted: the history's rows
        that name them stay, without the reference. One UPDATE per reference to their model."""
        names = [name for name in AUDIT_REFERENCES if self._fields[name].comodel_name == records._name]
        if not (names and records.ids):
            return
        self.flush_model(names)
        for name in names:
            self.env.cr.execute(
                SQL(
                    "UPDATE crm_deal_phase_log SET %(column)s = NULL WHERE %(column)s = ANY(%(ids)s)",
                    column=SQL.identifier(name),
                    ids=list(records.ids),
                )
            )
        self.invalidate_model(names)

    def _rebuild_rate_facts(self):
        """is_first_decision and is_after_second_meeting of every row, as a move writes them
        (the upgrade to 19.0.5, rows written in bulk): per deal - the lead a row was recorded
        on, before any merge - its first decision not forced, and whether a Second
        consultation of its lead came before. Rows already right are not rewritten."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_deal_phase_log log
                   SET is_first_decision = facts.first, is_after_second_meeting = facts.after_second
                  FROM (SELECT row.id, decision.id IS NOT NULL AS first,
                               decision.id IS NOT NULL AND EXISTS (
                                   SELECT 1 FROM crm_deal_phase_log second
                                    WHERE second.lead_id = row.lead_id AND second.to_phase = %(second)s
                                      AND second.date <= row.date) AS after_second
                          FROM crm_deal_phase_log row
                     LEFT JOIN (SELECT DISTINCT ON (COALESCE(merged_lead_ref, lead_id)) id
                                  FROM crm_deal_phase_log
                                 WHERE to_phase IN %(decisions)s AND is_override IS NOT TRUE
                              ORDER BY COALESCE(merged_lead_ref, lead_id), date, id) decision ON decision.id = row.id
                       ) facts
                 WHERE facts.id = log.id
                   AND (log.is_first_decision IS DISTINCT FROM facts.first
                        OR log.is_after_second_meeting IS DISTINCT FROM facts.after_second)
                """,
                second=SECOND_MEETING,
                decisions=DECISIONS,
            )
        )
        self.invalidate_model(["is_first_decision", "is_after_second_meeting"])

    def _complete_label_translations(self):
        """The history keeps each outcome's label in every installed language. A language
        installed later, or translations loaded after the rows were written (the demo),
        fill in the languages the rows lack: from the transition the label came from, or
        from the addon's own labels (overrides, strikes, team changes)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_deal_phase_log log
                   SET transition_label = transition.name || log.transition_label
                  FROM crm_stage_transition transition
                 WHERE transition.from_phase = log.from_phase AND transition.to_phase = log.to_phase
                   AND log.transition_label ->> 'en_US' = transition.name ->> 'en_US'
                   AND NOT log.transition_label @> transition.name
                """
            )
        )
        Lead = self.env["crm.lead"]
        for label in LOG_LABELS:
            translations = Lead._all_translations(label)
            self.env.cr.execute(
                SQL(
                    """
                    UPDATE crm_deal_phase_log
                       SET transition_label = %(translations)s::jsonb || transition_label
                     WHERE transition_label ->> 'en_US' = %(source)s
                       AND NOT transition_label @> %(translations)s::jsonb
                    """,
                    translations=json.dumps(translations),
                    source=translations.get("en_US") or label._source,
                )
            )
        self.invalidate_model(["transition_label"])
