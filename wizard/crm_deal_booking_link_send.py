from urllib.parse import quote

from odoo import api, fields, models

BOOKING_LINK_TEMPLATE = "crm_deal_phases.mail_template_booking_link"


class CrmDealBookingLinkSend(models.TransientModel):
    """A new booking link, shown once: sent by e-mail from the lead's chatter, or by the user's
    own WhatsApp (a click-to-chat link with the message written: no account, no API)."""

    _name = "crm.deal.booking.link.send"
    _description = "Send a Booking Link"

    link_id = fields.Many2one("crm.deal.booking.link", "Booking Link", required=True, readonly=True, ondelete="cascade")
    lead_id = fields.Many2one(related="link_id.lead_id")
    url = fields.Char("Link", readonly=True)
    email = fields.Char(related="lead_id.email_from")
    whatsapp_url = fields.Char("WhatsApp", compute="_compute_whatsapp_url")

    @api.depends("url", "lead_id")
    def _compute_whatsapp_url(self):
        for wizard in self:
            lead = wizard.lead_id
            digits = "".join(char for char in (lead.phone or "") if char.isdigit())
            if not (wizard.url and digits and lead.phone.startswith("+") and not lead.phone_needs_check):
                wizard.whatsapp_url = False
                continue
            text = wizard.with_context(lang=lead.lang_id.code or self.env.lang).env._(
                "Hello %(name)s, here you book your consultation with %(company)s: %(url)s",
                name=lead.contact_firstname or lead.contact_name or "",
                company=lead.company_id.name or self.env.company.name,
                url=wizard.url,
            )
            wizard.whatsapp_url = f"https://wa.me/{digits}?text={quote(text)}"

    def action_send_mail(self):
        """The link by e-mail, the booking link template, from the lead's chatter."""
        self.ensure_one()
        self.lead_id.with_context(booking_url=self.url).message_post_with_source(
            BOOKING_LINK_TEMPLATE, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        return self._action_done()

    def action_whatsapp(self):
        self.ensure_one()
        return {"type": "ir.actions.act_url", "url": self.whatsapp_url, "target": "new"}

    def _action_done(self):
        self.url = False  # shown once: the token is kept as a hash only
        return {"type": "ir.actions.act_window_close"}

    def action_done(self):
        return self._action_done()
