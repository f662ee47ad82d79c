from odoo import fields, models


class CrmLead(models.Model):
    """Where an inquiry came from and how often the person asked: filled by the inquiry
    intake (crm_deal_intake.py), the one door of form tools and integrators."""

    _inherit = "crm.lead"

    intake_source_id = fields.Many2one(
        "crm.deal.intake.source", "Inquiry Source", readonly=True, copy=False, index="btree_not_null"
    )
    reinquiry_count = fields.Integer(
        "Asked Again", readonly=True, copy=False, help="Inquiries of the same person after the first."
    )
    last_inquiry_date = fields.Datetime("Last Inquiry", readonly=True, copy=False)
    consent_date = fields.Datetime("Consent Given", help="When the person agreed to be contacted.")
    consent_text = fields.Text("Consent Wording", help="What the person agreed to, as the form said it.")
