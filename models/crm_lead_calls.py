from datetime import timedelta

from markupsafe import Markup

from odoo import SUPERUSER_ID, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from .deal_phase import DETAILS_PREFETCH, PHASES, STRIKE_THRESHOLD_LABEL, UNQUALIFIED, _lt

GOODWILL_CALL = _lt("Goodwill call")
CALL_ACTIVITY_XMLID = "mail.mail_activity_data_call"
SQL_NULLS_FIRST = SQL("NULLS FIRST")
SQL_NULLS_LAST = SQL("NULLS LAST")


class CrmLead(models.Model):
    """Goodwill calls and strikes: the setters' high-cadence follow-up, and the setter it
    records."""

    _inherit = "crm.lead"

    # Calls
    call_count = fields.Integer("Calls", readonly=True, copy=False)
    last_call_date = fields.Datetime("Last Call", readonly=True, copy=False, index="btree_not_null")
    # Strikes
    strike_count = fields.Integer("Strikes", readonly=True, copy=False)
    strike_notes = fields.Text("Strike Reasons", readonly=True, copy=False, prefetch=DETAILS_PREFETCH)

    # ORM

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        """A lead never called has waited longest for a call: it sorts first, before the
        longest-uncalled ones, in every list sorted by the last call."""
        if field_name == "last_call_date" and not nulls.code:
            nulls = SQL_NULLS_LAST if direction.code.upper() == "DESC" else SQL_NULLS_FIRST
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    # ACTIONS

    def action_log_goodwill_call(self):
        """Count a call on each lead, close the call that was due and plan the next one after
        the follow-up cadence. Whoever calls a lead without a setter becomes its setter."""
        self._check_phases_allow(
            lambda lead: PHASES[lead.deal_phase].calls,
            self.env._("No calls are logged in the current phase of these leads; nothing was changed."),
        )
        now = fields.Datetime.now()
        for call_count, leads in self._group_by_value("call_count").items():
            leads._with_intent().write({"call_count": call_count + 1, "last_call_date": now})
        self._record_setter({})
        self._close_call_activities({}, self.env._("Goodwill call logged."))
        self._schedule_for_users(
            CALL_ACTIVITY_XMLID,
            fields.Date.context_today(self) + timedelta(days=self._deal_settings().follow_up_cadence_days),
            GOODWILL_CALL,
            lambda lead: lead.setter_id or lead.user_id,
        )
        return True

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

    # BUSINESS

    def _record_setter(self, from_stage_ids):
        """The salesperson who pre-qualifies a lead (moves it out of Inquiry received, logs a
        call) becomes its setter when it has none; the cron and imports by OdooBot don't."""
        without_setter = self._gaining_setter()
        if without_setter:
            without_setter.setter_id = self.env.user

    def _record_creating_setter(self, from_stage_ids):
        """A setter who types in an inquiry is its setter."""
        if self.env.user.deal_phase_role == "setter":
            self.filtered(lambda lead: lead.id not in from_stage_ids)._gaining_setter().setter_id = self.env.user

    def _move_values(self, from_stage_ids, target_stage_id):
        values = super()._move_values(from_stage_ids, target_stage_id)
        effects = self._effects_of_moves(from_stage_ids, target_stage_id)
        for lead in self.filtered(lambda lead: "_record_setter" in effects[lead.id])._gaining_setter():
            values.setdefault(lead.id, {})["setter_id"] = self.env.uid
        return values

    def _gaining_setter(self):
        """The leads the current user becomes the setter of: those without one, when the
        user is a salesperson (not the cron, nor an import by OdooBot)."""
        if self.env.uid == SUPERUSER_ID or not self.env.user._is_internal():
            return self.browse()
        return self.filtered(lambda lead: not lead.setter_id)

    def _close_call_activities(self, from_stage_ids, note=None):
        """Open call activities end when the lead leaves Follow-up or becomes Unqualified
        (nobody calls it there), or when the call was logged: cancelled, with a note in the
        chatter saying why."""
        call_type = self.env.ref(CALL_ACTIVITY_XMLID, raise_if_not_found=False)
        if not call_type:
            return
        activities = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [("res_model", "=", self._name), ("res_id", "in", self.ids), ("activity_type_id", "=", call_type.id)]
            )
        )
        if not activities:
            return
        leads = self.browse(activities.mapped("res_id"))
        if note is None:
            bodies = {
                lead.id: Markup("<p>%s</p>")
                % self.env._("Open call activity closed: the lead is now in %s.", lead.stage_id.name)
                for lead in leads
            }
        else:
            bodies = dict.fromkeys(leads.ids, Markup("<p>%s</p>") % note)
        activities.unlink()
        leads._message_log_batch(bodies=bodies)
