import re
import subprocess
import sys
from pathlib import Path

from odoo.tests import TransactionCase, tagged

from .test_ui import TOUR_CASES

ADDON = Path(__file__).resolve().parent.parent
DESCRIPTION = ADDON / "readme" / "DESCRIPTION.md"
USAGE = ADDON / "readme" / "USAGE.md"


def marked_table(path, marker):
    """The rows of the table between <!-- marker:begin --> and <!-- marker:end --> in path."""
    text = path.read_text(encoding="utf-8")
    table = text.split(f"<!-- {marker}:begin -->")[1].split(f"<!-- {marker}:end -->")[0]
    return [line.strip("| ").split(" | ") for line in table.strip().splitlines()[2:]]


@tagged("post_install", "-at_install", "crm_deal_phases")
class TestDocumentation(TransactionCase):
    """The documentation says what the data is: the graph's table and diagram are the seeded
    transitions, the tours' coverage table is the transitions the tours click, and the Apps
    page is generated from the readme fragments."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Transition = cls.env["crm.stage.transition"].with_context(lang="en_US")
        cls.seeded = {(t.from_phase, t.to_phase): t.name for t in Transition.search([])}
        cls.phase_by_name = {
            stage.with_context(lang="en_US").name: stage.deal_phase
            for stage in cls.env["crm.stage"].search([("deal_phase", "!=", False)])
        }

    def test_graph_table_is_the_seeded_transitions(self):
        documented = {
            (self.phase_by_name[src], self.phase_by_name[dst]): label
            for src, dst, label in marked_table(DESCRIPTION, "transitions")
        }
        self.assertEqual(documented, self.seeded)

    def test_mermaid_diagram_is_the_seeded_transitions(self):
        diagram = DESCRIPTION.read_text(encoding="utf-8").split("```mermaid")[1].split("```")[0]
        edges = set()
        for line in diagram.splitlines():
            match = re.match(r'\s*(\w+)(?:\[".*?"\])?\s*(?:--\s*".*?"\s*)?-->\s*(\w+)', line)
            if match:
                edges.add(match.groups())
        self.assertEqual(edges, set(self.seeded))

    def test_tours_click_every_transition_as_documented(self):
        clicked = {(src, dst): tour for _lead, src, dst, tour, _lacking in TOUR_CASES}
        self.assertEqual(set(clicked), set(self.seeded), "every transition has a tour case")
        documented = {
            (self.phase_by_name[src], self.seeded_by_label(src, label)): tour
            for src, label, tour in marked_table(USAGE, "tours")
        }
        self.assertEqual(documented, clicked)
        tours = (ADDON / "static" / "tests" / "tours" / "deal_phases_tours.js").read_text(encoding="utf-8")
        for lead, *_rest in TOUR_CASES:
            self.assertIn(f'"{lead}"', tours, f"the tours open {lead}")

    def seeded_by_label(self, from_name, label):
        from_phase = self.phase_by_name[from_name]
        return next(dst for (src, dst), name in self.seeded.items() if src == from_phase and name == label)

    def test_every_test_file_runs_under_odoos_runner(self):
        """Odoo's runner runs the test modules tests/__init__.py imports (pytest finds the
        files): a file missing there is skipped by --test-enable without a word."""
        files = {path.stem for path in (ADDON / "tests").glob("test_*.py")}
        imported = set(re.findall(r"^from \. import (test_\w+)$", (ADDON / "tests" / "__init__.py").read_text(), re.M))
        self.assertEqual(files - imported, set(), "test files tests/__init__.py does not import")

    def test_the_file_map_names_every_model_and_controller_file(self):
        """readme/DEVELOPMENT.md's layout is how a newcomer finds a concern: a file it does
        not name is a file nobody finds."""
        layout = (ADDON / "readme" / "DEVELOPMENT.md").read_text(encoding="utf-8").split("## Tests")[0]
        files = {path.name for folder in ("models", "controllers") for path in (ADDON / folder).glob("[!_]*.py")}
        self.assertEqual({name for name in files if f"`{name}`" not in layout and f"/{name}`" not in layout}, set())

    def test_apps_page_is_generated_from_the_readme(self):
        result = subprocess.run(
            [sys.executable, str(ADDON / "dev" / "gen_apps_page.py"), "--check"], check=False, capture_output=True
        )
        self.assertEqual(result.returncode, 0, "static/description/index.html: run dev/gen_apps_page.py")
