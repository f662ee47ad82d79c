from odoo import api, models
from odoo.exceptions import UserError

from .deal_phase import ENTRY_PHASE, LEFT_PHASES_LABEL


class CrmLead(models.Model):
    """Which pipeline a lead follows: the deal phases, unless its team has a pipeline of its
    own (e.g. upsell). A team change - by the team, the salesperson, a merge or a conversion
    - takes the lead out of the phases or into them, logged like any other move."""

    _inherit = "crm.lead"

    @api.depends("team_id", "type")
    def _compute_stage_id(self):
        """A lead in a phase keeps it (crm would pick the first stage of a new team behind
        the graph's back); a lead that follows the phases and has no stage, or one of another
        team's own pipeline, lands in Inquiry received."""
        inquiry = self.env["crm.stage"]._stage_of_phase(ENTRY_PHASE)
        in_phase = self.filtered(lambda lead: lead.stage_id.deal_phase)
        entering = self.browse()
        if inquiry:
            entering = (self - in_phase).filtered(lambda lead: lead._uses_deal_phases() and lead._in_foreign_stage())
            entering.stage_id = inquiry
        return super(CrmLead, self - in_phase - entering)._compute_stage_id()

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        """Teams with a pipeline of their own never get a deal phase as their stage, and
        their own stages come before the ones all teams share."""
        teams = self.env["crm.team"].browse(team_id) | self.team_id
        if teams and not any(teams.mapped("use_deal_phases")):
            domain = [*(domain or []), ("deal_phase", "=", False)]
            own = self.env["crm.stage"].search([("team_ids", "in", teams.ids), *domain], order=order, limit=limit)
            if own:
                return own
        return super()._stage_find(team_id=team_id, domain=domain, order=order, limit=limit)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """The board of a team with a pipeline of its own shows none of the empty phases."""
        result = super()._read_group_stage_ids(stages, domain)
        team = self.env["crm.team"].browse(self.env.context.get("default_team_id")).exists()
        if team and not team.use_deal_phases:
            result = result.filtered(lambda stage: not stage.deal_phase or stage in stages)
        return result

    # BUSINESS

    @api.model
    def _deal_phases_domain(self):
        """The leads that follow the deal phases: without a team, or in a team using them."""
        return ["|", ("team_id", "=", False), ("team_id.use_deal_phases", "=", True)]

    def _uses_deal_phases(self):
        self.ensure_one()
        return bool(self.filtered_domain(self._deal_phases_domain()))

    def _in_foreign_stage(self):
        """No stage, or a stage of other teams' own pipelines."""
        self.ensure_one()
        stage = self.stage_id
        return not stage or bool(stage.team_ids and self.team_id not in stage.team_ids)

    def _check_placement(self, from_stage_ids=None):
        """A lead that follows the phases sits in a phase (or where it was before the phases
        came, a stage shared by all teams); a lead of a team with its own pipeline never sits
        in a phase. Judged for new leads and for moves into or out of the phases."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        creating = from_stage_ids is None
        misplaced = []
        for lead in self:
            in_phase = lead.stage_id.id in phase_of
            if not creating and in_phase and from_stage_ids.get(lead.id) in phase_of:
                continue  # a move between phases: the graph judged it
            governed = lead._uses_deal_phases()
            if governed and not in_phase and (creating or lead._in_foreign_stage()):
                misplaced.append(
                    self.env._(
                        '"%(lead)s" follows the deal phases: it cannot be in %(stage)s, a stage of another pipeline.',
                        lead=lead.display_name,
                        stage=lead.stage_id.name or self.env._("no stage"),
                    )
                )
            elif not governed and in_phase:
                misplaced.append(
                    self.env._(
                        '"%(lead)s" belongs to the team %(team)s, which has a pipeline of its own: '
                        "it cannot be in the deal phase %(stage)s.",
                        lead=lead.display_name,
                        team=lead.team_id.name,
                        stage=lead.stage_id.name,
                    )
                )
        if misplaced:
            raise UserError(
                self.env._(
                    "These leads cannot be placed there; nothing was changed.\n%s", self._format_lines(misplaced)
                )
            )

    def _follow_team_pipeline(self):
        """Leads whose team changed and that are in a phase although the team has a pipeline
        of its own leave the phases for that team's first stage; the move is logged."""
        leaving = self.filtered(lambda lead: lead.stage_id.deal_phase and not lead._uses_deal_phases())
        for team, leads in leaving.grouped("team_id").items():
            stage = self._stage_find(team_id=team.id, domain=[("deal_phase", "=", False), ("fold", "=", False)])
            if not stage:
                raise UserError(
                    self.env._(
                        'The team "%s" does not use the deal phases and has no stage of its own for these leads.',
                        team.name,
                    )
                )
            reason = self.env._("Moved to the team %s", team.name)
            leads._with_intent(label=LEFT_PHASES_LABEL, reason=reason, leaving_phases=True).write(
                {"stage_id": stage.id}
            )
