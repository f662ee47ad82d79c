"""The read paths on a read-only cursor, as they run on a streaming replica.

Over JSON-2 Odoo opens a read-only cursor for every method marked ``@api.readonly`` (on a
replica where ``--db_replica_host`` is set). In a test that cursor is a savepoint with
``SET TRANSACTION READ ONLY``: a read path that writes raises "cannot execute ... in a
read-only transaction", and Odoo runs the request a second time on a read/write cursor with
a warning, as it does on the primary in production ("ro->rw" in the log): the warning fails
the test. The inquiry page's GET, a read-only route, is tried the same
way by tests/test_inquiry_page.py."""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo.tests import HttpCase, tagged
from odoo.tools.safe_eval import safe_eval

from .common import DealPhasesCase, RpcMixin

ADDON_MODULE = "odoo.addons.crm_deal_phases"
# The addon's reports: each grouped by each of its dimensions, every measure summed
REPORTS = (
    "crm.deal.phase.report",
    "crm.deal.funnel.report",
    "crm.deal.closer.report",
    "crm.deal.call.report",
    "crm.deal.phase.duration.report",
    "crm.deal.week.report",
)


@tagged("post_install", "-at_install")
class TestReadPathsOnAReadOnlyCursor(RpcMixin, HttpCase, DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setUpRpc()
        # a lead in every phase, with its history, a call and a consultation
        leads = cls.create_lead("inquiry") | cls.create_lead("follow_up") | cls.create_lead("qualified")
        leads |= cls.create_lead("first_meeting") | cls.create_lead("second_meeting") | cls.create_lead("not_sold")
        leads |= cls.create_lead("sold") | cls.create_lead("unqualified")
        leads[1].with_user(cls.user_setter).action_log_call(outcome="no_answer")
        cls.api_keys = {
            user: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(scope="rpc", name="read-only test", expiration_date=datetime.now() + timedelta(days=1))
            for user in (cls.user_setter, cls.user_closer, cls.user_manager)
        }

    def setUp(self):
        super().setUp()
        # the JSON-2 requests of a read-only method run on a read-only test cursor
        self.assertTrue(self._registry_readonly_enabled)

    def read_as(self, user, model, method, payload):
        """model.method over JSON-2 as user: it must be a read-only method, and answer."""
        method_class = next((cls for cls in self.registry[model].mro() if method in vars(cls)), None)
        self.assertTrue(getattr(vars(method_class)[method], "_readonly", False), f"{model}.{method} is not read-only")
        # a write on the read-only cursor is not an error the client sees: Odoo runs the
        # request again on a read/write cursor and says so in a warning
        with self.assertNoLogs("odoo.http", "WARNING"):
            response = self.json2(model, method, payload, api_key=self.api_keys[user])
        self.assertEqual(response.status_code, 200, f"{model}.{method} as {user.login}: {response.text[:500]}")
        return response.json()

    def eval_domain(self, domain, user):
        context = {
            "uid": user.id,
            "context_today": lambda: datetime.now().date(),
            "datetime": datetime,
            "relativedelta": relativedelta,
            "timedelta": timedelta,
        }
        return safe_eval(domain or "[]", context)

    def view_fields(self, model, view_type, view_id=False):
        arch = self.env[model].get_views([(view_id, view_type)])["views"][view_type]["arch"]
        names = {node.get("name") for node in etree.fromstring(arch).iterfind(".//field")}
        fields = self.env[model]._fields
        return {name: {} for name in names if name in fields and not fields[name].type.endswith("2many")}

    def addon_filters(self, model):
        """The filters the addon's search views add: (name, domain, group by)."""
        views = self.env["ir.ui.view"].search([("model", "=", model), ("type", "=", "search")])
        views = views.filtered(lambda view: (view.get_external_id()[view.id] or "").startswith("crm_deal_phases."))
        for view in views:
            for node in etree.fromstring(view.arch_db).iterfind(".//filter"):
                if node.get("domain") or node.get("context"):
                    group_by = safe_eval(node.get("context") or "{}", {"uid": 0}).get("group_by")
                    yield node.get("name"), node.get("domain"), group_by

    def test_no_method_of_the_addon_is_read_only(self):
        """Every read-only entry point is Odoo's own: the addon overrides none of them, so
        none of its methods that write is reachable on a read-only cursor."""
        read_only = {
            name
            for model_class in self.registry.models.values()
            for cls in model_class.mro()
            for name, value in vars(cls).items()
            if getattr(value, "_readonly", False)
        }
        overridden = sorted(
            f"{model}.{name}"
            for model, model_class in self.registry.models.items()
            for cls in model_class.mro()
            if getattr(cls, "__module__", "").startswith(ADDON_MODULE)
            for name in vars(cls)
            if name in read_only
        )
        self.assertIn("web_search_read", read_only)
        self.assertEqual(overridden, [])

    def test_the_work_lists_and_the_board(self):
        actions = self.env["ir.actions.act_window"].search([("res_model", "=", "crm.lead")])
        actions = actions.filtered(lambda act: (act.get_external_id()[act.id] or "").startswith("crm_deal_phases."))
        self.assertGreaterEqual(len(actions), 5)
        for action in actions:
            for user in (self.user_setter, self.user_closer, self.user_manager):
                with self.subTest(action=action.name, user=user.login):
                    context = safe_eval(action.context or "{}", {"uid": user.id})
                    domain = self.eval_domain(action.domain, user)
                    for name, filter_domain, _group_by in self.addon_filters("crm.lead"):
                        if context.get(f"search_default_{name}") and filter_domain:
                            domain += self.eval_domain(filter_domain, user)
                    payload = {"domain": domain, "limit": 80, "context": context}
                    spec = self.view_fields("crm.lead", "list")
                    self.read_as(user, "crm.lead", "web_search_read", payload | {"specification": spec})
        board = {"domain": [("type", "=", "opportunity")], "groupby": ["stage_id"], "aggregates": ["__count"]}
        for user in (self.user_setter, self.user_closer, self.user_manager):
            groups = self.read_as(user, "crm.lead", "web_read_group", board)
            self.assertTrue(groups["groups"], user.login)
            kanban = self.view_fields("crm.lead", "kanban")
            self.read_as(user, "crm.lead", "web_search_read", {"domain": board["domain"], "specification": kanban})

    def test_every_filter_and_grouping_of_the_lead_search(self):
        for name, filter_domain, group_by in self.addon_filters("crm.lead"):
            with self.subTest(filter=name):
                if filter_domain:
                    domain = self.eval_domain(filter_domain, self.user_setter)
                    self.read_as(self.user_setter, "crm.lead", "search_count", {"domain": domain})
                if group_by:
                    payload = {"domain": [], "groupby": [group_by], "aggregates": ["__count"]}
                    self.read_as(self.user_manager, "crm.lead", "formatted_read_group", payload)

    def test_the_reports(self):
        for model in REPORTS:
            Report = self.env[model]
            measures = [
                f"{name}:sum"
                for name, field in Report._fields.items()
                if field.type in ("integer", "float", "monetary") and field.store and name != "id"
            ]
            described = Report.fields_get(attributes=["groupable", "type"])
            dimensions = [
                f"{name}:month" if field["type"] in ("date", "datetime") else name
                for name, field in described.items()
                if field.get("groupable") and field["type"] in ("many2one", "selection", "date", "datetime")
            ]
            self.assertTrue(measures and dimensions, model)
            for dimension in dimensions:
                with self.subTest(report=model, by=dimension):
                    payload = {"domain": [], "groupby": [dimension], "aggregates": [*measures, "__count"]}
                    self.read_as(self.user_manager, model, "formatted_read_group", payload)
            sets = {"domain": [], "grouping_sets": [[], dimensions[:1], dimensions[:2]], "aggregates": measures}
            self.read_as(self.user_manager, model, "formatted_read_grouping_sets", sets)
            page = {"domain": [], "specification": self.view_fields(model, "list"), "limit": 80}
            self.read_as(self.user_manager, model, "web_search_read", page)
