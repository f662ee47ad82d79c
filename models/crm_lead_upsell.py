from odoo import api, fields, models
from odoo.exceptions import UserError

from .res_config_settings import UPSELL_AUTO_PARAM, UPSELL_TEAM_PARAM


class CrmLead(models.Model):
    """Sold is the start condition for an optional upsell pipeline: a new opportunity in a
    team with a pipeline of its own, linked to the deal it comes from."""

    _inherit = "crm.lead"

    origin_lead_id = fields.Many2one(
        "crm.lead", "Original Deal", index="btree_not_null", copy=False, readonly=True, ondelete="set null"
    )
    upsell_lead_ids = fields.One2many("crm.lead", "origin_lead_id", "Upsell Opportunities", readonly=True)
    upsell_count = fields.Integer("Upsells", compute="_compute_upsell_count")

    @api.depends("upsell_lead_ids")
    def _compute_upsell_count(self):
        for lead in self:
            lead.upsell_count = len(lead.upsell_lead_ids)

    # ACTIONS

    def action_create_upsell_opportunity(self):
        self._check_phases_allow(lambda lead: lead.deal_phase == "sold", self.env._("upsell opportunities"))
        upsells = self._create_upsell_opportunities(self._upsell_team())
        return upsells._action_open_leads(self.env._("Upsell Opportunities"))

    def action_view_upsell_opportunities(self):
        self.ensure_one()
        return self.upsell_lead_ids._action_open_leads(self.env._("Upsell Opportunities"))

    def action_view_origin_deal(self):
        self.ensure_one()
        return self.origin_lead_id._action_open_leads(self.env._("Original Deal"))

    # BUSINESS

    def _on_phase_entered(self, from_stage_ids):
        super()._on_phase_entered(from_stage_ids)
        if not self.env["ir.config_parameter"].sudo().get_param(UPSELL_AUTO_PARAM):
            return
        sold = self.filtered(lambda lead: lead.deal_phase == "sold" and not lead.upsell_lead_ids)
        if sold:
            sold._create_upsell_opportunities(sold._upsell_team())

    @api.model
    def _upsell_team(self):
        team_id = self.env["ir.config_parameter"].sudo().get_param(UPSELL_TEAM_PARAM)
        team = self.env["crm.team"].browse(int(team_id)).exists() if team_id and team_id.isdigit() else None
        if not team:
            raise UserError(self.env._("Choose the upsell team in the CRM settings (Deal Phases) first."))
        if team.use_deal_phases:
            raise UserError(
                self.env._(
                    'The upsell team "%s" uses the deal phases: choose a team with a pipeline of its own.', team.name
                )
            )
        return team

    def _create_upsell_opportunities(self, team):
        return self.create(
            [
                {
                    "name": self.env._("Upsell: %s", lead.name),
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": (lead.closer_id or lead.user_id).id,
                    "partner_id": lead.partner_id.id,
                    "partner_name": lead.partner_name,
                    "contact_firstname": lead.contact_firstname,
                    "contact_lastname": lead.contact_lastname,
                    "phone": lead.phone,
                    "email_from": lead.email_from,
                    "origin_lead_id": lead.id,
                }
                for lead in self
            ]
        )

    def _action_open_leads(self, name):
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": "crm.lead",
            "views": [(False, "list"), (False, "form")],
            "domain": [("id", "in", self.ids)],
        }
        if len(self) == 1:
            action.update(views=[(False, "form")], res_id=self.id)
        return action
