"""How a lead moves between phases: the one file to read.

Every stage change - create, write, Won, copy, merge, convert, import, RPC, a team or a
salesperson change that moves the stage - runs through create() and write() below:

1. whether the phases concern the write at all (_phase_rules_apply, _values_may_enter_phases):
   a team off the phases gets crm's write, with no query and no Python per lead beyond the
   test of its team;
2. the values a client may write (_checked_values, crm_lead_values.py);
3. the graph judges the move (_check_phase_moves): the whole batch is refused when one lead
   may not go there, and a consultation's outcomes are its closer's (crm_lead_consultations.py);
4. the write, with what the move brings along in the same UPDATE (_move_values: the hooks
   deal_phase.py declares in VALUES_ON_EVERY_MOVE and each phase's values_on_leave and
   values_on_enter);
5. the new phase's data (_check_phase_requirements, each requirement in crm_lead_qualification.py);
6. the history (_log_phase_changes, crm_lead_history.py);
7. the effects (_run_phase_effects: each phase's on_leave and on_enter, TRANSITION_EFFECTS, in
   EFFECT_ORDER), once per batch with the leads they concern.

Every hook is a crm.lead method named in deal_phase.py's tables; nothing here is extended by
super() elsewhere. Writes that are not moves have their own small overrides: a new meeting
date is a postponement (crm_lead_meetings.py), a corrected number is checked
(crm_lead_calls.py), a contact name is split in first and last name (crm_lead_qualification.py).
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from .deal_phase import (
    DEAL_PHASES,
    EFFECT_ORDER,
    ENTRY_PHASE,
    LEAD_ONLY_EFFECTS,
    PHASES,
    TRANSITION_EFFECTS,
    VALUES_ON_EVERY_MOVE,
    PhaseIntent,
)


class CrmLead(models.Model):
    """The phase graph on crm.lead: how create() and write() judge, write, log and follow up
    a move (see the module's docstring)."""

    _inherit = "crm.lead"

    # the stage's phase, searched as the stages carrying it: a work list filters on the
    # lead's own stage_id and pages on an index of crm_lead, not on a join to the stages
    deal_phase = fields.Selection(
        DEAL_PHASES,
        compute="_compute_deal_phase",
        search="_search_deal_phase",
        help="The documented deal phase this stage stands for. The phase graph and every rule "
        "key on it, so the stage may be renamed freely. Stages without a phase are not governed.",
    )

    @api.depends("stage_id.deal_phase")
    def _compute_deal_phase(self):
        phase_of = self.env["crm.stage"]._phase_by_stage_id()  # no read of the stages
        for stage, leads in self.grouped("stage_id").items():
            leads.deal_phase = phase_of.get(stage.id, False)

    def _search_deal_phase(self, operator, value):
        if operator != "in":
            return NotImplemented
        stage_of = self.env["crm.stage"]._stage_id_by_phase()
        domain = Domain("stage_id", "in", [stage_of[phase] for phase in value if phase in stage_of])
        if False in value:  # no phase: a stage without one, or no stage
            domain |= Domain("stage_id", "not in", list(stage_of.values()))
        return domain

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        scope = self._deal_phases_scope()
        if not self._values_may_enter_phases(vals_list, scope):
            # nothing here follows the phases: crm's create, the addon's own fields still checked
            return super().create(self._checked_values_list(vals_list, creating=True, governed=False))
        vals_list = self._checked_values_list(vals_list, creating=True)
        leads = super().create(vals_list)
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        concerned = leads.filtered(lambda lead: lead.stage_id.id in phase_of or lead._is_governed_in(scope))
        if concerned:
            concerned._check_placement(scope)
            concerned._check_phase_creation()
            concerned._log_phase_changes({})
            concerned._run_phase_effects({})
        return leads

    def write(self, vals):
        if not self._phase_rules_apply(vals):
            return super().write(self._checked_values(vals, governed=False))
        vals = self._checked_values(vals)
        moving_fields = vals.keys() & self._stage_moving_fields()
        if not moving_fields:
            return super().write(vals)
        # plain ids, not records: the checks below work on values, whatever the batch size
        from_stage_ids = {lead.id: lead.stage_id.id for lead in self}
        # a salesperson, a team or a type may move the stage (and the team) through crm's computes
        moved_by_computes = bool(moving_fields - {"stage_id"})
        from_team_ids = {lead.id: lead.team_id.id for lead in self} if moved_by_computes else {}
        if "stage_id" in vals:
            target_id = vals["stage_id"]
            moved = self.browse([lead_id for lead_id, stage_id in from_stage_ids.items() if stage_id != target_id])
            moved._check_phase_moves(target_id, from_stage_ids)
            res = self._write_move(vals, moved, from_stage_ids, target_id)
        else:
            res = super().write(vals)
        if moved_by_computes:
            # whatever was written, compare each lead's stage before and after
            moved = self.filtered(lambda lead: lead.stage_id.id != from_stage_ids[lead.id])
            if "stage_id" not in vals:
                for stage, leads in moved.grouped("stage_id").items():
                    leads._check_phase_moves(stage.id, from_stage_ids)
        if moved:
            if not moved._moves_between_phases(from_stage_ids):
                moved._check_placement()
            moved._check_phase_requirements()
            moved._log_phase_changes(from_stage_ids)
            moved._run_phase_effects(from_stage_ids)
        if moved_by_computes:
            self.filtered(lambda lead: lead.team_id.id != from_team_ids[lead.id])._follow_team_pipeline()
        return res

    def _phase_rules_apply(self, vals):
        """Whether this write concerns the deal phases: a lead it touches follows them, or
        the values may bring one into them (a phase, a team on the phases, a salesperson or a
        type whose team may be one). Anything else is crm's write, judged with no query and
        no Python per lead beyond the test of its team."""
        if not isinstance(vals, dict):
            return True
        if "stage_id" in vals:
            stage = vals["stage_id"]
            if not (stage is False or (type(stage) is int and stage not in self.env["crm.stage"]._phase_by_stage_id())):
                return True
        scope = self._deal_phases_scope()
        if not scope:
            return False
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        if any(lead.stage_id.id in phase_of or lead._is_governed_in(scope) for lead in self):
            return True
        moving = vals.keys() & self._stage_moving_fields() - {"stage_id"}
        if moving == {"team_id"}:
            team = vals["team_id"]
            return not (type(team) is int and team and team not in scope.team_ids)
        return bool(moving)

    @api.model
    def _values_may_enter_phases(self, vals_list, scope):
        """Whether leads created from vals_list may follow the phases: one is to be created
        in a phase, or in a team on the phases, or its team is yet to be computed while some
        team (or leads without one) follows them."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        for vals in vals_list:
            if not isinstance(vals, dict):
                return True
            stage = vals.get("stage_id", False)
            if not (stage is False or (type(stage) is int and stage not in phase_of)):
                return True
            if scope:
                team = vals.get("team_id")
                if not (type(team) is int and team and team not in scope.team_ids):
                    return True
        return False

    def _write_move(self, vals, moved, from_stage_ids, target_stage_id):
        """Write vals; what the move brings along for each moved lead (_move_values: the
        setter it gains) goes into the same UPDATE, one write per distinct set of values."""
        extra_by_lead = moved._move_values(from_stage_ids, target_stage_id)
        lead_ids_by_extra = defaultdict(list)
        for lead_id in self.ids:
            lead_ids_by_extra[tuple(sorted(extra_by_lead.get(lead_id, {}).items()))].append(lead_id)
        if len(lead_ids_by_extra) == 1:
            (extra,) = lead_ids_by_extra
            return super().write({**dict(extra), **vals})
        for extra, lead_ids in lead_ids_by_extra.items():
            super(CrmLead, self.browse(lead_ids).with_prefetch(self._prefetch_ids)).write({**dict(extra), **vals})
        return True

    def _move_values(self, from_stage_ids, target_stage_id):
        """{lead id: {field: value}} the move of these leads to target_stage_id writes along
        with the stage, from the hooks deal_phase.py declares (VALUES_ON_EVERY_MOVE, the phase
        left's values_on_leave, the phase entered's values_on_enter), each called once with the
        leads it concerns; values the caller writes itself win."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        to_phase = phase_of.get(target_stage_id)
        entering = PHASES[to_phase].values_on_enter if to_phase else ()
        hooks_of_origin = {}
        lead_ids_by_hook = defaultdict(list)
        for lead_id in self.ids:
            origin = from_stage_ids[lead_id]
            if origin not in hooks_of_origin:
                from_phase = phase_of.get(origin)
                leaving = PHASES[from_phase].values_on_leave if from_phase else ()
                hooks_of_origin[origin] = dict.fromkeys((*VALUES_ON_EVERY_MOVE, *leaving, *entering))
            for hook in hooks_of_origin[origin]:
                lead_ids_by_hook[hook].append(lead_id)
        values = defaultdict(dict)
        for hook, lead_ids in lead_ids_by_hook.items():
            for lead_id, hook_values in getattr(self.browse(lead_ids), hook)(target_stage_id).items():
                values[lead_id].update(hook_values)
        return values

    def copy_data(self, default=None):
        """A duplicate is a new inquiry: it starts in Inquiry received, whatever the
        original's phase."""
        vals_list = super().copy_data(default=default)
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        inquiry = self.env["crm.stage"]._stage_of_phase(ENTRY_PHASE)
        if inquiry and not (default or {}).get("stage_id"):
            for lead, vals in zip(self, vals_list, strict=True):
                if lead.stage_id.id in phase_of:
                    vals["stage_id"] = inquiry.id
        return vals_list

    # BUSINESS

    def _check_phase_creation(self):
        """Salespeople create leads in Inquiry received only; Sales Administrators may
        create them in any phase (taking over an existing pipeline), with its data."""
        intent = PhaseIntent.of(self.env)
        if not (intent and intent.override) and not self.env.user.has_group("sales_team.group_sale_manager"):
            misplaced = self.filtered(lambda lead: lead.stage_id.deal_phase != ENTRY_PHASE)
            if misplaced:
                inquiry = self.env["crm.stage"]._stage_of_phase(ENTRY_PHASE)
                raise UserError(
                    self.env._(
                        "New leads start in %(inquiry)s. These leads were to be created elsewhere:\n%(leads)s",
                        inquiry=inquiry.name,
                        leads=self._format_lead_lines(
                            misplaced,
                            lambda lead: self.env._(
                                "%(lead)s (requested: %(stage)s)", lead=lead.name, stage=lead.stage_id.name
                            ),
                        ),
                    )
                )
        self._check_phase_requirements()

    def _check_phase_moves(self, target_stage_id, from_stage_ids):
        """Refuse the whole batch when any lead may not move from the stage it had
        (from_stage_ids, {lead id: stage id}) to the stage target_stage_id. Each distinct
        origin is judged once, from cached lookups, so the cost does not grow with the batch."""
        intent = PhaseIntent.of(self.env)
        if not self or (intent and intent.override):
            return
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        to_phase = phase_of.get(target_stage_id)
        origins = {from_stage_ids[lead_id] for lead_id in self.ids}
        allowed_origins = {
            stage_id for stage_id in origins if self._is_phase_move_allowed(phase_of.get(stage_id), to_phase, intent)
        }
        refused = self.browse([lead_id for lead_id in self.ids if from_stage_ids[lead_id] not in allowed_origins])
        if refused:
            if self.env["crm.stage"]._refresh_stale_phase_caches():
                # a transition another server just opened: judged on the database's graph
                return self._check_phase_moves(target_stage_id, from_stage_ids)
            refused._raise_refused_moves(target_stage_id, from_stage_ids)
        # the outcomes of a consultation are the closer's, and wait for the meeting
        decided = {
            stage_id for stage_id in origins if phase_of.get(stage_id) and PHASES[phase_of[stage_id]].closer_decides
        }
        if decided:
            leads = self.browse([lead_id for lead_id in self.ids if from_stage_ids[lead_id] in decided])
            leads._check_consultation_outcomes(from_stage_ids, to_phase)

    @api.model
    def _is_phase_move_allowed(self, from_phase, to_phase, intent=None):
        """The graph's verdict on one move between phases (False: a stage outside them)."""
        if from_phase:
            if not to_phase:
                return bool(intent and intent.leaving_phases)
            return self.env["crm.stage.transition"]._is_allowed(from_phase, to_phase)
        return not to_phase or to_phase == ENTRY_PHASE

    def _moves_between_phases(self, from_stage_ids):
        """Whether every lead moved from a phase to a phase: the graph judged those moves,
        the pipeline a lead follows is not in question."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        stage_ids = {from_stage_ids[lead_id] for lead_id in self.ids} | {lead.stage_id.id for lead in self}
        return stage_ids <= phase_of.keys()

    def _raise_refused_moves(self, target_stage_id, from_stage_ids):
        Stage = self.env["crm.stage"]
        target = Stage.browse(target_stage_id)

        def describe(lead):
            from_stage = Stage.browse(from_stage_ids[lead.id])
            from_phase = Stage._phase_by_stage_id().get(from_stage.id)
            allowed_phases = self.env["crm.stage.transition"]._targets_of(from_phase) if from_phase else [ENTRY_PHASE]
            return self.env._(
                '"%(lead)s" cannot move from %(current)s to %(requested)s. Allowed from %(current)s: %(allowed)s.',
                lead=lead.display_name,
                current=from_stage.name or self.env._("no stage"),
                requested=target.name or self.env._("no stage"),
                allowed=", ".join(Stage._stages_of_phases(allowed_phases).mapped("name"))
                or self.env._("none, this phase is final"),
            )

        raise UserError(
            self.env._(
                "This phase change is not allowed by the deal phase graph; nothing was changed.\n%s",
                self._format_lead_lines(self, describe),
            )
        )

    def _check_phase_requirements(self):
        """Each phase's data, judged from the leads' source data as they are after the
        write (so one write that brings the new stage with its data passes), only for the
        requirements of each lead's new phase."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        by_phase = defaultdict(list)
        for lead in self:
            phase = phase_of.get(lead.stage_id.id)
            if phase and PHASES[phase].requirements:
                by_phase[phase].append(lead.id)
        missing = defaultdict(list)
        for phase, lead_ids in by_phase.items():
            leads = self.browse(lead_ids)
            for requirement in PHASES[phase].requirements:
                for lead, labels in leads._lacking(requirement).items():
                    missing[lead].extend(labels)
        if missing:
            raise UserError(
                self.env._(
                    "Some data the phase requires is missing; nothing was changed.\n%s",
                    self._format_lead_lines(
                        list(missing),
                        lambda lead: self.env._(
                            '"%(lead)s" cannot be in %(phase)s without %(missing)s.',
                            lead=lead.display_name,
                            phase=lead.stage_id.name,
                            missing=", ".join(self.env._(label) for label in missing[lead]),
                        ),
                    ),
                )
            )

    def _run_phase_effects(self, from_stage_ids):
        """What entering or leaving a phase sets off, as the phase table says: each effect
        runs once per batch, for the leads it concerns, in EFFECT_ORDER. Most moves set off
        nothing and cost nothing here: the phases come from the registry cache."""
        lead_ids_by_effect = defaultdict(list)
        for lead_id, effects in self._effects_of_moves(from_stage_ids).items():
            for effect in effects:
                lead_ids_by_effect[effect].append(lead_id)
        if lead_ids_by_effect.keys() - LEAD_ONLY_EFFECTS:
            self._lock_rows()
        for effect in EFFECT_ORDER:
            if lead_ids_by_effect.get(effect):
                getattr(self.browse(lead_ids_by_effect[effect]), effect)(from_stage_ids)

    def _effects_of_moves(self, from_stage_ids):
        """{lead id: effects its move sets off}, from the stage it had (from_stage_ids) to its
        current stage. One lookup per distinct move."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        effects_of_move = {}
        effects = {}
        for lead in self:
            move = (from_stage_ids.get(lead.id), lead.stage_id.id)
            if move not in effects_of_move:
                from_phase, to_phase = phase_of.get(move[0]), phase_of.get(move[1])
                effects_of_move[move] = (
                    *(PHASES[from_phase].on_leave if from_phase else ()),
                    *(PHASES[to_phase].on_enter if to_phase else ()),
                    *TRANSITION_EFFECTS.get((from_phase, to_phase), ()),
                )
            effects[lead.id] = effects_of_move[move]
        return effects
