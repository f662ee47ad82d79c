#!/usr/bin/env python3
"""Benchmark: crm_deal_phases against stock crm on the same data, in the same run.

    python3 tools/bench.py ODOO_CONFIG --leads 20000 --json OUT.json [--repeat 5]

Expects two databases on the configured server: bench_stock (crm only) and bench_addon
(crm_deal_phases), both without demo data (tools/bench.sh makes them). Fills both with the
same N leads spread over eight stages (bulk SQL, not lead by lead), then measures each
figure several times, the two databases taking turns, rolls every change back, and prints
one table: figure, stock, addon, ratio, goal, met?
"""

import argparse
import gc
import json
import statistics
import time

import psycopg2

import odoo
from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry
from odoo.tools import SQL

PHASES = ["inquiry", "follow_up", "qualified", "first_meeting", "second_meeting", "sold", "not_sold", "unqualified"]
LIST_FIELDS = {
    "follow_up": (
        [("deal_phase", "=", "follow_up")],
        "last_call_date asc nulls first, date_last_stage_update asc",
        ["name", "contact_name", "phone", "setter_id", "call_count", "last_call_date", "strike_count"],
    ),
    "qualified": (
        [("deal_phase", "=", "qualified")],
        "date_last_stage_update asc",
        ["name", "contact_name", "phone", "setter_id", "closer_id", "last_call_date"],
    ),
    "closer_follow_up": (
        [("deal_phase", "=", "not_sold")],
        "date_last_stage_update desc",
        ["name", "contact_name", "phone", "closer_id", "lost_reason_id", "date_last_stage_update"],
    ),
}
STOCK_PIPELINE = ([("type", "=", "opportunity")], None, ["name", "contact_name", "phone", "user_id", "stage_id"])


def timed(function, repeat):
    """Run function repeat times; function returns the seconds of its measured part."""
    times = []
    for _ in range(repeat):
        gc.collect()
        times.append(function())
    return summary(times)


def summary(times):
    return {"median": statistics.median(times), "spread": max(times) - min(times), "runs": times}


