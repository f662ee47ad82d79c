from odoo import fields, models


class CrmLostReason(models.Model):
    _inherit = "crm.lost.reason"

    is_not_sold_reason = fields.Boolean(
        "Not-sold Reason",
        help="Offered when a consultation ends with a refusal (Not sold): the reasons that fit a "
        "consultation sale. Stock reasons such as 'Not enough stock' stay off.",
    )

    # ORM

    def unlink(self):
        self.check_access("unlink")
        self.env["crm.lead"]._check_reasons_unused(self, "lost_reason_id")
        return super().unlink()
