from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.fields import Domain


class ResCompany(models.Model):
    _inherit = "res.company"

    deal_phases_without_team = fields.Boolean(
        "Leads Without a Team Follow the Deal Phases",
        help="Leads of this company that belong to no sales team (web forms, mail aliases, imports) follow "
        "the deal phases. Off (the default): they keep crm's stages, as without this app.",
    )

    # ORM

    def write(self, vals):
        if "deal_phases_without_team" in vals and not vals["deal_phases_without_team"]:
            self._check_no_teamless_leads_in_phases()
        res = super().write(vals)
        if "deal_phases_without_team" in vals:
            self.env["crm.stage"]._signal_phase_caches_changed()
        return res

    def unlink(self):
        self.env["crm.deal.phase.log"]._forget_deleted(self)
        return super().unlink()

    # BUSINESS

    @api.model
    @tools.ormcache()
    def _deal_phase_teamless_company_ids(self):
        """The ids of the companies whose leads without a team follow the deal phases."""
        companies = self.env["crm.stage"]._cached_env()["res.company"].with_context(active_test=False)
        return frozenset(companies.search([("deal_phases_without_team", "=", True)]).ids)

    def _check_no_teamless_leads_in_phases(self):
        """As for a team: leads without a team that are in a phase keep the company on the phases
        (those without a company too, unless another company keeps its leads on them)."""
        turning_off = self.filtered("deal_phases_without_team")
        companies = Domain("company_id", "in", turning_off.ids)
        if turning_off and not self._deal_phase_teamless_company_ids() - set(turning_off.ids):
            companies |= Domain("company_id", "=", False)
        count = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            .search_count(companies & Domain("team_id", "=", False) & Domain("stage_id.deal_phase", "!=", False))
        )
        if count:
            raise UserError(
                self.env._(
                    "%(count)s leads without a team are in the deal phases, so they keep following them; nothing "
                    "was changed. Give these leads a team first.",
                    count=count,
                )
            )
