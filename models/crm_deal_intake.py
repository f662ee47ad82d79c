import hashlib
import json
import logging
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import phonenumbers
import psycopg2.errors
from babel.numbers import get_decimal_symbol, get_group_symbol
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.tools import SQL, email_normalize, format_datetime
from odoo.tools.misc import babel_locale_parse

from .crm_deal_intake_source import KNOWN_KEYS
from .deal_phase import FIRST_MEETING, NOT_SOLD, PHASES, SECOND_MEETING, UNQUALIFIED, WON_PHASE, _lt

_logger = logging.getLogger(__name__)

# the log's unique index of a submission's id per source (crm.deal.intake.log _external_id_once)
EXTERNAL_ID_INDEX = "crm_deal_intake_log_external_id_once"

# the activity of whoever works a returning person's lead, by its phase
ASKED_AGAIN = {
    NOT_SOLD: _lt("Asked again after Not sold: follow up"),
    WON_PHASE: _lt("A customer asked again: upsell"),
    FIRST_MEETING: _lt("Asked again before the consultation"),
    SECOND_MEETING: _lt("Asked again before the consultation"),
}
ASKED_AGAIN_CALL = _lt("Asked again: call back")
# Bounds of a submission: a form has dozens of fields, not thousands.
MAX_BODY_BYTES = 64 * 1024
MAX_KEYS = 100
MAX_KEY_LENGTH = 100
MAX_VALUE_LENGTH = 5000
MAX_NAME_LENGTH = 128
MAX_PAYLOADS = 100  # per JSON-2 call
# Control characters (C0 and C1, but tab and line breaks) are removed from every key and text
# of a submission: PostgreSQL stores no NUL, and none of them is a person's answer. The log
# keeps the submission as it arrived, escaped.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# pg_advisory_xact_lock(PERSON_LOCK, key of a mobile number or e-mail in a team): one intake of
# a person at a time, so that submissions of one person at the same moment make one lead
PERSON_LOCK = 4_477_012
TRUE_WORDS = {"true", "1", "yes", "y", "on", "ja", "x"}
FALSE_WORDS = {"false", "0", "no", "n", "off", "nein", ""}
# the lead fields an intake writes, and the ones it fills on a returning person's lead when empty
LEAD_FIELDS = (
    "team_id",
    "company_id",
    "type",
    "user_id",
    "contact_firstname",
    "contact_lastname",
    "phone",
    "email_from",
    "phone_needs_check",
    "questionnaire",
    "lead_properties",
    "source_id",
    "medium_id",
    "campaign_id",
    "intake_source_id",
    "setter_id",
    "setter_appointment",
    "consent_date",
    "consent_text",
)
FILLED_WHEN_EMPTY = ("contact_firstname", "contact_lastname", "phone", "email_from")
# the phases an inquiry of a returning person only adds to; the others decide below
OPEN_PHASES = tuple(code for code, phase in PHASES.items() if not phase.outcome)


# the HTTP answer to each outcome of _submit, as the webhook gives it and the log records it
# (the doors' own refusals - a missing token, an unknown content type - are theirs)
HTTP_STATUS_OF_OUTCOME = {"created": 201, "updated": 200, "duplicate": 200, "refused": 422}


class IntakeRefused(Exception):
    """A submission the intake does not take: its errors, and the HTTP status a door answers."""

    def __init__(self, errors, status=HTTP_STATUS_OF_OUTCOME["refused"]):
        super().__init__(status)
        self.status = status
        self.errors = errors


def error(field, message):
    return {"field": field, "message": str(message)}


def without_control_characters(value):
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


