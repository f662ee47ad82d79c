from odoo import fields, models
from odoo.exceptions import UserError


class CrmTeam(models.Model):
    _inherit = "crm.team"

    use_deal_phases = fields.Boolean(
        default=True,
        help="The team's pipeline is the eight deal phases and their rules. Turn it off for a team "
        "with a pipeline of its own (e.g. upsell): its board shows none of the phases and its "
        "leads are not governed.",
    )

    # ORM

    def write(self, vals):
        if "use_deal_phases" in vals and not vals["use_deal_phases"]:
            self._check_no_leads_in_phases()
        return super().write(vals)

    # BUSINESS

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
