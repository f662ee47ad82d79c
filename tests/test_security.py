from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import DealPhasesCase

CONFIG_MODELS = ("crm.stage.transition", "crm.qualification.criterion", "crm.ko.reason")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestAccessRules(DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user_portal = new_test_user(cls.env, login="dp_portal", groups="base.group_portal")
        cls.user_public = cls.env.ref("base.public_user")
        cls.user_internal = new_test_user(cls.env, login="dp_internal", groups="base.group_user")
        cls.lead = cls.create_lead("inquiry")

    def test_portal_public_and_plain_employees_reach_nothing(self):
        for user in (self.user_portal, self.user_public, self.user_internal):
            for model in (*CONFIG_MODELS, "crm.deal.phase.log"):
                with self.subTest(user=user.login, model=model), self.assertRaises(AccessError):
                    self.env[model].with_user(user).search([])

    def test_salespeople_read_the_configuration_only(self):
        for model in CONFIG_MODELS:
            with self.subTest(model=model):
                Model = self.env[model].with_user(self.user_setter)
                records = Model.search([])
                self.assertTrue(records)
                with self.assertRaises(AccessError):
                    records[:1].write({"sequence": 99})
                with self.assertRaises(AccessError):
                    records[:1].unlink()

    def test_managers_edit_the_configuration(self):
        transition = self.env.ref("crm_deal_phases.transition_inquiry_to_follow_up").with_user(self.user_manager)
        transition.name = "Pre-qualified"
        self.assertEqual(transition.name, "Pre-qualified")
        criterion = (
            self.env["crm.qualification.criterion"].with_user(self.user_manager).create({"name": "Speaks German"})
        )
        ko_reason = self.env["crm.ko.reason"].with_user(self.user_manager).create({"name": "Duplicate"})
        self.assertTrue(criterion and ko_reason)

    def test_log_is_read_only_for_everybody(self):
        entry = self.log_of(self.lead)
        for user in (self.user_setter, self.user_manager):
            with self.subTest(user=user.login):
                self.assertEqual(entry.with_user(user).to_phase, "inquiry")
                with self.assertRaises(AccessError):
                    entry.with_user(user).write({"reason": "edited"})
                with self.assertRaises(AccessError):
                    entry.with_user(user).unlink()

    def test_salesperson_reads_the_log_of_own_leads_only(self):
        own = self.create_lead("inquiry", user_id=self.user_setter.id)
        foreign = self.create_lead("inquiry", user_id=self.user_closer.id)
        Log = self.env["crm.deal.phase.log"].with_user(self.user_setter)
        self.assertTrue(Log.search([("lead_id", "=", own.id)]))
        self.assertFalse(Log.search([("lead_id", "=", foreign.id)]))

    def test_log_follows_the_company_of_its_lead(self):
        other_company = self.env["res.company"].create({"name": "Andere GmbH", "deal_phases_without_team": True})
        self.user_manager.company_ids |= other_company
        lead = self.create_lead("inquiry", company_id=other_company.id, team_id=False, user_id=False)
        self.assertEqual(self.log_of(lead).company_id, other_company)
        all_leads = new_test_user(self.env, login="dp_all_leads", groups="sales_team.group_sale_salesman_all_leads")
        self.assertFalse(self.env["crm.deal.phase.log"].with_user(all_leads).search([("lead_id", "=", lead.id)]))

    def test_setter_and_closer_reach_their_leads(self):
        lead = self.create_lead("first_meeting", user_id=self.user_manager.id, closer_id=self.user_closer.id)
        self.assertEqual(lead.with_user(self.user_closer).name, lead.name)
        with self.assertRaises(AccessError):
            lead.with_user(self.user_setter).read(["name"])


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseLogAccess(DealPhasesCase):
    def test_salesperson_reads_but_cannot_touch_the_log(self):
        lead = self.create_lead("inquiry")
        Log = self.env["crm.deal.phase.log"].with_user(self.user_setter)
        entry = Log.search([("lead_id", "=", lead.id)])
        self.assertEqual(len(entry), 1)
        with self.assertRaises(AccessError):
            Log.create({"lead_id": lead.id, "to_phase": "sold"})
        with self.assertRaises(AccessError):
            entry.write({"to_phase": "sold"})
        with self.assertRaises(AccessError):
            entry.unlink()

    def test_manager_cannot_edit_the_log_either(self):
        entry = self.log_of(self.create_lead("inquiry"))
        with self.assertRaises(AccessError):
            entry.with_user(self.user_manager).write({"reason": "rewritten"})

    def test_reasons_in_use_are_archived_not_deleted(self):
        self.create_lead("unqualified")
        with self.assertRaises(UserError) as error:
            self.ko_reason.with_user(self.user_manager).unlink()
        self.assertIn("archive them instead", str(error.exception))
        self.create_lead("not_sold")
        with self.assertRaises(UserError):
            self.lost_reason.with_user(self.user_manager).unlink()
        self.ko_reason.with_user(self.user_manager).active = False


REPORT_MODELS = (
    "crm.deal.phase.report",
    "crm.deal.funnel.report",
    "crm.deal.closer.report",
    "crm.deal.phase.duration.report",
    "crm.deal.week.report",
)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestReportRules(DealPhasesCase):
    """The reports read the phase history of every company: each one shows a user the rows
    of the companies they work in, like the history itself."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env["res.company"].create({"name": "Andere GmbH"})
        cls.other_team = cls.env["crm.team"].create(
            {"name": "Andere", "company_id": cls.other_company.id, "use_deal_phases": True}
        )
        cls.user_manager.company_ids |= cls.other_company
        # a lead without salesperson takes its company from its team (crm's rule)
        own_team = cls.env["crm.team"].create({"name": "Eigene", "company_id": cls.company.id, "use_deal_phases": True})
        cls.own = cls.create_lead("inquiry", name="Own company lead", team_id=own_team.id, user_id=False)
        cls.foreign = cls.create_lead(
            "inquiry",
            name="Other company lead",
            company_id=cls.other_company.id,
            team_id=cls.other_team.id,
            user_id=False,
        )
        for lead in (cls.own, cls.foreign):
            lead.with_user(cls.user_manager).write({"stage_id": cls.stages["first_meeting"].id})
            lead.with_user(cls.user_manager).write({"stage_id": cls.stages["sold"].id})
        cls.restricted = new_test_user(
            cls.env, login="dp_one_company", groups="sales_team.group_sale_manager", company_id=cls.company.id
        )
        cls.env.flush_all()

    def test_each_report_shows_the_companies_of_the_user(self):
        for model in REPORT_MODELS:
            with self.subTest(model=model):
                Report = self.env[model].with_user(self.restricted)
                companies = set(Report.search([]).mapped("company_id.id")) - {False}
                self.assertEqual(companies, {self.company.id})
                both = (
                    self.env[model]
                    .with_user(self.user_manager)
                    .with_context(allowed_company_ids=[self.company.id, self.other_company.id])
                )
                self.assertIn(self.other_company.id, both.search([]).mapped("company_id.id"))

    def test_no_report_names_another_companys_lead(self):
        for model in ("crm.deal.phase.report", "crm.deal.funnel.report", "crm.deal.week.report"):
            with self.subTest(model=model):
                rows = self.env[model].with_user(self.restricted).search([])
                self.assertNotIn(self.foreign, rows.mapped("lead_id"))
                self.assertIn(self.own, rows.sudo().mapped("lead_id"))

    def test_salespeople_read_no_report(self):
        for model in REPORT_MODELS:
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_setter).search([])
