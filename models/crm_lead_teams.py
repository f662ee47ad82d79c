from typing import NamedTuple

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import SQL, create_index
from odoo.tools.sql import drop_index

from .deal_phase import ENTRY_PHASE, LEFT_PHASES_LABEL


class DealPhaseScope(NamedTuple):
    """Which leads the deal phases govern: those of the teams on the phases, and those without
    a team in the companies that chose so. Everything else is stock crm."""

    team_ids: frozenset
    teamless_company_ids: frozenset

    def __bool__(self):
        return bool(self.team_ids or self.teamless_company_ids)

    def governs(self, team_id, company_id):
        return team_id in self.team_ids if team_id else company_id in self.teamless_company_ids


# Indexes of the leads in the phases' stages only, so that the leads of a team off the phases
# maintain none of them when they move or are created (name, columns, predicate beside the
# stages). Their predicate names those stages' ids: they are made again when a stage's phase
# changes (_index_phase_leads). The queries they serve name one or more of those stages, so the
# planner proves the predicate from the query's own WHERE.
PHASE_LEAD_INDEXES = (
    # the Follow-up list's order, per stage (the Qualified and Closer follow-up lists walk
    # crm's own index of date_last_stage_update)
    (
        "crm_lead_follow_up_list_idx",
        ("stage_id", "last_call_date NULLS FIRST", "date_last_stage_update"),
        "active IS TRUE",
    ),
    # the calling queue's first part, leads never called, by stage and age (crm_lead_call_queue.py);
    # the predicate is the ORM's SQL of call_count = 0, which also matches NULL
    (
        "crm_lead_call_queue_new_inquiries_idx",
        ("stage_id", "create_date"),
        "(call_count = 0 OR call_count IS NULL) AND active IS TRUE",
    ),
)
PHASE_LEAD_INDEXES_PENDING = "crm_deal_phases.index_phase_leads"


