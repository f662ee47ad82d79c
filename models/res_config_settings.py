from odoo import fields, models

FOLLOW_UP_CADENCE_PARAM = "crm_deal_phases.follow_up_cadence_days"
STRIKE_THRESHOLD_PARAM = "crm_deal_phases.strike_threshold"
SECOND_MEETING_ALERT_PARAM = "crm_deal_phases.second_meeting_alert_rate"
UPSELL_TEAM_PARAM = "crm_deal_phases.upsell_team_id"
UPSELL_AUTO_PARAM = "crm_deal_phases.upsell_auto_create"
DEFAULT_FOLLOW_UP_CADENCE_DAYS = 2
DEFAULT_STRIKE_THRESHOLD = 3
DEFAULT_SECOND_MEETING_ALERT = 20


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    deal_phases_follow_up_cadence_days = fields.Integer(
        "Follow-up Cadence (days)",
        config_parameter=FOLLOW_UP_CADENCE_PARAM,
        default=DEFAULT_FOLLOW_UP_CADENCE_DAYS,
        help="Days between two goodwill calls: the next call activity is due after this many days.",
    )
    deal_phases_strike_threshold = fields.Integer(
        "Strike Threshold",
        config_parameter=STRIKE_THRESHOLD_PARAM,
        default=DEFAULT_STRIKE_THRESHOLD,
        help="A lead that collects this many strikes moves to Unqualified automatically.",
    )
    deal_phases_second_meeting_alert = fields.Integer(
        "Second Consultation Alert (%)",
        config_parameter=SECOND_MEETING_ALERT_PARAM,
        default=DEFAULT_SECOND_MEETING_ALERT,
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


def get_int_param(env, key, default):
    """A positive integer setting; a missing or broken value falls back to the default."""
    try:
        value = int(env["ir.config_parameter"].sudo().get_param(key, default))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default
