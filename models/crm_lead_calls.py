from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_time

from .crm_deal_call import CALL_OUTCOMES, UNANSWERED
from .deal_phase import DETAILS_PREFETCH, PHASES, _lt

GOODWILL_CALL = _lt("Goodwill call")
ASK_FOR_NUMBER = _lt("Ask for the mobile number by e-mail")
CALL_BACK = _lt("Call back at %s")
UNANSWERED_STRIKE = _lt("%s calls in a row unanswered")
CALL_ACTIVITY_XMLID = "mail.mail_activity_data_call"
SQL_NULLS_FIRST = SQL("NULLS FIRST")
SQL_NULLS_LAST = SQL("NULLS LAST")
# the lead's preferred time for a call, as hours of the day in the setter's time zone
PREFERRED_CALL_TIMES = [
    ("morning", "Morning (8-12)"),
    ("afternoon", "Afternoon (12-17)"),
    ("evening", "Evening (17-21)"),
]
PREFERRED_CALL_HOURS = {"morning": (8, 12), "afternoon": (12, 17), "evening": (17, 21)}


class CrmLead(models.Model):
    """Calls as records with outcomes (crm.deal.call), logged by one service every door calls
    - the call screen, the "Log goodwill call" button, the API's action_log_call - and the
    cadence each outcome sets: when the next attempt is due, the strike for unanswered calls
    in a row, the number to check, the call-back."""

    _inherit = "crm.lead"

    # Calls: figures of the call records, kept by _log_calls
    call_count = fields.Integer("Calls", readonly=True, copy=False)
    last_call_date = fields.Datetime("Last Call", readonly=True, copy=False, index="btree_not_null")
    call_ids = fields.One2many("crm.deal.call", "lead_id", "Calls Logged", readonly=True)
    # Cadence
    next_call_due = fields.Datetime(readonly=True, copy=False, index="btree_not_null", prefetch=DETAILS_PREFETCH)
    call_back_at = fields.Datetime(readonly=True, copy=False, index="btree_not_null", prefetch=DETAILS_PREFETCH)
    call_back_user_id = fields.Many2one(
        "res.users", "Call Back By", readonly=True, copy=False, prefetch=DETAILS_PREFETCH
    )
    phone_needs_check = fields.Boolean(
        "Mobile Number to Check",
        readonly=True,
        copy=False,
        help="The number was reported wrong, or did not read as a mobile number: the inquiry stays incomplete "
        "until someone corrects it.",
    )
    preferred_call_time = fields.Selection(PREFERRED_CALL_TIMES, prefetch=DETAILS_PREFETCH)

    # ORM

    def write(self, vals):
        res = super().write(vals)
        if "phone" in vals and "phone_needs_check" not in vals:
            # a corrected number has been checked
            self.filtered("phone_needs_check")._with_intent().write({"phone_needs_check": False})
        return res

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        """A lead never called has waited longest for a call: it sorts first, before the
        longest-uncalled ones, in every list sorted by the last call."""
        if field_name == "last_call_date" and not nulls.code:
            nulls = SQL_NULLS_LAST if direction.code.upper() == "DESC" else SQL_NULLS_FIRST
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    # ACTIONS

    def action_log_goodwill_call(self):
        """A goodwill call that reached the lead: logged, the call that was due closed, the
        next one planned after the follow-up cadence."""
        self._log_calls("reached", note=self.env._("Goodwill call logged."))
        return True

    def action_log_call(self, outcome, note=False, call_back_at=False):
        """The API's door to the call service: one call per lead with its outcome (reached,
        no_answer, voicemail, busy, wrong_number, call_back - the latter with call_back_at)."""
        outcomes = dict(CALL_OUTCOMES)
        outcomes.pop("logged")
        if not isinstance(outcome, str) or outcome not in outcomes:
            raise UserError(
                self.env._(
                    "%(value)r is no call outcome; expected one of %(allowed)s. Nothing was logged.",
                    value=outcome,
                    allowed=", ".join(outcomes),
                )
            )
        if note is not False and not isinstance(note, str):
            raise UserError(self.env._("The note of a call is a text; nothing was logged."))
        when = fields.Datetime.to_datetime(call_back_at) if isinstance(call_back_at, str) else call_back_at
        if outcome == "call_back" and not when:
            raise UserError(self.env._("A call-back needs its date and time (call_back_at); nothing was logged."))
        self._log_calls(outcome, note=note or None, call_back_at=when or None)
        return True

    # BUSINESS

    def _log_calls(self, outcome, note=None, call_back_at=None, start=None):
        """Log one call of the current user per lead with outcome, refresh the call figures,
        set the cadence the outcome asks for; the leads' calling-queue claims end. Returns
        the calls."""
        decides_all = self.env.user.has_group("sales_team.group_sale_manager")
        self._check_phases_allow(
            lambda lead: (
                PHASES[lead.deal_phase].calls
                and (decides_all or not PHASES[lead.deal_phase].closer_decides or lead.closer_id == self.env.user)
            ),
            self.env._("No calls are logged in the current phase of these leads (or by you); nothing was changed."),
        )
        without_number = self.filtered(lambda lead: not lead.phone)
        if without_number:
            raise UserError(
                self.env._(
                    "These leads have no mobile number to call; nothing was logged. Ask them for one by e-mail.\n%s",
                    self._format_lead_lines(without_number, lambda lead: f'"{lead.display_name}"'),
                )
            )
        now = fields.Datetime.now()
        calls = self.env["crm.deal.call"]._record(
            [
                {
                    "lead_id": lead.id,
                    "team_id": lead.team_id.id,
                    "user_id": self.env.uid,
                    "phase": lead.deal_phase,
                    "start": start or now,
                    "stop": now,
                    "outcome": outcome,
                    "call_back_at": call_back_at,
                    "note": note,
                }
                for lead in self
            ]
        )
        unanswered_in_a_row = self._refresh_call_figures()
        self._record_setter({})
        self._set_call_cadence(outcome, now, call_back_at, note, unanswered_in_a_row)
        self._release_call_claims()
        return calls

    def _refresh_call_figures(self):
        """The counter and the last call, from the call records, and each lead's unanswered
        calls in a row (since its last answered one, for the cadence): one SELECT per batch.
        The figures are written through the ORM, so that the flush puts them into the same
        UPDATE as the cadence and the setter (one new row version and index entry per lead)."""
        self.env["crm.deal.call"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT lead_id, COUNT(*), MAX(start), COUNT(*) FILTER (WHERE answered_before = 0)
                  FROM (SELECT lead_id, start,
                               COUNT(*) FILTER (WHERE outcome <> ALL(%(unanswered)s))
                                   OVER (PARTITION BY lead_id ORDER BY start DESC, id DESC) AS answered_before
                          FROM crm_deal_call WHERE lead_id = ANY(%(ids)s)) calls
              GROUP BY lead_id
                """,
                unanswered=list(UNANSWERED),
                ids=self.ids,
            )
        )
        lead_ids_by_figures = defaultdict(list)
        unanswered_in_a_row = {}
        for lead_id, count, last, unanswered in self.env.cr.fetchall():
            lead_ids_by_figures[count, last].append(lead_id)
            unanswered_in_a_row[lead_id] = unanswered
        for (count, last), lead_ids in lead_ids_by_figures.items():
            self.browse(lead_ids)._with_intent().write({"call_count": count, "last_call_date": last})
        self.invalidate_recordset(["call_ids"])
        return unanswered_in_a_row

    def _set_call_cadence(self, outcome, now, call_back_at, note, unanswered_in_a_row):
        settings = self._deal_settings()
        if outcome in ("reached", "logged"):
            self._with_intent().write(
                {
                    "next_call_due": now + timedelta(days=settings.follow_up_cadence_days),
                    "call_back_at": False,
                    "call_back_user_id": False,
                }
            )
            self._close_call_activities({}, note or self.env._("Call logged: reached."))
            self._schedule_for_users(
                CALL_ACTIVITY_XMLID,
                fields.Date.context_today(self) + timedelta(days=settings.follow_up_cadence_days),
                GOODWILL_CALL,
                lambda lead: lead.setter_id or lead.user_id,
            )
        elif outcome in UNANSWERED:
            self._with_intent().write({"next_call_due": now + timedelta(hours=settings.call_retry_hours)})
            self._strike_unanswered_streaks(settings.unanswered_calls_strike, unanswered_in_a_row)
        elif outcome == "wrong_number":
            self._with_intent().write({"phone_needs_check": True, "next_call_due": False})
            self._ask_for_mobile_number()
        elif outcome == "call_back":
            self._with_intent().write(
                {"call_back_at": call_back_at, "call_back_user_id": self.env.uid, "next_call_due": call_back_at}
            )
            local = format_time(self.env, call_back_at, tz=self.env.user.tz or "UTC", time_format="short")
            summary = self.env._(CALL_BACK) % local
            self._close_call_activities({}, self.env._("Call back asked for %s.", local))
            self._schedule_for_users(
                CALL_ACTIVITY_XMLID,
                fields.Datetime.context_timestamp(self, call_back_at).date(),
                summary,
                lambda lead: self.env.user,
            )

    def _ask_for_mobile_number(self):
        """Leads nobody can call - no number, or a wrong one - that have an e-mail address: their
        setter (else salesperson, else team leader) is asked to write for the right number."""
        asked = self.filtered(
            lambda lead: (
                lead.email_from
                and (not lead.phone or lead.phone_needs_check)
                and (lead.setter_id or lead.user_id or lead.team_id.user_id)
            )
        )
        asked._schedule_for_users(
            "mail.mail_activity_data_email",
            fields.Date.context_today(self),
            ASK_FOR_NUMBER,
            lambda lead: lead.setter_id or lead.user_id or lead.team_id.user_id,
        )

    def _strike_unanswered_streaks(self, per_strike, unanswered_in_a_row):
        """Every per_strike unanswered calls in a row (since the last answered one) give a
        strike, with that reason."""
        struck = self.filtered(
            lambda lead: unanswered_in_a_row.get(lead.id) and unanswered_in_a_row[lead.id] % per_strike == 0
        )
        if struck:
            struck.action_add_strike(self.env._(UNANSWERED_STRIKE) % per_strike)

    @api.model
    def _preferred_call_times_now(self):
        """The preferred call times the current hour (the user's time zone) lies in."""
        hour = fields.Datetime.context_timestamp(self, fields.Datetime.now()).hour
        return [code for code, (start, stop) in PREFERRED_CALL_HOURS.items() if start <= hour < stop]

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
