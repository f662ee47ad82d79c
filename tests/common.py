import json
import socket
import threading
import time
import xmlrpc.client
from collections import Counter
from contextlib import closing
from datetime import datetime, timedelta
from importlib.resources import files

from odoo import SUPERUSER_ID, api, fields
from odoo.addons.crm_deal_phases.models.crm_lead_values import SYSTEM_FIELDS
from odoo.tests import TransactionCase, new_test_user
from odoo.tests.common import freeze_time

# crm's own stages, which every team keeps that does not use the deal phases.
STOCK_STAGE_XMLIDS = ("crm.stage_lead1", "crm.stage_lead2", "crm.stage_lead3", "crm.stage_lead4")

# The documented phase graph (Deal-Phasen), written out here on purpose: the tests compare
# the addon's behaviour and its seeded transition table against this, so a change to the
# data that drifts from the process fails them.
PHASES = (
    "inquiry",
    "follow_up",
    "qualified",
    "first_meeting",
    "second_meeting",
    "sold",
    "not_sold",
    "unqualified",
)
DOCUMENTED_GRAPH = {
    "inquiry": {"follow_up", "qualified", "first_meeting", "unqualified"},
    "follow_up": {"qualified", "first_meeting", "unqualified"},
    "qualified": {"first_meeting", "unqualified"},
    "first_meeting": {"sold", "not_sold", "qualified", "follow_up", "unqualified", "second_meeting"},
    "second_meeting": {"sold", "not_sold"},
    "not_sold": {"sold", "second_meeting"},
    "sold": set(),
    "unqualified": set(),
}
# The phases whose outcomes are the closer's to record (or a Sales Administrator's): a
# consultation's and the closer follow-up's.
CLOSER_PHASES = {"first_meeting", "second_meeting", "not_sold"}
# A team's questions of an inquiry (crm's lead properties), as the intake tests ask them
TEAM_QUESTIONS = [
    {"name": "budget", "string": "Budget", "type": "integer"},
    {"name": "decider", "string": "Entscheider", "type": "boolean"},
    {"name": "start", "string": "Start", "type": "selection", "selection": [["now", "Sofort"], ["later", "Später"]]},
]
# Figures of the reliability tests, printed in one line at the end of a pytest run
# (tests/conftest.py).
RELIABILITY = Counter(
    {"moves tried": 0, "graph violations": 0, "hostile calls refused": 0, "concurrent races resolved": 0}
)

STAGE_XMLIDS = {
    "inquiry": "crm_deal_phases.stage_inquiry",
    "follow_up": "crm_deal_phases.stage_follow_up",
    "qualified": "crm_deal_phases.stage_qualified",
    "first_meeting": "crm_deal_phases.stage_first_meeting",
    "second_meeting": "crm_deal_phases.stage_second_meeting",
    "sold": "crm_deal_phases.stage_sold",
    "not_sold": "crm_deal_phases.stage_not_sold",
    "unqualified": "crm_deal_phases.stage_unqualified",
}


