#!/usr/bin/env bash
# Runs the addon: a private PostgreSQL cluster kept in STATE_DIR/run/ (~/.cache/crm_deal_phases/run,
# outside the addon) between runs, a database with
# Odoo's demo data and the addon installed (German loaded), Odoo serving on
# http://127.0.0.1:8069 (login admin / admin). Ctrl-C stops Odoo and the cluster.
set -euo pipefail
source "$(dirname "$0")/../dev/common.sh"

ensure_odoo
LOCAL=$STATE_DIR/run
DB=${DB:-crm_deal_phases}
mkdir -p "$LOCAL"
trap stop_cluster EXIT
trap 'exit 130' INT TERM
start_cluster "$LOCAL/pg" "${PG_RUN_PORT:-54328}"
make_addons_dir "$LOCAL/addons"
CONF=$LOCAL/odoo.conf
write_odoo_config "$CONF" "$LOCAL/addons" "$DB"

installed=$("$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U odoo -d "$DB" -tAc \
    "SELECT 1 FROM ir_module_module WHERE name = '$ADDON_NAME' AND state = 'installed'" 2>/dev/null || true)
if [ "$installed" = 1 ]; then
    say "updating $ADDON_NAME in database $DB"
    odoo_cmd -c "$CONF" -d "$DB" -u "$ADDON_NAME" --stop-after-init --log-level=warn
else
    say "creating database $DB with demo data and $ADDON_NAME (German loaded)"
    odoo_cmd -c "$CONF" -d "$DB" -i "$ADDON_NAME" --with-demo --load-language=de_DE --stop-after-init --log-level=warn
fi
say "Odoo on http://127.0.0.1:8069 (admin / admin); Ctrl-C stops it"
odoo_cmd -c "$CONF" -d "$DB" --http-interface=127.0.0.1 --http-port="${ODOO_PORT:-8069}" "$@"
