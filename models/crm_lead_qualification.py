from odoo import api, fields, models
from odoo.tools import SQL


class CrmLead(models.Model):
    """What an inquiry and a qualification consist of: contact data, questionnaire,
    gold-standard criteria and the KO reason."""

    _inherit = "crm.lead"

    # Inquiry (not tracked themselves: crm tracks the contact name they make up)
    contact_firstname = fields.Char("First Name")
    contact_lastname = fields.Char("Last Name")
    contact_name = fields.Char(compute="_compute_contact_name", store=True, readonly=False)
    questionnaire = fields.Text("Questionnaire", help="Answers of the inquiry's questionnaire (optional).")
    is_inquiry_complete = fields.Boolean(
        "Inquiry Complete",
        compute="_compute_is_inquiry_complete",
        store=True,
        help="First name, last name and mobile number are all there: only then may the lead leave Inquiry received.",
    )
    # Qualification
    qualification_criterion_ids = fields.Many2many(
        "crm.qualification.criterion",
        "crm_lead_qualification_criterion_rel",
        "lead_id",
        "criterion_id",
        string="Gold Standard Criteria Met",
        copy=False,
    )
    is_gold_standard = fields.Boolean(
        "Gold Standard",
        compute="_compute_is_gold_standard",
        store=True,
        help="Every active gold-standard criterion is met.",
    )
    ko_reason_id = fields.Many2one("crm.ko.reason", "KO Reason", tracking=True, copy=False)

    @api.depends("partner_id", "contact_firstname", "contact_lastname")
    def _compute_contact_name(self):
        named = self.filtered(lambda lead: lead.contact_firstname or lead.contact_lastname)
        super(CrmLead, self - named)._compute_contact_name()
        for lead in named:
            lead.contact_name = " ".join(filter(None, (lead.contact_firstname, lead.contact_lastname)))

    @api.depends("contact_firstname", "contact_lastname", "phone")
    def _compute_is_inquiry_complete(self):
        for lead in self:
            lead.is_inquiry_complete = bool(
                (lead.contact_firstname or "").strip()
                and (lead.contact_lastname or "").strip()
                and (lead.phone or "").strip()
            )

    @api.depends("qualification_criterion_ids")
    def _compute_is_gold_standard(self):
        active_criteria = self.env["crm.qualification.criterion"].search([])
        for lead in self:
            lead.is_gold_standard = bool(active_criteria) and active_criteria <= lead.qualification_criterion_ids

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._split_contact_name(vals)
        return super().create(vals_list)

    # BUSINESS

    @api.model
    def _split_contact_name(self, vals):
        """Inquiries from mail, web forms and integrations often bring one full name:
        keep it and derive first and last name, so the inquiry can be complete."""
        full_name = (vals.get("contact_name") or "").strip()
        if not full_name or vals.get("contact_firstname") or vals.get("contact_lastname"):
            return
        first, _space, last = full_name.rpartition(" ")
        vals["contact_firstname"], vals["contact_lastname"] = (first, last) if first else (False, last)

    @api.model
    def _split_existing_contact_names(self):
        """At install: leads that only have a full contact name get first and last name
        from it (the same split as for new leads), in one statement for any number of leads."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE crm_lead
                   SET contact_lastname = regexp_replace(btrim(contact_name), '^.*\\s', ''),
                       contact_firstname = NULLIF(regexp_replace(btrim(contact_name), '\\s*\\S+$', ''), '')
                 WHERE btrim(COALESCE(contact_name, '')) <> ''
                   AND contact_firstname IS NULL AND contact_lastname IS NULL
             RETURNING id
                """
            )
        )
        leads = self.browse([row[0] for row in self.env.cr.fetchall()])
        leads.invalidate_recordset(["contact_firstname", "contact_lastname"])
        self.env.add_to_compute(self._fields["is_inquiry_complete"], leads)
        leads.flush_recordset(["is_inquiry_complete"])
        return leads

    def _missing_inquiry_data(self):
        """Labels of what a complete inquiry still lacks on this lead."""
        self.ensure_one()
        missing = []
        if not (self.contact_firstname or "").strip():
            missing.append(self.env._("a first name"))
        if not (self.contact_lastname or "").strip():
            missing.append(self.env._("a last name"))
        if not (self.phone or "").strip():
            missing.append(self.env._("a mobile number"))
        return missing
