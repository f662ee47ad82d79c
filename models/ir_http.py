from werkzeug.exceptions import HTTPException

from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _pre_dispatch(cls, rule, args):
        """A route whose controller refuses unread bodies (_refuse_unread_body) gets a body
        declared over its max_content_length, or sent in chunks without a declared length,
        refused before Odoo reads it: werkzeug would read (or wait for) every byte declared
        before its own 413, holding the worker."""
        super()._pre_dispatch(rule, args)
        limit = rule.endpoint.routing.get("max_content_length")
        refuse = getattr(rule.endpoint.func.__self__, "_refuse_unread_body", None)
        if not (refuse and limit):
            return
        incoming = request.httprequest
        declared = incoming.content_length
        chunked = declared is None and "chunked" in (incoming.headers.get("Transfer-Encoding") or "").lower()
        if chunked or (declared or 0) > limit:
            raise HTTPException(response=refuse(declared, **args))
