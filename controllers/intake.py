from odoo import http
from odoo.http import request

from ..models.crm_deal_intake import MAX_BODY_BYTES
from .inquiry_page import InquiryPage


class InquiryIntake(http.Controller):
    """The webhook of form tools (Zapier, Make, n8n, Typeform, ...): a flat JSON object or a
    form's fields, authenticated by the source's token or the body's HMAC signature. Every
    check and write is the intake service's (crm.deal.intake)."""

    @http.route(
        "/crm_deal_phases/inquiry/<string:code>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def inquiry_webhook(self, code, **_kwargs):
        incoming = request.httprequest
        if (
            incoming.mimetype == "application/x-www-form-urlencoded"
            and "csrf_token" in incoming.form
            and not incoming.headers.get("Authorization")
            and not incoming.headers.get("X-Signature-SHA256")
        ):
            # the inquiry page's own form: a person's submission, answered with a page
            return InquiryPage().submit(code)
        if incoming.mimetype == "application/x-www-form-urlencoded":
            # Odoo has parsed a form's fields already (bounded by its own limits): the fields,
            # each key once, and the size it declared
            form = [(key, incoming.form.getlist(key)) for key in incoming.form]
            body = None
        else:
            # a body declared over the limit is not read at all
            over = (incoming.content_length or 0) > MAX_BODY_BYTES
            form, body = None, b"" if over else incoming.get_data(cache=False)
        status, answer = request.env["crm.deal.intake"]._receive_webhook(
            code,
            incoming.mimetype,
            body,
            incoming.headers.get("Authorization"),
            incoming.headers.get("X-Signature-SHA256"),
            form=form,
            declared_size=incoming.content_length or 0,
        )
        return request.make_json_response(answer, status=status)