class DealPhasesCase(TransactionCase):
    """Users, a team and helpers shared by the addon's tests, built once per class."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, lang="en_US"))
        cls.company = cls.env.ref("base.main_company")
        cls.user_setter = new_test_user(
            cls.env, login="dp_setter", name="Sina Setter", groups="sales_team.group_sale_salesman"
        )
        cls.user_closer = new_test_user(
            cls.env, login="dp_closer", name="Carl Closer", groups="sales_team.group_sale_salesman"
        )
        cls.user_manager = new_test_user(
            cls.env, login="dp_manager", name="Mara Manager", groups="sales_team.group_sale_manager"
        )
        cls.team = cls.env["crm.team"].create(
            {
                "name": "Deal Phases Team",
                "use_deal_phases": True,
                "member_ids": [(6, 0, (cls.user_setter | cls.user_closer).ids)],
            }
        )
        cls.stages = {phase: cls.env.ref(xmlid) for phase, xmlid in STAGE_XMLIDS.items()}
        cls.criteria = cls.env["crm.qualification.criterion"].search([])
        cls.ko_reason = cls.env.ref("crm_deal_phases.ko_reason_wrong_industry")
        cls.lost_reason = cls.env.ref("crm_deal_phases.lost_reason_no_budget")

    # Helpers

    @classmethod
    def complete_vals(cls, **extra):
        """Values of a lead that meets every phase's requirements."""
        return {
            "name": "Complete inquiry",
            "type": "opportunity",
            "contact_firstname": "Erika",
            "contact_lastname": "Mustermann",
            "phone": "+49 170 1234567",
            "qualification_criterion_ids": [(6, 0, cls.criteria.ids)],
            "lost_reason_id": cls.lost_reason.id,
            "ko_reason_id": cls.ko_reason.id,
            "expected_revenue": 5000,
            "closer_id": cls.user_closer.id,
            # a lead created in a consultation has had it: its outcomes may be recorded now
            "first_meeting_date": fields.Datetime.now() - timedelta(days=2),
            "second_meeting_date": fields.Datetime.now() - timedelta(hours=1),
            "team_id": cls.team.id,
            "user_id": cls.user_setter.id,
            **extra,
        }

    @classmethod
    def create_lead(cls, phase="inquiry", **vals):
        """A lead in phase, created by a manager (who may create leads in any phase). Counters
        the addon keeps (calls, strikes, ...) are set as the addon's own code sets them."""
        values = cls.complete_vals(**vals)
        values["stage_id"] = cls.stages[phase].id
        Lead = cls.env["crm.lead"].with_user(cls.user_manager)
        if values.keys() & set(SYSTEM_FIELDS):
            Lead = Lead._with_intent()
        return Lead.create(values).with_env(cls.env)

    @classmethod
    def answers(cls):
        """What the outcome wizards ask on entry: the consultation dates and the closer."""
        now = fields.Datetime.now()
        return {
            "first_meeting_date": now + timedelta(days=2),
            "second_meeting_date": now + timedelta(days=9),
            "closer_id": cls.user_closer.id,
        }

    @staticmethod
    def as_addon(records):
        """records as the addon's own code holds them, to set what only it writes."""
        return records._with_intent()

    def apply_wizard(self, action, user=None, **values):
        """Open the wizard an action returns, as user, fill it in and confirm it."""
        wizard = self.env[action["res_model"]].with_context(**action.get("context", {}))
        if user:
            wizard = wizard.with_user(user)
        return wizard.create(values).action_apply()

    @classmethod
    def ensure_german(cls):
        """German active with the addon's translations, whatever the database was installed with."""
        env = cls.env(su=True)
        if not env["res.lang"]._lang_get("de_DE"):
            env["res.lang"]._activate_lang("de_DE")
            env["ir.module.module"].search([("name", "=", "crm_deal_phases")])._update_translations(["de_DE"])

    @classmethod
    def create_upsell_team(cls):
        """A team with a pipeline of its own (not the deal phases) and its one stage."""
        team = cls.env["crm.team"].create({"name": "Upsell", "use_deal_phases": False})
        stage = cls.env["crm.stage"].create({"name": "Upsell offer", "sequence": 0, "team_ids": [(6, 0, team.ids)]})
        return team, stage

    def check_axe_core(self, url):
        """axe-core's WCAG 2.0/2.1 A and AA rules on a page in Chromium (an HttpCase's browser):
        every violation fails the test."""
        axe = (files("axe_core_python") / "axe.min.js").read_text()
        check = """
            axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
                .then((result) => {
                    const failed = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`);
                    if (failed.length) {
                        console.error("axe-core: " + failed.join("; "));
                    } else {
                        console.log("test successful");
                    }
                });
        """
        self.browser_js(url, axe + check, ready="document.readyState === 'complete'")

    @staticmethod
    def during_meeting(lead):
        """The clock a minute into the lead's consultation: its outcome may be recorded."""
        field = "second_meeting_date" if lead.deal_phase == "second_meeting" else "first_meeting_date"
        return freeze_time(lead[field] + timedelta(minutes=1))

    def phase_of(self, lead):
        lead.invalidate_recordset(["stage_id"])
        return lead.stage_id.deal_phase

    def log_of(self, lead):
        return self.env["crm.deal.phase.log"].sudo().search([("lead_id", "=", lead.id)], order="id")


