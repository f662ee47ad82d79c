from collections import defaultdict

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, format_datetime

from .deal_phase import PhaseIntent
from .res_config_settings import DealPhaseSettings

# Refusal messages list at most this many leads, then say how many more were refused.
MAX_LEADS_IN_MESSAGE = 10


class CrmLead(models.Model):
    """What every concern of the addon uses: passing the addon's intent to a write, refusing
    a selection as a whole, grouping for batch writes, planning activities in batches, window
    actions, messages and dates in the user's language and time zone."""

    _inherit = "crm.lead"

    # BUSINESS

    def _with_intent(self, **intent):
        """These leads, with the addon's own intent for the writes that follow (see PhaseIntent)."""
        return self.with_context(**{PhaseIntent.CONTEXT_KEY: PhaseIntent(**intent)})

    def _lock_rows(self):
        """Lock the leads' rows for the rest of the transaction. A move locks its leads before
        its effects write other records: the lead's UPDATE may still be queued, and a
        concurrent move of the lead would reach the same new rows (a follower, through a
        meeting's activity) and fail on their unique key, which Odoo does not retry; locked,
        it waits and is run again on this move's result (REPEATABLE READ)."""
        if self:
            self.env.cr.execute(
                SQL("SELECT id FROM crm_lead WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", tuple(self.ids))
            )

    def _in_phases(self):
        """The leads that sit in a deal phase, from the registry cache (crm's own paths - won,
        lost, restore - test it for every lead, so it reads no stage)."""
        phase_of = self.env["crm.stage"]._phase_by_stage_id()
        return self.filtered(lambda lead: lead.stage_id.id in phase_of)

    @api.model
    def _deal_settings(self):
        return DealPhaseSettings(self.env)

    def _check_phases_allow(self, allows, message):
        """Refuse the whole selection when one lead is outside the phases or in a phase that
        does not allow what is done to it: message (a whole sentence) and the leads."""
        refused = self.filtered(lambda lead: not lead.deal_phase or not allows(lead))
        if refused:
            leads = self._format_lead_lines(
                refused,
                lambda lead: self.env._(
                    '"%(lead)s" (%(phase)s)', lead=lead.display_name, phase=lead.stage_id.name or "-"
                ),
            )
            raise UserError(self.env._("%(message)s\n%(leads)s", message=message, leads=leads))

    def _group_by_value(self, *field_names):
        """{values: leads} so a counter moves with one write per distinct value, not per lead."""
        groups = defaultdict(lambda: self.browse())
        for lead in self:
            values = tuple(lead[name] for name in field_names)
            groups[values[0] if len(values) == 1 else values] |= lead
        return groups

    def _schedule_for_users(self, activity_xmlid, deadline, summary, user_of, note=None):
        """One activity per lead, created in one batch, its summary in the assignee's language
        (the cron runs as OdooBot). No assignment e-mail per activity: a list action or the cron
        plans hundreds at once, and they show in each user's to-dos."""
        if not self:
            return self.env["mail.activity"]
        activity_type = self.env.ref(activity_xmlid, raise_if_not_found=False)
        model_id = self.env["ir.model"]._get_id(self._name)
        translated = {}

        def in_language_of(user):
            lang = user.lang or self.env.lang or "en_US"
            if lang not in translated:
                translated[lang] = self.env(context=dict(self.env.context, lang=lang))._(summary)
            return translated[lang]

        vals_list = []
        for lead in self:
            user = user_of(lead) or self.env.user
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": lead.id,
                    "activity_type_id": activity_type.id if activity_type else False,
                    "summary": in_language_of(user),
                    "note": note,
                    "date_deadline": deadline,
                    "user_id": user.id,
                }
            )
        return self.env["mail.activity"].with_context(mail_activity_quick_update=True).create(vals_list)

    @api.model
    def _window_action(self, name, res_model, res_id=None, views=("form",), **extra):
        """A window action the web client can open from any caller (a button, orm.call, a
        server action): with its views, always."""
        action = {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "views": [(False, view_type) for view_type in views],
            "view_mode": ",".join(views),
            **extra,
        }
        if res_id:
            action["res_id"] = res_id
        if views == ("form",) and res_model != self._name:
            action.setdefault("target", "new")
        return action

    @api.model
    def _all_translations(self, label):
        """{lang: label} of a lazy label in English and every installed language."""
        langs = {"en_US", *(lang for lang, _name in self.env["res.lang"].get_installed())}
        return {lang: self.env(context=dict(self.env.context, lang=lang))._(label) for lang in sorted(langs)}

    @api.model
    def _format_lead_lines(self, leads, describe):
        return self._format_lines([describe(lead) for lead in leads])

    @api.model
    def _format_lines(self, lines):
        shown = [f"- {line}" for line in lines[:MAX_LEADS_IN_MESSAGE]]
        if len(lines) > MAX_LEADS_IN_MESSAGE:
            shown.append(self.env._("- and %s more.", len(lines) - MAX_LEADS_IN_MESSAGE))
        return "\n".join(shown)

    @api.model
    def _format_user_datetime(self, value):
        """A date and time as the user reads it: their language's format, their time zone."""
        return format_datetime(self.env, value, tz=self.env.user.tz or "UTC", dt_format="short") if value else ""

    @api.model
    def _format_user_date(self, value):
        return format_date(self.env, value) if value else ""

    @api.model
    def _check_reasons_unused(self, reasons, field_name):
        """A reason a lead still gives (KO, not sold) is archived, not deleted: the lead's
        phase needs it."""
        counts = (
            self.sudo()
            .with_context(active_test=False)
            ._read_group([(field_name, "in", reasons.ids)], [field_name], ["__count"])
        )
        if counts:
            raise UserError(
                self.env._(
                    "These reasons are given by leads and cannot be deleted; archive them instead. "
                    "Nothing was deleted.\n%s",
                    self._format_lines(
                        [
                            self.env._('"%(reason)s": %(count)s leads', reason=reason.name, count=count)
                            for reason, count in counts
                        ]
                    ),
                )
            )
