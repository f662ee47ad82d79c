from odoo import fields, models

from .deal_phase import DEAL_PHASES


class CrmDealPhaseLog(models.Model):
    """One row per phase change of a lead. Written by the server only (the access rules
    grant no one create, write or unlink), so the trail can be trusted for analysis."""

    _name = "crm.deal.phase.log"
    _description = "Deal Phase Change"
    # Written on the hottest path of the CRM (every stage change): the only index besides the
    # primary key is the lead's, which the lead form and the cascade need. The reports read
    # the whole log and gain nothing from more.
    # user_id and date say who changed what when; the ORM's create/write columns would
    # only repeat them (and cost two more foreign-key checks per move).
    _log_access = False
    _order = "date desc, id desc"
    _rec_name = "lead_id"

    # Lead
    lead_id = fields.Many2one("crm.lead", "Lead", required=True, index=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="lead_id.company_id", store=True, readonly=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    # Move
    from_stage_id = fields.Many2one("crm.stage", "From Stage", ondelete="set null", readonly=True)
    to_stage_id = fields.Many2one("crm.stage", "To Stage", ondelete="set null", readonly=True)
    from_phase = fields.Selection(DEAL_PHASES, "From Phase", readonly=True)
    to_phase = fields.Selection(DEAL_PHASES, "To Phase", readonly=True)
    transition_label = fields.Char("Transition", readonly=True)
    reason = fields.Text(readonly=True)
    is_override = fields.Boolean("Override", readonly=True, help="A manager forced this move past the phase graph.")
    # Who and when
    user_id = fields.Many2one("res.users", "Changed By", readonly=True)
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
