#!/usr/bin/env bash
# The whole test suite on a private, throw-away PostgreSQL cluster:
#   1. a fresh database with Odoo's demo data, the addon installed with German loaded;
#      Odoo's own runner (--test-enable, as Odoo.sh and OCA CI run it) on a second fresh database
#      without demo data;
#      then an upgrade (-u) and an uninstall of the addon on that database (tools/check_lifecycle.py);
#   2. ruff on the addon's Python;
#   3. pytest-odoo over tests/ (its closing "N passed" line is the verdict).
# Exits non-zero on any failure; the cluster and its data are removed on exit.
set -euo pipefail
source "$(dirname "$0")/common.sh"

require_odoo
find_pg_bin
"$PYTHON" -c 'import pytest_odoo, hypothesis, websocket' 2>/dev/null || {
    say "installing the test requirements (requirements-test.txt)"
    "$PYTHON" -m pip install -q --disable-pip-version-check -r "$ADDON_DIR/requirements-test.txt" >&2 ||
        die "could not install requirements-test.txt"
}
"$PYTHON" -m ruff --version >/dev/null 2>&1 ||
    "$PYTHON" -m pip install -q --disable-pip-version-check -r "$ADDON_DIR/requirements-test.txt" >&2

# The board is tested in headless Chromium (Odoo tours); Odoo would skip those tests without it.
if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian's chromium for the browser tests"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >&2 ||
            die "could not install chromium (apt-get install chromium); the browser tests need it"
    else
        die "no chromium or google-chrome found: install Debian's chromium package for the browser tests"
    fi
fi

WORK=$(mktemp -d /tmp/crm_deal_phases_test.XXXXXX)
cleanup() { stop_cluster; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_cluster "$WORK/pg" "${PG_TEST_PORT:-54329}"
make_addons_dir "$WORK/addons"
CONF=$WORK/odoo.conf
write_odoo_config "$CONF" "$WORK/addons" test_demo
LOG_ARGS=(--log-level=warn --log-handler=odoo.tests:INFO --log-handler=odoo.modules.loading:WARNING)

say "ruff"
(cd "$ADDON_DIR" && "$PYTHON" -m ruff check . && "$PYTHON" -m ruff format --check . >&2)

say "Odoo's own runner: fresh database, install with --test-enable"
odoo_cmd -c "$CONF" -d test_runner -i "$ADDON_NAME" --load-language=de_DE --test-enable \
    --test-tags "/$ADDON_NAME" --stop-after-init --http-port="${ODOO_TEST_PORT:-18069}" "${LOG_ARGS[@]}" \
    >&2 || die "Odoo's test runner reported failures (see above)"

say "upgrade and uninstall for real, on the runner's database"
"$PYTHON" "$ADDON_DIR/tools/check_lifecycle.py" "$CONF" test_runner >&2 || die "the lifecycle check failed (see above)"

say "pytest-odoo: fresh database with demo data, German loaded"
odoo_cmd -c "$CONF" -d test_demo -i "$ADDON_NAME" --with-demo --load-language=de_DE \
    --stop-after-init --http-port="${ODOO_TEST_PORT:-18069}" "${LOG_ARGS[@]}" >&2
cd "$WORK/addons"
PYTHONPATH="$ADDON_DIR/tools" "$PYTHON" -m pytest -p no:cacheprovider -p pytest_deal_phases -rs \
    --odoo-config="$CONF" --odoo-database=test_demo --odoo-http "$ADDON_NAME/tests" "$@"
