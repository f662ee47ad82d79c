import hashlib
import hmac
import re
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

# the keys an intake understands without a mapping; every other key is a questionnaire answer
KNOWN_KEYS = (
    "first_name",
    "last_name",
    "phone",
    "email",
    "external_id",
    "setter_appointment",
    "setter",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "consent",
    "consent_text",
)
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
# a site allowed to embed the inquiry page: scheme, host and port only (it goes into a header)
FRAME_ANCESTOR_PATTERN = re.compile(r"^https://(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$")
# the lead property types the inquiry page asks for
PAGE_QUESTION_TYPES = ("char", "text", "integer", "float", "boolean", "selection", "date")


def _labels(definition):
    """A lead property's name and label, the ways a source may name it."""
    return [label for label in (definition["name"], definition.get("string")) if label]


def token_digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CrmDealIntakeSource(models.Model):
    """Where inquiries come from: a form tool over the webhook, an integrator over JSON-2.
    Its token is shown once and kept as a hash; its inquiries enter one team's pipeline,
    submitted by a technical user of its own that may do nothing else."""

    _name = "crm.deal.intake.source"
    _description = "Inquiry Source"
    _order = "name"

    # Identity
    name = fields.Char(required=True, translate=True)
    code = fields.Char(
        required=True,
        copy=False,
        help="The last part of the webhook's address: lower-case letters, digits, - and _.",
    )
    active = fields.Boolean(default=True)
    team_id = fields.Many2one(
        "crm.team",
        "Sales Team",
        required=True,
        domain=[("use_deal_phases", "=", True)],
        help="The team whose pipeline the inquiries enter, in Inquiry received.",
    )
    company_id = fields.Many2one(related="team_id.company_id", store=True, readonly=True)
    user_id = fields.Many2one(
        "res.users",
        "Technical User",
        readonly=True,
        copy=False,
        help="Submits this source's inquiries: a user of its own that may submit inquiries and read nothing else.",
    )
    # Authentication
    token_hash = fields.Char(readonly=True, copy=False, groups="base.group_system")
    token_hint = fields.Char("Token", readonly=True, copy=False, help="The token's last characters.")
    token_expires_at = fields.Datetime("Token Expires", copy=False)
    signing_secret = fields.Char(
        copy=False,
        groups="sales_team.group_sale_manager",
        help="Optional: the body's HMAC-SHA256 signature in X-Signature-SHA256 authenticates it instead of the token.",
    )
    # Phone numbers
    phone_country_id = fields.Many2one(
        "res.country",
        "Country of Phone Numbers",
        compute="_compute_phone_country_id",
        store=True,
        readonly=False,
        help="A number written without its country code (0151 23456789, 0049 151 ...) is read as a number of this "
        "country, so that every spelling of one number is one person. By default the company's country.",
    )
    rate_limit = fields.Integer(
        "Submissions per Minute", default=120, help="More within a minute are answered 429 (try again later)."
    )
    # What arrives
    mapping_ids = fields.One2many("crm.deal.intake.mapping", "source_id", copy=True)
    utm_source_id = fields.Many2one("utm.source", "Default Source")
    utm_medium_id = fields.Many2one("utm.medium", "Default Medium")
    utm_campaign_id = fields.Many2one("utm.campaign", "Default Campaign")
    log_retention_days = fields.Integer("Keep the Log (Days)", default=90)
    # The inquiry page
    public_form = fields.Boolean(
        "Inquiry Page",
        help="Publishes this source's inquiry page: the team's questionnaire for anyone with its address.",
    )
    form_title = fields.Char("Page Title", translate=True)
    form_intro = fields.Text("Introduction", translate=True)
    form_required_questions = fields.Char(
        "Required Questions",
        help="The questions a visitor must answer: the team's lead properties by name or label, comma-separated.",
    )
    consent_text = fields.Text(
        "Consent", translate=True, help="What the visitor consents to by ticking the box; the box is required."
    )
    consent_version = fields.Char(default="1", help="Stored with each consent: change it when the text changes.")
    frame_ancestors = fields.Char(
        "Embedding Sites",
        help="The sites that may show the page in an iframe, space-separated (e.g. https://landing.example.com); "
        "none: only this Odoo.",
    )
    offer_setter_call = fields.Boolean(
        "Book a Setter Call",
        help="The page offers the next free times of the team's setters for seven days; the visitor's pick is the "
        "inquiry's setter appointment.",
    )
    page_url = fields.Char("Page Address", compute="_compute_page_url")
    embed_snippet = fields.Text("Embed Code", compute="_compute_page_url")
    log_ids = fields.One2many("crm.deal.intake.log", "source_id", readonly=True)
    log_count = fields.Integer(compute="_compute_log_count")

    _code_unique = models.Constraint("UNIQUE(code)", "Another inquiry source has this code.")

    @api.depends("company_id")
    def _compute_phone_country_id(self):
        for source in self:
            source.phone_country_id = source.company_id.country_id or self.env.company.country_id

    def _compute_log_count(self):
        counts = dict(
            self.env["crm.deal.intake.log"]._read_group([("source_id", "in", self.ids)], ["source_id"], ["__count"])
        )
        for source in self:
            source.log_count = counts.get(source, 0)

    @api.depends("code", "public_form")
    def _compute_page_url(self):
        base = self.get_base_url() if self else ""
        for source in self:
            source.page_url = f"{base}/crm_deal_phases/inquiry/{source.code}" if source.public_form else False
            source.embed_snippet = (
                f'<iframe src="{source.page_url}" title="{source.form_title or source.name}" '
                'style="width: 100%; min-height: 900px; border: 0;" loading="lazy"></iframe>'
                if source.public_form
                else False
            )

    @api.constrains("code")
    def _check_code(self):
        for source in self:
            if not CODE_PATTERN.match(source.code or ""):
                raise ValidationError(
                    self.env._(
                        'Inquiry source "%(name)s": the code "%(code)s" is not allowed. Use 2 to 64 lower-case '
                        "letters, digits, - and _, starting with a letter or digit.",
                        name=source.name,
                        code=source.code,
                    )
                )

    @api.constrains("team_id")
    def _check_team(self):
        for source in self:
            if not source.team_id.use_deal_phases:
                raise ValidationError(
                    self.env._(
                        'Inquiry source "%(name)s": the team "%(team)s" does not use the deal phases. '
                        "Choose a team on the deal phases.",
                        name=source.name,
                        team=source.team_id.name,
                    )
                )

    @api.constrains("rate_limit", "log_retention_days")
    def _check_positive(self):
        for source in self:
            if source.rate_limit < 1 or source.log_retention_days < 1:
                raise ValidationError(
                    self.env._(
                        'Inquiry source "%(name)s": submissions per minute and the days the log is kept must be '
                        "at least 1.",
                        name=source.name,
                    )
                )

    @api.constrains("frame_ancestors")
    def _check_frame_ancestors(self):
        for source in self:
            wrong = [site for site in (source.frame_ancestors or "").split() if not FRAME_ANCESTOR_PATTERN.match(site)]
            if wrong:
                raise ValidationError(
                    self.env._(
                        'Inquiry source "%(name)s": "%(site)s" is no site that may embed the page. Give https:// '
                        "addresses without a path, e.g. https://landing.example.com, separated by spaces.",
                        name=source.name,
                        site=wrong[0],
                    )
                )

    @api.constrains("form_required_questions", "team_id")
    def _check_required_questions(self):
        for source in self:
            asked = {question.casefold() for question in source._page_question_names()}
            unknown = [name for name in source._required_question_names() if name.casefold() not in asked]
            if unknown:
                raise ValidationError(
                    self.env._(
                        'Inquiry source "%(name)s": "%(question)s" is no question of the team "%(team)s". Name its '
                        "lead properties of type text, number, yes/no, selection or date: %(questions)s.",
                        name=source.name,
                        question=unknown[0],
                        team=source.team_id.name,
                        questions=", ".join(source._page_question_names()) or "-",
                    )
                )

    # ORM

    @api.model_create_multi
    def create(self, vals_list):
        sources = super().create(vals_list)
        for source in sources:
            source.user_id = self._technical_user(source)
        return sources

    # ACTIONS

    def action_new_token(self):
        """A new token, shown once: the old one stops working."""
        self.ensure_one()
        token = secrets.token_urlsafe(32)
        self.sudo().write({"token_hash": token_digest(token)})
        self.token_hint = f"…{token[-4:]}"
        return self._show_secret(self.env._("Webhook token of %s", self.name), token)

    def action_new_api_key(self):
        """An API key of the technical user, for JSON-2: shown once."""
        self.ensure_one()
        key = self.env["res.users.apikeys"].with_user(self.user_id).sudo()._generate("rpc", self.display_name, None)
        return self._show_secret(self.env._("API key of %s", self.user_id.name), key)

    def action_open_log(self):
        action = self.env["ir.actions.actions"]._for_xml_id("crm_deal_phases.crm_deal_intake_log_action")
        action["domain"] = [("source_id", "in", self.ids)]
        return action

    # JSON-2

    def submit_inquiries(self, payloads):
        """The intake over JSON-2: a list of flat objects (the webhook's keys), one result per
        object, in order: {"lead_id", "status": created | updated | duplicate | refused,
        "errors": [{"field", "message"}]}. For the source's technical user, users of the
        Inquiry intake group and Sales Administrators."""
        self.ensure_one()
        user = self.env.user
        if not (
            user == self.user_id
            or user.has_group("crm_deal_phases.group_deal_intake")
            or user.has_group("sales_team.group_sale_manager")
        ):
            raise AccessError(self.env._("You may not submit inquiries to %s.", self.display_name))
        if not isinstance(payloads, list):
            payloads = [payloads]
        return self.env["crm.deal.intake"]._submit_payloads(self, payloads)

    # BUSINESS

    def _key_mapping(self):
        """{incoming key: (target, question)}: a known key, or an answer under its question."""
        return {line.key: (line.target, line.question or line.key) for line in self.mapping_ids}

    def _technical_user(self, source):
        return (
            self.env["res.users"]
            .sudo()
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": self.env._("Inquiries: %s", source.name),
                    "login": f"crm_deal_phases_intake_{source.code}_{source.id}",
                    "company_id": source.company_id.id or self.env.company.id,
                    "company_ids": [(6, 0, (source.company_id or self.env.company).ids)],
                    "group_ids": [
                        (
                            6,
                            0,
                            [
                                self.env.ref("base.group_portal").id,
                                self.env.ref("crm_deal_phases.group_deal_intake").id,
                            ],
                        )
                    ],
                }
            )
        )

    def _phone_region(self):
        """The region phone numbers without a country code are read in: None where the source
        has no country (its form says so)."""
        self.ensure_one()
        return self.phone_country_id.code or None

    def _page_definitions(self):
        """The team's lead properties a visitor can answer, in their order."""
        return [
            definition
            for definition in self.team_id.lead_properties_definition or []
            if definition.get("type") in PAGE_QUESTION_TYPES and not definition.get("definition_deleted")
        ]

    def _page_questions(self):
        """The page's questions: the definitions with "required" set as the source says."""
        required = {name.casefold() for name in self._required_question_names()}
        return [
            {**definition, "required": bool({label.casefold() for label in _labels(definition)} & required)}
            for definition in self._page_definitions()
        ]

    def _page_question_names(self):
        return [label for definition in self._page_definitions() for label in _labels(definition)]

    def _required_question_names(self):
        return [name.strip() for name in (self.form_required_questions or "").split(",") if name.strip()]

    def _token_matches(self, token):
        """Whether token is this source's and has not expired, in constant time."""
        self.ensure_one()
        stored = self.sudo().token_hash or ""
        matches = hmac.compare_digest(token_digest(token or ""), stored) and bool(stored)
        return matches and not (self.token_expires_at and self.token_expires_at < fields.Datetime.now())

    def _signature_matches(self, body, signature):
        self.ensure_one()
        secret = self.sudo().signing_secret
        if not secret or not signature:
            return False
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.strip().removeprefix("sha256=").lower())

    def _show_secret(self, title, secret):
        wizard = self.env["crm.deal.intake.secret"].create({"source_id": self.id, "secret": secret})
        return {
            "type": "ir.actions.act_window",
            "name": title,
            "res_model": wizard._name,
            "res_id": wizard.id,
            "views": [(False, "form")],
            "target": "new",
        }


class CrmDealIntakeMapping(models.Model):
    """One incoming key of a source: a known key under another name, or a questionnaire
    answer under its question."""

    _name = "crm.deal.intake.mapping"
    _description = "Inquiry Source Mapping"
    _order = "source_id, sequence, id"

    source_id = fields.Many2one("crm.deal.intake.source", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    key = fields.Char("Incoming Key", required=True)
    target = fields.Selection(
        [*((key, key) for key in KNOWN_KEYS), ("answer", "Questionnaire answer")],
        required=True,
        default="answer",
    )
    question = fields.Char(help="For an answer: the question (a property of the team's leads of this name, or a line).")

    _key_unique = models.Constraint("UNIQUE(source_id, key)", "A key is mapped once per source.")
