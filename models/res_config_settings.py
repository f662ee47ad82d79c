from odoo import fields, models

FOLLOW_UP_CADENCE_PARAM = "crm_deal_phases.follow_up_cadence_days"
STRIKE_THRESHOLD_PARAM = "crm_deal_phases.strike_threshold"
DEFAULT_FOLLOW_UP_CADENCE_DAYS = 2
DEFAULT_STRIKE_THRESHOLD = 3


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


def get_int_param(env, key, default):
    """A positive integer setting; a missing or broken value falls back to the default."""
    try:
        value = int(env["ir.config_parameter"].sudo().get_param(key, default))
    except (TypeError, ValueError):
        return default
    return value if value > 0 else default
