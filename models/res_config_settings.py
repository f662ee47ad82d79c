from odoo import api, fields, models

FOLLOW_UP_CADENCE_PARAM = "crm_deal_phases.follow_up_cadence_days"
STRIKE_THRESHOLD_PARAM = "crm_deal_phases.strike_threshold"
SECOND_MEETING_ALERT_PARAM = "crm_deal_phases.second_meeting_alert_rate"
UPSELL_TEAM_PARAM = "crm_deal_phases.upsell_team_id"
UPSELL_AUTO_PARAM = "crm_deal_phases.upsell_auto_create"
MEETING_DURATION_PARAM = "crm_deal_phases.meeting_duration_minutes"
MEETING_ALARMS_PARAM = "crm_deal_phases.meeting_alarm_ids"
TELL_ON_EARLY_OUTCOME_PARAM = "crm_deal_phases.tell_customer_on_early_outcome"
CALL_RETRY_HOURS_PARAM = "crm_deal_phases.call_retry_hours"
UNANSWERED_STRIKE_PARAM = "crm_deal_phases.unanswered_calls_strike"
RECENT_CALL_HOURS_PARAM = "crm_deal_phases.recent_call_hours"
CALL_CLAIM_MINUTES_PARAM = "crm_deal_phases.call_claim_minutes"
SETTER_CALL_MINUTES_PARAM = "crm_deal_phases.setter_call_minutes"
DEFAULTS = {
    FOLLOW_UP_CADENCE_PARAM: 2,
    STRIKE_THRESHOLD_PARAM: 3,
    SECOND_MEETING_ALERT_PARAM: 20,
    MEETING_DURATION_PARAM: 60,
    CALL_RETRY_HOURS_PARAM: 4,
    UNANSWERED_STRIKE_PARAM: 3,
    RECENT_CALL_HOURS_PARAM: 2,
    CALL_CLAIM_MINUTES_PARAM: 10,
    SETTER_CALL_MINUTES_PARAM: 20,
}
# Reminders of a booked consultation unless the admin chose others: an e-mail the day before
# and one two hours before (the no-show is the worst outcome of a consultation).
DEFAULT_MEETING_ALARM_XMLIDS = (
    "crm_deal_phases.calendar_alarm_mail_1_day",
    "crm_deal_phases.calendar_alarm_mail_2_hours",
)


