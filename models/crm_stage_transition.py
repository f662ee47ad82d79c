from odoo import api, fields, models, tools

from .deal_phase import DEAL_PHASES


class CrmStageTransition(models.Model):
    _name = "crm.stage.transition"
    _description = "Deal Phase Transition"
    _order = "from_phase_sequence, sequence, id"

    # Graph
    from_phase = fields.Selection(DEAL_PHASES, string="From Phase", required=True)
    to_phase = fields.Selection(DEAL_PHASES, string="To Phase", required=True)
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
        order = [code for code, _label in DEAL_PHASES]
        for transition in self:
            transition.from_phase_sequence = order.index(transition.from_phase) if transition.from_phase else 0

    @api.depends("name", "from_phase", "to_phase")
    def _compute_display_name(self):
        for transition in self:
            transition.display_name = transition.name

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        transitions = super().create(vals_list)
        self.env.registry.clear_cache()
        return transitions

    def write(self, vals):
        res = super().write(vals)
        self.env.registry.clear_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()
        return res

    def _update_field_translations(self, field_name, translations, *args, **kwargs):
        # a label translated from the form's language dialog does not go through write
        res = super()._update_field_translations(field_name, translations, *args, **kwargs)
        self.env.registry.clear_cache()
        return res

    # BUSINESS

    @api.model
    @tools.ormcache()
    def _allowed_targets(self):
        """{from phase: (to phases in the table's order)} of the active transitions."""
        targets = {}
        for row in self.sudo().search_read([], ["from_phase", "to_phase"]):
            targets.setdefault(row["from_phase"], []).append(row["to_phase"])
        return {phase: tuple(to_phases) for phase, to_phases in targets.items()}

    @api.model
    @tools.ormcache("self.env.lang")
    def _labels(self):
        """{(from phase, to phase): label in the user's language} of the active transitions."""
        return {(transition.from_phase, transition.to_phase): transition.name for transition in self.sudo().search([])}

    @api.model
    def _label(self, from_phase, to_phase):
        return self._labels().get((from_phase, to_phase), False)

    @api.model
    def _is_allowed(self, from_phase, to_phase):
        return to_phase in self._allowed_targets().get(from_phase, ())

    @api.model
    def _find(self, from_phase, to_phase):
        return self.search([("from_phase", "=", from_phase), ("to_phase", "=", to_phase)], limit=1)