class CrmLead(models.Model):
    """Which pipeline a lead follows: the deal phases where its team (or, without a team, its
    company) uses them, else crm's own stages, untouched. A team change - by the team, the
    salesperson, a merge or a conversion - takes the lead out of the phases or into them,
    logged like any other move."""

    _inherit = "crm.lead"

    deal_phases_governed = fields.Boolean(
        "Follows the Deal Phases",
        compute="_compute_deal_phases_governed",
        search="_search_deal_phases_governed",
        help="The lead's team uses the deal phases (or, without a team, its company lets such leads follow them).",
    )

    def init(self):
        res = super().init()
        self._index_phase_leads()
        return res

    @api.depends("team_id", "company_id")
    def _compute_deal_phases_governed(self):
        scope = self._deal_phases_scope()
        for lead in self:
            lead.deal_phases_governed = lead._is_governed_in(scope)

    def _search_deal_phases_governed(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        governed = self._deal_phases_domain()
        return governed if (operator == "=") == value else ~governed

    @api.depends("team_id", "type")
    def _compute_stage_id(self):
        """A lead in a phase keeps it (crm would pick the first stage of a new team behind
        the graph's back); a lead the phases govern that is in none lands in Inquiry received
        (created, or moved into a team on the phases); every other lead is crm's."""
        scope = self._deal_phases_scope()
        if not scope:
            return super()._compute_stage_id()
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        inquiry = self.env["crm.stage"]._stage_of_phase(ENTRY_PHASE)
        in_phase = self.filtered(lambda lead: lead.stage_id.id in phase_of)
        entering = (self - in_phase).filtered(lambda lead: lead._is_governed_in(scope)) if inquiry else self.browse()
        entering.stage_id = inquiry
        return super(CrmLead, self - in_phase - entering)._compute_stage_id()

    def _stage_find(self, team_id=False, domain=None, order="sequence, id", limit=1):
        """Leads the phases govern find their stage among the phases, all others among crm's
        stages only: the phases are shared by no team but their own."""
        domain = [*(domain or []), ("deal_phase", "!=" if self._finds_deal_phase(team_id) else "=", False)]
        return super()._stage_find(team_id=team_id, domain=domain, order=order, limit=limit)

    @api.model
    def _read_group_stage_ids(self, stages, domain):
        """The board of the deal phases shows the eight phases (and a stage still holding
        some of its leads); every other board shows crm's columns and no empty phase."""
        result = super()._read_group_stage_ids(stages, domain)
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        if self._is_deal_phases_board():
            return result.filtered(lambda stage: stage.id in phase_of or stage in stages)
        return result.filtered(lambda stage: stage.id not in phase_of or stage in stages)

    # BUSINESS

    @api.model
    def _index_phase_leads(self):
        """PHASE_LEAD_INDEXES for the stages that carry a phase now. Each index's comment says
        which stages it was made for: an index already made for them is left alone."""
        cr = self.env.cr
        stage_ids = ",".join(map(str, sorted(self.env["crm.stage"]._phase_by_stage_id())))
        names = tuple(name for name, _columns, _where in PHASE_LEAD_INDEXES)
        cr.execute(SQL("SELECT relname, obj_description(oid, 'pg_class') FROM pg_class WHERE relname IN %s", names))
        made_for = dict(cr.fetchall())
        for name, columns, where in PHASE_LEAD_INDEXES:
            if name in made_for and made_for[name] == stage_ids:
                continue
            drop_index(cr, name, self._table)
            if stage_ids:  # no stage carries a phase (yet, during the install): no lead is in one
                create_index(
                    cr, name, self._table, columns, where=f"stage_id IN ({stage_ids}) AND {where}", comment=stage_ids
                )

    @api.model
    def _index_phase_leads_at_commit(self):
        """A stage's phase changed in this transaction: the indexes follow once, before the
        commit (the install creates the eight phase stages one by one)."""
        precommit = self.env.cr.precommit
        if not precommit.data.get(PHASE_LEAD_INDEXES_PENDING):
            precommit.data[PHASE_LEAD_INDEXES_PENDING] = True
            precommit.add(self._index_phase_leads)

    @api.model
    def _deal_phases_scope(self):
        return DealPhaseScope(
            self.env["crm.team"]._deal_phase_team_ids(), self.env["res.company"]._deal_phase_teamless_company_ids()
        )

    def _is_governed_in(self, scope):
        """The one test of a lead: its team, or without one its company (no query: both ids
        are on the lead, the scope in a registry cache)."""
        return scope.governs(self.team_id.id, self.company_id.id or self.env.company.id)

    def _governed_leads(self, scope=None):
        scope = scope or self._deal_phases_scope()
        if not scope:
            return self.browse()
        return self.filtered(lambda lead: lead._is_governed_in(scope))

    @api.model
    def _deal_phases_domain(self):
        """The leads the deal phases govern, as a search domain."""
        scope = self._deal_phases_scope()
        domain = Domain("team_id", "in", list(scope.team_ids)) if scope.team_ids else Domain.FALSE
        company_ids = list(scope.teamless_company_ids)
        if company_ids:
            teamless = Domain("company_id", "in", company_ids)
            if self.env.company.id in scope.teamless_company_ids:
                teamless |= Domain("company_id", "=", False)
            domain |= Domain("team_id", "=", False) & teamless
        return domain

    def _finds_deal_phase(self, team_id=False):
        """Whether _stage_find looks for a phase: every team it considers (team_id, else the
        leads' own) uses the phases, or - no team at all - the company's leads without a team
        follow them."""
        scope = self._deal_phases_scope()
        if not scope:
            return False
        team_ids = {team_id} if team_id else set(self.team_id.ids)
        if team_ids:
            return team_ids <= scope.team_ids
        companies = self.company_id or self.env.company
        return all(company.id in scope.teamless_company_ids for company in companies)

    @api.model
    def _is_deal_phases_board(self):
        """The board of the deal phases: its own action, or a board of teams that all use them."""
        context = self.env.context
        if context.get("deal_phases_board"):
            return True
        team_ids = set(self.env.user.crm_team_ids.ids) if context.get("show_user_team_stages") else set()
        if isinstance(context.get("default_team_id"), int):
            team_ids.add(context["default_team_id"])
        return bool(team_ids) and team_ids <= self._deal_phases_scope().team_ids

    def _in_foreign_stage(self):
        """No stage, or a stage of other teams' own pipelines."""
        self.ensure_one()
        stage = self.stage_id
        return not stage or bool(stage.team_ids and self.team_id not in stage.team_ids)

    def _check_placement(self, scope=None):
        """A lead the phases govern sits in a phase; any other lead never does. Judged for new
        leads and for moves into or out of the phases (a lead outside them costs the test of
        its team only)."""
        scope = scope or self._deal_phases_scope()
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        misplaced = []
        for lead in self:
            in_phase = lead.stage_id.id in phase_of
            governed = lead._is_governed_in(scope)
            if governed and not in_phase:
                misplaced.append(
                    self.env._(
                        '"%(lead)s" follows the deal phases: it cannot be in %(stage)s, a stage of another '
                        "pipeline. It enters the phases at %(inquiry)s.",
                        lead=lead.display_name,
                        stage=lead.stage_id.name or self.env._("no stage"),
                        inquiry=self.env["crm.stage"]._stage_of_phase(ENTRY_PHASE).name,
                    )
                )
            elif in_phase and not governed:
                misplaced.append(
                    self.env._(
                        '"%(lead)s" belongs to %(team)s, which does not use the deal phases: '
                        "it cannot be in the deal phase %(stage)s.",
                        lead=lead.display_name,
                        team=lead.team_id.name or self.env._("no team"),
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
        """Leads that are in a phase although their team (now) has a pipeline of its own leave
        the phases for that team's first stage; the move is logged."""
        scope = self._deal_phases_scope()
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        leaving = self.filtered(lambda lead: lead.stage_id.id in phase_of and not lead._is_governed_in(scope))
        for team, leads in leaving.grouped("team_id").items():
            stage = leads._stage_find(team_id=team.id, domain=[("fold", "=", False)])
            if not stage:
                raise UserError(
                    self.env._(
                        'The team "%s" does not use the deal phases and has no stage of its own for these leads.',
                        team.name or self.env._("no team"),
                    )
                )
            reason = (
                self.env._("Moved to the team %s", team.name) if team else self.env._("Moved out of its sales team")
            )
            leads._with_intent(label=LEFT_PHASES_LABEL, reason=reason, leaving_phases=True).write(
                {"stage_id": stage.id}
            )
