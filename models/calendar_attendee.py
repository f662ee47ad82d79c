from odoo import models

from .crm_deal_slots import CONSULTATION_FIELDS


class CalendarAttendee(models.Model):
    """The customer's answer to a consultation's invitation - calendar's own Accept and Decline
    links, in the invitation and the reminders: declining cancels the consultation as the seed
    says (crm.deal.booking._cancel_consultation); accepting is the confirmation the
    consultation figures count."""

    _inherit = "calendar.attendee"

    def do_accept(self):
        res = super().do_accept()
        for attendee in self.sudo():
            event = attendee.event_id
            if (
                event.deal_meeting_field in CONSULTATION_FIELDS
                and attendee.partner_id == event.opportunity_id.partner_id
            ):
                event._deal_write({"deal_confirmed": True})
        return res

    def do_decline(self):
        res = super().do_decline()
        Booking = self.env["crm.deal.booking"]
        for attendee in self:
            lead = attendee.event_id._deal_lead()
            if lead and attendee.partner_id == lead.partner_id and lead._consultation_event() == attendee.event_id:
                Booking._cancel_consultation(lead)
        return res
