from markupsafe import Markup

from odoo import fields, models
from odoo.tools import format_date, format_datetime


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

    # BUSINESS

    def _answer_text(self, definition, value):
        """An answer as a person reads it, in the user's language: Yes or No, a selection's
        label, a date in the user's format; None for an empty one."""
        kind = definition.get("type")
        if value in (None, False, "", []) and kind != "boolean":
            return None
        if kind == "boolean":
            return self.env._("Yes") if value else self.env._("No") if value is False else None
        if kind == "selection":
            return dict(definition.get("selection") or []).get(value, value)
        if kind == "tags":
            labels = {tag[0]: tag[1] for tag in definition.get("tags") or []}
            return ", ".join(labels.get(tag, tag) for tag in value)
        if kind == "many2many":
            return ", ".join(name for _id, name in value)
        if kind == "many2one":
            return value[1] if isinstance(value, (list, tuple)) else str(value)
        if kind == "date":
            return format_date(self.env, value)
        if kind == "datetime":
            return format_datetime(self.env, value, tz=self.env.user.tz or "UTC", dt_format="short")
        return str(value)

    def _answers(self):
        """[(question, answer)] of the lead: the team's questions it answered (its properties),
        then the questionnaire's lines."""
        self.ensure_one()
        answers = []
        for item in self.read(["lead_properties"])[0]["lead_properties"] or []:
            text = self._answer_text(item, item.get("value"))
            if text is not None:
                answers.append((item.get("string") or item["name"], text))
        for line in (self.questionnaire or "").splitlines():
            question, colon, answer = line.partition(": ")
            answers.append((question, answer) if colon else ("", line))
        return answers

    def _answers_html(self):
        return Markup("").join(
            Markup("<p><strong>%s</strong>: %s</p>") % (question, answer) if question else Markup("<p>%s</p>") % answer
            for question, answer in self._answers()
        )
