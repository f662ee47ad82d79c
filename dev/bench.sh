#!/usr/bin/env bash
# The benchmark against stock crm (not part of the test command):
#   ./dev/bench.sh [--leads N] [--repeat R] [--cold-leads M] --json OUT.json
#   (then the booking link over HTTP: dev/bench_booking.py, BENCH_BOOKING=0 skips it;
#   then the intake over HTTP: BENCH_INTAKE_LEADS, default 200000; BENCH_INTAKE=0 skips it;
#   BENCH_FLOOR=1 adds dev/move_floor.py, the cold single move with the addon's parts off)
# Builds two databases on a throw-away private cluster, one with crm only and one with
# crm_deal_phases, fills both with the same leads and prints the comparison table; the cold
# moves also on two copies with M leads (3,000 by default), where the addon's own cost stands out.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_odoo
WORK=$(mktemp -d /tmp/crm_deal_phases_bench.XXXXXX)
cleanup() { stop_cluster; rm -rf "$WORK"; }
trap cleanup EXIT
start_cluster "$WORK/pg" "${PG_BENCH_PORT:-54326}"
make_addons_dir "$WORK/addons"
write_odoo_config "$WORK/odoo.conf" "$WORK/addons" bench_addon
say "installing crm (bench_stock) and crm_deal_phases (bench_addon)"
odoo_cmd -c "$WORK/odoo.conf" -d bench_stock -i crm --stop-after-init --log-level=warn
odoo_cmd -c "$WORK/odoo.conf" -d bench_addon -i "$ADDON_NAME" --stop-after-init --log-level=warn
# the cold moves also at a smaller size (bench.py --cold-leads, 3,000 by default): copies of both
for db in bench_stock bench_addon; do
    "$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U odoo -d postgres -qc "CREATE DATABASE ${db}_cold TEMPLATE $db"
done
"$PYTHON" "$ADDON_DIR/dev/bench.py" "$WORK/odoo.conf" "$@"
# where a cold single move's time goes, the addon's parts switched off in turn (BENCH_FLOOR=1)
if [ "${BENCH_FLOOR:-0}" = 1 ]; then
    "$PYTHON" "$ADDON_DIR/dev/move_floor.py" "$WORK/odoo.conf" bench_stock bench_addon
    "$PYTHON" "$ADDON_DIR/dev/move_floor.py" "$WORK/odoo.conf" bench_stock bench_addon --batch --rounds 15
fi
# the booking link over HTTP (BENCH_BOOKING=0 skips it): 10 closers' free slots of 14 days with
# 5,000 events (p95 <= 150 ms), and booking a slot against the inquiry page's submit (<= 1.5x)
if [ "${BENCH_BOOKING:-1}" = 1 ]; then
    "$PYTHON" "$ADDON_DIR/dev/bench_booking.py" "$WORK/odoo.conf" --leads "${BENCH_BOOKING_LEADS:-20000}" \
        --json "${BENCH_BOOKING_JSON:-$WORK/booking.json}"
fi
# the front door over HTTP (BENCH_INTAKE=0 skips it): the same leads, servers in prefork
if [ "${BENCH_INTAKE:-1}" = 1 ]; then
    "$PYTHON" "$ADDON_DIR/dev/bench_intake.py" "$WORK/odoo.conf" --leads "${BENCH_INTAKE_LEADS:-200000}" \
        --json "${BENCH_INTAKE_JSON:-$WORK/intake.json}"
fi
