"""A pytest plugin for tools/test.sh: a skipped test hides missing setup (a browser, a module), so it fails the run."""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} test(s) skipped: the suite must run whole (see -rs)", red=True)
        session.exitstatus = 1
