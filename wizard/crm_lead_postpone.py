from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class CrmLeadPostpone(models.TransientModel):
    """A postponed first consultation stays in its phase with a new date, and is counted."""

    _name = "crm.lead.postpone"
    _description = "Postpone a First Consultation"

    lead_id = fields.Many2one("crm.lead", "Lead", required=True)
    meeting_date = fields.Datetime("New Meeting Date", required=True)
    note = fields.Text("Note")

    def action_apply(self):
        self.ensure_one()
        lead = self.lead_id
        if lead.deal_phase != "first_meeting":
            raise UserError(
                self.env._(
                    'Only a First consultation can be postponed; "%(lead)s" is in %(phase)s.',
                    lead=lead.display_name,
                    phase=lead.stage_id.name,
                )
            )
        lead.write({"first_meeting_date": self.meeting_date, "postponed_count": lead.postponed_count + 1})
        body = self.env._("First consultation postponed to %s.", fields.Datetime.to_string(self.meeting_date))
        lead.message_post(
            body=Markup("<p>%s</p>") % body + (Markup("<p>%s</p>") % self.note if self.note else ""),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
