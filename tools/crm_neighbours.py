#!/usr/bin/env python3
"""Odoo's own crm test suite, on crm alone and with crm_deal_phases installed (tools/test.sh).

    python3 tools/crm_neighbours.py ODOO_CONFIG WORK_DIR [--http-port PORT]

Installs crm into a fresh database and crm_deal_phases into another (no demo data: an
existing CRM, not the app's showcase), runs pytest-odoo over `addons/crm/tests` of the Odoo
in use on each - the two runs side by side, each with its own HTTP port - and compares them
test by test. Prints one line,

    neighbours: crm's own suite, 142 tests: crm alone 137 passed, 5 failed, 0 errors; with the addon ...;
    0 fail only with the addon

and exits 1 when a test fails or errors with the addon that passes on crm alone (a test that
fails on crm alone on this Odoo may keep failing).
"""

import argparse
import configparser
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import odoo.addons
from odoo.tools import config

RUNS = {"stock": ("crm", "crm alone"), "addon": ("crm_deal_phases", "with the addon")}
WORST_FIRST = ("error", "failed", "skipped", "passed")


def crm_tests():
    for path in (*odoo.addons.__path__, config.addons_community_dir):
        tests = Path(path) / "crm" / "tests"
        if tests.is_dir():
            return tests
    sys.exit("neighbours: crm's tests are not in this Odoo (addons/crm/tests)")


def write_config(source, target, database, port):
    config = configparser.ConfigParser()
    config.read(source)
    config["options"]["db_name"] = database
    config["options"]["http_port"] = str(port)
    with open(target, "w") as handle:
        config.write(handle)


def outcomes(junit):
    """{test id: passed | failed | error | skipped}; a test with a failing subtest failed."""
    results = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        states = {"failure": "failed", "error": "error", "skipped": "skipped"}
        found = {states[child.tag] for child in case if child.tag in states} or {"passed"}
        results[f"{case.get('classname')}::{case.get('name')}"] = next(s for s in WORST_FIRST if s in found)
    return results


def summary(results):
    counts = {state: sum(1 for value in results.values() if value == state) for state in WORST_FIRST}
    text = f"{counts['passed']} passed, {counts['failed']} failed, {counts['error']} errors"
    return text + (f", {counts['skipped']} skipped" if counts["skipped"] else "")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("work")
    parser.add_argument("--http-port", type=int, default=18169)
    args = parser.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    (work / "pytest.ini").write_text("[pytest]\n")  # a root of its own: no other conftest applies
    tests = crm_tests()
    processes = {}
    for offset, (run, (module, _label)) in enumerate(RUNS.items()):
        database = f"neighbours_{run}"
        config = work / f"{run}.conf"
        write_config(args.config, config, database, args.http_port + offset)
        install = [sys.executable, "-m", "odoo", "-c", config, "-d", database, "-i", module]
        subprocess.run([*install, "--stop-after-init", "--log-level=warn"], check=True)
        log = open(work / f"{run}.log", "w")  # noqa: SIM115 (closed with the process)
        command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-c", work / "pytest.ini"]
        command += [f"--odoo-config={config}", f"--odoo-database={database}", "--odoo-http"]
        command += [f"--junitxml={work / f'{run}.xml'}", tests]
        processes[run] = (subprocess.Popen(command, cwd=work, stdout=log, stderr=subprocess.STDOUT), log)
    for process, log in processes.values():
        process.wait()
        log.close()
    results = {}
    for run in RUNS:
        junit = work / f"{run}.xml"
        if not junit.exists():
            sys.stdout.write((work / f"{run}.log").read_text()[-3000:])
            sys.exit(f"neighbours: the run {RUNS[run][1]} produced no result (its log above)")
        results[run] = outcomes(junit)
    stock, addon = results["stock"], results["addon"]
    only_with_addon = sorted(
        test for test, state in addon.items() if state in ("failed", "error") and stock.get(test) == "passed"
    )
    missing = sorted(set(stock) - set(addon))
    print(
        f"neighbours: crm's own suite, {len(stock)} tests: {RUNS['stock'][1]} {summary(stock)}; "
        f"{RUNS['addon'][1]} {summary(addon)}; {len(only_with_addon) + len(missing)} fail only with the addon"
    )
    for test in only_with_addon:
        print(f"  {addon[test]} only with the addon: {test}")
    for test in missing:
        print(f"  not run with the addon: {test}")
    if only_with_addon or missing:
        print(f"  (the runs' output: {work}/addon.log, {work}/stock.log)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
