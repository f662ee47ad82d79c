from typing import NamedTuple

from odoo import fields, models


class Setting(NamedTuple):
    """One setting of the addon: an ir.config_parameter, read by DealPhaseSettings as its kind
    says, shown on CRM's settings page as the field it makes (res.config.settings)."""

    name: str  # what the code reads: DealPhaseSettings(env).<name>
    kind: str  # "int" (at least its minimum, else the default), "bool", "selection", "team" (a crm.team)
    default: object
    string: str
    help: str
    selection: tuple = ()
    param: str = ""  # the parameter's key after "crm_deal_phases." when it is not the name
    minimum: int = 1  # the least an "int" may be

    @property
    def key(self):
        return f"crm_deal_phases.{self.param or self.name}"

    def value_of(self, raw, env):
        """The setting's value from the parameter's text (None or False: never set)."""
        if self.kind == "int":
            try:
                value = int(raw)
            except (TypeError, ValueError):
                return self.default
            return value if value >= self.minimum else self.default
        if self.kind == "bool":
            return bool(raw) if raw not in (None, False) else self.default
        if self.kind == "selection":
            return raw if raw in dict(self.selection) else self.default
        if self.kind == "team":
            ids = [int(raw)] if str(raw or "").isdigit() else []
            return env["crm.team"].browse(ids).exists()
        raise ValueError(self.kind)

    def field(self):
        """The settings page's field of this setting."""
        options = {"config_parameter": self.key, "help": self.help}
        if self.kind == "int":
            return fields.Integer(self.string, default=self.default, **options)
        if self.kind == "bool":
            return fields.Boolean(self.string, **options)
        if self.kind == "selection":
            return fields.Selection(list(self.selection), self.string, default=self.default, **options)
        if self.kind == "team":
            return fields.Many2one("crm.team", self.string, domain=[("use_deal_phases", "=", False)], **options)
        raise ValueError(self.kind)


# The addon's settings. A boolean is off unless set (Odoo deletes a boolean parameter that is
# unticked): a setting that is on by default is a selection.
SETTINGS = (
    Setting(
        "follow_up_cadence_days",
        "int",
        2,
        "Follow-up Cadence (days)",
        "Days between two goodwill calls: the next call activity is due after this many days, and Follow-up "
        "cards rot on the board (crm's rotting) after as many days without a change.",
    ),
    Setting(
        "strike_threshold",
        "int",
        3,
        "Strike Threshold",
        "A lead that collects this many strikes moves to Unqualified automatically.",
    ),
    Setting(
        "second_meeting_alert",
        "int",
        20,
        "Second Consultation Alert (%)",
        "Closers whose share of decided deals that needed a Second consultation is above this percentage are "
        "flagged in the analysis: a second call must never become the rule.",
        param="second_meeting_alert_rate",
    ),
    Setting(
        "upsell_team",
        "team",
        None,
        "Upsell Team",
        "Sold deals start upsell opportunities in this team, which has a pipeline of its own.",
        param="upsell_team_id",
    ),
    Setting(
        "upsell_auto",
        "bool",
        False,
        "Create Upsell Opportunity on Sold",
        "Every deal that reaches Sold starts an upsell opportunity in the upsell team.",
        param="upsell_auto_create",
    ),
    Setting(
        "meeting_duration_minutes",
        "int",
        60,
        "Consultation Duration (minutes)",
        "How long the calendar event of a booked consultation lasts.",
    ),
    Setting(
        "setter_call_minutes",
        "int",
        20,
        "Setter Call Duration (minutes)",
        "How long a booked setter call lasts: its calendar event, and the steps of the inquiry page's free slots.",
    ),
    Setting(
        "call_retry_hours",
        "int",
        4,
        "Next Attempt After (hours)",
        "A call with no answer, a voicemail or a busy line: the lead is called again after this many hours.",
    ),
    Setting(
        "unanswered_calls_strike",
        "int",
        3,
        "Unanswered Calls per Strike",
        "This many unanswered calls in a row give the lead a strike.",
    ),
    Setting(
        "recent_call_hours",
        "int",
        2,
        "Skip Leads Called Within (hours)",
        "The calling queue skips a lead called less than this many hours ago (a due call-back excepted).",
    ),
    Setting(
        "call_claim_minutes",
        "int",
        10,
        "Call Claim (minutes)",
        "A lead a setter takes from the queue is theirs for this long; no other setter gets it meanwhile.",
    ),
    Setting(
        "early_outcome_customer",
        "selection",
        "tell",
        "When an Early Decision Cancels the Consultation",
        "A sale (or a refusal) recorded before the booked consultation cancels its calendar event. Tell the "
        "customer: calendar's cancellation e-mail takes the meeting out of their calendar. The closer tells them: "
        "nothing is sent. A cancelled appointment always sends it; a held consultation or a no-show sends nothing.",
        selection=(("tell", "Tell the customer"), ("closer", "The closer tells the customer")),
    ),
    Setting(
        "setter_appointment_on_consultation",
        "selection",
        "cancelled",
        "A Setter Call Booked After the Consultation",
        "A lead books its consultation (or is decided) before its booked setter call: cancel the call, calendar's "
        "cancellation e-mail telling the customer, or mark it held with the setter's activity done. A setter call "
        "that has begun is always marked held.",
        selection=(("cancelled", "Cancel it, the customer told"), ("held", "Mark it held")),
    ),
)
SETTINGS += (
    Setting(
        "round_robin",
        "selection",
        "fewest",
        "Who Gets a Booking",
        "Of the closers (or setters) free at the time a lead books, without its own: the one with the fewest "
        "consultations (calls) booked that week, or each in turn.",
        selection=(("fewest", "The fewest booked that week"), ("rotation", "Each in turn")),
    ),
    Setting(
        "booking_link_days",
        "int",
        14,
        "Booking Link Valid (days)",
        "A booking link a lead gets works this many days, and until its consultation once it booked one.",
    ),
    Setting(
        "booking_days",
        "int",
        14,
        "Days Offered by a Booking Link",
        "How many days ahead a booking link offers the closers' free times.",
    ),
    Setting(
        "booking_notice_hours",
        "int",
        4,
        "Minimum Notice (hours)",
        "A lead books a consultation at least this many hours ahead.",
    ),
    Setting(
        "booking_buffer_minutes",
        "int",
        15,
        "Buffer Between Consultations (minutes)",
        "Free time a closer keeps before and after every event when a lead books.",
        minimum=0,
    ),
    Setting(
        "self_service_hours",
        "int",
        24,
        "Moved or Cancelled by the Lead Until (hours before)",
        "Until this many hours before the consultation, the lead moves or cancels it from its link; later its page "
        "says to call.",
    ),
    Setting(
        "unconfirmed_call_hours",
        "int",
        24,
        "Call Unconfirmed Consultations (hours before)",
        "A consultation the customer has not confirmed this many hours before it gets a call activity of the "
        "lead's setter.",
    ),
)
SETTINGS_BY_NAME = {setting.name: setting for setting in SETTINGS}
# Reminders of a booked consultation unless the admin chose others: an e-mail the day before
# and one two hours before (the no-show is the worst outcome of a consultation).
MEETING_ALARMS_KEY = "crm_deal_phases.meeting_alarm_ids"
DEFAULT_MEETING_ALARM_XMLIDS = (
    "crm_deal_phases.calendar_alarm_mail_1_day",
    "crm_deal_phases.calendar_alarm_mail_2_hours",
)


