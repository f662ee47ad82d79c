import json

from odoo import http
from odoo.http import request

from ..models.crm_deal_intake import HTTP_STATUS_OF_OUTCOME, MAX_BODY_BYTES, IntakeRefused, error

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class InquiryIntake(http.Controller):
    """The webhook of form tools (Zapier, Make, n8n, Typeform, ...): a flat JSON object or a
    form's fields, authenticated by the source's token or the body's HMAC signature. What is
    HTTP lives here - the body's size and type, the token and signature headers, the status
    codes; what an inquiry is, the intake service's _submit (crm.deal.intake), which every
    door calls."""

    @http.route(
        "/crm_deal_phases/inquiry/<string:code>",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # a body declared over it, or sent without a declared length, is refused before Odoo
        # reads it (models/ir_http.py): a length that never arrives holds no worker
        max_content_length=MAX_BODY_BYTES,
    )
    def inquiry_webhook(self, code, **_kwargs):
        Intake = request.env["crm.deal.intake"]
        source = Intake._active_source(code)
        if not source:
            return self._answer(
                404, [error("source", request.env._("There is no active inquiry source with this code."))]
            )
        if Intake._over_rate_limit(source):
            # not logged: a flood writes nothing
            return self._answer(429, [error("source", request.env._("Too many submissions; try again in a minute."))])
        incoming = request.httprequest
        form = body = None
        if incoming.mimetype == FORM:
            # Odoo has parsed the form's fields already, bounded by the route's limit
            form = [(key, incoming.form.getlist(key)) for key in incoming.form]
        else:
            # kept (at most the route's 64 KB): when the person's lock finds a stale snapshot,
            # Odoo runs the request again, and the body must still be there to read
            body = incoming.get_data()
        if not (
            self._token_of(source) or source._signature_matches(body or b"", incoming.headers.get("X-Signature-SHA256"))
        ):
            errors = [error("authorization", request.env._("The token or signature is missing, wrong or expired."))]
            # the body of an unauthenticated request is not kept
            Intake._log(source, "webhook", None, errors=errors, http_status=401)
            return self._answer(401, errors)
        raw = (
            json.dumps(dict(form), ensure_ascii=False) if form is not None else body.decode("utf-8", "backslashreplace")
        )
        try:
            payload = self._payload(incoming.mimetype, body, form)
        except IntakeRefused as refused:
            Intake._log(source, "webhook", raw, errors=refused.errors, http_status=refused.status)
            return self._answer(refused.status, refused.errors)
        result = Intake._submit(source, payload, "webhook", raw)
        status = HTTP_STATUS_OF_OUTCOME[result["status"]]
        if result["status"] == "refused":
            return self._answer(status, result["errors"])
        return request.make_json_response({"lead_id": result["lead_id"], "status": result["status"]}, status=status)

    def _refuse_unread_body(self, declared_length, code):
        """The answer to a body over 64 KB by its declared length, or without one (chunked),
        given before it is read (models/ir_http.py). Not logged: like a flood, it writes nothing."""
        if declared_length is None:
            message = request.env._("Send the body with its Content-Length (at most 64 KB), not in chunks.")
            return self._answer(411, [error("body", message)])
        return self._answer(413, [error("body", request.env._("The body is over 64 KB."))])

    # HTTP

    def _answer(self, status, errors):
        return request.make_json_response({"errors": errors}, status=status)

    def _token_of(self, source):
        """Whether the request's bearer token is the source's."""
        authorization = request.httprequest.headers.get("Authorization") or ""
        bearer = authorization.removeprefix("Bearer ").strip()
        return bool(bearer) and source._token_matches(bearer)

    def _payload(self, content_type, body, form):
        """The body as a flat object: a JSON object in UTF-8, or a form's fields."""
        env = request.env
        if content_type == FORM:
            payload = {}
            for key, values in form or []:
                if len(values) > 1:
                    raise IntakeRefused([error(key, env._("The field is sent more than once."))])
                payload[key] = values[0] if values else ""
            return payload
        if content_type != JSON:
            raise IntakeRefused(
                [error("content-type", env._("Send application/json or application/x-www-form-urlencoded."))],
                status=415,
            )
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise IntakeRefused([error("body", env._("The body is not UTF-8."))]) from None
        try:
            return json.loads(text)
        except ValueError:
            raise IntakeRefused([error("body", env._("The body is not valid JSON."))]) from None
