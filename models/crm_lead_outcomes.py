from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .deal_phase import (
    ENTRY_PHASE,
    FOLLOW_UP,
    NOT_SOLD,
    OVERRIDE_LABEL,
    PHASES,
    UNQUALIFIED,
    WON_PHASE,
    required_fields_of,
    requirements_of,
)


class CrmLead(models.Model):
    """What setters and closers click: one outcome button per transition of the table (and
    the same wizard on drag and drop), the flags the form shows them by, Won/Lost mapped onto
    the phases, and the overrides of Sales Administrators."""

    _inherit = "crm.lead"

    # Outcomes
    available_transition_ids = fields.Many2many(
        "crm.stage.transition",
        string="Outcomes",
        compute="_compute_phase_flags",
        help="The moves the phase graph allows from the lead's current phase.",
    )
    allowed_stage_ids = fields.Many2many("crm.stage", string="Allowed Stages", compute="_compute_phase_flags")
    # What the form shows, read from the phase table and the transition table
    phase_required_fields = fields.Char(compute="_compute_phase_flags")
    can_postpone = fields.Boolean(compute="_compute_phase_flags")
    can_log_call = fields.Boolean(compute="_compute_phase_flags")
    can_add_strike = fields.Boolean(compute="_compute_phase_flags")

    @api.depends("stage_id", "closer_id")
    @api.depends_context("uid")
    def _compute_phase_flags(self):
        Stage = self.env["crm.stage"]
        Transition = self.env["crm.stage.transition"]
        phase_of = Stage._phase_by_stage_id()
        inquiry = Stage._stage_of_phase(ENTRY_PHASE)
        decides_all = self.env.user.has_group("sales_team.group_sale_manager")
        for lead in self:
            phase = phase_of.get(lead.stage_id.id)
            spec = PHASES.get(phase)
            # a consultation's outcomes are offered to its closer (and Sales Administrators) only
            offers = bool(phase) and (decides_all or not spec.closer_decides or lead.closer_id == self.env.user)
            lead.available_transition_ids = Transition._transitions_from(phase) if offers else False
            # outside the phases a lead may only enter them, at Inquiry received
            targets = Stage._stages_of_phases(Transition._targets_of(phase)) if phase else inquiry
            lead.allowed_stage_ids = lead.stage_id | targets
            lead.phase_required_fields = " ".join(required_fields_of(phase))
            lead.can_postpone = bool(spec and spec.meeting_field)
            lead.can_log_call = bool(spec and spec.calls)
            lead.can_add_strike = offers and Transition._is_allowed(phase, UNQUALIFIED)

    # ORM

    def action_unarchive(self):
        """crm forgets the lost reason on restore; a Not sold lead keeps it, its phase needs it."""
        not_sold = self._in_phases().filtered(lambda lead: not lead.active and lead.deal_phase == NOT_SOLD)
        reasons = not_sold._group_by_value("lost_reason_id")
        res = super().action_unarchive()
        for reason, leads in reasons.items():
            leads.write({"lost_reason_id": reason.id})
        return res

    # ACTIONS

    def action_set_won(self):
        """Won means Sold for a lead in the deal phases, where the graph allows it."""
        in_phase = self._in_phases()
        if in_phase:
            in_phase.action_unarchive()
            in_phase.write({"stage_id": self.env["crm.stage"]._stage_of_phase(WON_PHASE).id, "probability": 100})
        others = self - in_phase
        return super(CrmLead, others).action_set_won() if others else True

    def action_set_lost(self, **additional_values):
        """Lost, in the deal phases, is Not sold where the graph leads there (the lead stays
        active and findable), else the KO flow (Unqualified, with a KO reason)."""
        in_phase = self._in_phases()
        Transition = self.env["crm.stage.transition"]
        not_sold_flow = in_phase.filtered(
            lambda lead: lead.deal_phase == NOT_SOLD or Transition._is_allowed(lead.deal_phase, NOT_SOLD)
        )
        others = in_phase - not_sold_flow
        if others:
            raise UserError(
                self.env._(
                    "These leads are not in a consultation: use 'Mark unqualified (KO)' with a KO reason.\n%s",
                    self._format_lead_lines(others, lambda lead: f'"{lead.display_name}" ({lead.stage_id.name})'),
                )
            )
        if not_sold_flow:
            not_sold_flow.write({**additional_values, "stage_id": self.env["crm.stage"]._stage_of_phase(NOT_SOLD).id})
        rest = self - in_phase
        return super(CrmLead, rest).action_set_lost(**additional_values) if rest else True

    def action_open_phase_transition(self, transition_id):
        """An outcome button: move at once, or open the wizard that asks for the data the
        target phase needs."""
        self.ensure_one()
        transition = self._current_transition(transition_id)
        if self._phase_move_asks(transition.to_phase):
            return self._action_phase_move_wizard(transition.to_phase)
        self.write({"stage_id": self.env["crm.stage"]._stage_of_phase(transition.to_phase).id})
        return True

    def action_apply_outcome(self, transition_id, values=None):
        """An outcome with the answers its wizard would ask, for API clients and the demo:
        the same wizard, filled with values ({field: value}) and confirmed."""
        self.ensure_one()
        transition = self._current_transition(transition_id)
        if not isinstance(values, (dict, type(None))):
            raise UserError(self.env._("The answers of an outcome must be a dictionary of field names and values."))
        wizard = (
            self.env["crm.lead.phase.move"]
            .with_context(default_lead_ids=self.ids, default_to_phase=transition.to_phase)
            .create(dict(values or {}))
        )
        return wizard.action_apply()

    def action_drop_on_stage(self, stage_id):
        """A card dropped on a column (or a stage clicked in the statusbar): the wizard the
        outcome button opens when the target phase asks for data, else False and the web
        client writes the stage itself (a forbidden move keeps its clear error)."""
        self.ensure_one()
        to_phase = self.env["crm.stage"]._phase_by_stage_id().get(stage_id) if type(stage_id) is int else None
        if (
            to_phase
            and self.deal_phase
            and self.env["crm.stage.transition"]._is_allowed(self.deal_phase, to_phase)
            and self._phase_move_asks(to_phase)
        ):
            return self._action_phase_move_wizard(to_phase)
        return False

    def action_open_ko_wizard(self):
        return self._action_phase_move_wizard(UNQUALIFIED)

    def action_open_postpone(self):
        self.ensure_one()
        field = PHASES[self.deal_phase].meeting_field if self.deal_phase else False
        return self._window_action(
            self.env._("Postpone Consultation"),
            "crm.lead.postpone",
            target="new",
            context={"default_lead_id": self.id, "default_meeting_date": field and self[field]},
        )

    def action_move_to_follow_up(self):
        self.write({"stage_id": self.env["crm.stage"]._stage_of_phase(FOLLOW_UP).id})
        return True

    def action_force_phase(self, stage, reason):
        """The one exception to the graph: a Sales Administrator moves leads to any stage,
        with a written reason that goes to the phase log and the chatter. The data a phase
        requires is still checked."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only Sales Administrators may force a lead into a phase."))
        if isinstance(stage, models.BaseModel):
            stage = stage if stage._name == "crm.stage" else self.env["crm.stage"]
        else:
            stage = self.env["crm.stage"].browse(stage if type(stage) is int else []).exists()
        reason = reason.strip() if isinstance(reason, str) else ""
        if len(stage) != 1:
            raise UserError(self.env._("Choose the stage to move the leads to."))
        if not reason:
            raise UserError(self.env._("Forcing a lead into a phase needs a written reason."))
        self._with_intent(reason=reason, label=OVERRIDE_LABEL, override=True).write({"stage_id": stage.id})
        body = Markup("<p>%s</p><p>%s</p>") % (
            self.env._("Phase forced to %s by a Sales Administrator.", stage.name),
            reason,
        )
        self._message_log_batch(bodies=dict.fromkeys(self.ids, body))
        return True

    # BUSINESS

    def _current_transition(self, transition_id):
        """The transition of an outcome button, if it still leaves the lead's phase."""
        transition = self.env["crm.stage.transition"]
        if type(transition_id) is int:
            transition = transition.browse(transition_id).exists()
        if not transition or not transition.active or transition.from_phase != self.deal_phase:
            raise UserError(
                self.env._(
                    '"%(lead)s" is in %(phase)s now: reload the lead and pick one of its outcomes.',
                    lead=self.display_name,
                    phase=self.stage_id.name,
                )
            )
        return transition

    def _phase_move_asks(self, to_phase):
        """Whether moving this lead to to_phase needs the wizard: the phase asks something
        on every entry (a date, a reason), or the lead lacks data the phase requires."""
        self.ensure_one()
        return bool(self._meeting_not_begun(to_phase)) or any(
            requirement.asked_on_entry or self._lacking(requirement) for requirement in requirements_of(to_phase)
        )

    def _action_phase_move_wizard(self, to_phase):
        stage = self.env["crm.stage"]._stage_of_phase(to_phase)
        label = False
        phases = set(self.mapped("deal_phase"))
        if len(phases) == 1:
            label = self.env["crm.stage.transition"]._label(phases.pop(), to_phase)
        return self._window_action(
            label or stage.name,
            "crm.lead.phase.move",
            target="new",
            context={"default_lead_ids": self.ids, "default_to_phase": to_phase},
        )