class CrmDealIntake(models.AbstractModel):
    """The one intake of inquiries, which every door calls - the webhook, JSON-2, a replay:
    checks a submission, recognises a returning person by mobile number or e-mail, keeps a
    resend from making a second lead, types the questionnaire's answers into the team's lead
    properties, and logs every submission. The one place that writes as superuser, the
    fields it writes named in LEAD_FIELDS."""

    _name = "crm.deal.intake"
    _description = "Inquiry Intake"

    # DOORS

    @api.model
    def _active_source(self, code):
        """The active source of a code; none for an unknown code (or one no source can have)."""
        if not isinstance(code, str) or CONTROL_CHARACTERS.search(code):
            return self.env["crm.deal.intake.source"]
        return self.env["crm.deal.intake.source"].sudo().search([("code", "=", code)], limit=1)

    @api.model
    def _submit_payloads(self, source, payloads, door="json2", replay_of=None):
        """JSON-2 and replays: one result per payload."""
        if len(payloads) > MAX_PAYLOADS:
            raise UserError(
                self.env._(
                    "At most %(limit)s inquiries per call; %(count)s were sent.",
                    limit=MAX_PAYLOADS,
                    count=len(payloads),
                )
            )
        results = []
        for payload in payloads:
            raw = json.dumps(payload, ensure_ascii=False, default=str) if not isinstance(payload, str) else payload
            result = self._submit(source.sudo(), payload, door, raw, replay_of=replay_of)
            results.append(result)
        return results

    # THE INTAKE

    def _submit(self, source, payload, door, raw, replay_of=None, client_key=None):
        """One submission: {"lead_id", "status", "errors"}, logged whatever comes of it."""
        try:
            values, answers = self._read_payload(source, payload)
        except IntakeRefused as refused:
            log = self._log(source, door, raw, errors=refused.errors, replay_of=replay_of, client_key=client_key)
            return {"lead_id": False, "status": "refused", "errors": refused.errors, "log_id": log.id}
        external_id = values.pop("external_id", None)
        first = self._first_submission(source, external_id)
        if first:
            log = self._log(
                source, door, raw, "duplicate", first.lead_id, external_id, replay_of=replay_of, client_key=client_key
            )
            return {"lead_id": first.lead_id.id, "status": "duplicate", "errors": [], "log_id": log.id}
        try:
            with self.env.cr.savepoint():
                status, lead = self._take_in(source, values, answers)
                log = self._log(
                    source, door, raw, status, lead, external_id, replay_of=replay_of, client_key=client_key
                )
        except psycopg2.errors.UniqueViolation as violation:
            if violation.diag.constraint_name != EXTERNAL_ID_INDEX:
                # another row the person's concurrent inquiry wrote first (the lead's follower,
                # a contact): the request runs again and adds to the lead, nothing lost
                _logger.info("Intake of %s: %s, run again", source.code, violation.diag.constraint_name)
                raise ConcurrencyError(
                    self.env._("Another submission of the same person was taken in meanwhile.")
                ) from violation
            # the same submission on another connection, committed while this one waited
            self.env.invalidate_all()
            first = self._first_submission(source, external_id, fresh=True)
            # the first's lead is not in this transaction's snapshot: the answer names it, the
            # row cannot link it
            log = self._log(
                source, door, raw, "duplicate", None, external_id, replay_of=replay_of, client_key=client_key
            )
            return {"lead_id": first.id, "status": "duplicate", "errors": [], "log_id": log.id}
        return {"lead_id": lead.id, "status": status, "errors": [], "log_id": log.id}

    def _take_in(self, source, values, answers):
        """Create the inquiry, or add it to the open lead of the same person."""
        Lead = self.env["crm.lead"].with_user(source.user_id).sudo()
        typed, lines = self._typed_answers(source, answers)
        self._lock_person(source, values)
        earlier = self._earlier_lead(source, values).with_env(Lead.env)
        if earlier:
            return "updated", self._add_to(earlier, values, typed, lines)
        vals = {
            "team_id": source.team_id.id,
            "company_id": source.company_id.id,
            "type": "opportunity",
            "user_id": values.get("setter_id", False),
            "questionnaire": "\n".join(lines) or False,
            "lead_properties": typed or False,
            "source_id": values.pop("source_id", False) or source.utm_source_id.id,
            "medium_id": values.pop("medium_id", False) or source.utm_medium_id.id,
            "campaign_id": values.pop("campaign_id", False) or source.utm_campaign_id.id,
            "intake_source_id": source.id,
            **values,
        }
        assert set(vals) <= set(LEAD_FIELDS), set(vals) - set(LEAD_FIELDS)
        lead = Lead._with_intent().create(vals)
        lead._ask_for_mobile_number()
        return "created", lead

    def _add_to(self, lead, values, typed, lines):
        """A returning person: the inquiry added to their lead, never over what it has. In an
        open phase an empty field or property is filled and new questionnaire lines are added;
        what differs from the lead is said in its message, as the user reads it."""
        phase = lead.deal_phase
        filling = phase in OPEN_PHASES
        updates, differing = {}, []
        for name in FILLED_WHEN_EMPTY:
            new = values.get(name)
            if new and filling and not lead[name]:
                updates[name] = new
            elif new and str(new) != str(lead[name] or ""):
                differing.append(f"{lead._fields[name].get_description(self.env)['string']}: {new}")
        # the read format keeps every property with its definition: written back whole,
        # with the empty ones the answers fill
        properties = lead.read(["lead_properties"])[0]["lead_properties"] or []
        filled = False
        for item in properties:
            if item["name"] not in typed:
                continue
            new = typed[item["name"]]
            if filling and item.get("value") in (None, False, "", []):
                item["value"], filled = new, True
            elif new != item.get("value"):
                differing.append(f"{item.get('string') or item['name']}: {lead._answer_text(item, new)}")
        if filled:
            updates["lead_properties"] = properties
        if lines and filling:
            updates["questionnaire"] = "\n".join(filter(None, [lead.questionnaire, *lines]))
        elif lines:
            differing += lines
        booked = None
        if values.get("setter_appointment"):
            # a call the person booked: with the setter whose calendar was free then, whatever the phase
            booked = (
                lead.setter_appointment,
                values["setter_appointment"],
                self.env["res.users"].browse(values["setter_id"]),
            )
            updates.update(setter_appointment=values["setter_appointment"], setter_id=values["setter_id"])
        updates.update(
            {
                "reinquiry_count": lead.reinquiry_count + 1,
                "last_inquiry_date": fields.Datetime.now(),
            }
        )
        lead._with_intent().write(updates)
        self._tell_about_return(lead, phase, differing, booked)
        return lead

    def _tell_about_return(self, lead, phase, differing, booked=None):
        """The message on the lead and the activity of who works it now. booked: (the call
        booked before, the one booked now, its setter) when the person booked a setter call."""
        body = Markup("<p>%s</p>") % self.env._("The person asked again (inquiry %s).", lead.reinquiry_count)
        if booked:
            before, now, setter = booked
            tz = setter.tz or "UTC"
            when = format_datetime(self.env, now, tz=tz, dt_format="short")
            body += Markup("<p>%s</p>") % (
                self.env._(
                    "The setter call is moved from %(before)s to %(now)s, with %(setter)s.",
                    before=format_datetime(self.env, before, tz=tz, dt_format="short"),
                    now=when,
                    setter=setter.name,
                )
                if before and before != now
                else self.env._("A setter call is booked for %(now)s, with %(setter)s.", now=when, setter=setter.name)
            )
        if differing:
            body += Markup("<p>%s</p><ul>%s</ul>") % (
                self.env._("Kept out of the lead's fields (it has other values):"),
                Markup().join(Markup("<li>%s</li>") % escape(line) for line in differing),
            )
        lead.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        if phase == UNQUALIFIED:
            return  # unqualified stays unqualified: noted, nobody called
        if phase in ASKED_AGAIN:
            user_of, summary = (lambda lead: lead.closer_id or lead.user_id), ASKED_AGAIN[phase]
        else:
            user_of, summary = (lambda lead: lead.setter_id or lead.user_id), ASKED_AGAIN_CALL
        lead._schedule_for_users("mail.mail_activity_data_call", fields.Date.context_today(lead), summary, user_of)

    def _person_of(self, values):
        """How a submission names its person: (E.164 mobile number or None, normalised e-mail or None)."""
        phone = values.get("phone") if not values.get("phone_needs_check") else None
        email = email_normalize(values["email_from"]) if values.get("email_from") else None
        return phone, email

    def _person_domain(self, source, values):
        phone, email = self._person_of(values)
        by_person = [("phone_sanitized", "=", phone)] if phone else []
        by_person += [("email_normalized", "=", email)] if email else []
        if len(by_person) == 2:
            by_person.insert(0, "|")
        stages = self.env["crm.stage"]._stages_of_phases(list(PHASES))
        return [("team_id", "=", source.team_id.id), ("stage_id", "in", stages.ids), *by_person] if by_person else []

    def _lock_person(self, source, values):
        """One intake of a person (by mobile number and e-mail, in the source's team) at a
        time, until this transaction ends. Whoever waited has a snapshot older than the lead
        the first intake committed: read again on a cursor of its own, a lead of the person
        this transaction cannot see means the request runs again (Odoo retries it on a
        ConcurrencyError), then adding to that lead."""
        domain = self._person_domain(source, values)
        if not domain:
            return
        keys = sorted(
            int.from_bytes(hashlib.sha256(f"{source.team_id.id}:{identity}".encode()).digest()[:4], "big", signed=True)
            for identity in self._person_of(values)
            if identity
        )
        for key in keys:
            self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s, %s)", PERSON_LOCK, key))
        Lead = self.env["crm.lead"].sudo().with_context(active_test=False)
        query = Lead._search(domain)
        # the query alone on that cursor (an environment on it would wait for the registry's lock)
        with self.env.registry.cursor() as fresh:
            fresh.execute(query.select("id"))
            committed = {row[0] for row in fresh.fetchall()}
        if committed - set(Lead.search(domain).ids):
            raise ConcurrencyError(self.env._("Another submission of the same person was taken in meanwhile."))

    def _earlier_lead(self, source, values):
        """The lead of the same person in the team's pipeline: by E.164 mobile or normalised
        e-mail, the open one first, else the latest."""
        domain = self._person_domain(source, values)
        if not domain:
            return self.env["crm.lead"]
        candidates = (
            self.env["crm.lead"].sudo().with_context(active_test=False).search(domain, order="id desc", limit=20)
        )
        open_ones = candidates.filtered(lambda lead: lead.active and lead.deal_phase in OPEN_PHASES)
        return open_ones[:1] or candidates[:1]

    def _first_submission(self, source, external_id, fresh=False):
        """The log of the first submission with this external id: its lead (a new cursor's
        snapshot when fresh, for the one committed by another connection meanwhile)."""
        if not external_id:
            return self.env["crm.deal.intake.log"]
        domain = [
            ("source_id", "=", source.id),
            ("external_id", "=", external_id),
            ("status", "in", ("created", "updated")),
        ]
        if not fresh:
            return self.env["crm.deal.intake.log"].sudo().search(domain, limit=1)
        with self.env.registry.cursor() as cr:
            cr.execute(
                SQL(
                    "SELECT lead_id FROM crm_deal_intake_log WHERE source_id = %s AND external_id = %s"
                    " AND status IN ('created', 'updated') LIMIT 1",
                    source.id,
                    external_id,
                )
            )
            row = cr.fetchone()
        return self.env["crm.lead"].browse(row[0] if row else [])

    # READING A SUBMISSION

    def _read_payload(self, source, payload):
        """The lead values and the answers of a payload, or IntakeRefused with every error."""
        if not isinstance(payload, dict):
            raise IntakeRefused([error("body", self.env._("The body must be one object of keys and values."))])
        errors = []
        if len(payload) > MAX_KEYS:
            errors.append(error("body", self.env._("At most %s keys.", MAX_KEYS)))
        mapping = source._key_mapping()
        known, answers = {}, []
        for key, value in list(payload.items())[:MAX_KEYS]:
            key, value = without_control_characters(str(key)), without_control_characters(value)
            if len(key) > MAX_KEY_LENGTH:
                errors.append(
                    error(key[:MAX_KEY_LENGTH], self.env._("A key is at most %s characters.", MAX_KEY_LENGTH))
                )
                continue
            if value is not None and not isinstance(value, (str, int, float, bool)):
                errors.append(
                    error(
                        key, self.env._("Must be text, a number, true/false or null; lists and objects are not taken.")
                    )
                )
                continue
            if isinstance(value, str) and len(value) > MAX_VALUE_LENGTH:
                errors.append(error(key, self.env._("At most %s characters.", MAX_VALUE_LENGTH)))
                continue
            target, question = mapping.get(key, (key if key in KNOWN_KEYS else "answer", key))
            if target == "answer":
                if value not in (None, ""):
                    answers.append((question, value))
            else:
                known[target] = value
        values = {} if errors else self._known_values(source, known, errors)
        if errors:
            raise IntakeRefused(errors)
        return values, answers

    def _known_values(self, source, known, errors):
        values = {}
        for key, name in (("first_name", "contact_firstname"), ("last_name", "contact_lastname")):
            text = self._text(known, key, errors, MAX_NAME_LENGTH)
            if text:
                values[name] = text
        external_id = self._text(known, "external_id", errors, MAX_NAME_LENGTH, numbers=True)
        if external_id:
            values["external_id"] = external_id
        phone = self._text(known, "phone", errors, 64, numbers=True)
        if phone:
            values["phone"], values["phone_needs_check"] = self._mobile_number(phone, source._phone_region())
        email = self._text(known, "email", errors, 254)
        if email:
            normalized = email_normalize(email, strict=True)
            if not normalized:
                errors.append(error("email", self.env._('"%s" is no e-mail address.', email)))
            else:
                values["email_from"] = normalized
        if not phone and not email and not any(e["field"] in ("phone", "email") for e in errors):
            errors.append(error("phone", self.env._("An inquiry needs a mobile number or an e-mail address.")))
        appointment = self._text(known, "setter_appointment", errors, 64)
        if appointment:
            try:
                moment = datetime.fromisoformat(appointment)
            except ValueError:
                moment = None
            if not moment or not moment.tzinfo:
                errors.append(
                    error(
                        "setter_appointment",
                        self.env._("An ISO 8601 date and time with offset, e.g. 2026-12-03T18:00:00+01:00."),
                    )
                )
            else:
                values["setter_appointment"] = moment.astimezone(UTC).replace(tzinfo=None)
        setter = self._text(known, "setter", errors, 254)
        if setter:
            user = (
                self.env["res.users"]
                .sudo()
                .search(["|", ("login", "=", setter), ("email", "=ilike", setter), ("share", "=", False)], limit=1)
            )
            if not user:
                errors.append(error("setter", self.env._('No user has the login or e-mail "%s".', setter)))
            else:
                values["setter_id"] = user.id
        if values.get("setter_appointment") and not values.get("setter_id"):
            errors.append(error("setter", self.env._("A setter appointment needs its setter (login or e-mail).")))
        for key, field in (("utm_source", "source_id"), ("utm_medium", "medium_id"), ("utm_campaign", "campaign_id")):
            name = self._text(known, key, errors, MAX_NAME_LENGTH)
            if name:
                model = self.env["crm.lead"]._fields[field].comodel_name
                values[field] = self.env["utm.mixin"].sudo()._find_or_create_record(model, name).id
        if "consent" in known:
            consent = self._yes_no(known["consent"])
            if consent is None:
                errors.append(error("consent", self.env._("Must be true or false.")))
            elif consent:
                values["consent_date"] = fields.Datetime.now()
        consent_text = self._text(known, "consent_text", errors, MAX_VALUE_LENGTH)
        if consent_text:
            values["consent_text"] = consent_text
        return values

    def _text(self, known, key, errors, limit, numbers=False):
        value = known.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or (not numbers and not isinstance(value, str)):
            errors.append(error(key, self.env._("Must be text.")))
            return None
        text = " ".join(str(value).split())
        if len(text) > limit:
            errors.append(error(key, self.env._("At most %s characters.", limit)))
            return None
        return text

    @staticmethod
    def _yes_no(value):
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else None

    @api.model
    def _parsed_number(self, number, region):
        """The number as phonenumbers reads it in region (None: written with its country code
        only, "00" read as "+"), or None."""
        text = number.strip()
        if not region and text.startswith("00"):
            text = "+" + text[2:]
        try:
            return phonenumbers.parse(text, region)
        except phonenumbers.NumberParseException:
            return None

    @api.model
    def _mobile_number(self, number, region):
        """(number, needs a check): E.164 for a valid mobile number of the region or an
        international one; anything else as given, to be checked by a setter."""
        parsed = self._parsed_number(number, region)
        if not parsed or not phonenumbers.is_valid_number(parsed):
            return number, True
        kind = phonenumbers.number_type(parsed)
        mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), not mobile

    def _typed_answers(self, source, answers):
        """({property name: typed value}, ["question: answer" lines]): an answer whose question
        is a lead property of the team takes the property's type; one that does not fit it, or
        has no property, is a line of the questionnaire."""
        definitions = {}
        for definition in source.team_id.lead_properties_definition or []:
            definitions[definition["name"].casefold()] = definition
            definitions[str(definition.get("string", "")).casefold()] = definition
        typed, lines = {}, []
        for question, value in answers:
            definition = definitions.get(str(question).casefold())
            converted = self._typed(definition, value) if definition else None
            if converted is not None:
                typed[definition["name"]] = converted
            else:
                answer = " ".join(str(value).split())
                lines.append(f"{' '.join(str(question).split())}: {answer}")
        return typed, lines

    def _typed(self, definition, value, lang=None):
        """The value as the lead property's type takes it, or None. lang: the language a
        person typed the value in (numbers: "2.500" is 2500 in German, 2.5 in English)."""
        kind, text = definition.get("type"), str(value).strip()
        try:
            if kind == "boolean":
                return self._yes_no(value)
            if kind == "integer":
                if isinstance(value, float):
                    return None
                number = self._number(text, lang) if lang else Decimal(text)
                return int(number) if number == int(number) else None
            if kind == "float":
                return float(self._number(text, lang) if lang else text.replace(",", "."))
            if kind == "selection":
                for option, label in definition.get("selection") or []:
                    if text.casefold() in (str(option).casefold(), str(label).casefold()):
                        return option
                return None
            if kind == "date":
                return date.fromisoformat(text).isoformat()
            if kind == "datetime":
                moment = datetime.fromisoformat(text)
                if moment.tzinfo:
                    moment = moment.astimezone(UTC).replace(tzinfo=None)
                return fields.Datetime.to_string(moment)
            if kind in ("char", "text"):
                return text
        except (ValueError, ArithmeticError):
            return None
        return None

    @api.model
    def _number(self, text, lang):
        """A number as written in lang: its group separators (German 2.500) between groups of
        three digits, its decimal separator (German 2,5); the other separator is read as the
        decimal one where it cannot group (2.5 in German): people type on any keyboard."""
        locale = babel_locale_parse(lang)
        group, decimal = get_group_symbol(locale), get_decimal_symbol(locale)
        text = re.sub(r"[\s\u00a0\u202f']", "", text)
        grouped = rf"[+-]?\d{{1,3}}({re.escape(group)}\d{{3}})+({re.escape(decimal)}\d+)?"
        if re.fullmatch(grouped, text):
            return Decimal(text.replace(group, "").replace(decimal, "."))
        if re.fullmatch(r"[+-]?\d+([.,]\d+)?", text) or re.fullmatch(rf"[+-]?\d+{re.escape(decimal)}\d+", text):
            return Decimal(text.replace(decimal, ".").replace(",", "."))
        raise ValueError(text)

    # LOG AND LIMITS

    def _over_rate_limit(self, source):
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM crm_deal_intake_log WHERE source_id = %s AND received_at > %s",
                source.id,
                fields.Datetime.subtract(fields.Datetime.now(), minutes=1),
            )
        )
        return self.env.cr.fetchone()[0] >= source.rate_limit

    def _log(
        self,
        source,
        door,
        raw,
        status="refused",
        lead=None,
        external_id=None,
        errors=None,
        replay_of=None,
        client_key=None,
        http_status=None,
    ):
        """One row of the log; http_status: a door's own refusal, else the answer to the outcome."""
        log = (
            self.env["crm.deal.intake.log"]
            .sudo()
            .create(
                {
                    "source_id": source.id,
                    "door": door,
                    "status": status,
                    "http_status": http_status or HTTP_STATUS_OF_OUTCOME[status],
                    "external_id": external_id if status in ("created", "updated", "duplicate") else None,
                    # as it arrived; PostgreSQL keeps no NUL character
                    "payload": raw.replace("\x00", "\\u0000") if raw else raw,
                    "errors": json.dumps(errors, ensure_ascii=False) if errors else False,
                    "lead_id": lead.id if lead else False,
                    "client_key": client_key,
                }
            )
        )
        if replay_of:
            replay_of.sudo().replayed_by_id = log
        return log
