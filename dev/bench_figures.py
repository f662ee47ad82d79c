"""The benchmark's databases and figures (dev/bench.py runs them): one Bench per database,
each figure a function that runs once and returns the seconds of its measured part."""

import gc
import statistics
import time

import psycopg2
from bench_data import BenchData

from odoo import SUPERUSER_ID, api, sql_db
from odoo.addons.crm_deal_phases.models.deal_phase import FOLLOW_UP, NOT_SOLD, QUALIFIED
from odoo.modules.registry import Registry
from odoo.tools import SQL

LIST_FIELDS = {
    "follow_up": (
        [("deal_phase", "=", FOLLOW_UP)],
        "last_call_date asc, date_last_stage_update asc",
        ["name", "contact_name", "phone", "setter_id", "call_count", "last_call_date", "strike_count"],
    ),
    "qualified": (
        [("deal_phase", "=", QUALIFIED)],
        "date_last_stage_update asc",
        ["name", "contact_name", "phone", "setter_id", "closer_id", "last_call_date"],
    ),
    "closer_follow_up": (
        [("deal_phase", "=", NOT_SOLD)],
        "date_last_stage_update desc",
        ["name", "contact_name", "phone", "closer_id", "lost_reason_id", "date_last_stage_update"],
    ),
}
STOCK_PIPELINE = ([("type", "=", "opportunity")], None, ["name", "contact_name", "phone", "user_id", "stage_id"])
# The pivots as the web client asks them: the row, the column and both together.
PIPELINE_ANALYSIS = ("crm.lead", "create_date:month", "stage_id", ["prorated_revenue:sum", "__count"])
FUNNEL = (
    "crm.deal.funnel.report",
    "cohort_date:month",
    "phase",
    ["lead_count:sum", "cohort_share:sum", "step_share:sum"],
)


def summary(times):
    return {"median": statistics.median(times), "spread": max(times) - min(times), "runs": times}


def stopwatch(function):
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def interleaved(figures, repeat):
    """Measure each (bench, figure, args) in turn, round by round, so all of them meet the same
    machine load (a 2-core machine drifts more between runs than within one); the first round
    warms the caches and is not counted."""
    benches = list(dict.fromkeys(bench for bench, _figure, _args in figures))
    measures = [getattr(bench, figure)(*args) for bench, figure, args in figures]
    times = [[] for _ in figures]
    for round_ in range(repeat + 1):
        for (bench, _figure, _args), measure, bench_times in zip(figures, measures, times, strict=True):
            bench.vacuum()  # no round pays for the dead rows of the previous ones
            gc.collect()
            elapsed = measure()
            if round_:
                bench_times.append(elapsed)
    for bench in benches:
        bench.cr.rollback()
        bench.env.invalidate_all()
    return [summary(bench_times) for bench_times in times]


