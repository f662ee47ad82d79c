"""Random use against the documented graph: a hypothesis state machine in the real registry.

Each example starts from the same leads in a savepoint and rolls back at its end; every step
is an attempted move by a salesperson (the leads' setter) or a manager through one of the
paths. The documented table in common.py is the oracle, with who records a consultation's
outcomes (its closer or a manager, CLOSER_PHASES): after every step the stored phase, the
phase log and the strike counter agree with the model kept here. Consultations are booked
as having begun, so their outcomes may be recorded (the timing rules are tested in
test_meetings.py).
"""

from datetime import timedelta

import hypothesis.strategies as st
from hypothesis import HealthCheck, settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import CLOSER_PHASES, DOCUMENTED_GRAPH, PHASES, RELIABILITY, DealPhasesCase

LEADS = 3
STRIKE_THRESHOLD = 3
KO_REACHABLE = {phase for phase, targets in DOCUMENTED_GRAPH.items() if "unqualified" in targets}
WHO = ("manager", "salesperson")


class PhaseMachine(RuleBasedStateMachine):
    case = None  # the running test: its registry, users and helpers

    def __init__(self):
        super().__init__()
        case = self.case
        self.savepoint = self.case.env.cr.savepoint()
        self.leads = [self.case.create_lead("inquiry", name=f"Random {i}", user_id=False) for i in range(LEADS)]
        self.phases = ["inquiry"] * LEADS
        self.changes = [1] * LEADS  # the creation is logged
        self.strikes = [0] * LEADS
        self.users = {"salesperson": case.user_setter, "manager": case.user_manager}

    def teardown(self):
        self.savepoint.close(rollback=True)
        self.case.env.invalidate_all()

    @staticmethod
    def permitted(current, who):
        """Whether who may record the outcomes of a lead in phase current."""
        return who == "manager" or current not in CLOSER_PHASES

    def attempt(self, index, expected_allowed, action, target):
        RELIABILITY["moves tried"] += 1
        try:
            with self.case.env.cr.savepoint():
                action()
            allowed = True
        except (UserError, AccessError):
            allowed = False
            self.case.env.invalidate_all()
        if allowed != expected_allowed:
            RELIABILITY["graph violations"] += 1
        self.case.assertEqual(allowed, expected_allowed, f"{self.phases[index]} -> {target}")
        if allowed and target != self.phases[index]:
            self.phases[index] = target
            self.changes[index] += 1

    @rule(index=st.integers(0, LEADS - 1), to_phase=st.sampled_from(PHASES), who=st.sampled_from(WHO))
    def plain_write(self, index, to_phase, who):
        target = to_phase
        lead = self.leads[index].with_user(self.users[who])
        current = self.phases[index]
        expected = target == current or (target in DOCUMENTED_GRAPH[current] and self.permitted(current, who))
        self.attempt(index, expected, lambda: lead.write({"stage_id": self.case.stages[target].id}), target)

    @rule(index=st.integers(0, LEADS - 1), pick=st.integers(0, 10))
    def outcome_button(self, index, pick):
        lead = self.leads[index].with_user(self.users["manager"])
        lead.invalidate_recordset()
        transitions = lead.available_transition_ids
        self.case.assertEqual(set(transitions.mapped("to_phase")), DOCUMENTED_GRAPH[self.phases[index]])
        if not transitions:
            return
        transition = transitions[pick % len(transitions)]

        def click():
            action = lead.action_open_phase_transition(transition.id)
            if isinstance(action, dict):
                wizard = (
                    self.case.env[action["res_model"]]
                    .with_user(self.users["manager"])
                    .with_context(**action["context"])
                )
                begun = fields.Datetime.now() - timedelta(hours=1)
                answers = {
                    **self.case.answers(),
                    "first_meeting_date": begun,
                    "second_meeting_date": begun,
                    "lost_reason_id": self.case.lost_reason.id,
                    "ko_reason_id": self.case.ko_reason.id,
                }
                wizard.create(answers).action_apply()

        self.attempt(index, True, click, transition.to_phase)

    @rule(index=st.integers(0, LEADS - 1))
    def move_to_follow_up_action(self, index):
        lead = self.leads[index].with_user(self.users["salesperson"])
        current = self.phases[index]
        expected = current == "follow_up" or (
            "follow_up" in DOCUMENTED_GRAPH[current] and self.permitted(current, "salesperson")
        )
        self.attempt(index, expected, lead.action_move_to_follow_up, "follow_up")

    @rule(index=st.integers(0, LEADS - 1))
    def strike(self, index):
        lead = self.leads[index].with_user(self.users["salesperson"])
        current = self.phases[index]
        expected = current in KO_REACHABLE and self.permitted(current, "salesperson")
        struck_out = expected and self.strikes[index] + 1 >= STRIKE_THRESHOLD
        self.attempt(
            index, expected, lambda: lead.action_add_strike("random"), "unqualified" if struck_out else current
        )
        if expected:
            self.strikes[index] += 1

    @rule(index=st.integers(0, LEADS - 1), to_phase=st.sampled_from(PHASES), who=st.sampled_from(WHO))
    def override(self, index, to_phase, who):
        target = to_phase
        lead = self.leads[index].with_user(self.users[who])
        self.attempt(
            index,
            who == "manager",
            lambda: lead.action_force_phase(self.case.stages[target], "random override"),
            target,
        )

    @invariant()
    def stored_state_matches_the_model(self):
        for index, lead in enumerate(self.leads):
            lead.invalidate_recordset()
            self.case.assertEqual(lead.stage_id.deal_phase, self.phases[index])
            self.case.assertEqual(lead.strike_count, self.strikes[index])
            log = self.case.log_of(lead)
            self.case.assertEqual(len(log), self.changes[index])
            self.case.assertEqual(log[-1].to_phase, self.phases[index])


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestRandomUse(DealPhasesCase):
    def test_random_moves_follow_the_documented_graph(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_deal_phases.strike_threshold", STRIKE_THRESHOLD)
        PhaseMachine.case = self
        run_state_machine_as_test(
            PhaseMachine,
            settings=settings(
                max_examples=300,
                stateful_step_count=12,
                deadline=None,
                database=None,
                print_blob=True,
                suppress_health_check=list(HealthCheck),
            ),
        )
