from odoo import api, fields, models, tools

from .deal_phase import DEAL_PHASES, PHASE_CODES


class CrmStageTransition(models.Model):
    """The phase graph as data: one row per allowed move between two phases. Every path that
    changes a stage asks this table (through registry caches filled without the caller's
    context), and its labels are the outcome buttons setters and closers click."""

    _name = "crm.stage.transition"
    _description = "Deal Phase Transition"
    _order = "from_phase_sequence, sequence, id"

    # Graph
    from_phase = fields.Selection(DEAL_PHASES, required=True)
    to_phase = fields.Selection(DEAL_PHASES, required=True)
    name = fields.Char(
        "Label",
        required=True,
        translate=True,
        help="What users see on the outcome button, e.g. 'No-show' or 'Appointment cancelled'.",
    )
    sequence = fields.Integer(default=10)
    from_phase_sequence = fields.Integer(compute="_compute_from_phase_sequence", store=True)
    active = fields.Boolean(default=True)

    _phase_pair_unique = models.Constraint(
        "UNIQUE(from_phase, to_phase)",
        "There is one transition per pair of phases.",
    )
    _no_loop = models.Constraint(
        "CHECK(from_phase <> to_phase)",
        "A transition must lead to another phase: staying in a phase is always allowed.",
    )

    @api.depends("from_phase")
    def _compute_from_phase_sequence(self):
        for transition in self:
            from_phase = transition.from_phase
            transition.from_phase_sequence = PHASE_CODES.index(from_phase) if from_phase else 0

    @api.depends("name", "from_phase", "to_phase")
    def _compute_display_name(self):
        for transition in self:
            transition.display_name = transition.name

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        transitions = super().create(vals_list)
        self.env["crm.stage"]._signal_phase_caches_changed()
        return transitions

    def write(self, vals):
        res = super().write(vals)
        self.env["crm.stage"]._signal_phase_caches_changed()
        return res

    def unlink(self):
        res = super().unlink()
        self.env["crm.stage"]._signal_phase_caches_changed()
        return res

    def _update_field_translations(self, field_name, translations, *args, **kwargs):
        # a label translated from the form's language dialog does not go through write
        res = super()._update_field_translations(field_name, translations, *args, **kwargs)
        self.env["crm.stage"]._signal_phase_caches_changed()
        return res

    # BUSINESS

    @api.model
    @tools.ormcache()
    def _active_transition_ids(self):
        """{from phase: ((to phase, transition id), ...)} of the active transitions, in the
        table's order. Filled from a context-free environment: archived transitions stay
        closed whatever the context of the request that happens to fill the cache."""
        transitions = self.env["crm.stage"]._cached_env()["crm.stage.transition"].search([("active", "=", True)])
        targets = {}
        for transition in transitions:
            targets.setdefault(transition.from_phase, []).append((transition.to_phase, transition.id))
        return {phase: tuple(pairs) for phase, pairs in targets.items()}

    @api.model
    def _targets_of(self, from_phase):
        """The phases the graph allows from from_phase, in the table's order."""
        return tuple(to_phase for to_phase, _id in self._active_transition_ids().get(from_phase, ()))

    @api.model
    def _transitions_from(self, from_phase):
        return self.browse([transition_id for _to, transition_id in self._active_transition_ids().get(from_phase, ())])

    @api.model
    def _is_allowed(self, from_phase, to_phase):
        return to_phase in self._targets_of(from_phase)

    @api.model
    @tools.ormcache()
    def _label_translations(self):
        """{(from phase, to phase): {lang: label}} of the active transitions: the phase log
        keeps an outcome's label in every language, so each reader sees their own."""
        self.flush_model(["from_phase", "to_phase", "name", "active"])
        self.env.cr.execute("SELECT from_phase, to_phase, name FROM crm_stage_transition WHERE active ORDER BY id")
        return {(from_phase, to_phase): dict(name) for from_phase, to_phase, name in self.env.cr.fetchall()}

    @api.model
    def _label(self, from_phase, to_phase):
        """The label of a move in the user's language."""
        translations = self._label_translations().get((from_phase, to_phase))
        if not translations:
            return False
        return translations.get(self.env.lang or "en_US") or translations.get("en_US")
