import json
import xmlrpc.client
from datetime import datetime, timedelta

from odoo.tests import HttpCase, mute_logger, new_test_user, tagged

from .common import STAGE_XMLIDS, DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseRpc(HttpCase, DealPhasesCase):
    """A salesperson's client over real HTTP: XML-RPC and JSON-2 with an API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rpc_user = new_test_user(
            cls.env, login="dp_rpc", password="dp_rpc_pw", groups="sales_team.group_sale_salesman"
        )
        cls.api_key = (
            cls.env["res.users.apikeys"]
            .with_user(cls.rpc_user)
            ._generate(scope="rpc", name="deal phases test", expiration_date=datetime.now() + timedelta(days=1))
        )

    def setUp(self):
        super().setUp()
        self.lead = self.create_lead("inquiry", name="RPC lead", user_id=self.rpc_user.id)
        self.sold_id = self.env.ref(STAGE_XMLIDS["sold"]).id
        self.follow_up_id = self.env.ref(STAGE_XMLIDS["follow_up"]).id

    def xmlrpc_write(self, vals, context=None):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.rpc_user.id,
            "dp_rpc_pw",
            "crm.lead",
            "write",
            [[self.lead.id], vals],
            {"context": context or {}},
        )

    def json2(self, method, payload):
        return self.url_open(
            f"/json/2/crm.lead/{method}",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.api_key}"},
        )

    @mute_logger("odoo.http")
    def test_xmlrpc_forbidden_move_is_refused(self):
        for context in ({}, {"install_mode": True, "import_file": True, "tracking_disable": True, "module": "crm"}):
            with self.subTest(context=context), self.assertRaises(xmlrpc.client.Fault) as error:
                self.xmlrpc_write({"stage_id": self.sold_id}, context)
            self.assertIn("cannot move from Inquiry received to Sold", error.exception.faultString)
        self.assertEqual(self.phase_of(self.lead), "inquiry")

    def test_xmlrpc_allowed_move(self):
        self.assertTrue(self.xmlrpc_write({"stage_id": self.follow_up_id}))
        self.assertEqual(self.phase_of(self.lead), "follow_up")

    @mute_logger("odoo.http")
    def test_json2_forbidden_move_is_refused(self):
        response = self.json2(
            "write",
            {"ids": [self.lead.id], "vals": {"stage_id": self.sold_id}, "context": {"crm_deal_phases_move": True}},
        )
        self.assertEqual(response.status_code, 422, response.text)
        body = response.json()
        self.assertEqual(body["name"], "odoo.exceptions.UserError")
        self.assertIn("RPC lead", body["message"])
        self.assertEqual(self.phase_of(self.lead), "inquiry")

    @mute_logger("odoo.http")
    def test_json2_override_is_refused_for_salespeople(self):
        response = self.json2("action_force_phase", {"ids": [self.lead.id], "stage": self.sold_id, "reason": "me"})
        self.assertNotEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["name"], "odoo.exceptions.AccessError")
        self.assertEqual(self.phase_of(self.lead), "inquiry")

    def test_json2_allowed_move(self):
        response = self.json2("write", {"ids": [self.lead.id], "vals": {"stage_id": self.follow_up_id}})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.phase_of(self.lead), "follow_up")
