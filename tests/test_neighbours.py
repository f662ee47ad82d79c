from lxml import etree

from odoo.addons.crm_deal_phases.models.crm_lead_teams import PHASE_LEAD_INDEXES
from odoo.exceptions import UserError
from odoo.tests import Form, tagged
from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .common import STOCK_STAGE_XMLIDS, DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestNeighbours(DealPhasesCase):
    """A database as an admin has it: a team on the phases (cls.team), a team with stages of
    its own, a team another app creates by code after the install, leads without a team -
    and everything outside the phases behaves as crm does without the addon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner_team = cls.env["crm.team"].create({"name": "Partnervertrieb"})
        cls.partner_new = cls.env["crm.stage"].create(
            {"name": "Neu Partner", "sequence": 0, "team_ids": [(4, cls.partner_team.id)]}
        )
        cls.partner_contract = cls.env["crm.stage"].create(
            {"name": "Vertrag", "sequence": 4, "team_ids": [(4, cls.partner_team.id)]}
        )
        cls.coded_team = cls.env["crm.team"].create({"name": "Event leads"})  # as event_crm would
        cls.stock_new, cls.stock_qualified, _proposition, cls.stock_won = (
            cls.env.ref(xmlid) for xmlid in STOCK_STAGE_XMLIDS
        )
        cls.phase_stages = cls.env["crm.stage"].search([("deal_phase", "!=", False)])

    def stock_columns(self, team):
        """The columns crm shows for a team: the stages shared by all teams and the team's own."""
        return self.env["crm.stage"].search(
            [("deal_phase", "=", False), "|", ("team_ids", "=", False), ("team_ids", "in", team.ids)]
        )

    def test_only_the_team_turned_on_follows_the_phases(self):
        self.assertTrue(self.team.use_deal_phases)
        self.assertFalse(self.partner_team.use_deal_phases)
        self.assertFalse(self.coded_team.use_deal_phases, "a team created by code or another app is stock")
        Lead = self.env["crm.lead"]
        for team, stage, governed in (
            (self.team, self.stages["inquiry"], True),
            (self.partner_team, self.partner_new, False),
            (self.coded_team, self.stock_new, False),
        ):
            with self.subTest(team=team.name):
                lead = Lead.create({"name": f"New in {team.name}", "team_id": team.id})
                self.assertEqual(lead.stage_id, stage)
                self.assertEqual(lead.deal_phases_governed, governed)
                self.assertEqual(bool(self.log_of(lead)), governed, "only leads in the phases have a history")
                self.assertEqual(Lead.search([("deal_phases_governed", "=", governed), ("id", "=", lead.id)]), lead)

    def test_each_board_shows_its_own_columns(self):
        Lead = self.env["crm.lead"]
        board = Lead.with_context(deal_phases_board=True)._read_group_stage_ids(self.env["crm.stage"], [])
        self.assertEqual(board, self.phase_stages)
        team_board = Lead.with_context(default_team_id=self.team.id)._read_group_stage_ids(self.env["crm.stage"], [])
        self.assertEqual(team_board, self.phase_stages, "the team's own board: the eight phases only")
        for team in (self.partner_team, self.coded_team):
            with self.subTest(team=team.name):
                columns = Lead.with_context(default_team_id=team.id)._read_group_stage_ids(self.env["crm.stage"], [])
                self.assertEqual(columns, self.stock_columns(team))
        self.assertIn(self.partner_contract, self.stock_columns(self.partner_team))
        self.assertNotIn(self.partner_contract, board, "a team's own stage stays on that team's board")

    def test_turning_a_team_on_says_what_happens_to_its_leads_and_takes_them_over(self):
        old = self.env["crm.lead"].create(
            [{"name": f"Partner lead {n}", "type": "opportunity", "team_id": self.partner_team.id} for n in range(3)]
        )
        old[2].stage_id = self.partner_contract
        team = Form(self.partner_team.with_user(self.user_manager))
        self.assertEqual(team.deal_phases_leads_to_take_over, 0, "off the phases: nothing to take over")
        team.use_deal_phases = True
        self.assertEqual(team.deal_phases_leads_to_take_over, 3, "the form says so before it is saved")
        team.save()
        arch = self.env["crm.team"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="deal_phases_take_over"', arch)
        board_action = self.env["ir.actions.actions"]._for_xml_id("crm_deal_phases.crm_lead_action_deal_phases")
        domain = safe_eval(board_action["domain"])
        board_stages = {
            stage
            for stage, _count in self.env["crm.lead"]
            .with_context(deal_phases_board=True)
            ._read_group(domain, ["stage_id"], ["__count"])
        }
        self.assertFalse(board_stages - set(self.phase_stages), "the board holds the eight phases only")
        self.partner_team.with_user(self.user_manager).action_take_over_leads()
        self.assertEqual(set(old.mapped("deal_phase")), {"inquiry"})
        self.assertEqual(self.log_of(old[2]).transition_label, "Entered the deal phases")
        self.assertEqual(self.partner_team.deal_phases_leads_to_take_over, 0)

    def test_statusbar_offers_crm_stages_outside_the_phases(self):
        arch = self.env["crm.lead"].get_views([(False, "form")])["views"]["form"]["arch"]
        stage = next(node for node in etree.fromstring(arch).iter("field") if node.get("name") == "stage_id")
        for team in (self.partner_team, self.coded_team, self.team):
            with self.subTest(team=team.name):
                lead = self.env["crm.lead"].create({"name": "Status", "team_id": team.id})
                values = {
                    "deal_phases_governed": lead.deal_phases_governed,
                    "deal_phase": lead.deal_phase,
                    "allowed_stage_ids": lead.allowed_stage_ids.ids,
                    "team_id": team.id,
                }
                offered = self.env["crm.stage"].search(safe_eval(stage.get("domain"), values))
                if team == self.team:
                    self.assertIn(self.stages["follow_up"], offered)
                    self.assertFalse(offered.filtered(lambda s: not s.deal_phase), "the phases only")
                else:
                    self.assertEqual(offered, self.stock_columns(team))

    def test_won_lost_merge_and_convert_outside_the_phases_are_crms(self):
        Lead = self.env["crm.lead"]
        won = Lead.create({"name": "Won partner deal", "type": "opportunity", "team_id": self.partner_team.id})
        won.action_set_won()
        self.assertEqual(won.stage_id, self.stock_won, "crm's Won, not Sold")
        self.assertEqual(won.probability, 100)
        lost = Lead.create({"name": "Lost event lead", "type": "opportunity", "team_id": self.coded_team.id})
        lost.action_set_lost()
        self.assertFalse(lost.active)
        self.assertEqual((lost.probability, lost.stage_id), (0, self.stock_new))
        first = Lead.create({"name": "Dup A", "type": "opportunity", "team_id": self.coded_team.id})
        second = Lead.create({"name": "Dup B", "type": "opportunity", "team_id": self.coded_team.id})
        second.stage_id = self.stock_qualified
        merged = (first | second).merge_opportunity()
        self.assertIn(merged.stage_id, self.stock_new | self.stock_qualified, "crm decides the merged stage")
        lead = Lead.create({"name": "To convert", "type": "lead", "team_id": self.partner_team.id})
        wizard = Form(
            self.env["crm.lead2opportunity.partner"].with_context(
                active_model="crm.lead", active_id=lead.id, active_ids=lead.ids
            )
        )
        wizard.name = "convert"
        wizard.action = "create"
        wizard.team_id = self.partner_team
        wizard.save().action_apply()
        self.assertEqual((lead.type, lead.team_id), ("opportunity", self.partner_team))
        self.assertIn(lead.stage_id, self.stock_columns(self.partner_team), "a stage of crm's, none of the phases")
        self.assertFalse(self.env["crm.deal.phase.log"].sudo().search([("lead_id", "in", (won | lost | lead).ids)]))

    def test_leads_without_a_team_under_both_settings(self):
        Lead = self.env["crm.lead"]
        self.assertFalse(self.company.deal_phases_without_team, "by default a lead without a team is crm's")
        stock = Lead.create({"name": "Teamless, stock", "team_id": False, "user_id": False})
        self.assertEqual((stock.stage_id, stock.deal_phases_governed), (self.stock_new, False))
        self.assertFalse(self.log_of(stock))
        self.company.deal_phases_without_team = True
        governed = Lead.create({"name": "Teamless, governed", "team_id": False, "user_id": False})
        self.assertEqual(governed.stage_id, self.stages["inquiry"])
        self.assertEqual(self.log_of(governed).to_phase, "inquiry")
        self.assertEqual(stock.stage_id, self.stock_new, "the setting moves no lead")
        with self.assertRaises(UserError):
            self.company.deal_phases_without_team = False  # a lead without a team is in a phase
        governed.team_id = self.coded_team
        self.assertFalse(governed.deal_phase, "given a team of its own, it leaves the phases")
        self.assertEqual(self.log_of(governed)[-1].transition_label, "Left the deal phases")
        self.company.deal_phases_without_team = False

    def test_turning_a_team_off_waits_for_its_leads(self):
        lead = self.create_lead("follow_up")
        with self.assertRaises(UserError):
            self.team.use_deal_phases = False
        lead.team_id = self.partner_team
        self.assertEqual(lead.stage_id, self.partner_new)
        self.assertEqual(self.log_of(lead)[-1].transition_label, "Left the deal phases")
        self.team.use_deal_phases = False
        self.assertFalse(
            self.env["crm.lead"].create({"name": "After", "team_id": self.team.id}).deal_phase,
            "turned off, the team is crm's again",
        )

    def test_a_team_on_the_phases_has_no_stage_of_its_own(self):
        with self.assertRaises(UserError):
            self.env["crm.stage"].create({"name": "Ninth column", "team_ids": [(4, self.team.id)]})
        with self.assertRaises(UserError):
            self.partner_contract.team_ids |= self.team

    def test_the_test_of_a_lead_outside_the_phases_costs_no_query(self):
        lead = self.env["crm.lead"].create({"name": "Stock lead", "team_id": self.coded_team.id})
        lead.read(["stage_id", "team_id", "company_id"])  # in the cache, as a write has them
        self.env["crm.lead"]._deal_phases_scope()
        self.env["crm.stage"]._phase_by_stage_id()
        with self.assertQueryCount(0):
            self.assertFalse(lead._phase_rules_apply({"stage_id": self.stock_qualified.id}))
            self.assertFalse(lead._phase_rules_apply({"priority": "2", "team_id": self.partner_team.id}))
            self.assertFalse(lead._governed_leads())
        self.assertTrue(lead._phase_rules_apply({"team_id": self.team.id}), "a team on the phases: judged")
        self.assertTrue(lead._phase_rules_apply({"stage_id": self.stages["inquiry"].id}), "a phase: judged")

    def explained(self, domain, order):
        """The plan of the ORM's search with the phases' indexes as the only ones the planner
        may choose besides the primary key, and no sequential scan nor full sort: a test
        database is too small (and a new index has no statistics) for the planner's own choice
        to say whether an index can serve. The other indexes come back with the savepoint."""
        names = tuple(name for name, _columns, _where in PHASE_LEAD_INDEXES)
        query = self.env["crm.lead"]._search(domain, order=order, limit=20)
        cr = self.env.cr
        savepoint = cr.savepoint(flush=False)
        cr.execute(
            """SELECT index.indexrelid::regclass::text FROM pg_index index
                WHERE index.indrelid = 'crm_lead'::regclass AND index.indexrelid::regclass::text NOT IN %s
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = index.indexrelid)""",
            [names],
        )
        for (other,) in cr.fetchall():
            cr.execute(SQL("DROP INDEX %s", SQL.identifier(other)))
        cr.execute("SET LOCAL enable_seqscan = off")
        cr.execute("SET LOCAL enable_sort = off")
        cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in cr.fetchall())
        savepoint.close(rollback=True)  # the indexes and the settings as they were
        return plan

    def index_predicates(self):
        names = tuple(name for name, _columns, _where in PHASE_LEAD_INDEXES)
        self.env.cr.execute(
            "SELECT indexrelid::regclass::text, pg_get_expr(indpred, indrelid) FROM pg_index "
            "WHERE indexrelid::regclass::text IN %s",
            [names],
        )
        return dict(self.env.cr.fetchall())

    def test_the_indexes_of_the_phases_leave_a_team_off_them_out(self):
        """The calling queue's and the Follow-up list's indexes hold the leads of the phases'
        stages only: a lead of another team is written without them, and a stage given a phase
        is covered from the commit on."""
        phase_ids = ", ".join(map(str, sorted(self.phase_stages.ids)))
        self.assertEqual(
            self.index_predicates(),
            {
                "crm_lead_follow_up_list_idx": f"((stage_id = ANY (ARRAY[{phase_ids}])) AND (active IS TRUE))",
                "crm_lead_call_queue_new_inquiries_idx": f"((stage_id = ANY (ARRAY[{phase_ids}])) "
                "AND ((call_count = 0) OR (call_count IS NULL)) AND (active IS TRUE))",
            },
        )
        never_called = [("call_count", "=", 0)]
        self.assertIn(
            "crm_lead_call_queue_new_inquiries_idx",
            self.explained([("stage_id", "=", self.stages["inquiry"].id), *never_called], "create_date, id"),
            "the queue's first part walks its index",
        )
        self.assertNotIn(
            "crm_lead_call_queue_new_inquiries_idx",
            self.explained([("stage_id", "=", self.partner_new.id), *never_called], "create_date, id"),
            "the index cannot answer for a stage off the phases: it holds none of its leads",
        )
        # the phase moves to a new stage (the old one emptied first: a stage with leads keeps its phase)
        old = self.stages["unqualified"]
        self.env["crm.lead"].with_context(active_test=False).search([("stage_id", "=", old.id)]).unlink()
        old.deal_phase = False
        old.flush_recordset()
        new = self.env["crm.stage"].create({"name": "Unqualifiziert (neu)", "deal_phase": "unqualified"})
        self.env.cr.flush()  # the transaction's end: its pre-commit hooks run
        predicates = "".join(self.index_predicates().values())
        self.assertIn(str(new.id), predicates)
        self.assertNotIn(f"{old.id},", predicates.replace(" ", "").replace("]", ","))
        self.assertIn(
            "crm_lead_call_queue_new_inquiries_idx",
            self.explained([("stage_id", "=", new.id), *never_called], "create_date, id"),
        )