class DealPhaseSettings:
    """The addon's settings, read one way: positive integers fall back to their default,
    records are checked to exist."""

    def __init__(self, env):
        self._params = env["ir.config_parameter"].sudo()
        self._env = env

    def _int(self, key):
        try:
            value = int(self._params.get_param(key, DEFAULTS[key]))
        except (TypeError, ValueError):
            return DEFAULTS[key]
        return value if value > 0 else DEFAULTS[key]

    def _ids(self, key):
        return [int(part) for part in (self._params.get_param(key) or "").split(",") if part.strip().isdigit()]

    @property
    def follow_up_cadence_days(self):
        return self._int(FOLLOW_UP_CADENCE_PARAM)

    @property
    def strike_threshold(self):
        return self._int(STRIKE_THRESHOLD_PARAM)

    @property
    def second_meeting_alert(self):
        return self._int(SECOND_MEETING_ALERT_PARAM)

    @property
    def meeting_duration_minutes(self):
        return self._int(MEETING_DURATION_PARAM)

    @property
    def setter_call_minutes(self):
        return self._int(SETTER_CALL_MINUTES_PARAM)

    @property
    def meeting_alarms(self):
        Alarm = self._env["calendar.alarm"].sudo()
        if self._params.get_param(MEETING_ALARMS_PARAM) is False:  # never set: the defaults
            return Alarm.union(
                *(self._env.ref(xmlid, raise_if_not_found=False) or Alarm for xmlid in DEFAULT_MEETING_ALARM_XMLIDS)
            )
        return Alarm.browse(self._ids(MEETING_ALARMS_PARAM)).exists()

    @property
    def upsell_team(self):
        ids = self._ids(UPSELL_TEAM_PARAM)
        return self._env["crm.team"].browse(ids[:1]).exists()

    @property
    def upsell_auto(self):
        return bool(self._params.get_param(UPSELL_AUTO_PARAM))

    @property
    def call_retry_hours(self):
        return self._int(CALL_RETRY_HOURS_PARAM)

    @property
    def unanswered_calls_strike(self):
        return self._int(UNANSWERED_STRIKE_PARAM)

    @property
    def recent_call_hours(self):
        return self._int(RECENT_CALL_HOURS_PARAM)

    @property
    def call_claim_minutes(self):
        return self._int(CALL_CLAIM_MINUTES_PARAM)

    @property
    def tell_customer_on_early_outcome(self):
        return bool(self._params.get_param(TELL_ON_EARLY_OUTCOME_PARAM))


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Which leads follow the phases
    deal_phases_team_ids = fields.Many2many(
        "crm.team",
        string="Teams on the Deal Phases",
        compute="_compute_deal_phases_team_ids",
        readonly=False,
        help="These teams' pipeline is the eight deal phases; every other team keeps crm's stages. Same as "
        "'Use Deal Phases' on the team.",
    )
    deal_phases_without_team = fields.Boolean(related="company_id.deal_phases_without_team", readonly=False)

    deal_phases_follow_up_cadence_days = fields.Integer(
        "Follow-up Cadence (days)",
        config_parameter=FOLLOW_UP_CADENCE_PARAM,
        default=DEFAULTS[FOLLOW_UP_CADENCE_PARAM],
        help="Days between two goodwill calls: the next call activity is due after this many days, and "
        "Follow-up cards rot on the board (crm's rotting) after as many days without a change.",
    )
    deal_phases_strike_threshold = fields.Integer(
        "Strike Threshold",
        config_parameter=STRIKE_THRESHOLD_PARAM,
        default=DEFAULTS[STRIKE_THRESHOLD_PARAM],
        help="A lead that collects this many strikes moves to Unqualified automatically.",
    )
    deal_phases_second_meeting_alert = fields.Integer(
        "Second Consultation Alert (%)",
        config_parameter=SECOND_MEETING_ALERT_PARAM,
        default=DEFAULTS[SECOND_MEETING_ALERT_PARAM],
        help="Closers whose share of decided deals that needed a Second consultation is above this "
        "percentage are flagged in the analysis: a second call must never become the rule.",
    )
    deal_phases_upsell_team_id = fields.Many2one(
        "crm.team",
        "Upsell Team",
        config_parameter=UPSELL_TEAM_PARAM,
        domain=[("use_deal_phases", "=", False)],
        help="Sold deals start upsell opportunities in this team, which has a pipeline of its own.",
    )
    deal_phases_upsell_auto_create = fields.Boolean(
        "Create Upsell Opportunity on Sold",
        config_parameter=UPSELL_AUTO_PARAM,
        help="Every deal that reaches Sold starts an upsell opportunity in the upsell team.",
    )
    deal_phases_meeting_duration = fields.Integer(
        "Consultation Duration (minutes)",
        config_parameter=MEETING_DURATION_PARAM,
        default=DEFAULTS[MEETING_DURATION_PARAM],
        help="How long the calendar event of a booked consultation lasts.",
    )
    deal_phases_setter_call_duration = fields.Integer(
        "Setter Call Duration (minutes)",
        config_parameter=SETTER_CALL_MINUTES_PARAM,
        default=DEFAULTS[SETTER_CALL_MINUTES_PARAM],
        help="How long a booked setter call lasts: its calendar event, and the steps of the inquiry page's free slots.",
    )
    deal_phases_call_retry_hours = fields.Integer(
        "Next Attempt After (hours)",
        config_parameter=CALL_RETRY_HOURS_PARAM,
        default=DEFAULTS[CALL_RETRY_HOURS_PARAM],
        help="A call with no answer, a voicemail or a busy line: the lead is called again after this many hours.",
    )
    deal_phases_unanswered_calls_strike = fields.Integer(
        "Unanswered Calls per Strike",
        config_parameter=UNANSWERED_STRIKE_PARAM,
        default=DEFAULTS[UNANSWERED_STRIKE_PARAM],
        help="This many unanswered calls in a row give the lead a strike.",
    )
    deal_phases_recent_call_hours = fields.Integer(
        "Skip Leads Called Within (hours)",
        config_parameter=RECENT_CALL_HOURS_PARAM,
        default=DEFAULTS[RECENT_CALL_HOURS_PARAM],
        help="The calling queue skips a lead called less than this many hours ago (a due call-back excepted).",
    )
    deal_phases_call_claim_minutes = fields.Integer(
        "Call Claim (minutes)",
        config_parameter=CALL_CLAIM_MINUTES_PARAM,
        default=DEFAULTS[CALL_CLAIM_MINUTES_PARAM],
        help="A lead a setter takes from the queue is theirs for this long; no other setter gets it meanwhile.",
    )
    deal_phases_tell_customer_on_early_outcome = fields.Boolean(
        "Tell the Customer When an Early Decision Cancels the Consultation",
        config_parameter=TELL_ON_EARLY_OUTCOME_PARAM,
        help="A sale (or a refusal) recorded before the booked consultation cancels its calendar event. On: the "
        "customer gets calendar's cancellation e-mail. Off (the default): the closer tells the customer in person. "
        "A cancelled appointment always sends it; a held consultation or a no-show sends nothing.",
    )
    deal_phases_meeting_alarm_ids = fields.Many2many(
        "calendar.alarm",
        string="Consultation Reminders",
        compute="_compute_deal_phases_meeting_alarm_ids",
        readonly=False,
        help="Reminders of every booked consultation, sent to the customer and the closer in their language: "
        "they cut no-shows.",
    )

    def _compute_deal_phases_team_ids(self):
        teams = self.env["crm.team"].search([("use_deal_phases", "=", True)])
        for settings in self:
            settings.deal_phases_team_ids = teams

    def _compute_deal_phases_meeting_alarm_ids(self):
        alarms = DealPhaseSettings(self.env).meeting_alarms
        for settings in self:
            settings.deal_phases_meeting_alarm_ids = alarms

    def set_values(self):
        res = super().set_values()
        if self.env.user.has_group("sales_team.group_sale_manager"):
            on = self.env["crm.team"].search([("use_deal_phases", "=", True)])
            (on - self.deal_phases_team_ids).write({"use_deal_phases": False})
            (self.deal_phases_team_ids - on).write({"use_deal_phases": True})
        self.env["ir.config_parameter"].sudo().set_param(
            MEETING_ALARMS_PARAM, ",".join(map(str, self.deal_phases_meeting_alarm_ids.ids))
        )
        self.env["crm.stage"]._apply_rotting_thresholds(DealPhaseSettings(self.env).follow_up_cadence_days)
        return res

    @api.model
    def _deal_phase_settings(self):
        return DealPhaseSettings(self.env)
