#!/usr/bin/env python3
"""Odoo's own test suites of crm and of the apps beside it, on Odoo alone and with
crm_deal_phases installed (tools/test.sh).

    python3 dev/crm_neighbours.py ODOO_CONFIG WORK_DIR [--http-port PORT] [--suites crm,peers]

Two suites, one after the other, each on two fresh databases (no demo data: an existing CRM,
not the app's showcase) run side by side, each with its own HTTP port:

- crm: crm's own suite, on crm alone and with the addon;
- peers: the apps that create leads themselves - website_crm (the website's contact form),
  sale_crm (quotations), event_crm, crm_livechat - and test_crm_full (query counts of lead
  creation and assignment with crm's bridges), on one database holding them all as a real one
  does (test_crm_full installs them), alone and with the addon.

pytest-odoo runs each suite's tests on both databases; the results are compared test by test.
A test that fails only with the addon is run once more, alone (a tour's step waits at most 10 s,
which two suites side by side on a small machine can exceed); it counts when it fails again.
Prints one line per suite,

    neighbours: crm's own suite, 142 tests: crm alone 137 passed, 5 failed, 0 errors; with the addon ...;
    0 fail only with the addon

with each module's figures below it, and exits 1 when a test fails or errors with the addon
that passes without it (a test that fails without the addon on this Odoo may keep failing).
"""

import argparse
import configparser
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import odoo.addons
from odoo.tools import config

ADDON = "crm_deal_phases"
SUITES = {
    "crm": {
        "label": "crm's own suite",
        "install": ["crm"],
        "tests": ["crm"],
        "without": "crm alone",
    },
    "peers": {
        "label": "the apps that create leads and test_crm_full",
        "install": ["test_crm_full"],
        "tests": ["website_crm", "sale_crm", "event_crm", "crm_livechat", "test_crm_full"],
        "without": "without the addon",
    },
}
FLAVOURS = ("stock", "addon")
WORST_FIRST = ("error", "failed", "skipped", "passed")


def addons_dir():
    """The folder of Odoo's own addons (the one holding crm)."""
    for path in (*odoo.addons.__path__, config.addons_community_dir):
        if (Path(path) / "crm" / "tests").is_dir():
            return Path(path)
    sys.exit("neighbours: crm's tests are not in this Odoo (addons/crm/tests)")


def write_config(source, target, database, port):
    parser = configparser.ConfigParser()
    parser.read(source)
    parser["options"]["db_name"] = database
    parser["options"]["http_port"] = str(port)
    with open(target, "w") as handle:
        parser.write(handle)


def outcomes(junit):
    """{test id: passed | failed | error | skipped}; a test with a failing subtest failed. The
    id starts with the module's folder (pytest runs from Odoo's addons folder)."""
    results = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        states = {"failure": "failed", "error": "error", "skipped": "skipped"}
        found = {states[child.tag] for child in case if child.tag in states} or {"passed"}
        state = next(s for s in WORST_FIRST if s in found)
        test = f"{case.get('classname')}::{case.get('name')}"
        # a test run twice under one id (inherited by two classes of one name) counts at its worst
        results[test] = min(state, results.get(test, state), key=WORST_FIRST.index)
    return results


def summary(results):
    counts = {state: sum(1 for value in results.values() if value == state) for state in WORST_FIRST}
    text = f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors"
    return text + (f", {counts['skipped']} skipped" if counts["skipped"] else "")


