from odoo import api, fields, models


class CrmQualificationCriterion(models.Model):
    _name = "crm.qualification.criterion"
    _description = "Gold Standard Criterion"
    _order = "sequence, id"

    name = fields.Char("Criterion", required=True, translate=True)
    description = fields.Text(translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        criteria = super().create(vals_list)
        self._recompute_gold_standard()
        return criteria

    def write(self, vals):
        res = super().write(vals)
        if "active" in vals:
            self._recompute_gold_standard()
        return res

    def unlink(self):
        res = super().unlink()
        self._recompute_gold_standard()
        return res

    # BUSINESS

    def _recompute_gold_standard(self):
        """The gold standard means every active criterion: a new or archived criterion
        changes it for the leads that meet any criterion."""
        leads = (
            self.env["crm.lead"]
            .with_context(active_test=False)
            .sudo()
            .search([("qualification_criterion_ids", "!=", False)])
        )
        self.env.add_to_compute(self.env["crm.lead"]._fields["is_gold_standard"], leads)
