#!/usr/bin/env python3
"""Benchmark of the front door: inquiries over HTTP, the addon's webhook against stock crm's
own JSON-2 `crm.lead` create of the same data, in the same run.

    python3 dev/bench_intake.py ODOO_CONFIG --leads 200000 --submissions 1000 --json OUT.json

Expects the two databases of dev/bench.sh (bench_stock, bench_addon), fills both with the
same N leads (as dev/bench.py does, if not there yet), starts one Odoo server per database
in prefork (4 workers, on 127.0.0.1), then sends the submissions with one client and with
four concurrent clients, each a new person; per submission the median and p95 seconds.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

import odoo
from odoo.modules.module import initialize_sys_path

sys.path.insert(0, str(Path(__file__).resolve().parent))

GOAL = 1.5
PORTS = {"bench_stock": 18091, "bench_addon": 18092}


def prepare(config, leads):
    """Both databases filled; the addon's with an inquiry source; the stock one with an API
    key of its salesperson. Returns {database: (url path, headers, payload maker)}."""
    from bench_figures import Bench  # imported after the addons path is set

    doors = {}
    for dbname, with_addon in (("bench_stock", False), ("bench_addon", True)):
        bench = Bench(dbname, with_addon, leads, 1).open()
        env = bench.env
        team = env.ref("sales_team.team_sales_department")
        if with_addon:
            source = env["crm.deal.intake.source"].search([("code", "=", "bench")]) or env[
                "crm.deal.intake.source"
            ].create({"name": "Bench", "code": "bench", "team_id": team.id, "rate_limit": 1_000_000})
            token = env["crm.deal.intake.secret"].browse(source.action_new_token()["res_id"]).secret
            doors[dbname] = (
                "/crm_deal_phases/inquiry/bench",
                {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                lambda n: {
                    "first_name": "Ida",
                    "last_name": f"Intake {n}",
                    "phone": f"+49 151 {70000000 + n}",
                    "email": f"intake{n}@example.com",
                    "external_id": f"bench-{n}-{time.time_ns()}",
                    "Budget": "5000",
                },
            )
        else:
            key = env["res.users.apikeys"].with_user(bench.seller).sudo()._generate("rpc", "bench", None)
            doors[dbname] = (
                "/json/2/crm.lead/create",
                {"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                lambda n, team=team.id: {
                    "vals_list": [
                        {
                            "name": f"Ida Intake {n}",
                            "contact_name": f"Ida Intake {n}",
                            "phone": f"+49 151 {70000000 + n}",
                            "email_from": f"intake{n}@example.com",
                            "team_id": team,
                            "description": "Budget: 5000",
                        }
                    ]
                },
            )
        bench.cr.commit()
        bench.close()
    return doors


def start_server(config, dbname, port, *options):
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "odoo",
            "-c",
            config,
            "-d",
            dbname,
            f"--db-filter=^{dbname}$",
            f"--http-port={port}",
            "--workers=4",
            "--max-cron-threads=0",
            "--log-level=warn",
            *options,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(1)
    server.kill()
    sys.exit(f"Odoo did not start on port {port} for {dbname}")


def send(port, door, count, clients, offset):
    path, headers, payload = door
    session = requests.Session()

    def one(n):
        start = time.perf_counter()
        response = session.post(f"http://127.0.0.1:{port}{path}", data=json.dumps(payload(n)), headers=headers)
        elapsed = time.perf_counter() - start
        assert response.status_code in (200, 201), response.text[:300]
        return elapsed

    with ThreadPoolExecutor(clients) as pool:
        times = list(pool.map(one, range(offset, offset + count)))
    times.sort()
    return {"median": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--leads", type=int, default=200000)
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    initialize_sys_path()
    doors = prepare(args.config, args.leads)
    servers = {dbname: start_server(args.config, dbname, port) for dbname, port in PORTS.items()}
    results, rows = {}, []
    try:
        offset = 0
        for clients in (1, 4):
            for dbname in PORTS:  # warm-up, not counted
                send(PORTS[dbname], doors[dbname], 20, clients, offset)
            offset += 20
            for dbname in PORTS:
                results[(dbname, clients)] = send(PORTS[dbname], doors[dbname], args.submissions, clients, offset)
            offset += args.submissions
    finally:
        for server in servers.values():
            server.terminate()
            server.wait(timeout=30)
    lines = [f"intake benchmark: {args.leads} leads, {args.submissions} submissions per run"]
    for clients in (1, 4):
        for measure in ("median", "p95"):
            stock = results[("bench_stock", clients)][measure]
            addon = results[("bench_addon", clients)][measure]
            ratio = addon / stock
            rows.append(
                {
                    "figure": f"webhook vs JSON-2 create, {clients} client(s), {measure}",
                    "stock": round(stock, 4),
                    "addon": round(addon, 4),
                    "ratio": round(ratio, 2),
                    "goal": f"ratio <= {GOAL}",
                    "met?": ratio <= GOAL,
                }
            )
            lines.append(" | ".join(str(value) for value in rows[-1].values()))
    print("\n".join(lines))
    with open(args.json, "w", encoding="utf-8") as output:
        json.dump({"leads": args.leads, "table": rows}, output, indent=2)


if __name__ == "__main__":
    main()
