from datetime import datetime

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestCadenceCron(DealPhasesCase):
    def test_cron_plans_once(self):
        due = self.create_lead("follow_up", setter_id=self.user_setter.id)
        called = self.create_lead("follow_up", last_call_date=datetime.now())
        qualified = self.create_lead("qualified", closer_id=self.user_closer.id)
        planned = self.create_lead("qualified")
        planned.activity_schedule("mail.mail_activity_data_todo", user_id=self.user_manager.id)
        Lead = self.env["crm.lead"]
        Lead._cron_deal_phase_cadence()
        Lead._cron_deal_phase_cadence()
        self.assertEqual(len(due.activity_ids), 1)
        self.assertEqual(due.activity_ids.user_id, self.user_setter)
        self.assertEqual(due.activity_ids.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertFalse(called.activity_ids)
        self.assertEqual(len(qualified.activity_ids), 1)
        self.assertEqual(qualified.activity_ids.user_id, self.user_closer)
        self.assertEqual(len(planned.activity_ids), 1)

    def test_cron_leaves_teams_with_their_own_pipeline_alone(self):
        upsell, _stage = self.create_upsell_team()
        lead = self.create_lead("follow_up")
        lead.team_id = upsell  # leaves the phases
        self.env["crm.lead"]._cron_deal_phase_cadence()
        self.assertFalse(lead.activity_ids)

    def test_cron_writes_in_the_assignees_language(self):
        self.ensure_german()
        self.user_setter.lang = "de_DE"
        due = self.create_lead("follow_up", setter_id=self.user_setter.id)
        self.env["crm.lead"].with_user(self.env.ref("base.user_root"))._cron_deal_phase_cadence()
        self.assertEqual(due.activity_ids.summary, "Goodwill-Call")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestUpsell(DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.upsell_team, cls.upsell_stage = cls.create_upsell_team()
        cls.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.upsell_team_id", cls.upsell_team.id)

    def test_upsell_only_from_sold(self):
        lead = self.create_lead("not_sold", closer_id=self.user_closer.id).with_user(self.user_closer)
        with self.assertRaises(UserError):
            lead.action_create_upsell_opportunity()
        lead.action_set_won()
        action = lead.action_create_upsell_opportunity()
        upsell = self.env["crm.lead"].browse(action["res_id"])
        self.assertEqual(upsell.team_id, self.upsell_team)
        self.assertEqual(upsell.stage_id, self.upsell_stage)
        self.assertFalse(upsell.deal_phase)
        self.assertEqual(upsell.origin_lead_id, lead)
        self.assertEqual(lead.upsell_lead_ids, upsell)
        self.assertEqual(upsell.contact_name, lead.contact_name)

    def test_automatic_upsell_on_sold(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.upsell_auto_create", "True")
        lead = self.create_lead("first_meeting", closer_id=self.user_closer.id)
        lead.with_user(self.user_closer).write({"stage_id": self.stages["sold"].id})
        self.assertEqual(len(lead.upsell_lead_ids), 1)
        self.assertEqual(lead.upsell_lead_ids.user_id, self.user_closer)

    def test_upsell_button_only_with_an_upsell_team(self):
        lead = self.create_lead("sold")
        self.assertTrue(lead.can_create_upsell)
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.upsell_team_id", "")
        lead.invalidate_recordset(["can_create_upsell"])
        self.assertFalse(lead.can_create_upsell)

    def test_upsell_team_must_have_its_own_pipeline(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.upsell_team_id", self.team.id)
        lead = self.create_lead("sold")
        with self.assertRaises(UserError):
            lead.action_create_upsell_opportunity()
