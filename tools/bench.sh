#!/usr/bin/env bash
# The benchmark against stock crm (not part of the test command):
#   ./tools/bench.sh [--leads N] [--repeat R] --json OUT.json
#   (then the intake over HTTP: BENCH_INTAKE_LEADS, default 200000; BENCH_INTAKE=0 skips it)
# Builds two databases on a throw-away private cluster, one with crm only and one with
# crm_deal_phases, fills both with the same leads and prints the comparison table.
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
"$PYTHON" "$ADDON_DIR/tools/bench.py" "$WORK/odoo.conf" "$@"
# the front door over HTTP (BENCH_INTAKE=0 skips it): the same leads, servers in prefork
if [ "${BENCH_INTAKE:-1}" = 1 ]; then
    "$PYTHON" "$ADDON_DIR/tools/bench_intake.py" "$WORK/odoo.conf" --leads "${BENCH_INTAKE_LEADS:-200000}" \
        --json "${BENCH_INTAKE_JSON:-$WORK/intake.json}"
fi
