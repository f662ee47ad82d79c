from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_phase import DEAL_PHASES, NO_SHOW, NOT_SOLD, UNQUALIFIED
from .crm_deal_report_mixin import STAYING

NEXT_PHASES = [*DEAL_PHASES, (STAYING, "Still in the phase")]


class CrmDealPhaseReport(models.Model):
    """One row per entry of a lead into a phase, read from the phase log: when it entered,
    where it went next and how long it stayed. Phase x next phase, with the share of the
    phase's entries, is the conversion from phase to phase."""

    _name = "crm.deal.phase.report"
    _inherit = "crm.deal.report.mixin"
    _auto = False
    _description = "Deal Phase Analysis"
    _order = "date_entered desc"
    _rec_name = "lead_id"
    _phase_dimensions = ("phase", "from_phase", "next_phase")
    _share_measures = {"share_of_entries": ("next_phase", None)}
    _ratio_measures = {"moved_on_rate": ("moved_on", "entry_count")}

    lead_id = fields.Many2one("crm.lead", readonly=True)
    phase = fields.Selection(DEAL_PHASES, readonly=True)
    from_phase = fields.Selection(DEAL_PHASES, "Came From", readonly=True)
    next_phase = fields.Selection(NEXT_PHASES, "Moved On To", readonly=True)
    date_entered = fields.Datetime("Entered", readonly=True)
    date_left = fields.Datetime("Left", readonly=True)
    entry_count = fields.Integer("Entries", readonly=True)
    share_of_entries = fields.Float(
        "Share of the Phase's Entries", readonly=True, help="Of the entries into the phase, the share in this group."
    )
    moved_on = fields.Integer(readonly=True)
    moved_on_rate = fields.Float("Moved On (%)", readonly=True, help="Share of the entries that left the phase again.")
    days_in_phase = fields.Float("Days in Phase", readonly=True, aggregator="avg", digits=(16, 1))
    no_show = fields.Integer("No-shows", readonly=True, help="This First consultation ended in a no-show.")
    is_override = fields.Boolean("Override", readonly=True)
    closer_id = fields.Many2one("res.users", readonly=True)
    setter_id = fields.Many2one("res.users", readonly=True)
    user_id = fields.Many2one("res.users", "Salesperson", readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    lost_reason_id = fields.Many2one("crm.lost.reason", "Not-sold Reason", readonly=True)
    ko_reason_id = fields.Many2one("crm.ko.reason", "KO Reason", readonly=True)
    strike_count = fields.Integer("Strikes", readonly=True)

    def _select(self):
        return SQL(
            """
            log.id,
            log.lead_id,
            log.to_phase AS phase,
            log.from_phase,
            CASE WHEN LEAD(log.id) OVER entries IS NULL THEN %(staying)s
                 ELSE LEAD(log.to_phase) OVER entries END AS next_phase,
            log.date AS date_entered,
            LEAD(log.date) OVER entries AS date_left,
            1 AS entry_count,
            NULL::float AS share_of_entries,
            CASE WHEN LEAD(log.id) OVER entries IS NULL THEN 0 ELSE 1 END AS moved_on,
            NULL::float AS moved_on_rate,
            EXTRACT(EPOCH FROM LEAD(log.date) OVER entries - log.date) / 86400.0 AS days_in_phase,
            CASE WHEN log.to_phase = %(from_no_show)s AND LEAD(log.to_phase) OVER entries = %(to_no_show)s
                 THEN 1 ELSE 0 END AS no_show,
            log.is_override,
            lead.closer_id,
            lead.setter_id,
            lead.user_id,
            log.team_id,
            log.company_id,
            CASE WHEN log.to_phase = %(not_sold)s THEN lead.lost_reason_id END AS lost_reason_id,
            CASE WHEN log.to_phase = %(unqualified)s THEN lead.ko_reason_id END AS ko_reason_id,
            CASE WHEN LEAD(log.id) OVER entries IS NULL THEN lead.strike_count ELSE 0 END AS strike_count
            """,
            staying=STAYING,
            from_no_show=NO_SHOW[0],
            to_no_show=NO_SHOW[1],
            not_sold=NOT_SOLD,
            unqualified=UNQUALIFIED,
        )

    def _from(self):
        return SQL(
            """
            crm_deal_phase_log log
            JOIN crm_lead lead ON lead.id = log.lead_id
            """
        )

    def _where(self):
        return SQL("log.to_phase IS NOT NULL")

    def _window(self):
        """The entries of one lead in time, a merged lead's history apart from the survivor's."""
        return SQL("entries AS (PARTITION BY COALESCE(log.merged_lead_ref, log.lead_id) ORDER BY log.date, log.id)")
