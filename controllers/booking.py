import secrets
from urllib.parse import quote

import pytz

from odoo import fields, http
from odoo.http import request

from ..models.crm_deal_intake import MAX_BODY_BYTES

BOOKING_CONFIRMATION_TEMPLATE = "crm_deal_phases.mail_template_booking_confirmation"
# what a visitor may do on the page: the form's "action"
ACTIONS = ("book", "move", "cancel", "attend")


def ics_calendar(summary, start, stop):
    """A calendar file of one meeting (naive UTC times), as a data: address to download."""
    stamp = "%Y%m%dT%H%M%SZ"
    text = "\r\n".join(
        [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//crm_deal_phases//EN",
            "BEGIN:VEVENT",
            f"UID:{secrets.token_hex(16)}@crm_deal_phases",
            f"DTSTAMP:{fields.Datetime.now().strftime(stamp)}",
            f"DTSTART:{start.strftime(stamp)}",
            f"DTEND:{stop.strftime(stamp)}",
            "SUMMARY:" + summary.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;"),
            "END:VEVENT",
            "END:VCALENDAR",
            "",
        ]
    )
    return "data:text/calendar;charset=utf-8," + quote(text)


class BookingPage(http.Controller):
    """A lead's booking link: the page where the person books a closer's consultation, moves or
    cancels it and says they will come, on Odoo's frontend layout (no website app), in their
    language and time zone. HTTP lives here - the token in the address, the CSRF token of the
    visitor's session, the answers' status codes, the calendar file; what a booking is, the
    booking service's (crm.deal.booking). A wrong, expired, revoked or another person's token
    shows one page, the same for all, and writes nothing."""

    @http.route(
        "/crm_deal_phases/book/<string:token>",
        type="http",
        auth="public",
        methods=["GET", "POST"],
        csrf=False,  # checked below: an expired form shows the page again, not an error
        sitemap=False,
        # the page reads (on a replica, where one is set); the person's answer writes
        readonly=lambda _controller, _rule, _args: request.httprequest.method == "GET",
        max_content_length=MAX_BODY_BYTES,
    )
    def booking_page(self, token, **_kwargs):
        link = request.env["crm.deal.booking.link"]._of_token(token)
        if not link:
            return self._render("crm_deal_phases.booking_page_closed", 404, {"company": request.env.company})
        lead = link.lead_id.sudo()
        self._use_lead_language(lead)
        if request.httprequest.method == "GET":
            return self._page(link, token, status=200)
        form = request.httprequest.form
        action = form.get("action", "")
        if action not in ACTIONS:
            return self._page(link, token, 400, error=request.env._("Choose what to do on the page."))
        if not request.validate_csrf(form.get("csrf_token", "")):
            return self._page(link, token, 400, error=request.env._("The page had expired: please choose again."))
        Booking = request.env["crm.deal.booking"]
        slot = request.env["crm.deal.slots"]._slot_of(form.get("slot"))
        if action in ("book", "move") and not slot:
            return self._page(link, token, 422, error=request.env._("Choose one of the free times."))
        if action == "cancel" and form.get("confirm_cancel") != "yes":
            return self._page(link, token, 422, error=request.env._("Tick that you cannot come to cancel."))
        refusal = {
            "book": lambda: Booking._book(link, slot),
            "move": lambda: Booking._move(link, slot),
            "cancel": lambda: Booking._cancel(link),
            "attend": lambda: Booking._attend(link),
        }[action]()
        if refusal:
            return self._page(link, token, 409, error=refusal, picked=form.get("slot"))
        if action in ("book", "move"):
            self._confirm_by_mail(lead, token)
        return self._page(link, token, 200, done=action)

    def _refuse_unread_body(self, declared_length, token):
        """A form over 64 KB, or sent without a declared length (models/ir_http.py): no page of
        ours sends one."""
        if declared_length is None:
            return request.make_response(request.env._("Send the form with its length, not in chunks."), status=411)
        return request.make_response(request.env._("The form is too long."), status=413)

    # PAGES

    def _page(self, link, token, status, error=None, done=None, picked=None):
        lead = link.lead_id.sudo()
        Booking = request.env["crm.deal.booking"]
        Slots = request.env["crm.deal.slots"]
        state = Booking._state_of(lead)
        event = lead._consultation_event().sudo()
        closer = event.user_id or lead.closer_id
        tz = self._visitor_tz(closer)
        values = {
            "company": lead.company_id or request.env.company,
            "lead": lead,
            "state": state,
            "error": error,
            "done": done,
            "picked": picked or "",
            "url": f"/crm_deal_phases/book/{token}",
            "tz_label": Slots._tz_label(tz),
            "tz_guessed": not self._browser_tz(),
            "visitor_tz": tz.zone,
        }
        if state in ("book", "booked") and done not in ("book", "move"):
            values["slot_days"] = Slots._slot_days(Booking._offer(lead), tz)
        if state == "booked":
            [day] = Slots._slot_days({event.start: []}, tz)
            until = Booking._changeable_until(lead)
            values.update(
                {
                    "event": event,
                    "closer": closer,
                    "when": f"{day['label']}, {day['times'][0][1]}",
                    "changeable": fields.Datetime.now() <= until,
                    "confirmed": lead.consultation_attendance == "accepted",
                    "ics_href": ics_calendar(
                        request.env._("Consultation with %s", lead.company_id.name or request.env.company.name),
                        event.start,
                        event.stop,
                    ),
                }
            )
        return self._render("crm_deal_phases.booking_page", status, values)

    def _render(self, template, status, values):
        lang = request.env.lang or "en_US"
        direction = request.env["res.lang"]._get_data(code=lang).direction or "ltr"
        response = request.render(
            template, {**values, "lang": lang, "html_data": {"lang": lang.replace("_", "-"), "dir": direction}}
        )
        response.status_code = status
        # the page carries the person's data and a CSRF token of their session: never cached, never framed
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def _confirm_by_mail(self, lead, token):
        """The confirmation of a booking or a move, with the link to move, cancel or confirm it:
        from the consultation's closer, whom a reply reaches (in the person's language, the
        template's)."""
        if lead.partner_id.email or lead.email_from:
            closer = lead._consultation_event().sudo().user_id or lead.closer_id
            as_closer = request.env["crm.deal.booking"]._as_closer(lead, closer)
            as_closer.with_context(booking_url=lead._booking_url(token)).message_post_with_source(
                BOOKING_CONFIRMATION_TEMPLATE, message_type="comment", subtype_xmlid="mail.mt_comment"
            )

    # THE VISITOR

    def _browser_tz(self):
        """The time zone the browser told (Odoo's frontend layout keeps it in the tz cookie)."""
        tz = request.httprequest.cookies.get("tz")
        return tz if tz in pytz.all_timezones_set else None

    def _visitor_tz(self, closer):
        return pytz.timezone(self._browser_tz() or closer.tz or "UTC")

    def _use_lead_language(self, lead):
        """The person's language (the lead's), else the browser's, else the company's."""
        installed = {code for code, _name in request.env["res.lang"].get_installed()} | {"en_US"}
        wanted = [lead.lang_id.code, *(lang.replace("-", "_") for lang, _q in request.httprequest.accept_languages)]
        wanted.append(lead.company_id.partner_id.lang)
        for language in filter(None, wanted):
            match = next((code for code in installed if code.lower() == language.lower()), None)
            match = match or next((code for code in installed if code[:2] == language[:2].lower()), None)
            if match:
                request.update_context(lang=match)
                return
