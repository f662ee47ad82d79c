from odoo import models
from odoo.tools.sql import table_exists


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _update_translations(self, filter_lang=None, overwrite=False):
        res = super()._update_translations(filter_lang=filter_lang, overwrite=overwrite)
        if "crm.deal.phase.log" in self.env and table_exists(self.env.cr, "crm_deal_phase_log"):
            self.env["crm.deal.phase.log"]._complete_label_translations()
        return res
