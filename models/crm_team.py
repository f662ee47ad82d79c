from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from .deal_phase import ENTRY_PHASE


class CrmTeam(models.Model):
    _inherit = "crm.team"

    use_deal_phases = fields.Boolean(
        default=False,
        help="The team's pipeline is the eight deal phases and their rules. Off (the default, for every team "
        "created by hand, by code or by another app): the team keeps crm's stages and behaves as without "
        "this app. Turning it on leaves the team's leads where they are; each enters the phases at "
        "Inquiry received when it is moved.",
    )

    deal_phases_leads_to_take_over = fields.Integer(
        "Leads to Take Over",
        compute="_compute_deal_phases_leads_to_take_over",
        help="The team's leads still in crm's stages: each enters the deal phases at Inquiry received when it is "
        "moved, or all at once with Take over.",
    )

    @api.depends("use_deal_phases")
    def _compute_deal_phases_leads_to_take_over(self):
        counts = (
            dict(self.env["crm.lead"]._read_group(self._leads_to_take_over_domain(), ["team_id"], ["__count"]))
            if any(self.mapped("use_deal_phases")) and self.ids
            else {}
        )
        for team in self:
            team.deal_phases_leads_to_take_over = counts.get(team._origin, 0) if team.use_deal_phases else 0

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        if any(vals.get("use_deal_phases") for vals in vals_list):
            self.env["crm.stage"]._signal_phase_caches_changed()
        return teams

    def write(self, vals):
        if "use_deal_phases" in vals and not vals["use_deal_phases"]:
            self._check_no_leads_in_phases()
        res = super().write(vals)
        if "use_deal_phases" in vals:
            self.env["crm.stage"]._signal_phase_caches_changed()
        return res

    def unlink(self):
        governed = any(self.mapped("use_deal_phases"))
        self.env["crm.deal.phase.log"]._forget_deleted(self)
        res = super().unlink()
        if governed:
            self.env["crm.stage"]._signal_phase_caches_changed()
        return res

    # ACTIONS

    def action_take_over_leads(self):
        """The team's leads still in crm's stages enter the deal phases at Inquiry received,
        each move logged as entering the phases."""
        self.ensure_one()
        if not self.use_deal_phases:
            raise UserError(self.env._('"%s" does not use the deal phases: its leads keep its stages.', self.name))
        leads = self.env["crm.lead"].search(self._leads_to_take_over_domain(self))
        leads.write({"stage_id": self.env["crm.stage"]._stage_of_phase(ENTRY_PHASE).id})
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("%(count)s leads entered the deal phases at Inquiry received.", count=len(leads)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    # BUSINESS

    @api.model
    def _leads_to_take_over_domain(self, teams=None):
        return [
            ("team_id", "in", (teams or self).ids),
            ("type", "=", "opportunity"),
            ("stage_id.deal_phase", "=", False),
        ]

    @api.model
    @tools.ormcache()
    def _deal_phase_team_ids(self):
        """The ids of the teams on the deal phases (archived ones included: their leads stay
        in the phases). Read on every write of a lead, so from a registry cache."""
        teams = self.env["crm.stage"]._cached_env()["crm.team"].with_context(active_test=False)
        return frozenset(teams.search([("use_deal_phases", "=", True)]).ids)

    def _check_no_leads_in_phases(self):
        """A team leaves the deal phases once its leads are out of them: the rules would stop
        holding for leads still in a phase, with no trace in their history."""
        counts = (
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            ._read_group(
                [("team_id", "in", self.filtered("use_deal_phases").ids), ("stage_id.deal_phase", "!=", False)],
                ["team_id"],
                ["__count"],
            )
        )
        if counts:
            raise UserError(
                self.env._(
                    "A team whose leads are in the deal phases keeps using them; nothing was changed. "
                    "Move the leads to another team first.\n%s",
                    "\n".join(
                        self.env._('- "%(team)s": %(count)s leads in a phase', team=team.name, count=count)
                        for team, count in counts
                    ),
                )
            )
