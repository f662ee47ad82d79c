import hashlib
import hmac

from odoo import http
from odoo.http import request

from .booking import ics_calendar
from .intake import FORM, InquiryIntake

# the answer to each outcome of the intake's page submission
PAGE_STATUS = {"thanks": 200, "form": 422}
PAGE_TEMPLATES = {
    "form": "crm_deal_phases.inquiry_page",
    "thanks": "crm_deal_phases.inquiry_page_thanks",
    "too_large": "crm_deal_phases.inquiry_page_message",
}


class InquiryPage(InquiryIntake):
    """A source's inquiry page, for teams without a landing-page tool: the questionnaire on
    Odoo's frontend layout, in the visitor's language. Its submissions are POSTs to the
    webhook's address, told from a form tool's by their CSRF token, and go through the same
    intake service."""

    @http.route(
        "/crm_deal_phases/inquiry/<string:code>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        readonly=True,
    )
    def inquiry_page(self, code, **query):
        source = request.env["crm.deal.intake"]._page_source(code)
        if not source:
            return request.not_found()
        self._use_visitor_language(source)
        Intake = request.env["crm.deal.intake"]
        return self._render("form", 200, Intake._page_form(source, attribution=query, visitor_tz=self._visitor_tz()))

    @http.route()
    def inquiry_webhook(self, code, **kwargs):
        if not self._is_page_post() or "csrf_token" not in request.httprequest.form:
            return super().inquiry_webhook(code, **kwargs)
        source = request.env["crm.deal.intake"]._page_source(code)
        if not source:
            return request.not_found()
        self._use_visitor_language(source)
        # the service in the visitor's language: its errors are shown on the page
        Intake = request.env["crm.deal.intake"]
        incoming = request.httprequest
        form = {key: incoming.form.get(key, "") for key in incoming.form}
        csrf_valid = request.validate_csrf(form.pop("csrf_token", ""))
        client_key = self._client_key()
        if Intake._over_rate_limit(source) or Intake._client_over_limit(client_key):
            # not logged (a flood writes nothing); the visitor's answers stay in the form
            message = request.env._(
                "Too many inquiries at once. Your answers are kept: please wait a minute, then send them again."
            )
            return self._render("form", 429, Intake._page_refused(source, form, message, self._visitor_tz()))
        if not csrf_valid:
            message = request.env._("The form had expired. Your answers are kept: please send it again.")
            return self._render("form", 400, Intake._page_refused(source, form, message, self._visitor_tz()))
        outcome, values = Intake._receive_page(source, form, client_key, visitor_tz=self._visitor_tz())
        if "booked_start" in values:
            values["ics_href"] = ics_calendar(values["booked_summary"], values["booked_start"], values["booked_stop"])
        return self._render(outcome, PAGE_STATUS[outcome], values)

    def _refuse_unread_body(self, declared_length, code):
        """A page's form over 64 KB: the page says so (its answers cannot be kept)."""
        source = self._is_page_post() and request.env["crm.deal.intake"]._page_source(code)
        if not source:
            return super()._refuse_unread_body(declared_length, code)
        self._use_visitor_language(source)
        response = self._render("too_large", 413, {"source": source})
        response.flatten()  # answered outside the dispatch, whose end renders a lazy page
        return response

    def _is_page_post(self):
        """A form without the webhook's token or signature: a person's, from the page (told
        from its headers alone, before the form is read)."""
        headers = request.httprequest.headers
        return (
            request.httprequest.mimetype == FORM
            and not headers.get("Authorization")
            and not headers.get("X-Signature-SHA256")
        )

    def _client_key(self):
        """The visitor's address as the intake's log keeps it: keyed by the database's secret,
        so the log tells one address's submissions apart without holding the address."""
        secret = request.env["ir.config_parameter"].sudo().get_param("database.secret") or ""
        address = request.httprequest.remote_addr or ""
        return hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()[:32]

    def _visitor_tz(self):
        """The time zone the browser told (Odoo's frontend layout keeps it in the tz cookie)."""
        return request.httprequest.cookies.get("tz")

    def _use_visitor_language(self, source):
        """German or English, and any other installed language: ?lang= first, then the
        browser's Accept-Language, then the company's."""
        # English is the source language: there even where it is not installed
        installed = [code for code, _name in request.env["res.lang"].get_installed()]
        installed += ["en_US"] if "en_US" not in installed else []
        wanted = [request.httprequest.args.get("lang", "")]
        wanted += [language for language, _quality in request.httprequest.accept_languages]
        wanted.append(source.company_id.partner_id.lang or "en_US")
        for language in wanted:
            language = (language or "").replace("-", "_")
            match = next((code for code in installed if code.lower() == language.lower()), None)
            match = match or next((code for code in installed if code[:2] == language[:2].lower()), None)
            if match:
                request.update_context(lang=match)
                return match
        return None

    def _render(self, outcome, status, values):
        source = values["source"]
        lang = request.env.lang or "en_US"
        direction = request.env["res.lang"]._get_data(code=lang).direction or "ltr"
        response = request.render(
            PAGE_TEMPLATES[outcome],
            {
                **values,
                "outcome": outcome,
                "lang": lang,
                "company": source.company_id or request.env.company,
                "html_data": {"lang": lang.replace("_", "-"), "dir": direction},
            },
            status=status,
        )
        # the form carries a CSRF token of the visitor's session: never cached, never shared
        response.headers["Cache-Control"] = "no-store"
        sites = (source.frame_ancestors or "").split()
        response.headers["Content-Security-Policy"] = "frame-ancestors " + " ".join(["'self'", *sites])
        if not sites:
            response.headers["X-Frame-Options"] = "SAMEORIGIN"
        return response