def stopwatch(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(benches, figure, repeat):
    """Measure figure on every bench in turn, repetition by repetition, so both databases
    meet the same machine load (a 2-core machine drifts more between runs than within
    one); the first round warms the caches and is not counted."""
    for bench in benches:
        bench.vacuum()
    measures = [getattr(bench, figure)() for bench in benches]
    times = [[] for _ in benches]
    for round_ in range(repeat + 1):
        for measure, bench_times in zip(measures, times, strict=True):
            gc.collect()
            elapsed = measure()
            if round_:
                bench_times.append(elapsed)
    for bench in benches:
        bench.cr.rollback()
        bench.env.invalidate_all()
    return [summary(bench_times) for bench_times in times]


class Bench:
    def __init__(self, dbname, with_addon, leads, repeat):
        self.registry = Registry(dbname)
        self.with_addon = with_addon
        self.leads = leads
        self.repeat = repeat

    def open(self):
        self.cr = self.registry.cursor()
        self.env = api.Environment(self.cr, SUPERUSER_ID, {"lang": "en_US", "tracking_disable": True})
        self.stages = self.stage_ids()
        self.populate()
        self.cr.commit()
        return self

    def close(self):
        self.cr.rollback()
        self.cr.close()

    def vacuum(self):
        """Every measured write is rolled back and leaves dead rows behind: clear them
        before each figure, so no figure pays for the previous one (or for autovacuum)."""
        _dbname, info = sql_db.connection_info_for(self.registry.db_name)
        tables = "crm_lead, crm_deal_phase_log" if self.with_addon else "crm_lead"
        connection = psycopg2.connect(**info)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {tables}")
        finally:
            connection.close()

    def stage_ids(self):
        Stage = self.env["crm.stage"]
        if self.with_addon:
            return [self.env.ref(f"crm_deal_phases.stage_{phase}").id for phase in PHASES]
        stages = Stage.search([("name", "like", "Bench %")], order="sequence")
        if not stages:
            stages = Stage.create([{"name": f"Bench {phase}", "sequence": 100 + i} for i, phase in enumerate(PHASES)])
        return stages.ids

    def populate(self):
        """N leads over the eight stages, the same in both databases, in one INSERT."""
        Lead = self.env["crm.lead"]
        if Lead.search_count([("name", "=like", "Bench lead %")]) >= self.leads:
            return
        extra_columns = ""
        extra_values = ""
        if self.with_addon:
            extra_columns = """, contact_firstname, contact_lastname, is_inquiry_complete, is_gold_standard,
                lost_reason_id, ko_reason_id"""
            lost = self.env.ref("crm_deal_phases.lost_reason_no_budget").id
            ko = self.env.ref("crm_deal_phases.ko_reason_wrong_industry").id
            extra_values = f""", 'Erika', 'Muster ' || n, TRUE, TRUE, {lost}, {ko}"""
        stages = "ARRAY[" + ",".join(map(str, self.stages)) + "]"
        team = self.env.ref("sales_team.team_sales_department").id
        company = self.env.company.id
        self.cr.execute(
            SQL(
                f"""
            INSERT INTO crm_lead (name, type, stage_id, team_id, company_id, user_id, active, probability,
                                  automated_probability, priority, contact_name, phone, email_from,
                                  date_last_stage_update, create_date, write_date, create_uid, write_uid
                                  {extra_columns})
            SELECT 'Bench lead ' || n, 'opportunity', ({stages})[1 + mod(n, 8)], {team}, {company}, 2, TRUE, 10,
                   10, '0', 'Erika Muster ' || n, '+49 170 ' || n, 'lead' || n || '@example.com',
                   now() - mod(n, 90) * interval '1 day', now(), now(), 1, 1
                   {extra_values}
              FROM generate_series(1, {self.leads}) AS n
                """
            )
        )
        if self.with_addon:
            criteria = self.env["crm.qualification.criterion"].search([]).ids
            self.cr.execute(
                SQL(
                    """
                INSERT INTO crm_lead_qualification_criterion_rel (lead_id, criterion_id)
                SELECT lead.id, criterion FROM crm_lead lead, unnest(%s::int[]) criterion
                 WHERE lead.name LIKE 'Bench lead %%'
                    """,
                    criteria,
                )
            )
            self.cr.execute(
                SQL("UPDATE crm_lead SET last_call_date = now() - mod(id, 30) * interval '1 day' WHERE mod(id, 3) = 0")
            )
        self.cr.execute(SQL("ANALYZE crm_lead"))

    def leads_in_first_stage(self, limit, env=None):
        env = env or self.env
        return env["crm.lead"].search([("stage_id", "=", self.stages[0])], limit=limit, order="id")

    def move(self, leads):
        leads.write({"stage_id": self.stages[1]})
        self.env.flush_all()

    def rolled_back(self, measured):
        """Run measured inside a savepoint that is rolled back; return its seconds."""
        savepoint = self.cr.savepoint()
        elapsed = stopwatch(measured)
        savepoint.close(rollback=True)
        self.env.invalidate_all()
        return elapsed

    # Each figure returns a function that runs it once and returns the measured seconds.

    def as_request(self, moves):
        """Run moves as a user's request does: tracking on, and flushed with the precommit
        hooks (where stock crm writes its stage tracking) as before a commit; inside a
        savepoint rolled back afterwards. Returns the seconds of moves."""
        env = self.env(context={"lang": "en_US"})

        def once():
            savepoint = self.cr.savepoint(flush=False)
            elapsed = stopwatch(lambda: moves(env))
            savepoint.close(rollback=True)
            self.cr.clear()
            self.env.invalidate_all()
            return elapsed

        return once

    def batch_move(self):
        """A mass edit of 1,000 leads from the list: one write."""

        def moves(env):
            self.leads_in_first_stage(1000, env).write({"stage_id": self.stages[1]})
            self.cr.flush()

        return self.as_request(moves)

    def single_moves(self):
        """What drag and drop does: one write (and one request) per lead."""

        def moves(env):
            for lead in self.leads_in_first_stage(500, env):
                lead.write({"stage_id": self.stages[1]})
                self.cr.flush()

        return self.as_request(moves)

    # The same writes with stock crm's tracking switched off: the bare ORM write, against
    # which the phase log's extra statement weighs the most. Stricter than the goals.

    def batch_move_untracked(self):
        def once():
            leads = self.leads_in_first_stage(1000)
            return self.rolled_back(lambda: self.move(leads))

        return once

    def single_writes_untracked(self):
        def once():
            leads = self.leads_in_first_stage(500)

            def moves():
                for lead in leads:
                    self.move(lead)

            return self.rolled_back(moves)

        return once

    def kanban(self):
        def once():
            elapsed = stopwatch(
                lambda: self.env["crm.lead"].web_read_group(
                    [("type", "=", "opportunity")], ["stage_id"], ["expected_revenue:sum"]
                )
            )
            self.env.invalidate_all()
            return elapsed

        return once

    def query_counts(self):
        counts = {}
        self.rolled_back(lambda: self.move(self.leads_in_first_stage(2)))  # warm the caches
        for size in (1, 100, 1000):
            leads = self.leads_in_first_stage(size)
            leads.mapped("stage_id")
            savepoint = self.cr.savepoint()
            before = self.cr.sql_log_count
            self.move(leads)
            counts[size] = self.cr.sql_log_count - before
            savepoint.close(rollback=True)
            self.env.invalidate_all()
        return counts

    def lists(self):
        Lead = self.env["crm.lead"]
        results = {}
        lists = dict(LIST_FIELDS) if self.with_addon else {}
        lists["stock_pipeline"] = STOCK_PIPELINE
        for name, (domain, order, fields) in lists.items():
            spec = {field: {} for field in fields}

            def first_page(domain=domain, order=order, spec=spec):
                def read():
                    Lead.web_search_read(domain, spec, limit=80, order=order)
                    Lead.search_count(domain)

                elapsed = stopwatch(read)
                self.env.invalidate_all()
                return elapsed

            first_page()
            query = Lead._search(domain, order=order, limit=80)
            self.cr.execute(SQL("EXPLAIN %s", query.select()))
            plan = "\n".join(row[0] for row in self.cr.fetchall())
            results[name] = {**timed(first_page, self.repeat), "plan_uses_index": "Index" in plan, "plan": plan}

        return results

    def import_leads(self):
        stage_id = str(self.stages[0])
        rows = [[f"Imported {i}", "Ida", f"Import {i}", f"+49 160 {i}", stage_id] for i in range(5000)]
        fields = ["name", "contact_firstname", "contact_lastname", "phone", "stage_id/.id"]
        if not self.with_addon:
            rows = [[row[0], f"{row[1]} {row[2]}", row[3], row[4]] for row in rows]
            fields = ["name", "contact_name", "phone", "stage_id/.id"]

        def load():
            result = self.env["crm.lead"].load(fields, rows)
            assert result["ids"] and len(result["ids"]) == 5000, result["messages"][:3]

        return lambda: self.rolled_back(load)


GOALS = [
    ("batch move of 1,000 leads (mass edit)", "batch_move_1000", "ratio <= 1.10", 1.10),
    ("500 single moves (drag and drop)", "single_moves_500", "ratio <= 1.15", 1.15),
    ("import of 5,000 leads", "import_5000", "ratio <= 1.20", 1.20),
    ("kanban grouped by stage", "kanban_by_stage", "ratio <= 2", 2.0),
    ("batch move, tracking off", "batch_move_1000_untracked", "ratio <= 1.10 (stricter)", 1.10),
    ("500 single writes, tracking off", "single_writes_500_untracked", "ratio <= 1.15 (stricter)", 1.15),
]


def report(stock, addon, leads):
    rows = []
    for label, key, goal, limit in GOALS:
        stock_value, addon_value = stock[key]["median"], addon[key]["median"]
        ratio = addon_value / stock_value
        rows.append((label, f"{stock_value:.3f}s", f"{addon_value:.3f}s", f"{ratio:.2f}", goal, ratio <= limit))
    for size in (1, 100, 1000):
        extra = addon["queries"][size] - stock["queries"][size]
        rows.append(
            (
                f"queries of a phase change ({size} leads)",
                stock["queries"][size],
                addon["queries"][size],
                f"+{extra}",
                "<= +3",
                extra <= 3,
            )
        )
    pipeline = addon["lists"]["stock_pipeline"]["median"]
    for name in LIST_FIELDS:
        value = addon["lists"][name]["median"]
        ratio = value / pipeline
        rows.append(
            (
                f"{name} list, first page + count",
                f"{pipeline:.3f}s",
                f"{value:.3f}s",
                f"{ratio:.2f}",
                "<= 2x stock pipeline list, index used",
                ratio <= 2 and addon["lists"][name]["plan_uses_index"],
            )
        )
    header = ("figure", "stock", "addon", "ratio", "goal", "met?")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = [f"benchmark: {leads} leads"]
    for row in [header, *rows]:
        lines.append(" | ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
    print("\n".join(lines))
    return [dict(zip(header, row, strict=True)) for row in rows]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("--leads", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", required=True)
    args = parser.parse_args()
    odoo.tools.config.parse_config(["-c", args.config, "--log-level=warn"])
    benches = [
        Bench("bench_stock", False, args.leads, args.repeat).open(),
        Bench("bench_addon", True, args.leads, args.repeat).open(),
    ]
    stock, addon = ({"queries": bench.query_counts(), "lists": bench.lists()} for bench in benches)
    # the cheap figures get more rounds: on a small machine their spread is the widest
    for figure, key, repeat in (
        ("batch_move", "batch_move_1000", 3 * args.repeat),
        ("single_moves", "single_moves_500", args.repeat),
        ("kanban", "kanban_by_stage", 3 * args.repeat),
        ("import_leads", "import_5000", max(2, args.repeat // 2)),
        ("batch_move_untracked", "batch_move_1000_untracked", 3 * args.repeat),
        ("single_writes_untracked", "single_writes_500_untracked", args.repeat),
    ):
        stock[key], addon[key] = interleaved(benches, figure, repeat)
    for bench in benches:
        bench.close()
    table = report(stock, addon, args.leads)
    with open(args.json, "w", encoding="utf-8") as output:
        json.dump({"leads": args.leads, "table": table, "stock": stock, "addon": addon}, output, indent=2, default=str)


if __name__ == "__main__":
    main()
