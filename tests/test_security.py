from odoo.exceptions import AccessError
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
        other_company = self.env["res.company"].create({"name": "Andere GmbH"})
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
