from odoo import api, fields, models
from odoo.exceptions import UserError

from .deal_phase import DETAILS_PREFETCH, WON_PHASE


class CrmLead(models.Model):
    """Sold is the start condition for an optional upsell pipeline: a new opportunity in a
    team with a pipeline of its own, linked to the deal it comes from."""

    _inherit = "crm.lead"

    origin_lead_id = fields.Many2one(
        "crm.lead",
        "Original Deal",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
        prefetch=DETAILS_PREFETCH,
    )
    upsell_lead_ids = fields.One2many("crm.lead", "origin_lead_id", "Upsell Opportunities", readonly=True)
    upsell_count = fields.Integer("Upsells", compute="_compute_upsell_count")
    can_create_upsell = fields.Boolean(
        compute="_compute_can_create_upsell", help="Sold, and an upsell team is chosen in the settings."
    )

    @api.depends("upsell_lead_ids")
    def _compute_upsell_count(self):
        for lead in self:
            lead.upsell_count = len(lead.upsell_lead_ids)

    @api.depends("stage_id")
    def _compute_can_create_upsell(self):
        has_team = bool(self._deal_settings().upsell_team)
        for lead in self:
            lead.can_create_upsell = has_team and lead.deal_phase == WON_PHASE

    # ACTIONS

    def action_create_upsell_opportunity(self):
        self._check_phases_allow(
            lambda lead: lead.deal_phase == WON_PHASE,
            self.env._("Upsell opportunities start from Sold deals only; nothing was changed."),
        )
        upsells = self._create_upsell_opportunities(self._upsell_team())
        return upsells._action_open_leads(self.env._("Upsell Opportunities"))

    def action_view_upsell_opportunities(self):
        self.ensure_one()
        return self.upsell_lead_ids._action_open_leads(self.env._("Upsell Opportunities"))

    def action_view_origin_deal(self):
        self.ensure_one()
        return self.origin_lead_id._action_open_leads(self.env._("Original Deal"))

    # BUSINESS

    def _start_upsell_on_sold(self, from_stage_ids):
        if not self._deal_settings().upsell_auto:
            return
        sold = self.filtered(lambda lead: not lead.upsell_lead_ids)
        if sold:
            sold._create_upsell_opportunities(sold._upsell_team())

    @api.model
    def _upsell_team(self):
        team = self._deal_settings().upsell_team
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
        upsells = self._with_intent().create(
            [
                {
                    "name": self.env._("Upsell: %s", lead.name),
                    "type": "opportunity",
                    "team_id": team.id,
                    "user_id": (lead.closer_id or lead.user_id).id,
                    "partner_id": lead.partner_id.id,
                    "partner_name": lead.partner_name,
                    "contact_name": lead.contact_name,
                    "contact_firstname": lead.contact_firstname,
                    "contact_lastname": lead.contact_lastname,
                    "phone": lead.phone,
                    "email_from": lead.email_from,
                    "origin_lead_id": lead.id,
                }
                for lead in self
            ]
        )
        return upsells.with_env(self.env)

    def _action_open_leads(self, name):
        if len(self) == 1:
            return self._window_action(name, "crm.lead", res_id=self.id)
        return self._window_action(name, "crm.lead", views=("list", "form"), domain=[("id", "in", self.ids)])
