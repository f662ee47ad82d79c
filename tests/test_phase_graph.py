from odoo.exceptions import UserError
from odoo.tests import tagged, users

from ..models.deal_phase import EFFECT_ORDER, TRANSITION_EFFECTS, VALUES_ON_EVERY_MOVE
from ..models.deal_phase import PHASES as PHASE_TABLE
from .common import CLOSER_PHASES, DOCUMENTED_GRAPH, PHASES, STAGE_XMLIDS, STOCK_STAGE_XMLIDS, DealPhasesCase


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseSeed(DealPhasesCase):
    def test_eight_stages_in_order(self):
        stages = [self.env.ref(xmlid) for xmlid in STAGE_XMLIDS.values()]
        self.assertEqual([stage.deal_phase for stage in stages], list(PHASES))
        sequences = [stage.sequence for stage in stages]
        self.assertEqual(sequences, sorted(set(sequences)), "sequences must strictly increase")
        self.assertEqual(
            [stage.name for stage in stages],
            [
                "Inquiry received",
                "Follow-up",
                "Qualified (no appointment)",
                "First consultation",
                "Second consultation",
                "Sold",
                "Not sold",
                "Unqualified",
            ],
        )
        self.assertEqual([stage.is_won for stage in stages], [False] * 5 + [True] + [False] * 2)
        self.assertEqual([stage.fold for stage in stages], [False] * 5 + [True] * 3, "the outcomes are folded")
        self.assertTrue(all(stage.deal_phase_description for stage in stages))
        self.ensure_german()
        german = self.stages["follow_up"].with_context(lang="de_DE").deal_phase_description
        self.assertIn("Telefonisch vorqualifiziert", german, "the board's tooltip explains the phase in German")

    def test_every_hook_the_phase_table_names_is_a_method_of_the_lead(self):
        """A typo in deal_phase.py's table would only fail when that move is made: every hook
        it names, and every effect an effect may be, exists on crm.lead and runs in order."""
        Lead = self.env["crm.lead"]
        effects = {effect for spec in PHASE_TABLE.values() for effect in (*spec.on_enter, *spec.on_leave)}
        effects |= {effect for names in TRANSITION_EFFECTS.values() for effect in names}
        self.assertLessEqual(effects, set(EFFECT_ORDER), "every effect has its place in EFFECT_ORDER")
        value_hooks = {hook for spec in PHASE_TABLE.values() for hook in (*spec.values_on_enter, *spec.values_on_leave)}
        for hook in sorted(effects | value_hooks | set(VALUES_ON_EVERY_MOVE)):
            self.assertTrue(callable(getattr(Lead, hook, None)), f"crm.lead has no method {hook}")
        self.assertEqual(
            [phase for phase, spec in PHASE_TABLE.items() if "_lost_values" in spec.values_on_enter],
            [phase for phase, spec in PHASE_TABLE.items() if spec.lost],
            "the lost phases write crm's lost values",
        )

    def test_sold_is_the_only_won_phase_stage(self):
        won = self.env["crm.stage"].search([("is_won", "=", True), ("deal_phase", "!=", False)])
        self.assertEqual(won, self.stages["sold"])

    def test_german_stage_names(self):
        self.ensure_german()
        names = [self.env.ref(xmlid).with_context(lang="de_DE").name for xmlid in STAGE_XMLIDS.values()]
        self.assertEqual(
            names,
            [
                "Anfrage eingegangen",
                "Nachverfolgung",
                "Qualifiziert (ohne Termin)",
                "Erstgespräch",
                "Folgegespräch",
                "Verkauft",
                "Nicht verkauft",
                "Unqualifiziert",
            ],
        )

    def test_seeded_transition_table_is_the_documented_graph(self):
        transitions = self.env["crm.stage.transition"].search([])
        seeded = {(t.from_phase, t.to_phase) for t in transitions}
        documented = {(src, dst) for src, targets in DOCUMENTED_GRAPH.items() for dst in targets}
        self.assertEqual(seeded, documented)
        self.assertTrue(all(transitions.mapped("name")))

    def test_criteria_and_reasons_seeded(self):
        self.assertEqual(
            self.env["crm.qualification.criterion"].search([]).mapped("name"),
            ["Has the budget", "Sole decision maker", "Professionally suitable", "Personally suitable"],
        )
        ko_names = self.env["crm.ko.reason"].search([]).mapped("name")
        self.assertIn("Wrong industry", ko_names)
        self.assertIn("Inappropriate or offensive on the phone", ko_names)
        self.assertTrue(self.env.ref("crm_deal_phases.lost_reason_no_budget"))

    def test_stock_stages_stay_for_the_other_teams(self):
        for xmlid in STOCK_STAGE_XMLIDS:
            self.assertTrue(self.env.ref(xmlid, raise_if_not_found=False), f"{xmlid} was removed")


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseMatrix(DealPhasesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.leads = {phase: cls.create_lead(phase, name=f"Matrix {phase}") for phase in PHASES}

    @users("dp_setter", "dp_closer")
    def test_plain_write_matrix(self):
        """All 64 plain stage writes by a setter and by the leads' closer, against the
        documented table: the outcomes of a consultation are its closer's."""
        is_setter = self.env.user == self.user_setter
        for from_phase in PHASES:
            for to_phase in PHASES:
                with self.subTest(from_phase=from_phase, to_phase=to_phase):
                    lead = self.leads[from_phase].with_env(self.env)
                    allowed = to_phase == from_phase or (
                        to_phase in DOCUMENTED_GRAPH[from_phase] and not (is_setter and from_phase in CLOSER_PHASES)
                    )
                    with self.env.cr.savepoint() as savepoint:
                        if allowed:
                            lead.write({"stage_id": self.stages[to_phase].id})
                            self.assertEqual(self.phase_of(lead), to_phase)
                        else:
                            with self.assertRaises(UserError):
                                lead.write({"stage_id": self.stages[to_phase].id})
                            self.assertEqual(self.phase_of(lead), from_phase)
                        savepoint.rollback()
                    self.env.invalidate_all()


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseRequirements(DealPhasesCase):
    @users("dp_setter")
    def test_incomplete_inquiry_is_created_flagged_and_stays(self):
        Lead = self.env["crm.lead"]
        lead = Lead.create({"name": "Web form inquiry", "contact_firstname": "Max", "team_id": self.team.id})
        self.assertEqual(lead.deal_phase, "inquiry", "a lead without a stage lands in Inquiry received")
        self.assertFalse(lead.is_inquiry_complete)
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["follow_up"].id})
        message = str(error.exception)
        self.assertIn("Web form inquiry", message)
        self.assertIn("a last name", message)
        self.assertIn("a mobile number", message)
        self.assertNotIn("a first name", message)
        self.assertEqual(self.phase_of(lead), "inquiry")

    @users("dp_setter")
    def test_one_write_with_the_data_and_the_stage_passes(self):
        lead = self.env["crm.lead"].create({"name": "Phone inquiry", "team_id": self.team.id})
        lead.write(
            {
                "stage_id": self.stages["follow_up"].id,
                "contact_firstname": "Anna",
                "contact_lastname": "Schmidt",
                "phone": "+49 151 2345678",
            }
        )
        self.assertEqual(lead.deal_phase, "follow_up")
        self.assertTrue(lead.is_inquiry_complete)
        self.assertEqual(lead.contact_name, "Anna Schmidt")

    def test_full_contact_name_is_split_and_kept(self):
        lead = self.env["crm.lead"].create({"name": "Mail inquiry", "contact_name": "Anna Maria Schulz"})
        self.assertEqual((lead.contact_firstname, lead.contact_lastname), ("Anna Maria", "Schulz"))
        self.assertEqual(lead.contact_name, "Anna Maria Schulz")

    @users("dp_setter")
    def test_gold_standard_needed_for_qualified_and_first_meeting(self):
        for phase in ("qualified", "first_meeting"):
            with self.subTest(phase=phase):
                lead = self.create_lead("inquiry", qualification_criterion_ids=[(6, 0, self.criteria[:3].ids)])
                lead = lead.with_env(self.env)
                self.assertFalse(lead.is_gold_standard)
                with self.assertRaises(UserError) as error:
                    lead.write({"stage_id": self.stages[phase].id})
                self.assertIn("gold standard", str(error.exception))
                lead.write(
                    {"stage_id": self.stages[phase].id, "qualification_criterion_ids": [(4, self.criteria[3].id)]}
                )
                self.assertTrue(lead.is_gold_standard)
                self.assertEqual(lead.deal_phase, phase)

    def test_gold_standard_follows_active_criteria(self):
        lead = self.create_lead("inquiry")
        self.assertTrue(lead.is_gold_standard)
        new_criterion = self.env["crm.qualification.criterion"].create({"name": "Speaks German"})
        self.assertFalse(lead.is_gold_standard, "a new criterion is not met yet")
        new_criterion.active = False
        self.assertTrue(lead.is_gold_standard, "an archived criterion no longer counts")

    @users("dp_closer")
    def test_not_sold_needs_a_reason(self):
        lead = self.create_lead("first_meeting", lost_reason_id=False).with_env(self.env)
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["not_sold"].id})
        self.assertIn("a not-sold reason", str(error.exception))
        lead.write({"stage_id": self.stages["not_sold"].id, "lost_reason_id": self.lost_reason.id})
        self.assertEqual(lead.deal_phase, "not_sold")
        self.assertTrue(lead.active, "Not sold leads stay findable, they are not archived")

    @users("dp_setter")
    def test_unqualified_needs_a_ko_reason(self):
        lead = self.create_lead("follow_up", ko_reason_id=False).with_env(self.env)
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["unqualified"].id})
        self.assertIn("a KO reason", str(error.exception))
        lead.write({"stage_id": self.stages["unqualified"].id, "ko_reason_id": self.ko_reason.id})
        self.assertEqual(lead.deal_phase, "unqualified")

    @users("dp_setter")
    def test_error_names_lead_current_requested_and_allowed(self):
        lead = self.create_lead("inquiry", name="Bäckerei Huber").with_env(self.env)
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["sold"].id})
        message = str(error.exception)
        for expected in (
            "Bäckerei Huber",
            "from Inquiry received to Sold",
            "Follow-up, Qualified (no appointment), First consultation, Unqualified",
        ):
            self.assertIn(expected, message)

    @users("dp_setter")
    def test_error_in_german(self):
        self.ensure_german()
        lead = self.create_lead("inquiry", name="Bäckerei Huber").with_env(self.env(context={"lang": "de_DE"}))
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["sold"].id})
        message = str(error.exception)
        self.assertIn("Bäckerei Huber", message)
        self.assertIn("von Anfrage eingegangen nach Verkauft", message)
        self.assertIn("Nachverfolgung, Qualifiziert (ohne Termin), Erstgespräch, Unqualifiziert", message)

    @users("dp_setter")
    def test_final_phases_say_so(self):
        lead = self.create_lead("sold").with_env(self.env)
        with self.assertRaises(UserError) as error:
            lead.write({"stage_id": self.stages["not_sold"].id})
        self.assertIn("none, this phase is final", str(error.exception))


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestPhaseCreation(DealPhasesCase):
    @users("dp_setter")
    def test_salesperson_creates_in_inquiry_only(self):
        Lead = self.env["crm.lead"]
        lead = Lead.create({"name": "Default stage", "team_id": self.team.id})
        self.assertEqual(lead.deal_phase, "inquiry")
        with self.assertRaises(UserError) as error:
            Lead.create(self.complete_vals(name="Straight to Sold", stage_id=self.stages["sold"].id))
        self.assertIn("New leads start in Inquiry received", str(error.exception))
        self.assertFalse(Lead.search([("name", "=", "Straight to Sold")]))

    @users("dp_manager")
    def test_manager_creates_in_any_phase_with_its_data(self):
        Lead = self.env["crm.lead"]
        lead = Lead.create(self.complete_vals(name="Imported deal", stage_id=self.stages["not_sold"].id))
        self.assertEqual(lead.deal_phase, "not_sold")
        with self.assertRaises(UserError):
            Lead.create({"name": "Imported without data", "stage_id": self.stages["not_sold"].id})

    def test_creation_is_logged(self):
        lead = self.create_lead("inquiry")
        log = self.log_of(lead)
        self.assertEqual(len(log), 1)
        self.assertEqual((log.from_phase, log.to_phase), (False, "inquiry"))

    @users("dp_setter")
    def test_leads_left_in_their_stages_enter_at_inquiry_only(self):
        """A team turned on keeps its leads where they are; each enters the phases at Inquiry
        received, and nowhere else."""
        team = self.env["crm.team"].sudo().create({"name": "Partnervertrieb", "member_ids": [(4, self.env.uid)]})
        own = self.env["crm.stage"].sudo().create({"name": "Vertrag", "sequence": 99, "team_ids": [(4, team.id)]})
        lead = self.env["crm.lead"].create({"name": "Partner deal", "team_id": team.id, "stage_id": own.id})
        team.use_deal_phases = True
        self.assertEqual(lead.stage_id, own, "turning the team on moves no lead")
        self.assertFalse(self.log_of(lead))
        for target in (self.stages["follow_up"], self.env.ref("crm.stage_lead2")):
            with self.subTest(target=target.name), self.assertRaises(UserError):
                lead.write({"stage_id": target.id})
        lead.write({"stage_id": self.stages["inquiry"].id})
        self.assertEqual(lead.deal_phase, "inquiry")
        self.assertEqual(self.log_of(lead).mapped("transition_label"), ["Entered the deal phases"])
