#!/usr/bin/env python3
"""A bounded load of setters, closers and managers over JSON-2, on the servers of
dev/cluster.sh (a development tool, not part of the test command's default run).

    load.py setup ODOO_CONFIG --db DB [--addon] --leads N --users S,C,M --out KEYS.json
    load.py run --keys KEYS.json --servers URL,URL --json OUT.json [--keys ... --servers ...
                --json ...] --duration 60 --warmup 10 [--turns N]
    load.py check ODOO_CONFIG --db DB --moves OUT.json      (the addon's history invariants)
    load.py window KEYS.json --servers URL_A,URL_B --trials 6 --json OUT.json
    load.py contention KEYS.json --servers URL_A,URL_B --dsn DSN
    load.py inquiries KEYS.json --servers URL_A,URL_B        (one person's inquiries at once)

setup fills the database as the benchmark does (dev/bench_data.py) and makes the virtual
users with API keys, each with leads of their own to move. run starts every virtual user of a
flavour at once (the flavours taking --turns turns), alternating the servers request by
request; each does its role's operations in turn with a fixed think time (a bounded load: the
machine is not saturated), for the warm-up (not counted) and then the measured time, and stops
by itself. window closes a transition on server A as an administrator and makes the same move
through server B at once.
"""

import argparse
import itertools
import json
import statistics
import sys
import threading
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

THINK_SECONDS = 0.3
ROLES = ("setter", "closer", "manager")


def read_json(path):
    with open(path, encoding="utf-8") as source:
        return json.load(source)


# SET-UP (in-process, on the primary)


def open_bench(config, dbname, with_addon, leads):
    import odoo
    from odoo.modules.module import initialize_sys_path

    odoo.tools.config.parse_config(["-c", config, "--log-level=warn"])
    initialize_sys_path()
    from bench_figures import Bench  # imported after the addons path is set

    return Bench(dbname, with_addon, leads, 1).open()


def setup(args):
    bench = open_bench(args.config, args.db, args.addon, args.leads)
    env, cr = bench.env, bench.cr
    counts = dict(zip(ROLES, map(int, args.users.split(",")), strict=True))
    groups = {role: env.ref("sales_team.group_sale_salesman_all_leads") for role in ROLES}
    groups["manager"] = env.ref("sales_team.group_sale_manager")
    team = env["crm.team"].browse(bench.governed_team())
    stages = bench.stages  # the eight phases' stages, in order (stock: eight stages of its own)
    users = {}
    cr.execute("SELECT id FROM crm_lead WHERE stage_id = %s AND active ORDER BY id", (stages[0],))
    inquiries = [row[0] for row in cr.fetchall()]
    first_meetings = []
    if args.addon:
        cr.execute("SELECT id FROM crm_lead WHERE stage_id = %s AND active ORDER BY id", (stages[3],))
        first_meetings = [row[0] for row in cr.fetchall()]
    # the leads each virtual user moves, its own: the setters' (and, in stock, the closers')
    # from Inquiry received, the closers' in the addon from First consultation
    window_leads, inquiries = inquiries[:200], inquiries[200:]
    inquiry_movers = counts["setter"] + (0 if args.addon else counts["closer"])
    share = {"setter": len(inquiries) // max(inquiry_movers, 1)}
    share["closer"] = len(first_meetings) // max(counts["closer"], 1) if args.addon else share["setter"]
    pools = {"setter": iter(inquiries), "closer": iter(first_meetings if args.addon else inquiries)}
    if not args.addon:
        pools["closer"] = pools["setter"]
    for role, count in counts.items():
        for index in range(count):
            login = f"load_{role}_{index}"
            user = env["res.users"].search([("login", "=", login)]) or env["res.users"].create(
                {
                    "name": f"Load {role} {index}",
                    "login": login,
                    "group_ids": [(6, 0, groups[role].ids)],
                    "tz": "Europe/Berlin",
                }
            )
            team.member_ids |= user
            key = env["res.users.apikeys"].with_user(user).sudo()._generate("rpc", "load", None)
            own = list(itertools.islice(pools[role], share[role])) if role in pools else []
            if role == "closer" and args.addon and own:
                # their consultations, begun, with the deal's amount: the closer may record a sale
                cr.execute(
                    "UPDATE crm_lead SET closer_id = %s, first_meeting_date = now() - interval '1 hour',"
                    " expected_revenue = 5000 WHERE id = ANY(%s)",
                    (user.id, own),
                )
            users[login] = {"role": role, "uid": user.id, "key": key, "leads": own}
    admin = env.ref("base.user_admin")
    users["admin"] = {
        "role": "admin",
        "uid": admin.id,
        "key": env["res.users.apikeys"].with_user(admin).sudo()._generate("rpc", "load", None),
        "leads": window_leads,
    }
    intake = None
    if args.addon:
        # an inquiry source of the team, reading German numbers, for one person's inquiries at once
        source = env["crm.deal.intake.source"].create(
            {
                "name": "Load",
                "code": "load",
                "team_id": team.id,
                "phone_country_id": env.ref("base.de").id,
                "rate_limit": 1000,
            }
        )
        action = source.action_new_token()
        intake = {"code": source.code, "token": env[action["res_model"]].browse(action["res_id"]).secret}
    cr.commit()
    bench.close()
    with open(args.out, "w", encoding="utf-8") as output:
        json.dump({"db": args.db, "addon": args.addon, "stages": stages, "users": users, "intake": intake}, output)


# THE LOAD (over HTTP)


class Client:
    """One virtual user: JSON-2 calls with its API key, alternating the servers."""

    def __init__(self, user, servers, db):
        self.user, self.db = user, db
        self.servers = itertools.cycle(servers)
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {user['key']}", "Content-Type": "application/json", "X-Odoo-Database": db}
        )

    def call(self, model, method, server=None, **body):
        url = f"{server or next(self.servers)}/json/2/{model}/{method}"
        response = self.session.post(url, data=json.dumps(body), timeout=120)
        return response.status_code, (response.json() if response.content else None)


