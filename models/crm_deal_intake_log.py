import json
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# the retention cron's intent: a Python object in the context, which no RPC client can send
RETENTION = object()
INTAKE_STATUSES = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("duplicate", "Duplicate"),
    ("refused", "Refused"),
]


class CrmDealIntakeLog(models.Model):
    """Every submission to an inquiry source, as it arrived: what came of it, its errors, its
    lead. Written by the intake service only; nobody edits a row; the retention cron removes
    rows older than the source's retention. A refused submission is replayed from here once
    the mapping is fixed."""

    _name = "crm.deal.intake.log"
    _description = "Inquiry Intake Log"
    _order = "received_at desc, id desc"
    _rec_name = "source_id"

    received_at = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now, index=True)
    source_id = fields.Many2one("crm.deal.intake.source", required=True, readonly=True, ondelete="cascade")
    company_id = fields.Many2one(related="source_id.company_id", store=True, readonly=True)
    door = fields.Selection(
        [("webhook", "Webhook"), ("json2", "JSON-2"), ("page", "Inquiry Page"), ("replay", "Replay")], readonly=True
    )
    status = fields.Selection(INTAKE_STATUSES, required=True, readonly=True)
    http_status = fields.Integer("HTTP Status", readonly=True)
    external_id = fields.Char("External ID", readonly=True)
    payload = fields.Text(readonly=True, help="The submission as it arrived (not kept when it was not authenticated).")
    errors = fields.Text(readonly=True)
    lead_id = fields.Many2one("crm.lead", readonly=True, ondelete="set null")
    replayed_by_id = fields.Many2one("crm.deal.intake.log", "Replayed As", readonly=True, ondelete="set null")
    client_key = fields.Char(
        readonly=True,
        groups="base.group_system",
        help="For the inquiry page's limit per address: a keyed hash of the visitor's address, never the address.",
    )

    # a submission's id is taken once per source: a resend is a duplicate of the first
    _external_id_once = models.UniqueIndex(
        "(source_id, external_id) WHERE external_id IS NOT NULL AND status IN ('created', 'updated')"
    )
    _recent_per_source = models.Index("(source_id, received_at)")
    _recent_per_client = models.Index("(client_key, received_at) WHERE client_key IS NOT NULL")

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("The inquiry intake log is written by the intake only."))
        return super().create(vals_list)

    def write(self, vals):
        if set(vals) - {"replayed_by_id"} or not self.env.su:
            raise AccessError(self.env._("Nobody edits the inquiry intake log."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_by_retention_only(self):
        if self.env.context.get("crm_deal_phases_retention") is not RETENTION:
            raise AccessError(self.env._("The inquiry intake log is removed after its retention only."))

    # ACTIONS

    def action_replay(self):
        """Submit refused submissions again, with the source's mapping as it is now."""
        if not self.env.user.has_group("sales_team.group_sale_manager"):
            raise AccessError(self.env._("Only Sales Administrators replay submissions."))
        unfit = self.filtered(lambda log: log.status != "refused" or not log.payload or log.replayed_by_id)
        if unfit:
            raise UserError(
                self.env._(
                    "Only refused submissions with their payload, not replayed yet, can be replayed: %s.",
                    ", ".join(unfit.mapped("display_name")),
                )
            )
        Intake = self.env["crm.deal.intake"]
        for log in self:
            try:
                payload = json.loads(log.payload)
            except ValueError:
                payload = log.payload
            Intake._submit_payloads(log.source_id, [payload], door="replay", replay_of=log)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    # BUSINESS

    @api.model
    def _gc_by_retention(self):
        """Remove the rows older than their source's retention (daily cron)."""
        now = fields.Datetime.now()
        Log = self.sudo().with_context(crm_deal_phases_retention=RETENTION)
        for source in self.env["crm.deal.intake.source"].sudo().with_context(active_test=False).search([]):
            limit = now - timedelta(days=source.log_retention_days)
            Log.search([("source_id", "=", source.id), ("received_at", "<", limit)]).unlink()
