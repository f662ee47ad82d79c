from datetime import datetime, timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import DealPhasesCase

# A month no other data uses, so the analysis of these leads is exact.
JANUARY = datetime(2020, 1, 6, 9, 0)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseAnalysis(DealPhasesCase):
    """A known history, and every figure of the analysis checked against it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.closer_b = cls.user_manager
        # (closer, [(phase, day of January it was entered)])
        histories = {
            "sold_first": (cls.user_closer, [("inquiry", 0), ("first_meeting", 2), ("sold", 5)]),
            "sold_second": (
                cls.user_closer,
                [("inquiry", 0), ("first_meeting", 1), ("second_meeting", 5), ("sold", 7)],
            ),
            "not_sold": (cls.user_closer, [("inquiry", 0), ("first_meeting", 3), ("not_sold", 4)]),
            "sold_b": (cls.closer_b, [("inquiry", 0), ("first_meeting", 1), ("sold", 3)]),
            "no_show_b": (cls.closer_b, [("inquiry", 0), ("first_meeting", 2), ("follow_up", 7)]),
        }
        cls.leads = {}
        for name, (closer, path) in histories.items():
            lead = cls.create_lead("inquiry", name=f"History {name}", closer_id=closer.id, user_id=closer.id)
            for phase, _day in path[1:]:
                lead.with_user(cls.user_manager).write({"stage_id": cls.stages[phase].id})
            log = cls.env["crm.deal.phase.log"].search([("lead_id", "=", lead.id)], order="id")
            for entry, (_phase, day) in zip(log, path, strict=True):
                entry.date = JANUARY + timedelta(days=day)
            cls.leads[name] = lead
        cls.env.flush_all()
        cls.lead_ids = [lead.id for lead in cls.leads.values()]

    def test_conversion_between_phases(self):
        rows = self.env["crm.deal.phase.report"]._read_group(
            [("lead_id", "in", self.lead_ids)], ["phase", "next_phase"], ["__count"]
        )
        conversion = {(phase, next_phase): count for phase, next_phase, count in rows}
        self.assertEqual(
            conversion,
            {
                ("inquiry", "first_meeting"): 5,
                ("first_meeting", "sold"): 2,
                ("first_meeting", "second_meeting"): 1,
                ("first_meeting", "not_sold"): 1,
                ("first_meeting", "follow_up"): 1,
                ("second_meeting", "sold"): 1,
                ("sold", False): 3,
                ("not_sold", False): 1,
                ("follow_up", False): 1,
            },
        )

    def test_entries_per_week_and_no_shows(self):
        Report = self.env["crm.deal.phase.report"]
        entries = Report._read_group([("lead_id", "in", self.lead_ids)], ["date_entered:week"], ["__count"])
        self.assertEqual(sum(count for _week, count in entries), 16)
        [(no_shows,)] = Report._read_group(
            [("lead_id", "in", self.lead_ids), ("phase", "=", "first_meeting")], [], ["no_show:sum"]
        )
        self.assertEqual(no_shows, 1)

    def test_time_in_first_consultation(self):
        [(average,)] = self.env["crm.deal.phase.report"]._read_group(
            [("lead_id", "in", self.lead_ids), ("phase", "=", "first_meeting")], [], ["days_in_phase:avg"]
        )
        self.assertAlmostEqual(average, (3 + 4 + 1 + 2 + 5) / 5)
        row = self.env["crm.deal.phase.duration.report"].search(
            [("month", "=", "2020-01-01"), ("phase", "=", "first_meeting")]
        )
        self.assertEqual((row.entry_count, row.finished_count), (5, 5))
        self.assertAlmostEqual(row.median_days, 3.0)
        self.assertAlmostEqual(row.average_days, 3.0)
        inquiry = self.env["crm.deal.phase.duration.report"].search(
            [("month", "=", "2020-01-01"), ("phase", "=", "inquiry")]
        )
        self.assertAlmostEqual(inquiry.median_days, 2.0)  # stays of 2, 1, 3, 1, 2 days

    def test_second_consultation_rate_per_closer(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.second_meeting_alert_rate", "20")
        Report = self.env["crm.deal.closer.report"]
        rows = {
            row.closer_id: row
            for row in Report.search(
                [("month", "=", "2020-01-01"), ("closer_id", "in", (self.user_closer | self.closer_b).ids)]
            )
        }
        closer_a, closer_b = rows[self.user_closer], rows[self.closer_b]
        self.assertEqual((closer_a.decided_count, closer_a.second_meeting_count), (3, 1))
        self.assertAlmostEqual(closer_a.second_meeting_rate, 100 / 3)
        self.assertTrue(closer_a.is_above_threshold)
        self.assertEqual(
            (closer_b.decided_count, closer_b.second_meeting_count, closer_b.second_meeting_rate), (1, 0, 0)
        )
        self.assertFalse(closer_b.is_above_threshold)
        self.assertEqual((closer_a.first_meeting_count, closer_a.no_show_count), (3, 0))
        self.assertEqual((closer_b.first_meeting_count, closer_b.no_show_count), (2, 1))
        flagged = Report.search([("month", "=", "2020-01-01"), ("is_above_threshold", "=", True)])
        self.assertIn(closer_a, flagged)
        self.assertNotIn(closer_b, flagged)

    def test_reports_read_by_managers_only(self):
        for model in ("crm.deal.phase.report", "crm.deal.closer.report", "crm.deal.phase.duration.report"):
            self.assertTrue(self.env[model].with_user(self.user_manager).search_count([]))
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.user_setter).search([])


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

    def test_query_count_cron_on_1000_leads(self):
        self.env["crm.lead"].with_user(self.user_manager).create(
            [self.complete_vals(name=f"Cadence {i}", stage_id=self.stages["follow_up"].id) for i in range(1000)]
        )
        self.env["crm.lead"]._cron_deal_phase_cadence()  # plans the demo data's leads too
        self.env["crm.lead"].search([("name", "=like", "Cadence %")]).activity_ids.unlink()
        self.env.flush_all()
        self.env.invalidate_all()
        with self.assertQueryCount(34):  # measured: 32 for 1,000 leads (one batch)
            self.env["crm.lead"]._cron_deal_phase_cadence()
            self.env.flush_all()
        self.assertEqual(self.env["mail.activity"].search_count([("res_name", "=like", "Cadence %")]), 1000)


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

    def test_upsell_team_must_have_its_own_pipeline(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.upsell_team_id", self.team.id)
        lead = self.create_lead("sold")
        with self.assertRaises(UserError):
            lead.action_create_upsell_opportunity()