class DealPhaseSettings:
    """The addon's settings, read one way: DealPhaseSettings(env).<name> of a row of SETTINGS,
    or the consultations' reminders."""

    def __init__(self, env):
        self._params = env["ir.config_parameter"].sudo()
        self._env = env

    def __getattr__(self, name):
        setting = SETTINGS_BY_NAME.get(name)
        if not setting:
            raise AttributeError(name)
        return setting.value_of(self._params.get_param(setting.key), self._env)

    @property
    def meeting_alarms(self):
        Alarm = self._env["calendar.alarm"].sudo()
        ids = self._params.get_param(MEETING_ALARMS_KEY)
        if ids is False:  # never set: the defaults
            return Alarm.union(
                *(self._env.ref(xmlid, raise_if_not_found=False) or Alarm for xmlid in DEFAULT_MEETING_ALARM_XMLIDS)
            )
        return Alarm.browse([int(part) for part in ids.split(",") if part.strip().isdigit()]).exists()


def _setting_field(name):
    return SETTINGS_BY_NAME[name].field()


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
    # The rows of SETTINGS
    deal_phases_follow_up_cadence_days = _setting_field("follow_up_cadence_days")
    deal_phases_strike_threshold = _setting_field("strike_threshold")
    deal_phases_second_meeting_alert = _setting_field("second_meeting_alert")
    deal_phases_upsell_team_id = _setting_field("upsell_team")
    deal_phases_upsell_auto_create = _setting_field("upsell_auto")
    deal_phases_meeting_duration = _setting_field("meeting_duration_minutes")
    deal_phases_setter_call_duration = _setting_field("setter_call_minutes")
    deal_phases_call_retry_hours = _setting_field("call_retry_hours")
    deal_phases_unanswered_calls_strike = _setting_field("unanswered_calls_strike")
    deal_phases_recent_call_hours = _setting_field("recent_call_hours")
    deal_phases_call_claim_minutes = _setting_field("call_claim_minutes")
    deal_phases_early_outcome_customer = _setting_field("early_outcome_customer")
    deal_phases_setter_appointment_on_consultation = _setting_field("setter_appointment_on_consultation")
    deal_phases_round_robin = _setting_field("round_robin")
    deal_phases_booking_link_days = _setting_field("booking_link_days")
    deal_phases_booking_days = _setting_field("booking_days")
    deal_phases_booking_notice_hours = _setting_field("booking_notice_hours")
    deal_phases_booking_buffer_minutes = _setting_field("booking_buffer_minutes")
    deal_phases_self_service_hours = _setting_field("self_service_hours")
    deal_phases_unconfirmed_call_hours = _setting_field("unconfirmed_call_hours")
    # Reminders: many records, which a config parameter does not hold
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
            MEETING_ALARMS_KEY, ",".join(map(str, self.deal_phases_meeting_alarm_ids.ids))
        )
        # Odoo deletes an integer parameter set to 0: where 0 is allowed, it is kept as "0"
        for setting in SETTINGS:
            if setting.kind == "int" and setting.minimum == 0 and self[f"deal_phases_{setting.name}"] == 0:
                self.env["ir.config_parameter"].sudo().set_param(setting.key, "0")
        self.env["crm.stage"]._apply_rotting_thresholds(DealPhaseSettings(self.env).follow_up_cadence_days)
        return res
