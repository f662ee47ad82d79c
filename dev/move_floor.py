#!/usr/bin/env python3
"""Where a cold single move's time over stock goes, by switching the addon's parts off one at
a time (a development tool; `BENCH_FLOOR=1 ./dev/bench.sh ...` runs it on the benchmark's
fresh databases after the table):

    python3 dev/move_floor.py ODOO_CONFIG STOCK_DB ADDON_DB [--rounds R] [--batch] [--variants V ...]

Each round moves 200 leads Inquiry received -> Follow-up one write at a time, from an empty
ORM cache, flushed with the precommit hooks and rolled back, stock and addon move by move in
turn; the figure is the median of every move of every round but the first (a warm-up), so a
burst of the machine's noise moves a few samples, not the result. The variants replace the
addon's methods in this process only (no context key, nothing a client reaches):

- as built: the addon as it runs;
- no history: no history row and no funnel bit (what any design of the history could save);
- rules off: the phase rules not applied at all (`_phase_rules_apply` false), so what is left
  is the addon's schema: its stored computes on the stage, the wider row and its indexes.

With --batch, each round is one move of 1,000 leads instead (give it more rounds).
"""

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

from odoo.tools import config as odoo_config

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _no_op(_self, *_args, **_kwargs):
    return None


def _unchecked(_self, vals, creating=False, governed=True):
    return vals


VARIANTS = {
    "as built": {},
    "no history": {"_log_phase_changes": _no_op},
    "rules off": {"_phase_rules_apply": lambda _self, _vals: False, "_checked_values": _unchecked},
}


def timed_move(bench, env, lead_id):
    env.invalidate_all()
    start = time.perf_counter()
    env["crm.lead"].browse(lead_id).write({"stage_id": bench.stages[1]})
    env.flush_all()
    bench.cr.precommit.run()
    return time.perf_counter() - start


def paired_moves(stock, addon, rounds, batch):
    """(stock, addon) median seconds of one cold move (batch: of one move of 1,000 leads)."""
    stock_times, addon_times = [], []
    for round_ in range(rounds + 1):
        stock.vacuum()
        addon.vacuum()
        gc.collect()
        envs = (stock.as_salesperson(False), addon.as_salesperson(False))
        savepoints = (stock.cr.savepoint(flush=False), addon.cr.savepoint(flush=False))
        size = 1000 if batch else 200
        stock_ids, addon_ids = stock.first_stage_ids(size), addon.first_stage_ids(size)
        pairs = [(stock_ids, addon_ids)] if batch else zip(stock_ids, addon_ids, strict=True)
        for stock_lead, addon_lead in pairs:
            stock_time = timed_move(stock, envs[0], stock_lead)
            addon_time = timed_move(addon, envs[1], addon_lead)
            if round_:
                stock_times.append(stock_time)
                addon_times.append(addon_time)
        for bench, savepoint in zip((stock, addon), savepoints, strict=True):
            savepoint.close(rollback=True)
            bench.cr.clear()
            bench.env.invalidate_all()
    return statistics.median(stock_times), statistics.median(addon_times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("config")
    parser.add_argument("stock_db")
    parser.add_argument("addon_db")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", action="store_true", help="a move of 1,000 leads per round instead")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    odoo_config.parse_config(["-c", args.config])
    # imported once the configuration has given Odoo its addons path
    from bench_figures import Bench

    stock = Bench(args.stock_db, False, 0, args.rounds).open()
    addon = Bench(args.addon_db, True, 0, args.rounds).open()
    lead_model = type(addon.env["crm.lead"])
    what = "batch move of 1,000 leads" if args.batch else "single move"
    print(f"cold {what}, tracking off, median of every move (ms): stock / addon = ratio")
    for name in args.variants:
        replaced = {method: lead_model.__dict__.get(method) for method in VARIANTS[name]}
        for method, function in VARIANTS[name].items():
            setattr(lead_model, method, function)
        try:
            stock_time, addon_time = paired_moves(stock, addon, args.rounds, args.batch)
        finally:
            for method, function in replaced.items():
                if function is None:
                    delattr(lead_model, method)
                else:
                    setattr(lead_model, method, function)
        print(f"  {name:<11} {stock_time * 1000:7.3f} / {addon_time * 1000:7.3f} = {addon_time / stock_time:.3f}")
    stock.close()
    addon.close()


if __name__ == "__main__":
    main()
