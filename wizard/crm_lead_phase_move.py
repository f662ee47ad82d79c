from odoo import api, fields, models

from ..models.deal_phase import DEAL_PHASES, ENTRY_PHASE, GOLD_STANDARD_PHASES, PhaseMove


class CrmLeadPhaseMove(models.TransientModel):
    """Asks exactly for what the target phase needs, then moves the leads in one write:
    contact data to leave Inquiry received, the gold standard, a meeting date, the
    not-sold or KO reason."""

    _name = "crm.lead.phase.move"
    _description = "Move Leads to a Deal Phase"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    lead_count = fields.Integer(compute="_compute_lead_count")
    to_phase = fields.Selection(DEAL_PHASES, "To Phase", required=True, readonly=True)
    transition_label = fields.Char("Outcome", compute="_compute_transition_label")
    # What the target phase needs
    ask_contact = fields.Boolean(compute="_compute_asks")
    ask_gold_standard = fields.Boolean(compute="_compute_asks")
    contact_firstname = fields.Char("First Name")
    contact_lastname = fields.Char("Last Name")
    phone = fields.Char("Mobile")
    qualification_criterion_ids = fields.Many2many("crm.qualification.criterion", string="Gold Standard Criteria Met")
    meeting_date = fields.Datetime("Meeting Date")
    closer_id = fields.Many2one("res.users", "Closer", domain="[('share', '=', False)]")
    lost_reason_id = fields.Many2one("crm.lost.reason", "Not-sold Reason")
    ko_reason_id = fields.Many2one("crm.ko.reason", "KO Reason")
    note = fields.Text("Note", help="Kept with the phase change in the phase history.")

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        lead_ids = self.env.context.get("default_lead_ids") or []
        leads = self.env["crm.lead"].browse(lead_ids)
        if len(leads) == 1:
            defaults.update(
                {
                    "contact_firstname": leads.contact_firstname,
                    "contact_lastname": leads.contact_lastname,
                    "phone": leads.phone,
                    "qualification_criterion_ids": [fields.Command.set(leads.qualification_criterion_ids.ids)],
                    "closer_id": leads.closer_id.id,
                }
            )
        return defaults

    @api.depends("lead_ids")
    def _compute_lead_count(self):
        for wizard in self:
            wizard.lead_count = len(wizard.lead_ids)

    @api.depends("lead_ids", "to_phase")
    def _compute_transition_label(self):
        Transition = self.env["crm.stage.transition"]
        for wizard in self:
            phases = set(wizard.lead_ids.mapped("deal_phase"))
            label = Transition._label(phases.pop(), wizard.to_phase) if len(phases) == 1 else False
            wizard.transition_label = label or dict(DEAL_PHASES).get(wizard.to_phase)

    @api.depends("lead_ids", "to_phase")
    def _compute_asks(self):
        for wizard in self:
            single = len(wizard.lead_ids) == 1
            wizard.ask_contact = single and wizard.to_phase != ENTRY_PHASE and not wizard.lead_ids.is_inquiry_complete
            wizard.ask_gold_standard = single and wizard.to_phase in GOLD_STANDARD_PHASES

    def action_apply(self):
        self.ensure_one()
        stage = self.env["crm.stage"]._get_phase_stage(self.to_phase)
        move = PhaseMove(reason=(self.note or "").strip() or None)
        self.lead_ids.with_context(**{PhaseMove.CONTEXT_KEY: move}).write({"stage_id": stage.id, **self._lead_values()})
        return {"type": "ir.actions.act_window_close"}

    def _lead_values(self):
        """The data the wizard asked for, and nothing it did not ask for."""
        vals = {}
        if self.ask_contact:
            vals.update(
                contact_firstname=self.contact_firstname, contact_lastname=self.contact_lastname, phone=self.phone
            )
        if self.ask_gold_standard:
            vals["qualification_criterion_ids"] = [fields.Command.set(self.qualification_criterion_ids.ids)]
        if self.to_phase == "first_meeting" and self.meeting_date:
            vals["first_meeting_date"] = self.meeting_date
        if self.to_phase == "second_meeting" and self.meeting_date:
            vals["second_meeting_date"] = self.meeting_date
        if self.to_phase in ("first_meeting", "second_meeting") and self.closer_id:
            vals["closer_id"] = self.closer_id.id
        if self.to_phase == "not_sold" and self.lost_reason_id:
            vals["lost_reason_id"] = self.lost_reason_id.id
        if self.to_phase == "unqualified" and self.ko_reason_id:
            vals["ko_reason_id"] = self.ko_reason_id.id
        return vals