class TwoConnectionsMixin:
    """Races on two real connections to the test's database (self.db): what they commit is
    committed for real, so the tests remove it at the end."""

    def race_on_two_connections(self, first, second, env_for, waits_for, second_ends="commit"):
        """first(env) runs on one connection and holds what second(env), run on the other in
        a thread, must wait for (waits_for says what); then the first commits, the second
        goes on and its transaction ends with second_ends ("commit" or "rollback"). The
        environments are made here, not in the thread: Odoo's test runner holds the
        registry's lock, which a new environment's registry waits for."""
        with closing(self.db.cursor()) as first_cr, closing(self.db.cursor()) as second_cr:
            first(env_for(first_cr))
            racer = threading.Thread(target=second, args=(env_for(second_cr),))
            racer.start()
            racer.join(timeout=2)
            self.assertTrue(racer.is_alive(), f"the second waits for {waits_for}")
            first_cr.commit()
            racer.join(timeout=30)
            getattr(second_cr, second_ends)()

    def env_for(self, cr):
        """The environment of a racing connection: superuser, English, no tracking."""
        return api.Environment(cr, SUPERUSER_ID, {"lang": "en_US", "tracking_disable": True})

    @staticmethod
    def remove_committed(env, leads, users, team, others=()):
        """Remove and commit what a race committed: the leads with their events and contacts,
        the other records, the users with their partners, the team."""
        leads = leads.with_context(active_test=False)
        events = env["calendar.event"].with_context(active_test=False).search([("opportunity_id", "in", leads.ids)])
        events |= leads.setter_appointment_event_id.with_context(active_test=False)
        customers = leads.partner_id
        leads.unlink()
        events.unlink()
        customers.unlink()
        for records in others:
            records.unlink()
        for user in users:
            partner = user.partner_id
            user.unlink()
            partner.unlink()
        team.unlink()
        env.cr.commit()  # pylint: disable=invalid-commit

    @staticmethod
    def committed_team_member(env, name, login, role, team_name):
        """(user, team): a salesperson of the given role in Berlin, alone in a team on the
        phases - what a race needs on a connection whose data is committed."""
        user = env["res.users"].create(
            {
                "name": name,
                "login": login,
                "deal_phase_role": role,
                "tz": "Europe/Berlin",
                "group_ids": [(6, 0, env.ref("sales_team.group_sale_salesman").ids)],
            }
        )
        team = env["crm.team"].create({"name": team_name, "use_deal_phases": True, "member_ids": [(6, 0, user.ids)]})
        return user, team


class RawRequestMixin:
    """A client that announces a body and never sends it (an HttpCase's server)."""

    def send_headers_only(self, path, headers, timeout=4):
        """A POST's request line and headers to path, then two bytes of a body declared far
        longer: the status line of the answer, the seconds it took and the answer, or None when
        none came in time."""
        self.env.flush_all()  # what the test wrote, for the server's request (as url_open does)
        with (
            self.allow_requests(),
            socket.create_connection(("127.0.0.1", self.http_port()), timeout=timeout) as connection,
        ):
            started = time.monotonic()
            # the test's session and cursor cookies, as url_open sends them
            cookies = "; ".join(f"{name}={value}" for name, value in self.opener.cookies.items())
            lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Cookie: {cookies}", *headers, "", ""]
            connection.sendall("\r\n".join(lines).encode() + b"{}")
            answer = b""
            try:
                while chunk := connection.recv(65536):  # the server closes the connection after its answer
                    answer += chunk
            except TimeoutError:
                if not answer:
                    return None, timeout, b""
        head, _blank, body = answer.partition(b"\r\n\r\n")
        return head.split(b"\r\n")[0].decode(), time.monotonic() - started, body


class RpcMixin:
    """A salesperson's real client over HTTP: XML-RPC with a password, JSON-2 with an API key.
    Every refused call is counted in the reliability figures."""

    rpc_login = "dp_rpc"

    @classmethod
    def setUpRpc(cls):
        cls.rpc_user = new_test_user(cls.env, login=cls.rpc_login, groups="sales_team.group_sale_salesman")
        cls.team.member_ids |= cls.rpc_user
        cls.api_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.rpc_user)
            ._generate(scope="rpc", name="deal phases test", expiration_date=datetime.now() + timedelta(days=1))
        )

    def xmlrpc(self, model, method, args, context=None, user=None):
        user = user or self.rpc_user
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname, user.id, self.password_of(user), model, method, args, {"context": context or {}}
        )

    @staticmethod
    def password_of(user):
        """new_test_user's password: the login, padded to 8 characters."""
        return user.login + "x" * (8 - len(user.login))

    def json2(self, model, method, payload, api_key=None):
        return self.url_open(
            f"/json/2/{model}/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {api_key or self.api_key}"},
        )

    def assertXmlrpcRefused(self, model, method, args, context=None, expected_text=None, user=None):
        with self.assertRaises(xmlrpc.client.Fault) as error:
            self.xmlrpc(model, method, args, context, user)
        if expected_text:
            self.assertIn(expected_text, error.exception.faultString)
        # 2: UserError or ValidationError, 3: access denied, 4: AccessError; never 1 (a crash)
        self.assertIn(error.exception.faultCode, (2, 3, 4), error.exception.faultString)
        RELIABILITY["hostile calls refused"] += 1
        return error.exception.faultString

    def assertJson2Refused(self, model, method, payload, expected_text=None, api_key=None):
        response = self.json2(model, method, payload, api_key)
        self.assertNotEqual(response.status_code, 200, response.text)
        self.assertIn(
            response.json()["name"],
            ("odoo.exceptions.UserError", "odoo.exceptions.AccessError", "odoo.exceptions.ValidationError"),
            response.text,
        )
        if expected_text:
            self.assertIn(expected_text, response.json()["message"])
        RELIABILITY["hostile calls refused"] += 1
        return response
