from datetime import datetime, timedelta
from pathlib import Path

from odoo import fields
from odoo.modules.module import load_script
from odoo.tests import new_test_user, tagged

from .common import PHASES, DealPhasesCase

ADDON = Path(__file__).resolve().parent.parent
# A month no other data uses, so the figures of these leads are exact.
JANUARY = datetime(2020, 1, 6, 9, 0)
# the seeded stages' sequence is the documented order
PIPELINE_ORDER = PHASES


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestReports(DealPhasesCase):
    """A small cohort built through real moves, then dated into January 2020: every figure of
    the reports checked against it."""

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
        cls.domain = [("lead_id", "in", [lead.id for lead in cls.leads.values()])]

    def test_conversion_in_phase_order_with_shares(self):
        rows = self.env["crm.deal.phase.report"]._read_group(
            self.domain, ["phase", "next_phase"], ["__count", "share_of_entries:sum"]
        )
        self.assertEqual(
            list(dict.fromkeys(phase for phase, *_rest in rows)),
            [p for p in PIPELINE_ORDER if p in {r[0] for r in rows}],
        )
        conversion = {(phase, next_phase): (count, round(share, 2)) for phase, next_phase, count, share in rows}
        self.assertEqual(
            conversion,
            {
                ("inquiry", "first_meeting"): (5, 1.0),
                ("follow_up", "staying"): (1, 1.0),
                ("first_meeting", "follow_up"): (1, 0.2),
                ("first_meeting", "second_meeting"): (1, 0.2),
                ("first_meeting", "sold"): (2, 0.4),
                ("first_meeting", "not_sold"): (1, 0.2),
                ("second_meeting", "sold"): (1, 1.0),
                ("sold", "staying"): (3, 1.0),
                ("not_sold", "staying"): (1, 1.0),
            },
        )
        labels = dict(
            self.env["crm.deal.phase.report"]
            .with_context(lang="de_DE")
            ._fields["next_phase"]
            ._description_selection(self.env(context={"lang": "de_DE"}))
        )
        self.ensure_german()
        self.assertIn(labels["staying"], ("Still in the phase", "Noch in der Phase"))

    def test_phases_entered_agree_with_the_history(self):
        """Each move sets its bit as it happens (two moves in one transaction both count); an
        upgrade rebuilding the columns from the history finds the same phases."""
        leads = self.env["crm.lead"].browse([lead.id for lead in self.leads.values()])
        live = {lead.name: lead.deal_phases_entered for lead in leads}
        self.env["crm.lead"]._rebuild_deal_funnel()
        self.assertEqual({lead.name: lead.deal_phases_entered for lead in leads}, live)
        self.assertEqual(set(leads.mapped("deal_inquiry_date")), {JANUARY})

    def test_funnel_counts_and_shares(self):
        rows = self.env["crm.deal.funnel.report"]._read_group(
            self.domain, ["cohort_date:month", "phase"], ["lead_count:sum", "cohort_share:sum", "step_share:sum"]
        )
        funnel = {
            phase: (count, round(cohort, 2), step and round(step, 2)) for _month, phase, count, cohort, step in rows
        }
        self.assertEqual([phase for _month, phase, *_rest in rows], [p for p in PIPELINE_ORDER if p in funnel])
        self.assertEqual(
            funnel,
            {
                "inquiry": (5, 1.0, 1.0),
                "follow_up": (5, 1.0, 1.0),
                "qualified": (5, 1.0, 1.0),
                "first_meeting": (5, 1.0, 1.0),
                "second_meeting": (1, 0.2, 0.2),
                "sold": (3, 0.6, 0.6),
                "not_sold": (1, 0.2, 0.2),
            },
        )
        [by_phase, by_closer_and_phase] = self.env["crm.deal.funnel.report"].formatted_read_grouping_sets(
            self.domain, [["phase"], ["closer_id", "phase"]], ["lead_count:sum", "cohort_share:sum"]
        )
        sold_b = next(g for g in by_closer_and_phase if g["closer_id"][0] == self.closer_b.id and g["phase"] == "sold")
        self.assertAlmostEqual(sold_b["cohort_share:sum"], 0.5, msg="1 of closer B's 2 leads sold")
        self.assertEqual([g["phase"] for g in by_phase][:2], ["inquiry", "follow_up"])

    def test_funnel_total_counts_each_lead_once(self):
        """The pivot's total across the phases is the cohort: its leads once each, 100 %, and
        no share of a step before (None, shown as a dash, not as 0 %)."""
        [(count, cohort, step)] = self.env["crm.deal.funnel.report"]._read_group(
            self.domain, [], ["lead_count:sum", "cohort_share:sum", "step_share:sum"]
        )
        self.assertEqual((count, cohort, step), (5, 1.0, None))

    def test_funnel_lead_counts_in_one_pivot_and_under_a_phase_filter(self):
        """The pivot's grouping sets count the leads without a distinct count: a total once
        each, a phase's group its leads; a domain on the phase keeps the distinct count (the
        leads that reached Sold or Not sold: 4, not their entry phase's 0)."""
        Funnel = self.env["crm.deal.funnel.report"]
        total, by_phase = Funnel._read_grouping_sets(self.domain, [[], ["phase"]], ["lead_count:sum"])
        self.assertEqual(total, [(5,)])
        self.assertEqual(dict(by_phase)["sold"], 3)
        decided = [*self.domain, ("phase", "in", ["sold", "not_sold"])]
        self.assertEqual(Funnel._read_group(decided, [], ["lead_count:sum"]), [(4,)])
        [[(both,)], phases] = Funnel._read_grouping_sets(decided, [[], ["phase"]], ["lead_count:sum"])
        self.assertEqual((both, dict(phases)), (4, {"sold": 3, "not_sold": 1}))

    def test_funnel_pivot_reads_each_lead_once(self):
        """The pivot's groupings read the leads once, never the view's row per lead and phase
        (dropped here, in the test's transaction), and give what the view gives: the same
        groups, counts and shares, in the same order (phase-major when the phase comes first)."""
        Funnel = self.env["crm.deal.funnel.report"]
        grouping_sets = [[], ["phase"], ["cohort_date:month"], ["cohort_date:month", "phase"], ["phase", "closer_id"]]
        measures = ["lead_count:sum", "cohort_share:sum", "step_share:sum", "__count"]
        # a domain on the phase keeping every row reads the view: what the one pass must give
        every_phase = [*self.domain, ("phase", "!=", False)]
        # orders naming every dimension (what the order leaves open, the database does)
        orders = [None, "closer_id desc, phase, cohort_date:month", "phase, cohort_date:month desc, closer_id"]
        expected = {order: Funnel._read_grouping_sets(every_phase, grouping_sets, measures, order) for order in orders}
        expected_group = Funnel._read_group(every_phase, ["phase", "closer_id"], measures)
        self.env.cr.execute("DROP VIEW crm_deal_funnel_report")
        with self.assertQueryCount(1):
            one_pass = Funnel._read_grouping_sets(self.domain, grouping_sets, measures)
        self.assertEqual(one_pass, expected[None])
        for order in orders[1:]:
            self.assertEqual(Funnel._read_grouping_sets(self.domain, grouping_sets, measures, order), expected[order])
        self.assertEqual(Funnel._read_group(self.domain, ["phase", "closer_id"], measures), expected_group)
        self.assertEqual([row[0] for row in expected_group][:2], ["inquiry", "inquiry"], "phase-major")

    def test_a_rate_without_consultations_is_no_rate(self):
        """A closer whose only booking was cancelled has no show-up, second-consultation or
        win rate that month: None (a dash), not 0 %."""
        closer = new_test_user(self.env, login="dp_rate_closer", groups="sales_team.group_sale_salesman")
        lead = self.create_lead("first_meeting", closer_id=closer.id)
        lead.with_user(self.user_manager).write({"stage_id": self.stages["qualified"].id})
        self.env.flush_all()
        [(booked, cancelled, show_up, second, win)] = self.env["crm.deal.closer.report"]._read_group(
            [("closer_id", "=", closer.id)],
            [],
            ["booked_count:sum", "cancelled_count:sum", "show_up_rate:sum", "second_meeting_rate:sum", "win_rate:sum"],
        )
        self.assertEqual((booked, cancelled), (1, 1))
        # no value at all (the pivot shows a dash), which a real 0 % (0.0) is not
        self.assertEqual((show_up, second, win), (False, False, False))
        self.assertNotIn(0.0, [value for value in (show_up, second, win) if value is not False])

    def test_rates_per_closer(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.second_meeting_alert_rate", "20")
        Report = self.env["crm.deal.closer.report"]
        domain = [("month", "=", "2020-01-01"), ("closer_id", "in", (self.user_closer | self.closer_b).ids)]
        rates = {
            closer: (round(show_up, 2), round(second, 2), round(win, 2))
            for closer, show_up, second, win in Report._read_group(
                domain, ["closer_id"], ["show_up_rate:sum", "second_meeting_rate:sum", "win_rate:sum"]
            )
        }
        self.assertEqual(rates[self.user_closer], (1.0, 0.33, 0.67))
        self.assertEqual(rates[self.closer_b], (0.5, 0.0, 1.0))
        flagged = Report.search([*domain, ("is_above_threshold", "=", True)])
        self.assertEqual(flagged.closer_id, self.user_closer)
        row = Report.search([*domain, ("closer_id", "=", self.closer_b.id)])
        self.assertEqual((row.booked_count, row.held_count, row.no_show_count, row.decided_count), (2, 1, 1, 1))

    def test_a_consultation_counts_for_the_closer_who_held_it(self):
        """The rates read the closer and setter each history row was written with: a lead that
        changes hands after its consultation leaves the consultation with the closer who held
        it. The upgrade to 19.0.8 gives rows written before the lead's closer and setter of
        today, what the rates showed for them until then."""
        Report = self.env["crm.deal.closer.report"]
        domain = [("month", "=", "2020-01-01")]

        def held_by(closer):
            return Report._read_group([*domain, ("closer_id", "=", closer.id)], [], ["held_count:sum"])[0][0]

        self.assertEqual((held_by(self.user_closer), held_by(self.closer_b)), (3, 1))
        self.leads["sold_first"].with_user(self.user_manager).closer_id = self.closer_b
        self.env.flush_all()
        self.assertEqual((held_by(self.user_closer), held_by(self.closer_b)), (3, 1), "the closer who held it")
        rows = self.env["crm.deal.phase.log"].search([("lead_id", "=", self.leads["sold_first"].id)])
        self.assertEqual(set(rows.mapped("closer_id")), {self.user_closer})
        # as an upgraded database has them: written before the rows named anybody
        self.env.cr.execute(
            "UPDATE crm_deal_phase_log SET closer_id = NULL, setter_id = NULL WHERE id IN %s", [tuple(rows.ids)]
        )
        script = load_script(str(ADDON / "migrations" / "19.0.8.0.0" / "post-migrate.py"), "crm_deal_phases_19_0_8")
        script.migrate(self.env.cr, "19.0.7.0.0")
        rows.invalidate_recordset()
        self.assertEqual(set(rows.mapped("closer_id")), {self.closer_b}, "the lead's closer of today")
        self.assertEqual((held_by(self.user_closer), held_by(self.closer_b)), (2, 2))

    def test_rate_facts_are_fixed_when_the_row_is_written(self):
        """Each history row says, as it is written, whether it is its deal's first decision and
        whether a Second consultation came before it: a deal won back after a "no" is decided
        once, a merge changes neither deal's decision, and rebuilding the facts from the whole
        history (the upgrade) finds them all as written."""
        Log = self.env["crm.deal.phase.log"]

        def facts(lead):
            rows = Log.search([("lead_id", "=", lead.id)], order="id")
            return [(row.to_phase, row.is_first_decision, row.is_after_second_meeting) for row in rows]

        self.assertEqual(
            facts(self.leads["sold_second"])[-2:], [("second_meeting", False, False), ("sold", True, True)]
        )
        self.assertEqual(facts(self.leads["not_sold"])[-1], ("not_sold", True, False))
        self.assertFalse(any(first for _phase, first, _second in facts(self.leads["no_show_b"])))
        won_back = self.create_lead("first_meeting", name="Won back", closer_id=self.closer_b.id)
        won_back.with_user(self.user_manager).write({"stage_id": self.stages["not_sold"].id})
        won_back.with_user(self.user_manager).write({"stage_id": self.stages["sold"].id})
        self.assertEqual(facts(won_back)[-2:], [("not_sold", True, False), ("sold", False, False)])
        decided = self.create_lead("first_meeting", name="Decided too", closer_id=self.closer_b.id)
        decided.with_user(self.user_manager).write({"stage_id": self.stages["sold"].id})
        won_back._merge_phase_history(decided)
        self.assertEqual(
            [
                (row.merged_lead_ref or row.lead_id.id, row.to_phase)
                for row in Log.search([("lead_id", "=", won_back.id), ("is_first_decision", "=", True)], order="id")
            ],
            [(won_back.id, "not_sold"), (decided.id, "sold")],
            "each deal keeps its own first decision",
        )
        self.env.flush_all()
        Log._rebuild_rate_facts()
        self.assertEqual(self.env.cr.rowcount, 0, "the rebuild finds every fact as the moves wrote it")

    def test_forced_moves_are_no_consultation_outcome(self):
        """A Sales Administrator taking over a sale (an override) adds nothing to the closers'
        rates: nobody held that consultation."""
        lead = self.create_lead("inquiry", name="Taken over", closer_id=self.closer_b.id)
        lead.with_user(self.user_manager).action_force_phase(self.stages["sold"], "Signed before the phases")
        self.env.flush_all()
        this_month = [("month", "=", fields.Date.today().replace(day=1)), ("closer_id", "=", self.closer_b.id)]
        rows = self.env["crm.deal.closer.report"]._read_group(this_month, [], ["decided_count:sum", "sold_count:sum"])
        self.assertEqual(rows, [(0, 0)])

    def test_time_in_phase_adds_up(self):
        Duration = self.env["crm.deal.phase.duration.report"]
        rows = Duration.search([("month", "=", "2020-01-01")])
        self.assertEqual(len(rows), len(set(rows.mapped("phase"))), "one row per phase and month")
        self.assertFalse({"sold", "not_sold", "unqualified"} & set(rows.mapped("phase")), "outcomes are no stays")
        first = rows.filtered(lambda row: row.phase == "first_meeting")
        self.assertEqual((first.entry_count, first.finished_count, first.waiting_count), (5, 5, 0))
        self.assertAlmostEqual(first.median_days, 3.0)
        self.assertAlmostEqual(first.average_days, 3.0)
        inquiry = rows.filtered(lambda row: row.phase == "inquiry")
        self.assertAlmostEqual(inquiry.median_days, 2.0)  # stays of 2, 1, 3, 1, 2 days
        waiting = rows.filtered(lambda row: row.phase == "follow_up")
        self.assertEqual((waiting.finished_count, waiting.waiting_count), (0, 1))
        self.assertGreater(waiting.waiting_days, 365, "the no-show has waited since January 2020")
        self.assertEqual(Duration._read_group([("month", "=", "2020-01-01")], ["phase"], ["__count"])[0][0], "inquiry")

    def test_the_teams_week(self):
        """One measure per figure: a total adds up one figure, never two; calls and strikes
        count from their own records, for who made them."""
        Week = self.env["crm.deal.week.report"]
        figures = ["new_inquiry_count", "booked_count", "held_count", "no_show_count", "sold_count", "not_sold_count"]
        rows = Week._read_group(self.domain, ["role"], [f"{name}:sum" for name in figures])
        self.assertEqual(
            {role: dict(zip(figures, sums, strict=True)) for role, *sums in rows},
            {
                "setter": dict.fromkeys(figures, 0) | {"new_inquiry_count": 5, "booked_count": 5},
                # held: the four First consultations that took place and the one Second consultation
                "closer": dict.fromkeys(figures, 0)
                | {"held_count": 5, "no_show_count": 1, "sold_count": 3, "not_sold_count": 1},
            },
        )
        sold = Week._read_group([*self.domain, ("sold_count", "=", 1)], ["member_id"], ["sold_count:sum"])
        self.assertEqual(dict(sold), {self.user_closer: 2, self.closer_b: 1})
        lead = self.leads["no_show_b"]
        lead.with_user(self.user_manager).action_log_goodwill_call()
        lead.with_user(self.user_manager).action_add_strike("Nicht erreicht")
        self.env.flush_all()
        calls = Week._read_group(
            [("lead_id", "=", lead.id), ("date", ">", JANUARY + timedelta(days=31))],
            ["role"],
            ["call_count:sum", "reached_count:sum", "strike_count:sum", "new_inquiry_count:sum"],
        )
        self.assertEqual(calls, [("setter", 1, 1, 1, 0)], "today's call and strike, the manager's")
        members = Week.search([("lead_id", "=", lead.id), ("date", ">", JANUARY + timedelta(days=31))]).member_id
        self.assertEqual(members, self.user_manager)


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestRotting(DealPhasesCase):
    def test_phases_rot_as_the_phase_table_says(self):
        self.assertEqual(self.stages["follow_up"].rotting_threshold_days, 2)
        self.assertEqual(self.stages["qualified"].rotting_threshold_days, 3)
        self.assertEqual(self.stages["not_sold"].rotting_threshold_days, 30)
        self.assertFalse(self.stages["sold"].rotting_threshold_days)
        settings = self.env["res.config.settings"].create({"deal_phases_follow_up_cadence_days": 4})
        settings.execute()
        self.assertEqual(self.stages["follow_up"].rotting_threshold_days, 4, "follow-up rots with the cadence")
