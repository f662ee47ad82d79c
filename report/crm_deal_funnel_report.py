from odoo import fields, models
from odoo.tools import SQL

from ..models.deal_phase import DEAL_PHASES, ENTRY_PHASE, FUNNEL_MASKS, FUNNEL_PREVIOUS, PHASE_CODES


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
