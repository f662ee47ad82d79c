from odoo import http
from odoo.http import request

from ..models.crm_deal_intake import MAX_BODY_BYTES

PAGE_TEMPLATES = {
    "form": "crm_deal_phases.inquiry_page",
    "thanks": "crm_deal_phases.inquiry_page_thanks",
    "too_large": "crm_deal_phases.inquiry_page_message",
}


class InquiryPage(http.Controller):
    """A source's inquiry page, for teams without a landing-page tool: the questionnaire on
    Odoo's frontend layout, in the visitor's language. Its submissions (POST to the same
    address, told from the webhook's by their CSRF token) are the intake service's."""

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

    def submit(self, code):
        """The page's POST (called by the webhook's route for a form carrying a CSRF token)."""
        source = request.env["crm.deal.intake"]._page_source(code)
        if not source:
            return request.not_found()
        self._use_visitor_language(source)
        # the service in the visitor's language: its errors are shown on the page
        Intake = request.env["crm.deal.intake"]
        incoming = request.httprequest
        if (incoming.content_length or 0) > MAX_BODY_BYTES:
            return self._render("too_large", 413, {"source": source})
        form = {key: incoming.form.get(key, "") for key in incoming.form}
        csrf_valid = request.validate_csrf(form.pop("csrf_token", ""))
        outcome, status, values = Intake._receive_page(
            source, form, incoming.remote_addr, csrf_valid, visitor_tz=self._visitor_tz()
        )
        return self._render(outcome, status, values)

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
