import re
from pathlib import Path

from odoo.tests import TransactionCase, tagged

README = Path(__file__).resolve().parent.parent / "README.md"


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestReadmeGraph(TransactionCase):
    """The README's table and diagram of the graph are the seeded transition table."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.text = README.read_text(encoding="utf-8")
        Transition = cls.env["crm.stage.transition"].with_context(lang="en_US")
        cls.seeded = {(t.from_phase, t.to_phase): t.name for t in Transition.search([])}
        cls.phase_by_name = {
            stage.with_context(lang="en_US").name: stage.deal_phase
            for stage in cls.env["crm.stage"].search([("deal_phase", "!=", False)])
        }

    def test_table_matches_the_seeded_transitions(self):
        table = self.text.split("<!-- transitions:begin -->")[1].split("<!-- transitions:end -->")[0]
        rows = [line.strip("| ").split(" | ") for line in table.strip().splitlines()[2:]]
        documented = {(self.phase_by_name[src], self.phase_by_name[dst]): label for src, dst, label in rows}
        self.assertEqual(documented, self.seeded)

    def test_mermaid_diagram_matches_the_seeded_transitions(self):
        diagram = self.text.split("```mermaid")[1].split("```")[0]
        edges = set()
        for line in diagram.splitlines():
            match = re.match(r'\s*(\w+)(?:\[".*?"\])?\s*(?:--\s*".*?"\s*)?-->\s*(\w+)', line)
            if match:
                edges.add(match.groups())
        self.assertEqual(edges, set(self.seeded))
