import json
from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .deal_phase import PHASE_BITS


class CrmLead(models.Model):
    """What the conversion funnel reads, kept on the lead itself: the phases it ever entered
    (one bit each) and when its inquiry arrived (its cohort). Both are computed from the stage
    and written by the UPDATE that moves it - no statement more on a phase change, and the
    funnel reads the leads instead of aggregating their whole history."""

    _inherit = "crm.lead"

    deal_phases_entered = fields.Integer(
        "Phases Entered", compute="_compute_deal_funnel", store=True, copy=False, readonly=True
    )
    deal_inquiry_date = fields.Datetime(
        "Inquiry Arrived",
        compute="_compute_deal_funnel",
        store=True,
        copy=False,
        readonly=True,
        help="When the lead entered the deal phases: its cohort in the conversion funnel.",
    )

    @api.depends("stage_id")
    def _compute_deal_funnel(self):
        # the previous values are read as stored: a compute sees its own fields' old values
        # assigned per distinct value: a batch moved together shares one or two
        bit_of_stage = {
            stage_id: PHASE_BITS.get(phase, 0) for stage_id, phase in self.env["crm.stage"]._phase_by_stage_id().items()
        }
        now = fields.Datetime.now()
        lead_ids_by_values = defaultdict(list)
        for lead in self:
            bit = bit_of_stage.get(lead.stage_id.id, 0)
            values = ((lead.deal_phases_entered or 0) | bit, lead.deal_inquiry_date or (now if bit else False))
            lead_ids_by_values[values].append(lead.id)
        for (entered, inquiry_date), lead_ids in lead_ids_by_values.items():
            leads = self.browse(lead_ids)
            leads.deal_phases_entered = entered
            leads.deal_inquiry_date = inquiry_date

    # BUSINESS

    def _log_phase_changes(self, from_stage_ids):
        res = super()._log_phase_changes(from_stage_ids)
        # every move counts: computed now, before a next move in the same transaction
        # replaces the stage the lazy computation would see
        self._recompute_recordset(["deal_phases_entered", "deal_inquiry_date"])
        return res

    @api.model
    def _rebuild_deal_funnel(self):
        """The funnel's columns from the whole phase history (an upgrade, the demo data); the
        rows a merge brought over stay the merged lead's, as the live columns do."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead lead
                   SET deal_phases_entered = history.entered, deal_inquiry_date = history.first_date
                  FROM (SELECT log.lead_id, MIN(log.date) AS first_date,
                               bit_or((%s::jsonb ->> log.to_phase)::int) AS entered
                          FROM crm_deal_phase_log log
                         WHERE log.to_phase IS NOT NULL AND log.merged_lead_ref IS NULL
                      GROUP BY log.lead_id) history
                 WHERE history.lead_id = lead.id
                """,
                json.dumps(PHASE_BITS),
            )
        )
        self.invalidate_model(["deal_phases_entered", "deal_inquiry_date"])