def run_suite(name, args, work, addons):
    """Install and test one suite on both databases, side by side: {flavour: results}."""
    suite = SUITES[name]
    folder = work / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pytest.ini").write_text("[pytest]\n")  # a root of its own: no other conftest applies
    processes = {}
    for offset, flavour in enumerate(FLAVOURS):
        database = f"neighbours_{name}_{flavour}"
        conf = folder / f"{flavour}.conf"
        write_config(args.config, conf, database, args.http_port + offset)
        modules = [*suite["install"], *([ADDON] if flavour == "addon" else [])]
        log = open(folder / f"{flavour}.log", "w")  # noqa: SIM115 (closed with the process)
        install = [sys.executable, "-m", "odoo", "-c", conf, "-d", database, "-i", ",".join(modules)]
        install += ["--stop-after-init", "--log-level=warn"]
        test = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-c", folder / "pytest.ini"]
        test += [f"--rootdir={addons}", f"--odoo-config={conf}", f"--odoo-database={database}", "--odoo-http"]
        test += [f"--junitxml={folder / f'{flavour}.xml'}", *(addons / module / "tests" for module in suite["tests"])]
        # the install, then the tests, one process chain per flavour
        script = " && ".join(subprocess.list2cmdline([str(part) for part in command]) for command in (install, test))
        processes[flavour] = (
            subprocess.Popen(["sh", "-c", script], cwd=folder, stdout=log, stderr=subprocess.STDOUT),
            log,
        )
    for process, log in processes.values():
        process.wait()
        log.close()
    results = {}
    for flavour in FLAVOURS:
        junit = folder / f"{flavour}.xml"
        if not junit.exists():
            sys.stdout.write((folder / f"{flavour}.log").read_text()[-3000:])
            sys.exit(f"neighbours: {suite['label']}: the run {flavour} produced no result (its log above)")
        results[flavour] = outcomes(junit)
    return results


def rerun_alone(tests, folder, addons):
    """The tests that failed only with the addon, run once more one by one on its database,
    alone on the machine (a tour's step waits at most 10 s, which two suites side by side on a
    small machine can exceed): {test: state}."""
    states = {}
    for test in tests:
        classname, name = test.split("::")
        module_path, _dot, cls = classname.rpartition(".")
        node = f"{addons / (module_path.replace('.', '/') + '.py')}::{cls}::{name}"
        junit = folder / "rerun.xml"
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-c", folder / "pytest.ini"]
        command += [f"--rootdir={addons}", f"--odoo-config={folder / 'addon.conf'}", "--odoo-http"]
        command += [f"--odoo-database=neighbours_{folder.name}_addon", f"--junitxml={junit}", node]
        with open(folder / "rerun.log", "a") as log:
            subprocess.run(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, check=False)
        states[test] = outcomes(junit).get(test, "error") if junit.exists() else "error"
    return states


def report(name, results, folder, addons):
    """Print the suite's line and its modules' figures; the number of tests failing only with the addon."""
    suite = SUITES[name]
    stock, addon = results["stock"], results["addon"]
    only_with_addon = sorted(
        test for test, state in addon.items() if state in ("failed", "error") and stock.get(test) == "passed"
    )
    again = rerun_alone(only_with_addon, folder, addons)
    flaky = [test for test, state in again.items() if state == "passed"]
    only_with_addon = [test for test in only_with_addon if test not in flaky]
    missing = sorted(set(stock) - set(addon))
    bad = len(only_with_addon) + len(missing)
    print(
        f"neighbours: {suite['label']}, {len(stock)} tests: {suite['without']} {summary(stock)}; "
        f"with the addon {summary(addon)}; {bad} fail only with the addon"
    )
    for test in flaky:
        print(f"  failed beside the other run, passed when run again alone: {test}")
    if len(suite["tests"]) > 1:
        for module in suite["tests"]:
            mine = {
                flavour: {t: s for t, s in res.items() if t.startswith(f"{module}.")}
                for flavour, res in results.items()
            }
            print(f"  {module}: {suite['without']} {summary(mine['stock'])}; with the addon {summary(mine['addon'])}")
    for test in only_with_addon:
        print(f"  {addon[test]} only with the addon: {test}")
    for test in missing:
        print(f"  not run with the addon: {test}")
    if bad:
        print(f"  (the runs' output: {folder}/addon.log, {folder}/stock.log)")
    return bad


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("work")
    parser.add_argument("--http-port", type=int, default=18169)
    parser.add_argument("--suites", default=",".join(SUITES), help="comma-separated, of: " + ", ".join(SUITES))
    args = parser.parse_args()
    work = Path(args.work)
    addons = addons_dir()
    failing = 0
    for name in args.suites.split(","):
        results = run_suite(name, args, work, addons)
        failing += report(name, results, work / name, addons)
        sys.stdout.flush()
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
