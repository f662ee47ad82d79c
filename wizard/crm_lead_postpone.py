from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..models.deal_phase import MEETING_EVENT_FIELDS, PHASES


class CrmLeadPostpone(models.TransientModel):
    """A postponed consultation stays in its phase with a new date: counted, said in the
    chatter, its calendar event moved."""

    _name = "crm.lead.postpone"
    _inherit = "crm.lead.booking.mixin"
    _description = "Postpone a Consultation"

    lead_id = fields.Many2one("crm.lead", required=True)
    meeting_date = fields.Datetime("New Date", required=True)
    note = fields.Text()

    def _meeting_field(self):
        lead = self.lead_id
        return PHASES[lead.deal_phase].meeting_field if lead.deal_phase else ""

    def _booking_date_field(self):
        return "meeting_date"

    def _booking_closer(self):
        return self.lead_id.closer_id

    def _booking_events_to_ignore(self):
        field = self._meeting_field()
        return self.lead_id[MEETING_EVENT_FIELDS[field]] if field else self.env["calendar.event"]

    def _booking_depends(self):
        return ["meeting_date", "lead_id"]

    def action_apply(self):
        self.ensure_one()
        lead = self.lead_id
        field = self._meeting_field()
        if not field:
            raise UserError(
                self.env._(
                    'Only a consultation can be postponed; "%(lead)s" is in %(phase)s.',
                    lead=lead.display_name,
                    phase=lead.stage_id.name,
                )
            )
        if self.meeting_date <= fields.Datetime.now():
            raise UserError(
                self.env._(
                    '"%(lead)s": the new date of the consultation, %(date)s, has passed. Choose a date to come.',
                    lead=lead.display_name,
                    date=lead._format_user_datetime(self.meeting_date),
                )
            )
        lead._with_intent(booking=self._booking_options()).write({field: self.meeting_date})
        if self.note:
            lead.message_post(body=Markup("<p>%s</p>") % self.note, subtype_xmlid="mail.mt_note")
        return {"type": "ir.actions.act_window_close"}