def operations(plan, user):
    """The role's operations in turn: (name, model, method, body, is a move?)."""
    stages, addon, leads = plan["stages"], plan["addon"], iter(user["leads"])
    uid, moved = user["uid"], []
    if addon:
        lists = {
            "setter": ([("deal_phase", "=", "follow_up")], "last_call_date asc, date_last_stage_update asc"),
            "closer": ([("closer_id", "=", uid), ("deal_phase", "in", ["first_meeting", "second_meeting"])], None),
        }
    else:  # crm's pipeline list on the same stages, in the same order
        lists = {
            "setter": ([("stage_id", "=", stages[1])], "date_last_stage_update asc"),
            "closer": ([("stage_id", "in", stages[3:5])], "date_last_stage_update asc"),
        }
    spec = {field: {} for field in ("name", "contact_name", "phone", "stage_id", "user_id")}

    def work_list(role):
        domain, order = lists[role]
        return (
            "work list",
            "crm.lead",
            "web_search_read",
            {"domain": domain, "specification": spec, "limit": 80, "order": order},
            False,
        )

    def move(target):
        lead = next(leads, None)
        if lead is None:
            return None
        moved.append(lead)
        return ("move", "crm.lead", "write", {"ids": [lead], "vals": {"stage_id": stages[target]}}, True)

    def log_call():
        # once per lead moved: a lead called again and again unanswered is struck out
        if not moved:
            return None
        lead = moved.pop()
        if addon:
            return ("log call", "crm.lead", "action_log_call", {"ids": [lead], "outcome": "no_answer"}, False)
        return ("log call", "crm.lead", "message_post", {"ids": [lead], "body": "Not reached"}, False)

    board = (
        "board",
        "crm.lead",
        "web_read_group",
        {"domain": [("type", "=", "opportunity")], "groupby": ["stage_id"], "aggregates": ["expected_revenue:sum"]},
        False,
    )
    if addon:
        funnel = (
            "funnel",
            "crm.deal.funnel.report",
            "formatted_read_grouping_sets",
            {
                "domain": [],
                "grouping_sets": [[], ["cohort_date:month"], ["phase"], ["cohort_date:month", "phase"]],
                "aggregates": ["lead_count:sum", "cohort_share:sum", "step_share:sum"],
            },
            False,
        )
        rates = (
            "rates",
            "crm.deal.closer.report",
            "formatted_read_group",
            {"domain": [], "groupby": ["closer_id"], "aggregates": ["__count"]},
            False,
        )
    else:
        funnel = (
            "funnel",
            "crm.lead",
            "formatted_read_grouping_sets",
            {
                "domain": [],
                "grouping_sets": [[], ["create_date:month"], ["stage_id"], ["create_date:month", "stage_id"]],
                "aggregates": ["prorated_revenue:sum", "__count"],
            },
            False,
        )
        rates = (
            "rates",
            "crm.lead",
            "formatted_read_group",
            {"domain": [], "groupby": ["user_id"], "aggregates": ["__count"]},
            False,
        )
    # the setter moves Inquiry -> Follow-up, the closer First consultation -> Sold (stock: its own stages)
    steps = {
        "setter": [lambda: work_list("setter"), lambda: move(1), log_call],
        "closer": [lambda: work_list("closer"), lambda: move(5)],
        "manager": [lambda: board, lambda: funnel, lambda: rates],
    }[user["role"]]
    for step in itertools.cycle(steps):
        yield step()


