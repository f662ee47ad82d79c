from odoo import api, fields, models, tools


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

    @api.model
    @tools.ormcache()
    def _active_ids(self):
        """The ids of the active criteria: the gold standard is all of them (none active: no
        standard to meet). Filled from a context-free environment."""
        return tuple(self.env["crm.stage"]._cached_env()[self._name].search([("active", "=", True)]).ids)

    def _recompute_gold_standard(self):
        """A new, archived or deleted criterion changes the gold standard of every lead."""
        self.env["crm.stage"]._signal_phase_caches_changed()
        leads = self.env["crm.lead"].with_context(active_test=False).sudo().search([])
        self.env.add_to_compute(self.env["crm.lead"]._fields["is_gold_standard"], leads)
