from odoo import fields, models


class CrmDealCallClaim(models.Model):
    """Which setter is calling which lead, until when: the calling queue's claims. A claim is
    taken in the same transaction as the lead's row lock (SELECT ... FOR UPDATE SKIP LOCKED),
    so two setters never get the same lead; an abandoned claim expires. Kept by the queue's
    SQL only (crm_lead_call_queue.py)."""

    _name = "crm.deal.call.claim"
    _description = "Call Queue Claim"
    _log_access = False
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(related="lead_id.company_id", readonly=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", readonly=True)
    expires_at = fields.Datetime(required=True, readonly=True)

    _lead_unique = models.Constraint("UNIQUE(lead_id)", "A lead is claimed by one setter at a time.")