class Bench(BenchData):
    def __init__(self, dbname, with_addon, leads, repeat):
        self.registry = Registry(dbname)
        self.with_addon = with_addon
        self.leads = leads
        self.repeat = repeat

    def open(self):
        self.cr = self.registry.cursor()
        self.env = api.Environment(self.cr, SUPERUSER_ID, {"lang": "en_US", "tracking_disable": True})
        self.stages = self.stage_ids()
        self.seller = self.salesperson()
        if self.populate():
            self.cr.commit()
            # the addon's loader writes its columns in UPDATEs after the INSERT: two dead row
            # versions a lead, a table 2.7 times its width (1,850 pages against 678 at 20,000
            # leads) that every scan of the leads would pay for and stock's would not
            self.vacuum(full=True)
        self.cr.commit()
        return self

    def close(self):
        self.cr.rollback()
        self.cr.close()

    def vacuum(self, full=False):
        """Every measured write is rolled back and leaves dead rows behind: clear them before
        each round, so no round pays for the previous one (or for autovacuum). full: the
        tables rewritten packed, as after the data's load."""
        _dbname, info = sql_db.connection_info_for(self.registry.db_name)
        tables = "crm_lead, mail_message, mail_tracking_value, mail_followers, mail_activity"
        if self.with_addon:
            tables += ", crm_deal_phase_log, crm_deal_call, crm_deal_call_claim"
        connection = psycopg2.connect(**info)
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM {'FULL ' if full else ''}ANALYZE {tables}")
        finally:
            connection.close()

    def first_stage_ids(self, limit):
        self.cr.execute(
            SQL("SELECT id FROM crm_lead WHERE stage_id = %s AND active ORDER BY id LIMIT %s", self.stages[0], limit)
        )
        return [row[0] for row in self.cr.fetchall()]

    def as_salesperson(self, tracked):
        context = {"lang": "en_US"} if tracked else {"lang": "en_US", "tracking_disable": True}
        return self.env(user=self.seller.id, context=context)

    def rolled_back(self, measured):
        """measured inside a savepoint rolled back afterwards; its seconds."""
        savepoint = self.cr.savepoint(flush=False)
        elapsed = stopwatch(measured)
        savepoint.close(rollback=True)
        self.cr.clear()
        self.env.invalidate_all()
        return elapsed

    # Figures of the moves, as requests make them: from an empty ORM cache (as every RPC
    # call and every drag and drop starts), as a salesperson, flushed with the precommit hooks
    # (where stock crm writes its tracking) as before a commit; then rolled back.

    def cold_batch_move(self, tracked):
        """A mass edit of 1,000 leads from Inquiry received to Follow-up: one write."""

        def once():
            ids = self.first_stage_ids(1000)
            env = self.as_salesperson(tracked)

            def moves():
                env.invalidate_all()
                env["crm.lead"].browse(ids).write({"stage_id": self.stages[1]})
                env.flush_all()
                self.cr.precommit.run()

            return self.rolled_back(moves)

        return once

    def cold_single_moves(self, tracked):
        """200 drag and drops: one lead per write, each from an empty cache."""

        def once():
            ids = self.first_stage_ids(200)
            env = self.as_salesperson(tracked)

            def moves():
                for lead_id in ids:
                    env.invalidate_all()
                    env["crm.lead"].browse(lead_id).write({"stage_id": self.stages[1]})
                    env.flush_all()
                    self.cr.precommit.run()

            return self.rolled_back(moves)

        return once

    # Figures of a team off the deal phases (populate_off_phases): what the addon charges the
    # teams that do not use it, from an empty cache, tracking off (the addon's own part stands out).

    def off_phase_ids(self, limit):
        self.cr.execute(
            SQL(
                "SELECT id FROM crm_lead WHERE stage_id = %s AND active ORDER BY id LIMIT %s",
                self.off_pipeline[1][0],
                limit,
            )
        )
        return [row[0] for row in self.cr.fetchall()]

    def off_moves(self, batch):
        """batch: 1,000 leads of the team off the phases moved in one write; else 200 moved
        one per write, each from an empty cache."""

        def once():
            ids = self.off_phase_ids(1000 if batch else 200)
            env = self.as_salesperson(False)
            target = self.off_pipeline[1][1]

            def moves():
                for chunk in [ids] if batch else [[lead_id] for lead_id in ids]:
                    env.invalidate_all()
                    env["crm.lead"].browse(chunk).write({"stage_id": target})
                    env.flush_all()
                    self.cr.precommit.run()

            return self.rolled_back(moves)

        return once

    def off_creates(self, batch):
        """batch: 1,000 leads of the team off the phases created in one call; else 200
        created one per call, each from an empty cache."""
        team, stages = self.off_pipeline
        vals_list = [
            {
                "name": f"Created off {i}",
                "type": "opportunity",
                "team_id": team,
                "stage_id": stages[0],
                "contact_name": f"Olga Neu {i}",
                "phone": f"+49 172 {i}",
                "email_from": f"new{i}@example.com",
            }
            for i in range(1000 if batch else 200)
        ]

        def once():
            env = self.as_salesperson(False)

            def creates():
                for chunk in [vals_list] if batch else [[vals] for vals in vals_list]:
                    env.invalidate_all()
                    env["crm.lead"].create(chunk)
                    env.flush_all()
                    self.cr.precommit.run()

            return self.rolled_back(creates)

        return once

    def kanban(self):
        Lead = self.env["crm.lead"]
        return lambda: self.rolled_back(
            lambda: Lead.web_read_group([("type", "=", "opportunity")], ["stage_id"], ["expected_revenue:sum"])
        )

    def pivot(self, spec):
        """A pivot opened by the web client: its four grouping sets in one call."""
        model, rows, cols, measures = spec
        Model = self.env[model]
        sets = [[], [rows], [cols], [rows, cols]]
        return lambda: self.rolled_back(lambda: Model.formatted_read_grouping_sets([], sets, measures))

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

    # Figures of the calling session (addon) and of crm's own closest step (stock).

    def next_lead(self):
        """Start calling: the next lead of the queue, claimed for the salesperson."""
        from odoo.addons.crm_deal_phases.models.crm_lead_call_queue import CALLING_PHASES

        env = self.as_salesperson(False)

        def claim():
            env.invalidate_all()
            assert env["crm.lead"]._claim_next_lead(list(CALLING_PHASES)), "the queue is empty"

        return lambda: self.rolled_back(claim)

    def call_outcome(self):
        """One call done and the next one on screen: in the addon, an outcome logged in a calling
        session and the next lead claimed; in stock crm, a call activity marked done (its
        feedback posted) - the step a stock setter takes per call."""
        env = self.as_salesperson(True)
        if self.with_addon:
            from odoo.addons.crm_deal_phases.models.crm_lead_call_queue import CALLING_PHASES

            session = env["crm.deal.call.session"].create({"phases": ",".join(CALLING_PHASES)})
            session._action_next()
            self.cr.commit()

            def step():
                env.invalidate_all()
                session.action_no_answer()
                env.flush_all()
                self.cr.precommit.run()

        else:
            lead = env["crm.lead"].browse(self.first_stage_ids(1))
            activity = lead.activity_schedule("mail.mail_activity_data_call", user_id=self.seller.id)
            self.cr.commit()

            def step():
                env.invalidate_all()
                activity.with_env(env).action_feedback(feedback="Not reached")
                env.flush_all()
                self.cr.precommit.run()

        return lambda: self.rolled_back(step)

    def query_counts(self):
        """Queries of one cold phase change as the salesperson, for 1, 100 and 1,000 leads."""
        counts = {}
        env = self.as_salesperson(False)
        self.rolled_back(lambda: env["crm.lead"].browse(self.first_stage_ids(2)).write({"stage_id": self.stages[1]}))
        for size in (1, 100, 1000):
            ids = self.first_stage_ids(size)
            env.invalidate_all()
            savepoint = self.cr.savepoint(flush=False)
            before = self.cr.sql_log_count
            env["crm.lead"].browse(ids).write({"stage_id": self.stages[1]})
            env.flush_all()
            counts[size] = self.cr.sql_log_count - before
            savepoint.close(rollback=True)
            self.env.invalidate_all()
        return counts

    def explain(self, model, domain, order=None, limit=None):
        query = self.env[model]._search(domain, order=order, limit=limit)
        self.cr.execute(SQL("EXPLAIN %s", query.select()))
        return "\n".join(row[0] for row in self.cr.fetchall())

    def list_page(self, name):
        """A list's first page and its count, as the web client opens it."""
        domain, order, fields = LIST_FIELDS.get(name) or STOCK_PIPELINE
        spec = {field: {} for field in fields}
        Lead = self.env["crm.lead"]

        def read():
            Lead.web_search_read(domain, spec, limit=80, order=order)
            Lead.search_count(domain)

        return lambda: self.rolled_back(read)

    def lists(self):
        results = {}
        names = [*LIST_FIELDS, "stock_pipeline"] if self.with_addon else ["stock_pipeline"]
        for name in names:
            domain, order, _fields = LIST_FIELDS.get(name) or STOCK_PIPELINE
            first_page = self.list_page(name)
            first_page()
            plan = self.explain("crm.lead", domain, order, 80)
            times = [first_page() for _ in range(self.repeat)]
            results[name] = {**summary(times), "plan_uses_index": "Index" in plan, "plan": plan}
        if self.with_addon:
            from odoo.addons.crm_deal_phases.report.crm_deal_funnel_report import ONE_ROW_PER_LEAD

            # the pivot's read: each lead once, as crm's pipeline analysis reads them, never the history
            token = ONE_ROW_PER_LEAD.set(True)
            try:
                plan = self.explain("crm.deal.funnel.report", [])
            finally:
                ONE_ROW_PER_LEAD.reset(token)
            results["funnel_plan"] = {"plan": plan, "reads_history": "crm_deal_phase_log" in plan}
        return results
