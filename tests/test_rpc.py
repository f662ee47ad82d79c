from odoo.tests import HttpCase, mute_logger, tagged

from .common import STAGE_XMLIDS, DealPhasesCase, RpcMixin

# Context keys an attacker would try, and the one key the addon itself reads.
HOSTILE_CONTEXTS = [
    {},
    {"install_mode": True},
    {"import_file": True},
    {"tracking_disable": True},
    {"module": "crm_deal_phases"},
    {"crm_deal_phases_intent": True},
    {"crm_deal_phases_intent": {"override": True, "reason": "json"}},
    {"active_test": False},
    {"install_mode": True, "import_file": True, "tracking_disable": True, "module": "crm"},
]


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseRpc(RpcMixin, HttpCase, DealPhasesCase):
    """A salesperson's client over real HTTP: XML-RPC and JSON-2 with an API key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpRpc()

    def setUp(self):
        super().setUp()
        self.lead = self.create_lead("inquiry", name="RPC lead", user_id=self.rpc_user.id)
        self.sold_id = self.env.ref(STAGE_XMLIDS["sold"]).id
        self.follow_up_id = self.env.ref(STAGE_XMLIDS["follow_up"]).id

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_forbidden_move_with_every_context(self):
        for context in HOSTILE_CONTEXTS:
            with self.subTest(context=context):
                self.assertXmlrpcRefused(
                    "crm.lead",
                    "write",
                    [[self.lead.id], {"stage_id": self.sold_id}],
                    context,
                    "cannot move from Inquiry received to Sold",
                )
                response = self.assertJson2Refused(
                    "crm.lead", "write", {"ids": [self.lead.id], "vals": {"stage_id": self.sold_id}, "context": context}
                )
                self.assertEqual(response.status_code, 422, response.text)
                self.assertIn("RPC lead", response.json()["message"])
        self.assertEqual(self.phase_of(self.lead), "inquiry")

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_creating_outside_inquiry_is_refused(self):
        vals = {"name": "RPC sold", "stage_id": self.sold_id}
        self.assertXmlrpcRefused("crm.lead", "create", [vals], {"install_mode": True})
        self.assertJson2Refused("crm.lead", "create", {"vals_list": [vals], "context": {"import_file": True}})
        self.assertFalse(self.env["crm.lead"].search([("name", "=", "RPC sold")]))

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_override_is_refused_for_salespeople(self):
        self.assertJson2Refused(
            "crm.lead", "action_force_phase", {"ids": [self.lead.id], "stage": self.sold_id, "reason": "me"}
        )
        self.assertXmlrpcRefused("crm.lead", "action_force_phase", [[self.lead.id], self.sold_id, "me"])
        self.assertEqual(self.phase_of(self.lead), "inquiry")

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_log_cannot_be_written_or_deleted(self):
        entry = self.log_of(self.lead)
        self.assertEqual(len(entry), 1)
        self.assertXmlrpcRefused("crm.deal.phase.log", "write", [entry.ids, {"to_phase": "sold"}])
        self.assertXmlrpcRefused("crm.deal.phase.log", "unlink", [entry.ids])
        self.assertXmlrpcRefused("crm.deal.phase.log", "create", [{"lead_id": self.lead.id, "to_phase": "sold"}])
        self.assertJson2Refused("crm.deal.phase.log", "unlink", {"ids": entry.ids})
        self.assertEqual(len(self.log_of(self.lead)), 1)
        self.assertEqual(entry.to_phase, "inquiry")
        rows = self.xmlrpc("crm.deal.phase.log", "search_read", [[("lead_id", "=", self.lead.id)], ["to_phase"]])
        self.assertEqual([row["to_phase"] for row in rows], ["inquiry"], "the log is readable")

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_configuration_cannot_be_edited(self):
        transition = self.env.ref("crm_deal_phases.transition_inquiry_to_follow_up")
        self.assertXmlrpcRefused(
            "crm.stage.transition", "create", [{"from_phase": "inquiry", "to_phase": "sold", "name": "x"}]
        )
        self.assertXmlrpcRefused("crm.stage.transition", "write", [transition.ids, {"to_phase": "sold"}])
        self.assertJson2Refused("crm.stage.transition", "unlink", {"ids": transition.ids})
        criterion = self.criteria[:1]
        self.assertXmlrpcRefused("crm.qualification.criterion", "write", [criterion.ids, {"active": False}])
        self.assertXmlrpcRefused("crm.ko.reason", "write", [self.ko_reason.ids, {"name": "x"}])
        self.assertXmlrpcRefused("crm.stage", "write", [[self.sold_id], {"deal_phase": False}])
        self.assertEqual(transition.to_phase, "follow_up")
        self.assertTrue(criterion.active)

    @mute_logger("odoo.http", "odoo.addons.rpc.controllers.xmlrpc")
    def test_other_salespersons_leads_stay_hidden(self):
        foreign = self.create_lead("inquiry", name="Foreign lead", user_id=self.user_closer.id)
        self.assertXmlrpcRefused("crm.lead", "read", [foreign.ids, ["name"]])
        self.assertXmlrpcRefused("crm.lead", "write", [foreign.ids, {"name": "mine"}])
        self.assertFalse(self.xmlrpc("crm.lead", "search", [[("id", "=", foreign.id)]]))
        self.assertEqual(foreign.name, "Foreign lead")

    def test_allowed_moves_over_both_protocols(self):
        self.assertTrue(self.xmlrpc("crm.lead", "write", [[self.lead.id], {"stage_id": self.follow_up_id}]))
        self.assertEqual(self.phase_of(self.lead), "follow_up")
        qualified = self.env.ref(STAGE_XMLIDS["qualified"]).id
        response = self.json2("crm.lead", "write", {"ids": [self.lead.id], "vals": {"stage_id": qualified}})
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(self.phase_of(self.lead), "qualified")
