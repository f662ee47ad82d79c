from odoo import api, fields, models
from odoo.exceptions import AccessError

from .deal_phase import DEAL_PHASES

# What came of a call. "Logged" are the calls counted before calls had outcomes (an upgrade
# turns the old counter into that many calls).
CALL_OUTCOMES = [
    ("reached", "Reached"),
    ("no_answer", "No answer"),
    ("voicemail", "Voicemail"),
    ("busy", "Busy"),
    ("wrong_number", "Wrong number"),
    ("call_back", "Call back"),
    ("logged", "Logged (no outcome)"),
]
UNANSWERED = ("no_answer", "voicemail", "busy")


class CrmDealCall(models.Model):
    """One call of a setter (or closer) to a lead, with its outcome: the calling session's
    record, the cadence's input and the call figures' source. Written once, by the call
    service (crm.lead._log_calls); nobody edits or deletes a call, it goes with its lead."""

    _name = "crm.deal.call"
    _description = "Deal Phase Call"
    _order = "start desc, id desc"
    _rec_name = "lead_id"

    # Call
    lead_id = fields.Many2one("crm.lead", required=True, index=True, ondelete="cascade", readonly=True)
    # precomputed: written by the call's INSERT, not by an UPDATE after it
    company_id = fields.Many2one(related="lead_id.company_id", store=True, readonly=True, precompute=True)
    team_id = fields.Many2one("crm.team", "Sales Team", readonly=True)
    user_id = fields.Many2one("res.users", "Caller", required=True, readonly=True, index=True)
    phase = fields.Selection(DEAL_PHASES, "Phase at the Call", readonly=True)
    start = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    stop = fields.Datetime(readonly=True)
    duration = fields.Float("Minutes", compute="_compute_duration", store=True, readonly=True, precompute=True)
    # Outcome
    outcome = fields.Selection(CALL_OUTCOMES, required=True, readonly=True)
    call_back_at = fields.Datetime(readonly=True)
    note = fields.Text(readonly=True)

    @api.depends("start", "stop")
    def _compute_duration(self):
        for call in self:
            call.duration = (call.stop - call.start).total_seconds() / 60 if call.start and call.stop else 0.0

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(
                self.env._("Calls are logged with the call's outcome buttons (or the API's action_log_call) only.")
            )
        return super().create(vals_list)

    # BUSINESS

    @api.model
    def _record(self, vals_list):
        """The one place calls are written: the call service's (crm.lead._log_calls)."""
        return self.sudo().create(vals_list).sudo(False)

    def _amend_note(self, note):
        """What the caller typed on the call screen after logging the call, kept with it: the
        note of the current user's own calls, nothing else."""
        mine = self.filtered(lambda call: call.user_id == self.env.user and (call.note or "") != (note or ""))
        mine.sudo().write({"note": note or False})
