import hashlib
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CrmDealBookingLink(models.Model):
    """A lead's personal booking link: the page where the person books a closer's consultation,
    moves or cancels it and says they will come. Its token is shown once - in the e-mail, the
    WhatsApp message, the page itself - and kept as a SHA-256 hash; it expires, is revoked, and
    a new link voids the lead's earlier ones. Written by the booking service only."""

    _name = "crm.deal.booking.link"
    _description = "Booking Link"
    _order = "id desc"
    _rec_name = "lead_id"

    lead_id = fields.Many2one("crm.lead", required=True, readonly=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="lead_id.company_id", store=True, readonly=True)
    token_hash = fields.Char(required=True, readonly=True, groups="base.group_system")
    token_hint = fields.Char("Link", readonly=True, help="The token's last characters.")
    expires_at = fields.Datetime("Valid Until", required=True, readonly=True)
    active = fields.Boolean(default=True, readonly=True, help="Off: revoked, by hand or by a newer link.")

    _token_once = models.UniqueIndex("(token_hash)")

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            raise AccessError(self.env._("Booking links are made by the lead's Send booking link only."))
        return super().create(vals_list)

    # ACTIONS

    def action_revoke(self):
        """The link stops working at once."""
        self.lead_id.check_access("write")
        self.sudo().write({"active": False})
        return True

    # BUSINESS

    @api.model
    def _issue(self, lead):
        """A new link of lead: (link, token). The lead's earlier links stop working."""
        lead.check_access("write")
        days = lead._deal_settings().booking_link_days
        token = secrets.token_urlsafe(32)
        Links = self.sudo().with_context(active_test=True)
        Links.search([("lead_id", "=", lead.id)]).write({"active": False})
        link = Links.create(
            {
                "lead_id": lead.id,
                "token_hash": token_digest(token),
                "token_hint": f"…{token[-4:]}",
                "expires_at": fields.Datetime.now() + timedelta(days=days),
            }
        )
        return link.sudo(False), token

    @api.model
    def _of_token(self, token):
        """The active, unexpired link of a token, or none. Looked up by the token's hash: a
        guess learns nothing of how close it came; a wrong, expired, revoked or another
        person's token all look the same from outside."""
        if not isinstance(token, str) or not 20 <= len(token) <= 128 or not token.isascii():
            return self.browse()
        link = self.sudo().search([("token_hash", "=", token_digest(token))], limit=1)
        return link if link and link.expires_at >= fields.Datetime.now() else self.browse()

    def _keep_until(self, moment):
        """The link works at least until moment (its consultation): the person moves or cancels
        it from there."""
        for link in self.sudo():
            if link.expires_at < moment:
                link.expires_at = moment