def virtual_user(client, steps, clock, results):
    """One virtual user's operations until the clock ends; its steps go on where the last
    turn left them (the leads it moved stay moved)."""
    while (now := time.monotonic()) < clock["end"]:
        operation = next(steps)
        if operation is None:
            continue
        name, model, method, body, is_move = operation
        start = time.perf_counter()
        status, answer = client.call(model, method, **body)
        elapsed = time.perf_counter() - start
        if now >= clock["measured_from"]:
            results.append((name, elapsed, status))
        if is_move and status == 200:
            results.append(("accepted move", body["ids"][0], body["vals"]["stage_id"]))
        elif status != 200:
            results.append(("error", name, f"{status} {str(answer)[:200]}"))
        time.sleep(THINK_SECONDS)


def run_turn(users, warmup, duration, results):
    start = time.monotonic()
    clock = {"measured_from": start + warmup, "end": start + warmup + duration}
    threads = [threading.Thread(target=virtual_user, args=(client, steps, clock, results)) for client, steps in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def run(args):
    """The load of each flavour (a keys file, its servers, its report), the flavours taking
    turns: the measured time is cut into --turns slices, in the order A B, B A, A B, ... so
    that what the machine does meanwhile (two cores, other tenants) falls on both alike."""
    if not len(args.keys) == len(args.servers) == len(args.json):
        sys.exit("run: one --servers and one --json for each keys file")
    flavours = []
    for keys, servers, out in zip(args.keys, args.servers, args.json, strict=True):
        plan = read_json(keys)
        users = [
            (Client(user, servers.split(","), plan["db"]), operations(plan, user))
            for user in plan["users"].values()
            if user["role"] in ROLES
        ]
        flavours.append({"plan": plan, "users": users, "out": out, "results": []})
    slice_seconds = args.duration / args.turns
    for turn in range(args.turns):
        for flavour in flavours if turn % 2 == 0 else flavours[::-1]:
            # the full warm-up once; then a few seconds, the servers idle during the other's turn
            warmup = args.warmup if turn == 0 else min(args.warmup, 3)
            run_turn(flavour["users"], warmup, slice_seconds, flavour["results"])
    for flavour in flavours:
        report_run(flavour["plan"], flavour["results"], flavour["out"])


def report_run(plan, results, out):
    figures = {}
    for name in sorted({row[0] for row in results if row[0] not in ("accepted move", "error")}):
        times = sorted(row[1] for row in results if row[0] == name)
        figures[name] = {
            "count": len(times),
            "p50": round(statistics.median(times), 4),
            "p95": round(times[int(0.95 * (len(times) - 1))], 4),
        }
    errors = [row[1:] for row in results if row[0] == "error"]
    moves = [row[1:] for row in results if row[0] == "accepted move"]
    report = {"db": plan["db"], "addon": plan["addon"], "operations": figures, "errors": errors, "moves": moves}
    with open(out, "w", encoding="utf-8") as output:
        json.dump(report, output, indent=1)
    for name, figure in figures.items():
        print(f"{plan['db']}: {name}: {figure['count']} calls, p50 {figure['p50']}s, p95 {figure['p95']}s")
    print(f"{plan['db']}: {len(moves)} moves accepted, {len(errors)} errors")
    for error in errors[:5]:
        print("  error:", error)


# THE INVARIANTS (SQL on the primary, after the run)


def check(args):
    bench = open_bench(args.config, args.db, True, 0)
    cr = bench.cr
    moves = read_json(args.moves)["moves"]
    findings = {}
    cr.execute(
        """
        SELECT count(*) FROM crm_deal_phase_log log
         WHERE (log.lead_id, log.to_stage_id) IN (SELECT * FROM unnest(%s::int[], %s::int[]))
           AND log.from_stage_id IS NOT NULL
        """,
        ([lead for lead, _stage in moves], [stage for _lead, stage in moves]),
    )
    findings["history rows of the accepted moves"] = cr.fetchone()[0]
    findings["accepted moves"] = len(moves)
    cr.execute(
        """
        WITH chain AS (
            SELECT lead_id, from_stage_id, to_stage_id,
                   lag(to_stage_id) OVER (PARTITION BY lead_id ORDER BY date, id) AS previous,
                   row_number() OVER (PARTITION BY lead_id ORDER BY date, id) AS position,
                   row_number() OVER (PARTITION BY lead_id ORDER BY date DESC, id DESC) AS from_end
              FROM crm_deal_phase_log WHERE lead_id IS NOT NULL
        )
        SELECT count(DISTINCT chain.lead_id) FROM chain JOIN crm_lead lead ON lead.id = chain.lead_id
         WHERE (position > 1 AND from_stage_id IS DISTINCT FROM previous)
            OR (from_end = 1 AND to_stage_id IS DISTINCT FROM lead.stage_id)
        """
    )
    findings["leads whose history is no unbroken chain to their stage"] = cr.fetchone()[0]
    cr.execute(
        """
        SELECT count(*) FROM (
            SELECT 1 FROM crm_deal_phase_log GROUP BY lead_id, from_stage_id, to_stage_id, date HAVING count(*) > 1
        ) duplicates
        """
    )
    findings["duplicate history rows"] = cr.fetchone()[0]
    funnel = bench.env["crm.deal.funnel.report"].formatted_read_group([], ["phase"], ["__count"])
    funnel = {group["phase"]: group["__count"] for group in funnel}
    cr.execute(
        """
        SELECT phase, count(DISTINCT log.lead_id) FROM crm_deal_phase_log log
          JOIN crm_lead lead ON lead.id = log.lead_id AND lead.active
         CROSS JOIN LATERAL (VALUES (log.to_phase)) AS reached(phase)
         GROUP BY phase
        """
    )
    entered = dict(cr.fetchall())
    findings["phases whose funnel count is below the leads that entered them"] = sum(
        1 for phase, count in entered.items() if funnel.get(phase, 0) < count
    )
    bench.close()
    failed = (
        findings["history rows of the accepted moves"] != findings["accepted moves"]
        or findings["leads whose history is no unbroken chain to their stage"]
        or findings["duplicate history rows"]
        or findings["phases whose funnel count is below the leads that entered them"]
    )
    for name, value in findings.items():
        print(f"{args.db}: {name}: {value}")
    print(f"{args.db}: invariants {'BROKEN' if failed else 'hold'}")
    return 1 if failed else 0


# THE TRANSITION-EDIT WINDOW


def window(args):
    """A transition closed on server A; the same move through server B at once must be
    refused; reopened on A, the next move through B at once must be accepted."""
    plan = read_json(args.keys)
    server_a, server_b = args.servers.split(",")
    admin = Client(plan["users"]["admin"], [server_a], plan["db"])
    setter = next(user for user in plan["users"].values() if user["role"] == "setter")
    mover = Client(setter | {"leads": []}, [server_b], plan["db"])
    stages = plan["stages"]
    # each run its own leads, never moved before: a search would read them on the replica,
    # which may still show a lead the previous run moved in its old stage
    own = plan["users"]["admin"]["leads"]
    leads = iter(own[args.part * len(own) // 2 : (args.part + 1) * len(own) // 2])
    status, transition = admin.call(
        "crm.stage.transition",
        "search",
        domain=[
            ("from_phase", "=", "inquiry"),
            ("to_phase", "=", "follow_up"),
            # the search runs on the replica, which may still show the previous run's
            # reopening undone: find the transition open or closed
            ("active", "in", [True, False]),
        ],
    )
    assert status == 200 and transition, transition
    # the admin's leads are moved as the setter: make them the setter's
    admin.call("crm.lead", "write", ids=plan["users"]["admin"]["leads"], vals={"user_id": setter["uid"]})
    for _ in range(4):  # every worker of B has the graph cached
        mover.call("crm.lead", "search_count", domain=[])
        mover.call("crm.lead", "write", ids=[next(leads)], vals={"stage_id": stages[1]})
    accepted_while_closed = refused_while_open = 0
    for _ in range(args.trials):
        status, _answer = admin.call("crm.stage.transition", "write", ids=transition, vals={"active": False})
        assert status == 200, _answer
        status, _answer = mover.call("crm.lead", "write", ids=[next(leads)], vals={"stage_id": stages[1]})
        accepted_while_closed += status == 200
        status, _answer = admin.call("crm.stage.transition", "write", ids=transition, vals={"active": True})
        assert status == 200, _answer
        status, _answer = mover.call("crm.lead", "write", ids=[next(leads)], vals={"stage_id": stages[1]})
        refused_while_open += status != 200
    result = {
        "trials": args.trials,
        "accepted while closed": accepted_while_closed,
        "refused while open": refused_while_open,
    }
    print(f"transition-edit window: {json.dumps(result)}")
    with open(args.json, "w", encoding="utf-8") as output:
        json.dump(result, output)
    return 1 if accepted_while_closed or refused_while_open else 0


# THE SAME LEADS AT ONCE


def contention(args):
    """Eight clients move the same three leads at once, through both servers, to targets taken
    in turn (allowed from some of the stages the leads will be in, refused from others), while
    another session holds one lead's row lock for three seconds. Every answer is a move, a
    refusal that names the lead, or nothing at all; the history is checked afterwards."""
    import psycopg2

    plan = read_json(args.keys)
    servers, stages = args.servers.split(","), plan["stages"]
    setters = [user for user in plan["users"].values() if user["role"] == "setter"]
    leads = plan["users"]["admin"]["leads"][-3:]
    with psycopg2.connect(args.dsn) as connection, connection.cursor() as cursor:
        cursor.execute("SELECT id, name FROM crm_lead WHERE id = ANY(%s)", (leads,))
        names = dict(cursor.fetchall())
    targets = [stages[1], stages[2], stages[7], stages[1], stages[3]]
    answers = []

    def mover(index):
        client = Client(setters[index % len(setters)], servers[index % 2 :] + servers[: index % 2], plan["db"])
        for step in range(6):
            lead = leads[(index + step) % 3]
            status, answer = client.call(
                "crm.lead", "write", ids=[lead], vals={"stage_id": targets[(index + step) % 5]}
            )
            answers.append((lead, status, answer))

    def holder():
        connection = psycopg2.connect(args.dsn)
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM crm_lead WHERE id = %s FOR UPDATE", (leads[0],))
            time.sleep(3)
        connection.rollback()
        connection.close()

    threads = [threading.Thread(target=holder)] + [threading.Thread(target=mover, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refusals = [(lead, answer) for lead, status, answer in answers if status == 422]
    unexplained = [
        (lead, status, str(answer)[:200])
        for lead, status, answer in answers
        if status != 200 and not (status == 422 and names[lead] in str(answer.get("message")))
    ]
    result = {
        "calls": len(answers),
        "accepted": sum(status == 200 for _lead, status, _answer in answers),
        "refused, naming the lead": len(refusals) - sum(status == 422 for _lead, status, _answer in unexplained),
        "other answers": len(unexplained),
    }
    print(f"same three leads, eight clients: {json.dumps(result)}")
    for finding in unexplained[:5]:
        print("  unexplained:", finding)
    return 1 if unexplained else 0


# ONE PERSON'S INQUIRIES AT ONCE


def inquiries(args):
    """One person sends six inquiries at the same moment under six submission ids, in three
    spellings of one mobile number (a double click, a form tool retrying under a new id, the
    page firing too), through both servers' webhooks: one lead, created once, added to five times."""
    plan = read_json(args.keys)
    servers, intake = args.servers.split(","), plan["intake"]
    number = f"{int(time.time()) % 100000000:08d}"
    spellings = (f"0151 {number}", f"+49 151 {number}", f"0049-151-{number}")
    started = threading.Barrier(6)
    answers = []

    def send(index):
        body = {
            "first_name": "Rita",
            "last_name": "Rennen",
            "phone": spellings[index % 3],
            "external_id": f"{number}-{index}",
        }
        headers = {"Authorization": f"Bearer {intake['token']}", "X-Odoo-Database": plan["db"]}
        started.wait()
        url = f"{servers[index % 2]}/crm_deal_phases/inquiry/{intake['code']}"
        response = requests.post(url, json=body, headers=headers, timeout=120)
        answers.append((response.status_code, response.json() if response.content else None))

    threads = [threading.Thread(target=send, args=(index,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _answer in answers)
    leads = {answer.get("lead_id") for _status, answer in answers if isinstance(answer, dict) and answer.get("lead_id")}
    result = {"answers": statuses, "leads": len(leads)}
    refusals = [answer for status, answer in answers if status >= 400]
    if refusals:
        result["refusals"] = refusals
    print(f"one person, six inquiries at once through both servers: {json.dumps(result)}")
    return 0 if statuses == [200] * 5 + [201] and len(leads) == 1 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("setup")
    command.add_argument("config")
    command.add_argument("--db", required=True)
    command.add_argument("--addon", action="store_true")
    command.add_argument("--leads", type=int, default=20000)
    command.add_argument("--users", default="4,2,2")
    command.add_argument("--out", required=True)
    command = commands.add_parser("run")
    command.add_argument("--keys", required=True, action="append", help="one per flavour, its --servers and --json")
    command.add_argument("--servers", required=True, action="append")
    command.add_argument("--duration", type=float, default=60, help="measured seconds per flavour, all turns")
    command.add_argument("--warmup", type=float, default=10)
    command.add_argument("--turns", type=int, default=1)
    command.add_argument("--json", required=True, action="append")
    command = commands.add_parser("check")
    command.add_argument("config")
    command.add_argument("--db", required=True)
    command.add_argument("--moves", required=True)
    command = commands.add_parser("window")
    command.add_argument("keys")
    command.add_argument("--servers", required=True)
    command.add_argument("--trials", type=int, default=6)
    command.add_argument("--part", type=int, choices=(0, 1), default=0, help="which half of the leads it moves")
    command.add_argument("--json", required=True)
    command = commands.add_parser("contention")
    command.add_argument("keys")
    command.add_argument("--servers", required=True)
    command.add_argument("--dsn", required=True, help="the primary, for the session that holds a row lock")
    command = commands.add_parser("inquiries")
    command.add_argument("keys")
    command.add_argument("--servers", required=True)
    args = parser.parse_args()
    commands = {
        "setup": setup,
        "run": run,
        "check": check,
        "window": window,
        "contention": contention,
        "inquiries": inquiries,
    }
    sys.exit(commands[args.command](args) or 0)


if __name__ == "__main__":
    main()
