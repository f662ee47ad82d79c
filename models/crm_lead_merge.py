from odoo import models
from odoo.tools import SQL


class CrmLead(models.Model):
    """A merge keeps every phase change: crm deletes the merged leads (as superuser), so
    their history moves to the lead that stays first, marked with where it came from, as
    crm carries their chatter over. The surviving lead keeps its own phase."""

    _inherit = "crm.lead"

    def _merge_data(self, fnames=None):
        data = super()._merge_data(fnames)
        if self[:1]._in_phases():
            data["stage_id"] = self[:1].stage_id.id
        return data

    def _merge_dependences(self, opportunities):
        res = super()._merge_dependences(opportunities)
        if any(lead.deal_phases_entered for lead in opportunities):
            self._merge_phase_history(opportunities)
        return res

    def _merge_phase_history(self, opportunities):
        self.ensure_one()
        self.env["crm.deal.phase.log"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_deal_phase_log log
                   SET lead_id = %(head)s,
                       company_id = %(company)s,
                       merged_lead_ref = COALESCE(log.merged_lead_ref, log.lead_id),
                       merged_lead_name = COALESCE(log.merged_lead_name, lead.name)
                  FROM crm_lead lead
                 WHERE lead.id = log.lead_id AND log.lead_id = ANY(%(tails)s)
                """,
                head=self.id,
                company=self.company_id.id or None,
                tails=opportunities.ids,
            )
        )
        self.env["crm.deal.phase.log"].invalidate_model()
        (self | opportunities).invalidate_recordset(["phase_log_ids"])
