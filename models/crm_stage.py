from odoo import api, fields, models, tools

from .deal_phase import DEAL_PHASES


class CrmStage(models.Model):
    _inherit = "crm.stage"

    deal_phase = fields.Selection(
        DEAL_PHASES,
        string="Deal Phase",
        index="btree_not_null",
        copy=False,
        help="The documented deal phase this stage stands for. The phase graph and every rule "
        "key on it, so the stage may be renamed freely. Stages without a phase are not governed.",
    )

    _deal_phase_unique = models.UniqueIndex(
        "(deal_phase) WHERE deal_phase IS NOT NULL",
        "Each deal phase is carried by one stage only.",
    )

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        stages = super().create(vals_list)
        if any(vals.get("deal_phase") for vals in vals_list):
            self.env.registry.clear_cache()
        return stages

    def write(self, vals):
        res = super().write(vals)
        if "deal_phase" in vals:
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        governed = any(self.mapped("deal_phase"))
        res = super().unlink()
        if governed:
            self.env.registry.clear_cache()
        return res

    # BUSINESS

    @api.model
    @tools.ormcache()
    def _phase_stage_ids(self):
        """{phase code: stage id} of the stages that carry a phase."""
        rows = self.sudo().search_read([("deal_phase", "!=", False)], ["deal_phase"])
        return {row["deal_phase"]: row["id"] for row in rows}

    @api.model
    @tools.ormcache()
    def _stage_phases(self):
        """{stage id: phase code}, the same mapping read the other way (read on every move)."""
        return {stage_id: phase for phase, stage_id in self._phase_stage_ids().items()}

    @api.model
    def _get_phase_stage(self, phase):
        return self.browse(self._phase_stage_ids().get(phase))

    @api.model
    def _get_phase_stages(self, phases):
        stage_ids = self._phase_stage_ids()
        return self.browse([stage_ids[phase] for phase in phases if phase in stage_ids])

    def _phase_of(self):
        """The phase code of this stage (one or none), without a query once cached."""
        self.ensure_one()
        return self._stage_phases().get(self.id, False)
