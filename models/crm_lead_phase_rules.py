from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from .deal_phase import ENTRY_PHASE, GOLD_STANDARD_PHASES, WON_PHASE, PhaseMove

# Refusal messages list at most this many leads, then say how many more were refused.
MAX_LEADS_IN_MESSAGE = 10
# The columns _log_phase_changes fills from each moved lead, one array per column.
LOG_COLUMNS = (
    "lead_id",
    "company_id",
    "team_id",
    "from_stage_id",
    "to_stage_id",
    "from_phase",
    "to_phase",
    "transition_label",
)
INT_LOG_COLUMNS = ("lead_id", "company_id", "team_id", "from_stage_id", "to_stage_id")


def _int_array_literal(values):
    """A PostgreSQL int[] literal. psycopg2 adapts a list element by element, which on a
    1,000-lead move costs more than PostgreSQL's checks of the inserted rows."""
    items = ",".join("NULL" if value is None else str(int(value)) for value in values)
    return f"{{{items}}}"


class CrmLead(models.Model):
    """The phase graph on crm.lead: every stage change - create, write, Won, copy,
    merge, import, RPC - passes the one check in _check_phase_moves and is logged by
    _log_phase_changes."""

    _inherit = "crm.lead"

    # Phase
    deal_phase = fields.Selection(related="stage_id.deal_phase")
    phase_log_ids = fields.One2many("crm.deal.phase.log", "lead_id", "Phase History", readonly=True)

    @api.depends("team_id", "type")
    def _compute_stage_id(self):
        """A lead in a phase keeps it (crm would pick the first stage of a new team behind
        the graph's back); a lead that needs a stage in a team using the deal phases lands
        in Inquiry received."""
        inquiry = self.env["crm.stage"]._get_phase_stage(ENTRY_PHASE)
        in_phase = self.filtered(lambda lead: lead.stage_id.deal_phase)
        entering = self.browse()
        if inquiry:
            entering = (self - in_phase).filtered(
                lambda lead: (
                    lead._uses_deal_phases()
                    and (
                        not lead.stage_id
                        or (lead.team_id and lead.stage_id.team_ids and lead.team_id not in lead.stage_id.team_ids)
                    )
                )
            )
            entering.stage_id = inquiry
        super(CrmLead, self - in_phase - entering)._compute_stage_id()

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        leads = super().create(vals_list)
        in_phase = leads.filtered("stage_id.deal_phase")
        if in_phase:
            in_phase._check_phase_creation()
            in_phase._log_phase_changes({})
            in_phase._on_phase_entered({})
        return leads

    def write(self, vals):
        if not {"stage_id", "team_id", "type"} & vals.keys():
            return super().write(vals)
        # stage ids, not records: the checks below work on plain values, whatever the batch size
        from_stage_ids = {lead.id: lead.stage_id.id for lead in self}
        if "stage_id" in vals:
            target = self.env["crm.stage"].browse(vals["stage_id"])
            moved = self.browse([lead_id for lead_id, stage_id in from_stage_ids.items() if stage_id != target.id])
            moved._check_phase_moves(target, from_stage_ids)
        res = super().write(vals)
        if "stage_id" not in vals:
            # crm recomputed the stage after a team change: the same graph judges it
            moved = self.filtered(lambda lead: lead.stage_id.id != from_stage_ids[lead.id])
            for stage, leads in moved.grouped("stage_id").items():
                leads._check_phase_moves(stage, from_stage_ids)
        if moved:
            moved._check_phase_requirements()
            moved._log_phase_changes(from_stage_ids)
            moved._on_phase_entered(from_stage_ids)
        if "team_id" in vals:
            self._leave_phases_in_own_pipeline_teams()
        return res

    def copy_data(self, default=None):
        """A duplicate is a new inquiry: it starts in Inquiry received, whatever the
        original's phase."""
        vals_list = super().copy_data(default=default)
        inquiry = self.env["crm.stage"]._get_phase_stage(ENTRY_PHASE)
        if inquiry and not (default or {}).get("stage_id"):
            for lead, vals in zip(self, vals_list, strict=True):
                if lead.deal_phase:
                    vals["stage_id"] = inquiry.id
        return vals_list

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

    # ACTIONS

    def action_set_won(self):
        """Won means Sold for a lead in the deal phases, where the graph allows it."""
        in_phase = self.filtered("deal_phase")
        if in_phase:
            sold = self.env["crm.stage"]._get_phase_stage(WON_PHASE)
            in_phase.action_unarchive()
            in_phase.write({"stage_id": sold.id, "probability": 100})
        others = self - in_phase
        return super(CrmLead, others).action_set_won() if others else True

    def action_force_phase(self, stage, reason):
        """The one exception to the graph: a Sales Administrator moves leads to any stage,
        with a written reason that goes to the phase log and the chatter. The data a phase
        requires is still checked."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only Sales Administrators may force a lead into a phase."))
        stage = self.env["crm.stage"].browse(stage) if isinstance(stage, int) else stage
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not stage.exists() or len(stage) != 1:
            raise UserError(self.env._("Choose the stage to move the leads to."))
        if not reason:
            raise UserError(self.env._("Forcing a lead into a phase needs a written reason."))
        move = PhaseMove(reason=reason, label=self.env._("Override"), override=True)
        self.with_context(**{PhaseMove.CONTEXT_KEY: move}).write({"stage_id": stage.id})
        for lead in self:
            lead.message_post(
                body=Markup("<p>%s</p><p>%s</p>")
                % (self.env._("Phase forced to %s by a Sales Administrator.", stage.name), reason),
                subtype_xmlid="mail.mt_note",
            )
        return True

    # BUSINESS

    def _check_phase_creation(self):
        """Salespeople create leads in Inquiry received only; Sales Administrators may
        create them in any phase (taking over an existing pipeline), with its data."""
        move = PhaseMove.from_env(self.env)
        if not (move and move.override) and not self.env.user.has_group("sales_team.group_sale_manager"):
            misplaced = self.filtered(lambda lead: lead.stage_id.deal_phase != ENTRY_PHASE)
            if misplaced:
                inquiry = self.env["crm.stage"]._get_phase_stage(ENTRY_PHASE)
                raise UserError(
                    self.env._(
                        "New leads start in %(inquiry)s. These leads were to be created elsewhere:\n%(leads)s",
                        inquiry=inquiry.name,
                        leads=self._format_lead_lines(
                            misplaced, lambda lead: self.env._("%s (requested: %s)", lead.name, lead.stage_id.name)
                        ),
                    )
                )
        self._check_phase_requirements()

    def _check_phase_moves(self, target, from_stage_ids):
        """Refuse the whole batch when any lead may not move from the stage it had
        (from_stage_ids, {lead id: stage id}) to target. Each distinct origin is judged
        once, from cached lookups, so the cost does not grow with the batch."""
        move = PhaseMove.from_env(self.env)
        if not self or (move and move.override):
            return
        stage_phases = self.env["crm.stage"]._stage_phases()
        to_phase = stage_phases.get(target.id)
        allowed_origins = {
            stage_id
            for stage_id in {from_stage_ids[lead_id] for lead_id in self.ids}
            if self._is_phase_move_allowed(stage_phases.get(stage_id), to_phase, move)
        }
        refused = self.browse([lead_id for lead_id in self.ids if from_stage_ids[lead_id] not in allowed_origins])
        if refused:
            refused._raise_refused_moves(target, from_stage_ids)

    @api.model
    def _is_phase_move_allowed(self, from_phase, to_phase, move=None):
        """The graph's verdict on one move between phases (False: a stage outside them)."""
        if from_phase:
            if not to_phase:
                return bool(move and move.leaving_phases)
            return self.env["crm.stage.transition"]._is_allowed(from_phase, to_phase)
        return not to_phase or to_phase == ENTRY_PHASE

    def _raise_refused_moves(self, target, from_stage_ids):
        Stage = self.env["crm.stage"]
        Transition = self.env["crm.stage.transition"]

        def describe(lead):
            from_stage = Stage.browse(from_stage_ids[lead.id])
            from_phase = from_stage._phase_of() if from_stage else False
            if from_phase:
                allowed_stages = Stage._get_phase_stages(Transition._allowed_targets().get(from_phase, ()))
            else:
                allowed_stages = Stage._get_phase_stages([ENTRY_PHASE])
            return self.env._(
                '"%(lead)s" cannot move from %(current)s to %(requested)s. Allowed from %(current)s: %(allowed)s.',
                lead=lead.display_name,
                current=from_stage.name or self.env._("no stage"),
                requested=target.name or self.env._("no stage"),
                allowed=", ".join(allowed_stages.mapped("name")) or self.env._("none, this phase is final"),
            )

        raise UserError(
            self.env._(
                "This phase change is not allowed by the deal phase graph; nothing was changed.\n%s",
                self._format_lead_lines(self, describe),
            )
        )

    def _uses_deal_phases(self):
        """A lead without a team, or in a team that uses the deal phases, follows them."""
        self.ensure_one()
        return not self.team_id or self.team_id.use_deal_phases

    def _leave_phases_in_own_pipeline_teams(self):
        """A lead moved to a team with a pipeline of its own (e.g. upsell) leaves the deal
        phases for that team's first stage; the move is logged."""
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
            move = PhaseMove(
                label=self.env._("Left the deal phases"),
                reason=self.env._("Moved to the team %s", team.name),
                leaving_phases=True,
            )
            leads.with_context(**{PhaseMove.CONTEXT_KEY: move}).write({"stage_id": stage.id})

    def _check_phase_requirements(self):
        """Each phase's data, checked on the leads as they are after the write, so one
        write that brings the new stage with its data passes."""
        stage_phases = self.env["crm.stage"]._stage_phases()
        problems = []
        for stage, leads in self.grouped("stage_id").items():
            phase = stage_phases.get(stage.id)
            if not phase:
                continue
            for lead in leads:
                missing = lead._missing_phase_data(phase)
                if missing:
                    problems.append(
                        self.env._(
                            '"%(lead)s" cannot be in %(phase)s without %(missing)s.',
                            lead=lead.display_name,
                            phase=stage.name,
                            missing=", ".join(missing),
                        )
                    )
        if problems:
            raise UserError(
                self.env._(
                    "Some data the phase requires is missing; nothing was changed.\n%s", self._format_lines(problems)
                )
            )

    def _missing_phase_data(self, phase):
        """What this lead lacks to be in phase: one home for the phases' requirements."""
        self.ensure_one()
        missing = []
        if phase != ENTRY_PHASE and not self.is_inquiry_complete:
            missing += self._missing_inquiry_data()
        if phase in GOLD_STANDARD_PHASES and not self.is_gold_standard:
            missing.append(self.env._("the gold standard (every qualification criterion met)"))
        if phase == "not_sold" and not self.lost_reason_id:
            missing.append(self.env._("a not-sold reason"))
        if phase == "unqualified" and not self.ko_reason_id:
            missing.append(self.env._("a KO reason"))
        return missing

    def _log_phase_changes(self, from_stage_ids):
        """Record the leads' move from from_stage_ids ({lead id: stage id}, empty on creation)
        to their current stage. The log is written by the server only and has nothing to
        compute, so it skips the ORM: one plain INSERT for the whole batch, the phases and
        the transition's label (in the user's language) taken from the registry caches: no
        join to plan on every drag and drop."""
        stage_phases = self.env["crm.stage"]._stage_phases()
        labels = self.env["crm.stage.transition"]._labels()
        move = PhaseMove.from_env(self.env)
        rows = []
        for lead in self:
            from_stage_id = from_stage_ids.get(lead.id) or None
            to_stage_id = lead.stage_id.id or None
            from_phase, to_phase = stage_phases.get(from_stage_id), stage_phases.get(to_stage_id)
            if from_phase or to_phase:
                label = (move and move.label) or labels.get((from_phase, to_phase))
                company_id, team_id = lead.company_id.id or None, lead.team_id.id or None
                rows.append((lead.id, company_id, team_id, from_stage_id, to_stage_id, from_phase, to_phase, label))
        if not rows:
            return
        columns = dict(zip(LOG_COLUMNS, map(list, zip(*rows, strict=True)), strict=True))
        for name in INT_LOG_COLUMNS:
            columns[name] = _int_array_literal(columns[name])
        # one array per column: the statement is the same for 1 or 10,000 rows
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO crm_deal_phase_log (lead_id, company_id, team_id, from_stage_id, to_stage_id,
                       from_phase, to_phase, transition_label, reason, is_override, user_id, date)
                SELECT moves.*, %(reason)s, %(override)s, %(uid)s, %(now)s
                  FROM unnest(%(lead_id)s::int[], %(company_id)s::int[], %(team_id)s::int[],
                              %(from_stage_id)s::int[], %(to_stage_id)s::int[], %(from_phase)s::varchar[],
                              %(to_phase)s::varchar[], %(transition_label)s::varchar[]) AS moves
                """,
                reason=(move.reason if move else None) or None,
                override=bool(move and move.override),
                uid=self.env.uid,
                now=fields.Datetime.now(),
                **columns,
            )
        )
        # no log record is in the cache yet: only the leads' list of entries is stale
        self.invalidate_recordset(["phase_log_ids"])

    def _on_phase_entered(self, from_stage_ids):
        """Called once per batch for the leads that just entered their current phase
        (from_stage_ids: {lead id: id of the stage they left}, empty on creation), on every path;
        extensions add what a move counts or starts (no-shows, the upsell opportunity)."""

    @api.model
    def _format_lead_lines(self, leads, describe):
        return self._format_lines([describe(lead) for lead in leads])

    @api.model
    def _format_lines(self, lines):
        shown = [f"- {line}" for line in lines[:MAX_LEADS_IN_MESSAGE]]
        if len(lines) > MAX_LEADS_IN_MESSAGE:
            shown.append(self.env._("- and %s more.", len(lines) - MAX_LEADS_IN_MESSAGE))
        return "\n".join(shown)
