from odoo import api, fields, models
from odoo.tools import SQL

from .deal_phase import CONTACT, DETAILS_PREFETCH, GOLD_STANDARD, _lt

NUMBER_TO_CHECK = _lt("a mobile number that reads right (the one given is to be checked)")


def _has_value(value):
    return bool(value.strip()) if isinstance(value, str) else bool(value)


class CrmLead(models.Model):
    """What an inquiry and a qualification consist of: contact data, questionnaire,
    gold-standard criteria and the KO reason, judged from the source data; the customer
    becomes a contact once the lead is qualified."""

    _inherit = "crm.lead"

    # Inquiry (not tracked themselves: crm tracks the contact name they make up)
    contact_firstname = fields.Char("First Name")
    contact_lastname = fields.Char("Last Name")
    contact_name = fields.Char(compute="_compute_contact_name", store=True, readonly=False)
    questionnaire = fields.Text(help="Answers of the inquiry's questionnaire (optional).", prefetch=DETAILS_PREFETCH)
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
    ko_reason_id = fields.Many2one("crm.ko.reason", "KO Reason", tracking=True, copy=False, ondelete="restrict")

    @api.depends("partner_id", "contact_firstname", "contact_lastname")
    def _compute_contact_name(self):
        # only where the phases apply: elsewhere crm names the contact after the partner
        named = self._governed_leads().filtered(lambda lead: lead.contact_firstname or lead.contact_lastname)
        res = super(CrmLead, self - named)._compute_contact_name()
        for lead in named:
            lead.contact_name = " ".join(filter(None, (lead.contact_firstname, lead.contact_lastname)))
        return res

    @api.depends("contact_firstname", "contact_lastname", "phone", "phone_needs_check")
    def _compute_is_inquiry_complete(self):
        for lead in self:
            lead.is_inquiry_complete = not lead.phone_needs_check and all(
                _has_value(lead[name]) for name in ("contact_firstname", "contact_lastname", "phone")
            )

    @api.depends("qualification_criterion_ids")
    def _compute_is_gold_standard(self):
        active_ids = set(self.env["crm.qualification.criterion"]._active_ids())
        for lead in self:
            lead.is_gold_standard = active_ids <= set(lead.qualification_criterion_ids.ids)

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if isinstance(vals, dict):
                self._split_contact_name(vals)
                self._name_after_contact(vals)
        return super().create(vals_list)

    # BUSINESS

    def _lacking(self, requirement):
        """{lead: [what is missing]} of the leads lacking a requirement, judged from the
        source fields it names (the criteria, the names and mobile, the dates, the reasons)."""
        if requirement == GOLD_STANDARD:
            active_ids = set(self.env["crm.qualification.criterion"]._active_ids())
            return {
                lead: list(requirement.missing)
                for lead in self
                if not active_ids <= set(lead.qualification_criterion_ids.ids)
            }
        # column by column: a field's values for the whole batch come from the cache at once
        columns = [
            [lead[name] for lead in self] if self._fields[name].relational else self.mapped(name)
            for name in requirement.fields
        ]
        lacking = {}
        for lead, *values in zip(self, *columns, strict=True):
            missing = [label for value, label in zip(values, requirement.missing, strict=True) if not _has_value(value)]
            if requirement == CONTACT and lead.phone_needs_check and lead.phone:
                missing.append(NUMBER_TO_CHECK)
            if missing:
                lacking[lead] = missing
        return lacking

    @api.model
    def _split_contact_name(self, vals):
        """Inquiries from mail, web forms and integrations often bring one full name:
        keep it and derive first and last name, so the inquiry can be complete."""
        full_name = vals.get("contact_name")
        full_name = full_name.strip() if isinstance(full_name, str) else ""
        if not full_name or vals.get("contact_firstname") or vals.get("contact_lastname"):
            return
        first, _space, last = full_name.rpartition(" ")
        vals["contact_firstname"], vals["contact_lastname"] = (first, last) if first else (False, last)

    @api.model
    def _name_after_contact(self, vals):
        """An inquiry typed in by hand is named after its contact ("Jana Jonas") when left
        unnamed: first name, last name and mobile number are all it needs."""
        if vals.get("name"):
            return
        names = [vals.get(name) for name in ("contact_firstname", "contact_lastname")]
        full_name = " ".join(name.strip() for name in names if isinstance(name, str) and name.strip())
        if full_name:
            vals["name"] = full_name

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

    def _link_customer_contact(self, from_stage_ids):
        """A qualified or booked customer becomes a contact, so it has a history and can be
        invited: an existing partner with the lead's e-mail, or a new one from the lead's
        names, mobile and e-mail, in the language of the lead (else of its salesperson)."""
        for lead in self.filtered(lambda lead: not lead.partner_id):
            if not lead.lang_id:
                lang_code = lead.user_id.lang or self.env.user.lang
                lead.lang_id = self.env["res.lang"]._lang_get(lang_code) if lang_code else False
            lead.partner_id = lead._find_matching_partner() or lead._create_customer()
