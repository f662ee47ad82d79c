from datetime import timedelta

from lxml import etree

from odoo import fields
from odoo.tests import Form, tagged, users
from odoo.tools.safe_eval import safe_eval

from .common import PHASES, DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestWorkLists(DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.upsell_team, cls.upsell_stage = cls.create_upsell_team()
        cls.by_phase = {
            phase: cls.create_lead(phase, name=f"List {phase}", closer_id=cls.user_manager.id) for phase in PHASES
        }
        cls.upsell_lead = cls.env["crm.lead"].create({"name": "Upsell lead", "team_id": cls.upsell_team.id})
        cls.archived = cls.create_lead("follow_up", name="Archived follow-up")
        cls.archived.action_archive()
        cls.called_recently = cls.create_lead("follow_up", name="Called recently", last_call_date=fields.Datetime.now())
        cls.called_long_ago = cls.create_lead(
            "follow_up", name="Called long ago", last_call_date=fields.Datetime.now() - timedelta(days=10)
        )
        cls.my_win_back = cls.create_lead("not_sold", name="My win-back", closer_id=cls.user_closer.id)

    def search_with_action(self, xmlid, user, extra_filters=()):
        """The leads of the test team an action shows by default: its search filters applied as
        the web client does (demo data may hold more leads of other teams)."""
        action = self.env.ref(xmlid)
        context = safe_eval(action.context or "{}")
        Lead = self.env["crm.lead"].with_user(user)
        arch = Lead.get_views([(action.search_view_id.id, "search")])["views"]["search"]["arch"]
        filters = {node.get("name"): node for node in etree.fromstring(arch).iter("filter")}
        domain = [("team_id", "in", (self.team | self.upsell_team).ids)]
        for name in [key[len("search_default_") :] for key in context if key.startswith("search_default_")]:
            node = filters[name]
            if node.get("domain"):
                domain += safe_eval(node.get("domain"), {"uid": user.id, "context_today": fields.Date.context_today})
        for name in extra_filters:
            domain += safe_eval(filters[name].get("domain"), {"uid": user.id})
        order = None
        if action.view_id:
            order = etree.fromstring(action.view_id.arch).get("default_order")
        return Lead.search(domain, order=order)

    def test_follow_up_calls_longest_uncalled_first(self):
        leads = self.search_with_action("crm_deal_phases.crm_lead_follow_up_calls_action", self.user_manager)
        self.assertEqual(set(leads.mapped("deal_phase")), {"follow_up"})
        self.assertNotIn(self.archived, leads)
        self.assertNotIn(self.upsell_lead, leads)
        names = leads.mapped("name")
        self.assertLess(names.index("List follow_up"), names.index("Called long ago"), "never called comes first")
        self.assertLess(names.index("Called long ago"), names.index("Called recently"))

    def test_due_for_a_call(self):
        leads = self.search_with_action(
            "crm_deal_phases.crm_lead_follow_up_calls_action", self.user_manager, ["due_for_call"]
        )
        self.assertIn(self.called_long_ago, leads)
        self.assertIn(self.by_phase["follow_up"], leads)
        self.assertNotIn(self.called_recently, leads)

    def test_qualified_list_waits_longest_first(self):
        early = self.create_lead("qualified", name="Waiting long")
        early.date_last_stage_update = fields.Datetime.now() - timedelta(days=9)
        leads = self.search_with_action("crm_deal_phases.crm_lead_qualified_action", self.user_manager)
        self.assertEqual(set(leads.mapped("deal_phase")), {"qualified"})
        self.assertEqual(leads[0], early)
        waiting = self.search_with_action(
            "crm_deal_phases.crm_lead_qualified_action", self.user_manager, ["waiting_7_days", "no_activity"]
        )
        self.assertEqual(waiting, early)

    def test_closer_sees_their_win_backs(self):
        leads = self.search_with_action("crm_deal_phases.crm_lead_closer_follow_up_action", self.user_closer)
        self.assertEqual(leads, self.my_win_back)

    def test_each_phase_filter(self):
        Lead = self.env["crm.lead"].with_user(self.user_manager)
        arch = Lead.get_views([(False, "search")])["views"]["search"]["arch"]
        filters = {node.get("name"): node for node in etree.fromstring(arch).iter("filter")}
        for phase in PHASES:
            with self.subTest(phase=phase):
                leads = Lead.search(
                    [("team_id", "=", self.team.id), *safe_eval(filters[f"phase_{phase}"].get("domain"))]
                )
                self.assertIn(self.by_phase[phase], leads)
                self.assertEqual(set(leads.mapped("deal_phase")), {phase})

    @users("dp_setter", "dp_manager")
    def test_lead_form_loads_in_every_phase(self):
        for phase in PHASES:
            with self.subTest(phase=phase):
                lead = self.create_lead(phase, user_id=self.env.user.id).with_env(self.env)
                form = Form(lead)
                self.assertEqual(form.deal_phase, phase)

    def test_work_list_views_load(self):
        for xmlid in (
            "crm_deal_phases.crm_lead_follow_up_calls_action",
            "crm_deal_phases.crm_lead_qualified_action",
            "crm_deal_phases.crm_lead_closer_follow_up_action",
        ):
            action = self.env.ref(xmlid)
            for user in (self.user_setter, self.user_manager):
                views = self.env["crm.lead"].with_user(user).get_views([(action.view_id.id, "list"), (False, "kanban")])
                self.assertIn("list", views["views"])


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestTeams(DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.upsell_team, cls.upsell_stage = cls.create_upsell_team()

    def test_teams_use_the_phases_only_when_turned_on(self):
        self.assertFalse(self.env.ref("sales_team.team_sales_department").use_deal_phases, "installing changes no team")
        self.assertFalse(self.env["crm.team"].create({"name": "Created by code"}).use_deal_phases)

    def test_upsell_team_keeps_its_own_stages(self):
        lead = self.env["crm.lead"].create({"name": "Upsell", "team_id": self.upsell_team.id})
        self.assertEqual(lead.stage_id, self.upsell_stage)
        self.assertFalse(lead.deal_phase)
        lead.write({"stage_id": self.env["crm.stage"].create({"name": "Upsell won", "sequence": 6}).id})
        self.assertFalse(self.log_of(lead), "ungoverned leads have no phase history")

    def test_upsell_board_shows_no_phase(self):
        Lead = self.env["crm.lead"].with_context(default_team_id=self.upsell_team.id)
        columns = Lead._read_group_stage_ids(self.env["crm.stage"], [])
        self.assertIn(self.upsell_stage, columns)
        self.assertFalse(columns.filtered("deal_phase"))
        governed = (
            self.env["crm.lead"]
            .with_context(default_team_id=self.team.id)
            ._read_group_stage_ids(self.env["crm.stage"], [])
        )
        self.assertEqual(len(governed.filtered("deal_phase")), 8)

    def test_moving_to_an_ungoverned_team_leaves_the_phases(self):
        lead = self.create_lead("qualified").with_user(self.user_setter)
        lead.write({"team_id": self.upsell_team.id})
        self.assertEqual(lead.stage_id, self.upsell_stage)
        entry = self.log_of(lead)[-1]
        self.assertEqual((entry.from_phase, entry.to_phase), ("qualified", False))
        self.assertEqual(entry.transition_label, "Left the deal phases")

    def test_moving_to_a_governed_team_enters_at_inquiry(self):
        lead = self.env["crm.lead"].create({"name": "Upsell first", "team_id": self.upsell_team.id})
        lead.with_user(self.user_manager).write({"team_id": self.team.id})
        self.assertEqual(lead.deal_phase, "inquiry")
        entry = self.log_of(lead)[-1]
        self.assertEqual((entry.from_phase, entry.to_phase), (False, "inquiry"))

    def test_changing_team_between_governed_teams_keeps_the_phase(self):
        other = self.env["crm.team"].create({"name": "Second governed team", "use_deal_phases": True})
        lead = self.create_lead("first_meeting")
        lead.write({"team_id": other.id})
        self.assertEqual(lead.deal_phase, "first_meeting")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestEachRolesDay(DealPhasesCase):
    """Each role lands on its work, and "My Pipeline" holds the leads one works."""

    def test_login_lands_on_each_roles_work(self):
        user = self.user_setter
        homes = {
            "setter": "crm_deal_phases.crm_lead_follow_up_calls_action",
            "closer": "crm_deal_phases.crm_lead_my_consultations_action",
            "manager": "crm_deal_phases.crm_deal_week_report_action",
        }
        for role, xmlid in homes.items():
            with self.subTest(role=role):
                user.deal_phase_role = role
                self.assertEqual(user.action_id.id, self.env.ref(xmlid).id, "Odoo's home action of the user")
        user.deal_phase_role = False
        self.assertFalse(user.action_id)
        chosen = self.env.ref("crm.crm_lead_action_pipeline")
        user.write({"action_id": chosen.id})
        user.deal_phase_role = "closer"
        self.assertEqual(user.action_id.id, chosen.id, "a home an admin chose is kept")

    def test_an_inquiry_typed_in_is_named_after_its_contact_and_set_by_its_setter(self):
        self.user_setter.deal_phase_role = "setter"
        lead = (
            self.env["crm.lead"]
            .with_user(self.user_setter)
            .create(
                {
                    "contact_firstname": "Jana",
                    "contact_lastname": "Jonas",
                    "phone": "+49 151 1",
                    "team_id": self.team.id,
                }
            )
        )
        self.assertEqual((lead.name, lead.deal_phase), ("Jana Jonas", "inquiry"))
        self.assertEqual(lead.setter_id, self.user_setter)
        by_manager = (
            self.env["crm.lead"]
            .with_user(self.user_manager)
            .create({"contact_firstname": "Mia", "team_id": self.team.id})
        )
        self.assertEqual(by_manager.name, "Mia")
        self.assertFalse(by_manager.setter_id, "a manager typing it in is not its setter")

    def test_crm_opens_on_each_roles_work(self):
        Lead = self.env["crm.lead"]
        for role, xmlid in (
            ("setter", "crm_deal_phases.crm_lead_follow_up_calls_action"),
            ("closer", "crm_deal_phases.crm_lead_my_consultations_action"),
            ("manager", "crm_deal_phases.crm_deal_week_report_action"),
            (False, "crm.crm_lead_action_pipeline"),
        ):
            with self.subTest(role=role):
                self.user_setter.deal_phase_role = role
                action = Lead.with_user(self.user_setter)._action_deal_phases_home()
                self.assertEqual(action["id"], self.env.ref(xmlid).id)
                self.assertFalse(self.env.ref(xmlid).path == "deal-phases", "deep links go to the board")
        root = self.env.ref("crm.crm_menu_root")
        self.assertEqual(root.action, self.env.ref("crm_deal_phases.crm_lead_home_action"))

    def test_my_pipeline_holds_the_leads_one_sets_or_closes(self):
        closing = self.create_lead("first_meeting", user_id=self.user_manager.id, closer_id=self.user_closer.id)
        setting = self.create_lead("follow_up", user_id=self.user_manager.id, setter_id=self.user_closer.id)
        foreign = self.create_lead("follow_up", user_id=self.user_manager.id, closer_id=False, setter_id=False)
        Lead = self.env["crm.lead"].with_user(self.user_closer)
        arch = Lead.get_views([(False, "search")])["views"]["search"]["arch"]
        node = next(f for f in etree.fromstring(arch).iter("filter") if f.get("name") == "assigned_to_me")
        mine = Lead.search(safe_eval(node.get("domain"), {"uid": self.user_closer.id}))
        self.assertIn(closing, mine)
        self.assertIn(setting, mine)
        self.assertNotIn(foreign, mine)

    def test_the_closers_consultations_and_win_backs(self):
        booked = self.create_lead("first_meeting", name="Booked", closer_id=self.user_closer.id)
        win_back = self.create_lead("not_sold", name="Win back", closer_id=self.user_closer.id)
        others = self.create_lead("first_meeting", name="Other closer", closer_id=self.user_manager.id)
        action = self.env.ref("crm_deal_phases.crm_lead_my_consultations_action")
        context = safe_eval(action.context)
        Lead = self.env["crm.lead"].with_user(self.user_closer)
        arch = Lead.get_views([(action.search_view_id.id, "search")])["views"]["search"]["arch"]
        filters = {f.get("name"): f for f in etree.fromstring(arch).iter("filter")}
        domain = [("team_id", "=", self.team.id)]
        for key in context:
            domain += safe_eval(filters[key[len("search_default_") :]].get("domain"), {"uid": self.user_closer.id})
        self.assertEqual(set(Lead.search(domain).mapped("name")), {"Booked"}, "win-backs are in Closer Follow-up")
        self.assertTrue(booked and win_back and others)

    def test_new_leads_are_offered_where_they_may_start(self):
        stages = self.env["crm.stage"].search([("allows_new_leads", "=", True)])
        self.assertIn(self.stages["inquiry"], stages)
        self.assertFalse(set(stages.mapped("deal_phase")) - {False, "inquiry"})
        self.assertNotIn(self.stages["first_meeting"], stages)

    def test_web_client_sort_puts_never_called_first(self):
        never = self.create_lead("follow_up", name="Never called")
        called = self.create_lead("follow_up", name="Called", last_call_date=fields.Datetime.now())
        result = self.env["crm.lead"].web_search_read(
            [("id", "in", (never | called).ids)], {"name": {}}, order="last_call_date ASC"
        )
        self.assertEqual([row["name"] for row in result["records"]], ["Never called", "Called"])
