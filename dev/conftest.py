"""The suite's conftest.py: tools/test.sh places it at the root of the folder pytest-odoo runs
in (beside the addon, not inside it: pytest would import a conftest inside the addon as the
plain package crm_deal_phases, before pytest-odoo makes it odoo.addons.crm_deal_phases).

- A skipped test hides missing setup (a browser, a module): it fails the run.
- The reliability figures the tests collected are printed in one line before pytest's own
  closing line.
"""

import sys

COMMON = "odoo.addons.crm_deal_phases.tests.common"


def pytest_terminal_summary(terminalreporter):
    common = sys.modules.get(COMMON)
    figures = getattr(common, "RELIABILITY", None)
    if figures and figures["moves tried"]:
        terminalreporter.write_line(
            "reliability: "
            + ", ".join(
                f"{figures[name]} {name}"
                for name in ("moves tried", "graph violations", "hostile calls refused", "concurrent races resolved")
            )
        )


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped: the suite must run whole (see -rs)", red=True)
        session.exitstatus = 1
