from odoo import fields, models


class CrmTeamMember(models.Model):
    _inherit = "crm.team.member"

    deal_consultations_per_day = fields.Integer(
        "Consultations a Day",
        help="At most this many consultations a lead books with this closer on one day (0: no limit); a full "
        "day's times go to the team's other closers.",
    )
