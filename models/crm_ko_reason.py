from odoo import api, fields, models


class CrmKoReason(models.Model):
    _name = "crm.ko.reason"
    _description = "KO Reason"
    _order = "sequence, id"

    name = fields.Char("KO Reason", required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    _name_unique = models.Constraint("UNIQUE(name)", "A KO reason with this name already exists.")

    # ORM

    @api.ondelete(at_uninstall=False)
    def _unlink_except_given_by_leads(self):
        self.env["crm.lead"]._check_reasons_unused(self, "ko_reason_id")
