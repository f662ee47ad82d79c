from odoo import api, fields, models


class CrmLostReason(models.Model):
    _inherit = "crm.lost.reason"

    is_not_sold_reason = fields.Boolean(
        "Not-sold Reason",
        help="Offered when a consultation ends with a refusal (Not sold): the reasons that fit a "
        "consultation sale. Stock reasons such as 'Not enough stock' stay off.",
    )

    # ORM

    @api.ondelete(at_uninstall=False)
    def _unlink_except_given_by_leads(self):
        self.env["crm.lead"]._check_reasons_unused(self, "lost_reason_id")
