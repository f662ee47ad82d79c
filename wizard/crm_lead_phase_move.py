from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.deal_phase import DEAL_PHASES, REQUIREMENTS, requirements_of


class CrmLeadPhaseMove(models.TransientModel):
    """Asks exactly for what the target phase needs - as the phase table says - then moves
    the leads in one write. Its fields carry the names of the lead fields they fill."""

    _name = "crm.lead.phase.move"
    _inherit = "crm.lead.booking.mixin"
    _description = "Move Leads to a Deal Phase"

    lead_ids = fields.Many2many("crm.lead", string="Leads", required=True)
    to_phase = fields.Selection(DEAL_PHASES, required=True, readonly=True)
    transition_label = fields.Char("Outcome", compute="_compute_transition_label")
    # One flag per requirement of the phase table: is it asked here?
    ask_contact = fields.Boolean(compute="_compute_asks")
    ask_gold_standard = fields.Boolean(compute="_compute_asks")
    ask_first_meeting = fields.Boolean(compute="_compute_asks")
    ask_second_meeting = fields.Boolean(compute="_compute_asks")
    ask_sale_amount = fields.Boolean(compute="_compute_asks")
    ask_not_sold_reason = fields.Boolean(compute="_compute_asks")
    ask_ko_reason = fields.Boolean(compute="_compute_asks")
    # What the requirements consist of, named as on the lead
    contact_firstname = fields.Char("First Name")
    contact_lastname = fields.Char("Last Name")
    phone = fields.Char("Mobile")
    qualification_criterion_ids = fields.Many2many("crm.qualification.criterion", string="Gold Standard Criteria Met")
    first_meeting_date = fields.Datetime("First Consultation")
    second_meeting_date = fields.Datetime("Second Consultation")
    closer_id = fields.Many2one(
        "res.users",
        compute="_compute_closer_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', closer_candidate_ids)]",
        help="The lead's closer; without one, once the date is set, the closer free then whom the rule of every "
        "booking gives (the settings: the fewest booked that week, or each in turn).",
    )
    closer_candidate_ids = fields.Many2many("res.users", compute="_compute_closer_candidate_ids")
    expected_revenue = fields.Monetary("Deal Amount", currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    # A decision before the booked consultation has begun: the user confirms it was taken early
    meeting_not_begun = fields.Char(compute="_compute_meeting_not_begun")
    confirm_early_decision = fields.Boolean("The Customer Decided Before the Consultation")
    lost_reason_id = fields.Many2one("crm.lost.reason", "Not-sold Reason", domain="[('is_not_sold_reason', '=', True)]")
    ko_reason_id = fields.Many2one("crm.ko.reason", "KO Reason")
    note = fields.Text(help="Kept with the phase change in the phase history, and in the chatter.")

    @api.model
    def default_get(self, fields_list):
        """The lead's own data where one lead moves; the dates a phase asks on every entry
        start empty: a booking is a new date."""
        defaults = super().default_get(fields_list)
        leads = self.env["crm.lead"].browse(self.env.context.get("default_lead_ids") or [])
        if len(leads) != 1:
            return defaults
        fresh = {
            name
            for requirement in requirements_of(self.env.context.get("default_to_phase"))
            if requirement.asked_on_entry
            for name in requirement.fields
            if leads._fields[name].type in ("date", "datetime")
        }
        for requirement in REQUIREMENTS:
            for name in requirement.fields:
                if name in fields_list and name not in fresh and name not in defaults:
                    defaults[name] = leads._fields[name].convert_to_write(leads[name], leads)
        return defaults

    @api.depends("lead_ids", "to_phase")
    def _compute_transition_label(self):
        Transition = self.env["crm.stage.transition"]
        for wizard in self:
            phases = set(wizard.lead_ids.mapped("deal_phase"))
            label = Transition._label(phases.pop(), wizard.to_phase) if len(phases) == 1 else False
            wizard.transition_label = label or dict(self._fields["to_phase"]._description_selection(self.env)).get(
                wizard.to_phase
            )

    @api.depends("lead_ids", "to_phase")
    def _compute_asks(self):
        """A requirement of the target phase is asked when the phase asks it on every entry,
        or when the one lead moving lacks it (data of many leads is not typed in at once:
        a lead of a batch lacking it is named when the move is refused)."""
        for wizard in self:
            requirements = requirements_of(wizard.to_phase)
            single = wizard.lead_ids if len(wizard.lead_ids) == 1 else None
            for requirement in REQUIREMENTS:
                wizard[f"ask_{requirement.name}"] = requirement in requirements and (
                    requirement.asked_on_entry or bool(single and single._lacking(requirement))
                )

    @api.depends("first_meeting_date", "second_meeting_date", "closer_candidate_ids")
    def _compute_closer_id(self):
        for wizard in self:
            start = wizard.first_meeting_date or wizard.second_meeting_date
            if wizard.closer_id or not start or len(wizard.lead_ids) != 1:
                wizard.closer_id = wizard.closer_id
                continue
            wizard.closer_id = wizard.lead_ids._closer_for(start, wizard.closer_candidate_ids)

    @api.depends("lead_ids")
    def _compute_closer_candidate_ids(self):
        """The closers of the leads' teams, else every closer, else every internal user: a
        booking goes to a closer, not to whoever has a login."""
        Users = self.env["res.users"]
        closers = Users.search([("share", "=", False), ("deal_phase_role", "=", "closer")])
        for wizard in self:
            team_closers = closers & (wizard.lead_ids.team_id.member_ids | wizard.lead_ids.team_id.user_id)
            wizard.closer_candidate_ids = (
                team_closers or closers or Users.search([("share", "=", False)])
            ) | wizard.lead_ids.closer_id

    @api.depends("lead_ids")
    def _compute_currency_id(self):
        for wizard in self:
            wizard.currency_id = wizard.lead_ids[:1].company_currency or self.env.company.currency_id

    @api.depends("lead_ids", "to_phase")
    def _compute_meeting_not_begun(self):
        for wizard in self:
            starts = [start for lead in wizard.lead_ids if (start := lead._meeting_not_begun(wizard.to_phase))]
            wizard.meeting_not_begun = (
                self.env._(
                    "The consultation is booked for %s and has not taken place yet.",
                    self.env["crm.lead"]._format_user_datetime(min(starts)),
                )
                if starts
                else False
            )

    def _booking_date_field(self):
        return (
            "first_meeting_date" if self.ask_first_meeting else "second_meeting_date" if self.ask_second_meeting else ""
        )

    def _booking_closer(self):
        return self.closer_id

    def _booking_depends(self):
        return ["first_meeting_date", "second_meeting_date", "closer_id", "to_phase", "lead_ids"]

    def action_apply(self):
        self.ensure_one()
        if self.meeting_not_begun and not self.confirm_early_decision:
            raise UserError(
                self.env._(
                    "%s Tick that the customer decided before it to record the decision now.", self.meeting_not_begun
                )
            )
        stage = self.env["crm.stage"]._stage_of_phase(self.to_phase)
        self.lead_ids._with_intent(
            reason=(self.note or "").strip() or None,
            booking=self._booking_options(),
            early_confirmed=self.confirm_early_decision,
        ).write({"stage_id": stage.id, **self._lead_values()})
        note = (self.note or "").strip()
        if note:
            body = Markup("<p>%s</p><p>%s</p>") % (self.env._("Note on the move to %s:", stage.name), note)
            self.lead_ids._message_log_batch(bodies=dict.fromkeys(self.lead_ids.ids, body))
        return self.env["crm.deal.call.session"]._after_wizard({"type": "ir.actions.act_window_close"})

    def _lead_values(self):
        """The data the wizard asked for, and nothing it did not ask for."""
        vals = {}
        for requirement in REQUIREMENTS:
            if self[f"ask_{requirement.name}"]:
                for name in requirement.fields:
                    vals[name] = self._fields[name].convert_to_write(self[name], self)
        return vals
