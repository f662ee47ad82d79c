from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from .deal_phase import PhaseMove
from .res_config_settings import (
    DEFAULT_FOLLOW_UP_CADENCE_DAYS,
    DEFAULT_STRIKE_THRESHOLD,
    FOLLOW_UP_CADENCE_PARAM,
    STRIKE_THRESHOLD_PARAM,
    get_int_param,
)

# Phases where nobody calls any more: sold is final, unqualified is "don't call again".
NO_CALL_PHASES = frozenset({"sold", "unqualified"})


class CrmLead(models.Model):
    """Goodwill calls and strikes: the setters' high-cadence follow-up."""

    _inherit = "crm.lead"

    # Calls
    call_count = fields.Integer("Calls", readonly=True, copy=False)
    last_call_date = fields.Datetime("Last Call", readonly=True, copy=False, index="btree_not_null")
    # Strikes
    strike_count = fields.Integer("Strikes", readonly=True, copy=False)
    strike_notes = fields.Text("Strike Reasons", readonly=True, copy=False)

    # ACTIONS

    def action_log_goodwill_call(self):
        """Count a call on each lead and plan the next one after the follow-up cadence."""
        self._check_phases_allow(lambda lead: lead.deal_phase not in NO_CALL_PHASES, self.env._("calls"))
        now = fields.Datetime.now()
        for call_count, leads in self._group_by_value("call_count").items():
            leads.write({"call_count": call_count + 1, "last_call_date": now})
        cadence = get_int_param(self.env, FOLLOW_UP_CADENCE_PARAM, DEFAULT_FOLLOW_UP_CADENCE_DAYS)
        self._schedule_for_users(
            "mail.mail_activity_data_call",
            fields.Date.context_today(self) + timedelta(days=cadence),
            self.env._("Goodwill call"),
            lambda lead: lead.setter_id or lead.user_id,
        )
        return True

    def action_add_strike(self, reason):
        """One strike each; at the threshold the lead moves to Unqualified, the strikes
        recorded as the reason. All or nothing for the selection."""
        reason = (reason or "").strip() if isinstance(reason, str) else ""
        if not reason:
            raise UserError(self.env._("A strike needs a short reason."))
        Transition = self.env["crm.stage.transition"]
        self._check_phases_allow(
            lambda lead: Transition._is_allowed(lead.deal_phase, "unqualified"), self.env._("strikes")
        )
        threshold = get_int_param(self.env, STRIKE_THRESHOLD_PARAM, DEFAULT_STRIKE_THRESHOLD)
        line = f"{fields.Date.context_today(self)}: {reason}"
        for (strike_count, notes), leads in self._group_by_value("strike_count", "strike_notes").items():
            leads.write({"strike_count": strike_count + 1, "strike_notes": f"{notes}\n{line}" if notes else line})
        self._message_log_batch(
            bodies={lead.id: Markup("<p>%s</p>") % self.env._("Strike: %s", reason) for lead in self}
        )
        struck_out = self.filtered(lambda lead: lead.strike_count >= threshold)
        if struck_out:
            ko_reason = self.env.ref("crm_deal_phases.ko_reason_strikes", raise_if_not_found=False)
            for notes, leads in struck_out._group_by_value("strike_notes").items():
                move = PhaseMove(reason=notes, label=self.env._("Strike threshold reached"))
                leads.with_context(**{PhaseMove.CONTEXT_KEY: move}).write(
                    {
                        "stage_id": self.env["crm.stage"]._get_phase_stage("unqualified").id,
                        "ko_reason_id": (leads.ko_reason_id[:1] or ko_reason).id,
                    }
                )
        return True

    # BUSINESS

    def _check_phases_allow(self, allows, what):
        """Refuse the whole selection, naming the leads, when one is in a phase that does
        not allow what is done to it."""
        refused = self.filtered(lambda lead: not lead.deal_phase or not allows(lead))
        if refused:
            raise UserError(
                self.env._(
                    "No %(what)s in the current phase of these leads; nothing was changed.\n%(leads)s",
                    what=what,
                    leads=self._format_lead_lines(
                        refused,
                        lambda lead: self.env._(
                            '"%(lead)s" (%(phase)s)', lead=lead.display_name, phase=lead.stage_id.name or "-"
                        ),
                    ),
                )
            )

    def _group_by_value(self, *field_names):
        """{values: leads} so a counter moves with one write per distinct value, not per lead."""
        groups = defaultdict(lambda: self.browse())
        for lead in self:
            values = tuple(lead[name] for name in field_names)
            groups[values[0] if len(values) == 1 else values] |= lead
        return groups

    def _schedule_for_users(self, activity_xmlid, deadline, summary, user_of):
        """One activity per lead, created in one batch. No assignment e-mail per activity: a
        list action or the cron plans hundreds at once, and they show in each user's to-dos."""
        activity_type = self.env.ref(activity_xmlid, raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": lead.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "summary": summary,
                    "date_deadline": deadline,
                    "user_id": (user_of(lead) or self.env.user).id,
                }
                for lead in self
            ]
        )
