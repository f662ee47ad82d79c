from odoo import api, fields, models
from odoo.exceptions import UserError

SESSION_CONTEXT_KEY = "deal_call_session_id"


class CrmDealCallSession(models.TransientModel):
    """The call screen: one lead of the setter's queue at a time, with what a call needs -
    the person, the number to dial, the questionnaire, the last calls, the strikes, the
    phase - and one button per outcome. After any outcome the next lead opens; a reached
    lead first gets its next phase, through the outcome wizards the lead's buttons open."""

    _name = "crm.deal.call.session"
    _description = "Calling Session"

    # Session
    phases = fields.Char(required=True, readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True)
    # the call logged for the lead open now ("Reached": the note typed after it goes with it)
    call_id = fields.Many2one("crm.deal.call", readonly=True)
    state = fields.Selection([("dialing", "Calling"), ("reached", "Reached")], default="dialing", readonly=True)
    # the ids of the leads skipped in this session, read with the session's row
    skipped_lead_ids = fields.Json("Skipped", readonly=True, default=list)
    started_at = fields.Datetime(readonly=True)
    calls_logged = fields.Integer(readonly=True)
    # The lead, as the call needs it
    contact_name = fields.Char(related="lead_id.contact_name")
    partner_name = fields.Char(related="lead_id.partner_name")
    phone = fields.Char(related="lead_id.phone", string="Mobile")
    email_from = fields.Char(related="lead_id.email_from")
    answers = fields.Html(
        compute="_compute_answers", help="The team's questions the lead answered, and its questionnaire."
    )
    setter_appointment = fields.Datetime(related="lead_id.setter_appointment", string="Booked Call")
    stage_id = fields.Many2one(related="lead_id.stage_id", string="Phase")
    strike_count = fields.Integer(related="lead_id.strike_count")
    call_count = fields.Integer(related="lead_id.call_count")
    lead_call_ids = fields.One2many(related="lead_id.call_ids", string="Last Calls")
    available_transition_ids = fields.Many2many(related="lead_id.available_transition_ids")
    # What the setter adds
    note = fields.Text(help="Kept with the call.")
    call_back_at = fields.Datetime(help="The person asks to be called at another time: pick it, then Call back.")

    @api.depends("lead_id")
    def _compute_answers(self):
        for session in self:
            session.answers = session.lead_id._answers_html() if session.lead_id else False

    @api.depends("lead_id")
    def _compute_display_name(self):
        for session in self:
            session.display_name = (
                self.env._("Calling: %s", session.lead_id.display_name) if session.lead_id else self.env._("Calling")
            )

    # ACTIONS

    def action_reached(self):
        """Reached: the call is logged; the setter picks the lead's next phase (or keeps it)."""
        self._log("reached")
        self.state = "reached"
        return self._action_show()

    def action_no_answer(self):
        return self._log_and_next("no_answer")

    def action_voicemail(self):
        return self._log_and_next("voicemail")

    def action_busy(self):
        return self._log_and_next("busy")

    def action_wrong_number(self):
        return self._log_and_next("wrong_number")

    def action_call_back(self):
        if not self.call_back_at:
            raise UserError(self.env._("When should the lead be called back? Enter the date and time first."))
        return self._log_and_next("call_back")

    def action_keep_phase(self):
        """Reached, and the lead stays where it is: the next lead."""
        self._keep_note()
        return self._action_next()

    def action_skip(self):
        self.ensure_one()
        self._keep_note()
        self.lead_id._release_call_claims()
        self.skipped_lead_ids = [*(self.skipped_lead_ids or []), self.lead_id.id]
        return self._action_next()

    def action_stop(self):
        self.ensure_one()
        self._keep_note()
        self.lead_id._release_call_claims()
        return self._action_call_list()

    def action_open_phase_transition(self, transition_id):
        """A next phase for the reached lead: the lead's own outcome button, whose wizard
        comes back to this session; a move without questions opens the next lead at once."""
        self.ensure_one()
        self._keep_note()
        result = self.lead_id.action_open_phase_transition(transition_id)
        if isinstance(result, dict):
            result["context"] = {**result.get("context", {}), SESSION_CONTEXT_KEY: self.id}
            return result
        return self._action_next()

    def action_open_strike_wizard(self):
        self.ensure_one()
        self._keep_note()
        action = self.lead_id.action_open_strike_wizard()
        action["context"] = {**action["context"], SESSION_CONTEXT_KEY: self.id}
        return action

    # BUSINESS

    @api.model
    def _after_wizard(self, default):
        """What a wizard opened from a session returns: the session's next lead."""
        session = self.browse(self.env.context.get(SESSION_CONTEXT_KEY)).exists()
        if session and session.create_uid == self.env.user:
            return session._action_next()
        return default

    def _log(self, outcome):
        self.ensure_one()
        if not self.lead_id:
            raise UserError(self.env._("No lead is open in this calling session."))
        self.call_id = self.lead_id._log_calls(
            outcome,
            note=(self.note or "").strip() or None,
            call_back_at=self.call_back_at if outcome == "call_back" else None,
            start=self.started_at,
        )
        self.calls_logged += 1

    def _keep_note(self):
        """The note typed after the call was logged ("Reached", then the next step) goes with
        the call: nothing the screen lets a setter type is lost."""
        if self.call_id:
            self.call_id._amend_note((self.note or "").strip())

    def _log_and_next(self, outcome):
        self._log(outcome)
        return self._action_next()

    def _action_next(self):
        """The next lead of the queue, claimed, on the call screen - or back to the list."""
        self.ensure_one()
        phases = self.phases.split(",")
        lead = self.env["crm.lead"]._claim_next_lead(phases, exclude_ids=self.skipped_lead_ids or [])
        if not lead:
            self.write({"lead_id": False, "call_id": False})
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "title": self.env._("No lead to call now"),
                    "message": self.env._(
                        "%s calls logged. Every lead of your list is called, claimed by a colleague or due later.",
                        self.calls_logged,
                    ),
                    "next": self._action_call_list(),
                },
            }
        self.write(
            {
                "lead_id": lead.id,
                "call_id": False,
                "state": "dialing",
                "note": False,
                "call_back_at": False,
                "started_at": fields.Datetime.now(),
            }
        )
        return self._action_show()

    @api.model
    def _action_call_list(self):
        """Back to the call list, the calling session's crumbs gone with it."""
        action = self.env["ir.actions.actions"]._for_xml_id("crm_deal_phases.crm_lead_follow_up_calls_action")
        return {**action, "target": "main"}

    def _action_show(self):
        # the breadcrumb shows the session's own name ("Calling: <lead>"), read with the form
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Calling"),
            "res_model": self._name,
            "res_id": self.id,
            "views": [(False, "form")],
            "view_mode": "form",
            "target": "main",
        }
