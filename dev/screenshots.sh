#!/usr/bin/env bash
# Regenerates static/description/screenshot_*.png: a throw-away cluster and database with the
# demo data, Odoo in the background, headless Chromium taking the pictures.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_odoo
"$PYTHON" -c 'import playwright' 2>/dev/null ||
    "$PYTHON" -m pip install -q --disable-pip-version-check -r "$ADDON_DIR/requirements-dev.txt" >&2
WORK=$(mktemp -d /tmp/crm_deal_phases_shots.XXXXXX)
ODOO_PID=
cleanup() { [ -n "$ODOO_PID" ] && kill "$ODOO_PID" 2>/dev/null; wait 2>/dev/null; stop_cluster; rm -rf "$WORK"; }
trap cleanup EXIT
start_cluster "$WORK/pg" "${PG_SHOTS_PORT:-54327}"
make_addons_dir "$WORK/addons"
write_odoo_config "$WORK/odoo.conf" "$WORK/addons" shots
odoo_cmd -c "$WORK/odoo.conf" -d shots -i "$ADDON_NAME" --with-demo --load-language=de_DE --stop-after-init --log-level=warn
PORT=${ODOO_SHOTS_PORT:-18070}
"$PYTHON" -m odoo -c "$WORK/odoo.conf" -d shots --http-port="$PORT" --log-level=warn >"$WORK/odoo.log" 2>&1 &
ODOO_PID=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/web/login" >/dev/null && break; sleep 1; done
"$PYTHON" "$ADDON_DIR/dev/screenshots.py" "http://127.0.0.1:$PORT" "$ADDON_DIR/static/description" "$@"
