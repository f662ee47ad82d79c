from odoo import fields, models

DEAL_PHASE_ROLES = [("setter", "Setter"), ("closer", "Closer"), ("manager", "Sales Manager")]


class ResUsers(models.Model):
    _inherit = "res.users"

    deal_phase_role = fields.Selection(
        DEAL_PHASE_ROLES,
        help="Where CRM opens for this user: setters on the follow-up call list, closers on their "
        "consultations and win-backs, managers on the week's figures. Empty: crm's pipeline.",
    )
