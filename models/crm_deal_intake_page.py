import json
import re
import secrets
from datetime import timedelta

import phonenumbers
import pytz

from odoo import api, fields, models
from odoo.tools import SQL

from .crm_deal_intake import MAX_NAME_LENGTH, MAX_VALUE_LENGTH
from .crm_deal_intake_slots import MIN_NOTICE

# submissions per minute from one address (the source's own limit counts all of them)
PAGE_LIMIT_PER_CLIENT = 10
# more fields than a page of the team's questions can have is no visitor's submission
MAX_PAGE_FIELDS = 80
# a field no person sees or fills (visually hidden, out of the tab order): a robot's tell
HONEYPOT = "website_url"
# the questions' inputs, apart from the fields of the intake's own names
ANSWER_PREFIX = "answer_"
# the link's attribution, carried by the form as it arrived; click ids become questionnaire lines
ATTRIBUTION_KEYS = ("utm_source", "utm_medium", "utm_campaign", "gclid", "fbclid")
SUBMISSION_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class CrmDealIntake(models.AbstractModel):
    """The inquiry page's door of the one intake: the page's questions, its form read into a
    submission of the intake's keys, every error named by the field it belongs to, then the
    same _submit as the webhook and JSON-2 (dedupe, phone check, idempotency, the log)."""

    _inherit = "crm.deal.intake"

    # THE INQUIRY PAGE

    @api.model
    def _page_source(self, code):
        """The source of the page, or none: an unknown code and a source without a page look
        the same from outside."""
        return self._active_source(code).filtered("public_form")

    @api.model
    def _page_form(self, source, values=None, errors=None, attribution=None, visitor_tz=None, taken=()):
        """What the page's form shows: the questions, what the visitor entered, the errors by
        field, the link's attribution, the submission's id (a resend is one inquiry), and the
        setter calls free now, in the visitor's time zone (the browser's once it has told it,
        else the first setter's, marked as a guess)."""
        values = dict(values or {})
        if not SUBMISSION_ID.match(values.get("submission_id") or ""):
            values["submission_id"] = secrets.token_urlsafe(24)
        slot_days, tz_name, tz_guessed = [], visitor_tz, False
        if source.offer_setter_call:
            if tz_name not in pytz.all_timezones_set:
                setters = self._page_setters(source)
                tz_name, tz_guessed = (setters[:1].tz or source.company_id.partner_id.tz or "UTC"), True
            # taken: slots booked on other connections since this transaction's snapshot
            free = {slot: setters for slot, setters in self._page_free_slots(source).items() if slot not in taken}
            slot_days = self.env["crm.deal.slots"]._slot_days(free, pytz.timezone(tz_name))
        return {
            "slot_days": slot_days,
            "visitor_tz": tz_name,
            "tz_label": self.env["crm.deal.slots"]._tz_label(pytz.timezone(tz_name))
            if source.offer_setter_call
            else "",
            "tz_guessed": tz_guessed,
            "source": source,
            "questions": [
                {**question, "input": ANSWER_PREFIX + question["name"]} for question in source._page_questions()
            ],
            "values": values,
            "errors": errors or {},
            "attribution": {
                key: " ".join(str(value).split())[:MAX_NAME_LENGTH]
                for key, value in (attribution or {}).items()
                if key in ATTRIBUTION_KEYS and value
            },
            "honeypot": HONEYPOT,
        }

    def _page_form_again(self, source, values, errors, attribution, visitor_tz, taken=()):
        """The form sent back with its errors: never reloaded by the page (a reload would send it again)."""
        return {**self._page_form(source, values, errors, attribution, visitor_tz, taken), "tz_guessed": False}

    @api.model
    def _page_refused(self, source, form, message, visitor_tz=None):
        """The form again, every answer kept, with message above it: a submission the page's
        door refused before reading it (too many at once, an expired form)."""
        values, attribution = self._page_values(form)
        return self._page_form_again(source, values, {"form": message}, attribution, visitor_tz)

    @api.model
    def _receive_page(self, source, form, client_key, visitor_tz=None):
        """A submission of the page: (outcome, what the page shows), the outcome "thanks" (the
        same for a new and a returning person) or "form" (the form again, with every error by
        its field and every value kept). client_key: the visitor's address as the log keeps it."""
        values, attribution = self._page_values(form)
        payload, errors, slot = self._page_payload(source, values, attribution, len(form) > MAX_PAGE_FIELDS)
        raw = json.dumps(payload, ensure_ascii=False)
        if values.get(HONEYPOT):
            self._log(source, "page", raw, errors=[{"field": HONEYPOT, "message": "honeypot"}], client_key=client_key)
            return "thanks", {"source": source, "first_name": values.get("first_name", "")}
        setter = self._book_setter_call(source, slot) if slot and not errors else None
        # taken meanwhile by another visitor: offered no more, not even in this transaction's snapshot
        taken = [slot] if slot and not errors and not setter else []
        if taken:
            errors["slot"] = self.env._("This time was just taken. Please choose one of the next free times.")
        if errors:
            self._log(
                source,
                "page",
                raw,
                errors=[{"field": field, "message": message} for field, message in errors.items()],
                client_key=client_key,
            )
            return "form", self._page_form_again(source, values, errors, attribution, visitor_tz, taken)
        if setter:
            payload.update(setter_appointment=slot.isoformat() + "+00:00", setter=setter.login)
            raw = json.dumps(payload, ensure_ascii=False)
        result = self._submit(source, payload, "page", raw, client_key=client_key)
        if result["status"] == "refused":
            inputs = {question["name"]: ANSWER_PREFIX + question["name"] for question in source._page_questions()}
            errors = {}
            for refusal in result["errors"]:
                field = inputs.get(refusal["field"], refusal["field"])
                errors[field if field in values else "form"] = refusal["message"]
            return "form", self._page_form_again(source, values, errors, attribution, visitor_tz)
        thanks = {"source": source, "first_name": payload.get("first_name", "")}
        if setter:
            thanks.update(self._page_booked_call(source, slot, visitor_tz or setter.tz or "UTC"))
        return "thanks", thanks

    def _page_values(self, form):
        """The form's text fields (the first MAX_PAGE_FIELDS) and, apart, the link's attribution."""
        values = {key: value for key, value in list(form.items())[:MAX_PAGE_FIELDS] if isinstance(value, str)}
        attribution = {key: values.pop(key) for key in ATTRIBUTION_KEYS if key in values}
        return values, attribution

    def _page_payload(self, source, values, attribution, too_many):
        """The intake's submission of the page's fields, and the errors by field name."""
        errors = {}
        if too_many:
            errors["form"] = self.env._("The form has more fields than its questions.")
        for name, value in values.items():
            if len(value) > MAX_VALUE_LENGTH:
                errors[name] = self.env._("At most %s characters.", MAX_VALUE_LENGTH)
        text = {name: " ".join(value.split()) for name, value in values.items() if name not in errors}
        required = {
            "first_name": self.env._("Enter your first name."),
            "last_name": self.env._("Enter your last name."),
            "phone": self.env._("Enter your mobile number."),
        }
        for name, message in required.items():
            if not text.get(name):
                errors[name] = message
            elif name != "phone" and len(text[name]) > MAX_NAME_LENGTH:
                errors[name] = self.env._("At most %s characters.", MAX_NAME_LENGTH)
        if text.get("phone") and not self._page_phone_is_valid(text["phone"], source._phone_region()):
            errors["phone"] = self._page_phone_error(source._phone_region())
        payload = {
            "external_id": f"page-{values.get('submission_id') or secrets.token_urlsafe(24)}",
            **{name: text[name] for name in ("first_name", "last_name", "phone", "email") if text.get(name)},
            **attribution,
        }
        for question in source._page_questions():
            name, field = question["name"], ANSWER_PREFIX + question["name"]
            answer = values.get(field, "").strip() if field not in errors else ""
            if not answer:
                if question["required"] and field not in errors:
                    errors[field] = self.env._("Please answer this question.")
                continue
            # read in the visitor's language, sent on as the value itself
            typed = self._typed(question, answer, lang=self.env.lang)
            if typed is None:
                errors[field] = self._page_type_error(question)
                continue
            payload[name] = typed
        slot = self._page_chosen_slot(source, values.get("slot", ""), errors)
        if source.consent_text:
            if values.get("consent") != "yes":
                errors["consent"] = self.env._("Tick the box to send your inquiry.")
            else:
                payload["consent"] = True
                payload["consent_text"] = f"[{source.consent_version or '1'}] {source.consent_text}"
        return payload, errors, slot

    def _page_chosen_slot(self, source, choice, errors):
        """The setter call's slot the visitor chose (naive UTC), none when the visitor asked to
        be called; an error for a time no setter is free at."""
        if not source.offer_setter_call or choice == "none":
            return None
        if not choice:
            errors["slot"] = self.env._("Choose a time for your call, or that we call you.")
            return None
        slot = self.env["crm.deal.slots"]._slot_of(choice)
        if slot is None:
            errors["slot"] = self.env._("Choose one of the times offered.")
        elif slot < fields.Datetime.now() + MIN_NOTICE:
            errors["slot"] = self.env._("This time has passed. Please choose one of the next free times.")
        elif slot not in self._page_free_slots(source, ignore_busy=True):
            errors["slot"] = self.env._("Nobody of the team works then. Please choose one of the free times.")
        elif slot not in self._page_free_slots(source):
            errors["slot"] = self.env._("This time was just taken. Please choose one of the next free times.")
        else:
            return slot
        return None

    def _page_booked_call(self, source, slot, tz_name):
        """What the thank-you page says of the booked call (its calendar file is the page's)."""
        tz = pytz.timezone(tz_name if tz_name in pytz.all_timezones_set else "UTC")
        [day] = self.env["crm.deal.slots"]._slot_days({slot: []}, tz)
        minutes = self.env["crm.lead"]._deal_settings().setter_call_minutes
        return {
            "booked_day": day["label"],
            "booked_time": day["times"][0][1],
            "booked_tz": self.env["crm.deal.slots"]._tz_label(tz),
            "booked_start": slot,
            "booked_stop": slot + timedelta(minutes=minutes),
            "booked_summary": self.env._("Call with %s", source.company_id.name or self.env.company.name),
        }

    def _page_type_error(self, question):
        return {
            "integer": self.env._("Enter a whole number, e.g. 3."),
            "float": self.env._("Enter a number, e.g. 2,5."),
            "date": self.env._("Enter a date."),
            "boolean": self.env._("Choose yes or no."),
            "selection": self.env._("Choose one of the options."),
        }.get(question["type"], self.env._("This answer is not allowed."))

    @api.model
    def _page_phone_is_valid(self, number, region):
        parsed = self._parsed_number(number, region)
        return bool(parsed) and phonenumbers.is_valid_number(parsed)

    @api.model
    def _page_phone_error(self, region):
        """The error of a number that does not read, with an example mobile number of the
        source's country as it is written there and with its country code."""
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE) if region else None
        if not example:
            return self.env._(
                "This is no phone number we can call. Enter your mobile number with its country code, "
                "e.g. +49 151 23456789."
            )
        return self.env._(
            "This is no phone number we can call. Enter your mobile number, e.g. %(national)s or %(international)s.",
            national=phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL),
            international=phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL),
        )

    def _client_over_limit(self, client_key):
        """Whether the visitor sent PAGE_LIMIT_PER_CLIENT submissions within the last minute."""
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM crm_deal_intake_log WHERE client_key = %s AND received_at > %s",
                client_key,
                fields.Datetime.subtract(fields.Datetime.now(), minutes=1),
            )
        )
        return self.env.cr.fetchone()[0] >= PAGE_LIMIT_PER_CLIENT
