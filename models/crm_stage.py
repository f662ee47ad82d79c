from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from .deal_phase import DEAL_PHASES, ENTRY_PHASE, PHASE_DESCRIPTIONS, PHASES


class CrmStage(models.Model):
    _inherit = "crm.stage"

    deal_phase = fields.Selection(
        DEAL_PHASES,
        index="btree_not_null",
        copy=False,
        help="The documented deal phase this stage stands for. The phase graph and every rule "
        "key on it, so the stage may be renamed freely. Stages without a phase are not governed.",
    )
    deal_phase_description = fields.Text(
        "What the Phase Means",
        compute="_compute_deal_phase_description",
        help="The documented meaning of the stage's deal phase, in the user's language.",
    )
    allows_new_leads = fields.Boolean(
        compute="_compute_allows_new_leads",
        search="_search_allows_new_leads",
        help="New leads may start here: the entry phase, or a stage outside the phases.",
    )

    _deal_phase_unique = models.UniqueIndex(
        "(deal_phase) WHERE deal_phase IS NOT NULL",
        "Each deal phase is carried by one stage only.",
    )

    @api.depends("deal_phase")
    @api.depends_context("lang")
    def _compute_deal_phase_description(self):
        for stage in self:
            description = PHASE_DESCRIPTIONS.get(stage.deal_phase)
            stage.deal_phase_description = self.env._(description) if description else False

    @api.depends("deal_phase")
    def _compute_allows_new_leads(self):
        for stage in self:
            stage.allows_new_leads = stage.deal_phase in (False, ENTRY_PHASE)

    def _search_allows_new_leads(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        allows = ["|", ("deal_phase", "=", False), ("deal_phase", "=", ENTRY_PHASE)]
        return allows if (operator == "=") == value else ["!", *allows]

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        stages = super().create(vals_list)
        if any(vals.get("deal_phase") for vals in vals_list):
            self.env["crm.stage"]._signal_phase_caches_changed()
            self.env["crm.lead"]._index_phase_leads_at_commit()
        if any(vals.get("team_ids") for vals in vals_list):
            stages._check_no_own_stage_of_phase_teams()
        return stages

    def write(self, vals):
        if "deal_phase" in vals:
            self._check_phase_change_without_leads(vals["deal_phase"])
        res = super().write(vals)
        if "team_ids" in vals or "deal_phase" in vals:
            self._check_no_own_stage_of_phase_teams()
        if "deal_phase" in vals or "sequence" in vals:
            self.env["crm.stage"]._signal_phase_caches_changed()
        if "deal_phase" in vals:
            self.env["crm.lead"]._index_phase_leads_at_commit()
        return res

    def unlink(self):
        governed = any(self.mapped("deal_phase"))
        self.env["crm.deal.phase.log"]._forget_deleted(self)
        res = super().unlink()
        if governed:
            self.env["crm.stage"]._signal_phase_caches_changed()
            self.env["crm.lead"]._index_phase_leads_at_commit()
        return res

    # BUSINESS

    def _check_phase_change_without_leads(self, new_phase):
        """A stage's phase code decides which rules its leads follow: changing it under them
        would move them in or out of the phases with no history. Like deleting such a stage,
        it waits until the leads have moved on."""
        changed = self.filtered(lambda stage: stage.deal_phase != (new_phase or False))
        if not changed:
            return
        counts = dict(
            self.env["crm.lead"]
            .sudo()
            .with_context(active_test=False)
            ._read_group([("stage_id", "in", changed.ids)], ["stage_id"], ["__count"])
        )
        if counts:
            raise UserError(
                self.env._(
                    "The deal phase of a stage that holds leads cannot be changed; nothing was changed. "
                    "Move its leads to another stage first.\n%s",
                    "\n".join(
                        self.env._('- "%(stage)s" holds %(count)s leads', stage=stage.name, count=count)
                        for stage, count in counts.items()
                    ),
                )
            )

    def _check_no_own_stage_of_phase_teams(self):
        """A team on the deal phases has the eight phases as its pipeline: a stage of its own
        would be a column its leads could never reach."""
        phase_team_ids = self.env["crm.team"]._deal_phase_team_ids()
        clashes = [
            (stage, team)
            for stage in self.filtered(lambda stage: not stage.deal_phase)
            for team in stage.team_ids
            if team.id in phase_team_ids
        ]
        if clashes:
            raise UserError(
                self.env._(
                    'The team "%(team)s" uses the deal phases: its pipeline is the eight phases, so "%(stage)s" '
                    "cannot be one of its stages. Give a team stages of its own after turning its deal phases off; "
                    "nothing was changed.",
                    team=clashes[0][1].name,
                    stage=clashes[0][0].name,
                )
            )

    # The phase caches (the methods below and the graph's, crm.stage.transition) are checked
    # against the database when a request starts - on the replica, for most requests, which
    # may lag. A move is judged again when the primary's version of them is newer.

    @api.model
    def _signal_phase_caches_changed(self):
        """The phase caches changed in this transaction: cleared, and their version bumped in
        the same transaction, so every other process judges its next move on the new data
        from the moment this one commits (Odoo's own signal follows the commit, in a
        transaction of its own)."""
        registry = self.env.registry
        registry.clear_cache()
        self.env.cr.execute(SQL("INSERT INTO orm_signaling_default DEFAULT VALUES RETURNING id"))
        # this process's caches are now empty, so current at that version (a rollback makes
        # them look stale once, and they are read again)
        registry.cache_sequences["default"] = self.env.cr.fetchone()[0]

    @api.model
    def _phase_caches_are_current(self):
        """SQL, true while this process's caches are as current as the database says."""
        return SQL("(SELECT max(id) FROM orm_signaling_default) = %s", self.env.registry.cache_sequences.get("default"))

    @api.model
    def _refresh_stale_phase_caches(self):
        """Clear this process's caches when the database's version is newer than the one they
        were checked against: True when they were stale. Not signaled again - the process
        that made the change did - or every process would keep clearing the others'."""
        registry = self.env.registry
        self.env.cr.execute(SQL("SELECT max(id) FROM orm_signaling_default"))
        version = self.env.cr.fetchone()[0]
        if version == registry.cache_sequences.get("default"):
            return False
        signaled = "default" in registry.cache_invalidated
        registry.clear_cache()
        if not signaled:
            registry.cache_invalidated.discard("default")
        registry.cache_sequences["default"] = version
        return True

    def _cached_env(self):
        """The environment every registry cache is filled from: superuser, no context. A
        cached answer must not depend on the request that happened to fill it."""
        return self.env(su=True, context={})

    @api.model
    @tools.ormcache()
    def _stage_id_by_phase(self):
        """{phase code: id of the stage carrying it}."""
        stages = self._cached_env()["crm.stage"].search([("deal_phase", "!=", False)])
        return {stage.deal_phase: stage.id for stage in stages}

    @api.model
    @tools.ormcache()
    def _phase_by_stage_id(self):
        """{stage id: phase code}, the same mapping read the other way (read on every move)."""
        return {stage_id: phase for phase, stage_id in self._stage_id_by_phase().items()}

    @api.model
    @tools.ormcache()
    def _phases_in_pipeline_order(self):
        """The phase codes in the order of their stages on the board (sequence), then the
        phases no stage carries: reports and groupings follow the pipeline, not the alphabet."""
        stages = self._cached_env()["crm.stage"].search([("deal_phase", "!=", False)], order="sequence, id")
        ordered = stages.mapped("deal_phase")
        return tuple(ordered + [code for code in PHASES if code not in ordered])

    @api.model
    def _stage_of_phase(self, phase):
        return self.browse(self._stage_id_by_phase().get(phase))

    @api.model
    def _stages_of_phases(self, phases):
        stage_ids = self._stage_id_by_phase()
        return self.browse([stage_ids[phase] for phase in phases if phase in stage_ids])

    @api.model
    def _apply_rotting_thresholds(self, cadence_days):
        """crm's own rotting, per phase as the phase table says (follow-up: the cadence)."""
        for phase, spec in PHASES.items():
            stage = self._stage_of_phase(phase)
            if stage and spec.rotting_days:
                stage.sudo().rotting_threshold_days = cadence_days if spec.rotting_days < 0 else spec.rotting_days
