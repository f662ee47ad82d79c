from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    use_deal_phases = fields.Boolean(
        "Use Deal Phases",
        default=True,
        help="The team's pipeline is the eight deal phases and their rules. Turn it off for a team "
        "with a pipeline of its own (e.g. upsell): its board shows none of the phases and its "
        "leads are not governed.",
    )
