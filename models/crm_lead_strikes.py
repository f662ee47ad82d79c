from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from .deal_phase import DETAILS_PREFETCH, PHASES, STRIKE_THRESHOLD_LABEL, UNQUALIFIED


class CrmLead(models.Model):
    """Strikes: a setter's mark that a lead is not worth calling; at the threshold it is
    Unqualified. Each strike is a record of its own (crm.deal.strike); the counter and the
    notes on the lead are its figures."""

    _inherit = "crm.lead"

    strike_count = fields.Integer("Strikes", readonly=True, copy=False)
    strike_notes = fields.Text("Strike Reasons", readonly=True, copy=False, prefetch=DETAILS_PREFETCH)
    strike_ids = fields.One2many("crm.deal.strike", "lead_id", "Strike History", readonly=True)

    # ACTIONS

    def action_open_strike_wizard(self):
        return self._window_action(
            self.env._("Add Strike"), "crm.lead.strike", target="new", context={"default_lead_ids": self.ids}
        )

    def action_add_strike(self, reason):
        """One strike each; at the threshold the lead moves to Unqualified, the strikes
        recorded as the reason. All or nothing for the selection. Returns a notification
        naming the leads the strikes took off the list, if any."""
        reason = reason.strip() if isinstance(reason, str) else ""
        if not reason:
            raise UserError(self.env._("A strike needs a short reason."))
        Transition = self.env["crm.stage.transition"]
        decides_all = self.env.user.has_group("sales_team.group_sale_manager")
        self._check_phases_allow(
            lambda lead: (
                Transition._is_allowed(lead.deal_phase, UNQUALIFIED)
                and (decides_all or not PHASES[lead.deal_phase].closer_decides or lead.closer_id == self.env.user)
            ),
            self.env._(
                "Strikes are only given where Unqualified can follow, in a consultation by its closer; nothing was "
                "changed."
            ),
        )
        threshold = self._deal_settings().strike_threshold
        # the strikes' history: one record per strike, written by this action only
        self.env["crm.deal.strike"].sudo().create(
            [
                {"lead_id": lead.id, "team_id": lead.team_id.id, "user_id": self.env.uid, "reason": reason}
                for lead in self
            ]
        )
        line = f"{self._format_user_date(fields.Date.context_today(self))}: {reason}"
        for (strike_count, notes), leads in self._group_by_value("strike_count", "strike_notes").items():
            leads._with_intent().write(
                {"strike_count": strike_count + 1, "strike_notes": f"{notes}\n{line}" if notes else line}
            )
        self._message_log_batch(bodies=dict.fromkeys(self.ids, Markup("<p>%s</p>") % self.env._("Strike: %s", reason)))
        struck_out = self.filtered(lambda lead: lead.strike_count >= threshold)
        if not struck_out:
            return True
        ko_reason = self.env.ref("crm_deal_phases.ko_reason_strikes", raise_if_not_found=False)
        unqualified = self.env["crm.stage"]._stage_of_phase(UNQUALIFIED)
        for notes, leads in struck_out._group_by_value("strike_notes").items():
            leads._with_intent(reason=notes, label=STRIKE_THRESHOLD_LABEL).write(
                {"stage_id": unqualified.id, "ko_reason_id": (leads.ko_reason_id[:1] or ko_reason).id}
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "sticky": False,
                "title": self.env._("Strike threshold reached"),
                "message": self.env._(
                    "%(count)s strikes: moved to %(phase)s and off the call list: %(leads)s",
                    count=threshold,
                    phase=unqualified.name,
                    leads=", ".join(struck_out.mapped("display_name")),
                ),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
