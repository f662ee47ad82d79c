from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .deal_phase import ENTRY_PHASE, PhaseMove

# Targets whose wizard always asks something: the meeting date, the not-sold or KO reason.
PHASES_ASKING_ON_ENTRY = frozenset({"first_meeting", "second_meeting", "not_sold", "unqualified"})
CONSULTATION_PHASES = frozenset({"first_meeting", "second_meeting", "not_sold"})
CLOSED_PHASES = frozenset({"sold", "unqualified"})


class CrmLead(models.Model):
    """What setters and closers click: one outcome button per transition of the table,
    the Won/Lost mapping, and the list actions."""

    _inherit = "crm.lead"

    # Outcomes
    available_transition_ids = fields.Many2many(
        "crm.stage.transition",
        string="Outcomes",
        compute="_compute_available_transition_ids",
        help="The moves the phase graph allows from the lead's current phase.",
    )
    allowed_stage_ids = fields.Many2many(
        "crm.stage", string="Allowed Stages", compute="_compute_available_transition_ids"
    )

    @api.depends("stage_id")
    def _compute_available_transition_ids(self):
        Stage = self.env["crm.stage"]
        transitions = self.env["crm.stage.transition"].search([])
        by_phase = {}
        for transition in transitions:
            by_phase.setdefault(transition.from_phase, self.env["crm.stage.transition"])
            by_phase[transition.from_phase] |= transition
        unphased = Stage.search([("deal_phase", "=", False)]) if any(not lead.deal_phase for lead in self) else Stage
        for lead in self:
            phase = lead.stage_id.deal_phase
            lead.available_transition_ids = by_phase.get(phase, False) if phase else False
            if phase:
                targets = Stage._get_phase_stages(lead.available_transition_ids.mapped("to_phase"))
            else:
                targets = unphased | Stage._get_phase_stages([ENTRY_PHASE])
            lead.allowed_stage_ids = lead.stage_id | targets

    # ORM

    def action_unarchive(self):
        """crm forgets the lost reason on restore; a Not sold lead keeps it, its phase needs it."""
        not_sold = self.filtered(lambda lead: not lead.active and lead.deal_phase == "not_sold")
        reasons = not_sold._group_by_value("lost_reason_id")
        res = super().action_unarchive()
        for reason, leads in reasons.items():
            leads.write({"lost_reason_id": reason.id})
        return res

    def action_set_lost(self, **additional_values):
        """Lost, in the deal phases, is the Not-sold flow for consultations and Not sold
        (the lead stays active and findable); elsewhere it is a KO, which needs a KO reason."""
        in_phase = self.filtered("deal_phase")
        if in_phase:
            not_sold_flow = in_phase.filtered(lambda lead: lead.deal_phase in CONSULTATION_PHASES)
            others = in_phase - not_sold_flow
            if others:
                raise UserError(
                    self.env._(
                        "These leads are not in a consultation: use 'Mark unqualified (KO)' with a KO reason.\n%s",
                        self._format_lead_lines(others, lambda lead: f'"{lead.display_name}" ({lead.stage_id.name})'),
                    )
                )
            not_sold_flow.write(
                {**additional_values, "stage_id": self.env["crm.stage"]._get_phase_stage("not_sold").id}
            )
        rest = self - in_phase
        return super(CrmLead, rest).action_set_lost(**additional_values) if rest else True

    # ACTIONS

    def action_open_phase_transition(self, transition_id):
        """An outcome button: move at once, or open the wizard that asks for the data the
        target phase needs."""
        self.ensure_one()
        transition = self.env["crm.stage.transition"].browse(transition_id).exists()
        if not transition or transition.from_phase != self.deal_phase:
            raise UserError(
                self.env._(
                    '"%(lead)s" is in %(phase)s now: reload the lead and pick one of its outcomes.',
                    lead=self.display_name,
                    phase=self.stage_id.name,
                )
            )
        if transition.to_phase in PHASES_ASKING_ON_ENTRY or self._missing_phase_data(transition.to_phase):
            return self._action_phase_move_wizard(transition.to_phase)
        move = PhaseMove(label=transition.name)
        self.with_context(**{PhaseMove.CONTEXT_KEY: move}).write(
            {"stage_id": self.env["crm.stage"]._get_phase_stage(transition.to_phase).id}
        )
        return True

    def action_open_lost_flow(self):
        self.ensure_one()
        target = "not_sold" if self.deal_phase in CONSULTATION_PHASES else "unqualified"
        return self._action_phase_move_wizard(target)

    def action_open_ko_wizard(self):
        return self._action_phase_move_wizard("unqualified")

    def action_open_postpone(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Postpone First Consultation"),
            "res_model": "crm.lead.postpone",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_id": self.id, "default_meeting_date": self.first_meeting_date},
        }

    def action_open_strike_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Add Strike"),
            "res_model": "crm.lead.strike",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_ids": self.ids},
        }

    def action_move_to_follow_up(self):
        self.write({"stage_id": self.env["crm.stage"]._get_phase_stage("follow_up").id})
        return True

    def action_start_closer_follow_up(self):
        """Closer follow-up on Not sold leads: the closer (or whoever starts it) gets a
        win-back activity."""
        self._check_phases_allow(lambda lead: lead.deal_phase == "not_sold", self.env._("closer follow-up"))
        without_closer = self.filtered(lambda lead: not lead.closer_id)
        if without_closer:
            without_closer.write({"closer_id": self.env.uid})
        self._schedule_for_users(
            "mail.mail_activity_data_todo",
            fields.Date.context_today(self) + timedelta(days=1),
            self.env._("Win back: offer + written confirmation or another meeting"),
            lambda lead: lead.closer_id,
        )
        return True

    # BUSINESS

    def _action_phase_move_wizard(self, to_phase):
        stage = self.env["crm.stage"]._get_phase_stage(to_phase)
        return {
            "type": "ir.actions.act_window",
            "name": stage.name,
            "res_model": "crm.lead.phase.move",
            "view_mode": "form",
            "target": "new",
            "context": {"default_lead_ids": self.ids, "default_to_phase": to_phase},
        }
