#!/usr/bin/env bash
# The whole test suite, on a private throw-away PostgreSQL cluster. Stages, in order:
#   1. set-up: python3 must import Odoo 19; if it does not, an Odoo 19 environment is set up in
#      .venv/ (from ODOO_SRC, else a shallow clone of Odoo 19.0; system packages with apt-get when
#      run as root on Debian); the test requirements and Debian's chromium when missing;
#   2. lint: ruff (lint and format check), pylint with pylint-odoo (OCA's mandatory checks);
#   3. Odoo's own runner (--test-enable, as Odoo.sh and OCA CI run it) on a fresh database
#      without demo data;
#   4. life cycle: a real upgrade (-u) and uninstall of the addon on that database
#      (tools/check_lifecycle.py);
#   5. the wheel: built with whool (tools/build_wheel.sh), its contents checked, installed into a
#      throw-away target and the addon installed from there into a fresh database;
#   6. set-up from nothing: a fresh .venv in a temporary copy of the project, from the Odoo this
#      machine has (as ODOO_SRC): `odoo --version` and an import of the addon in it;
#   7. the README's run command: tools/run.sh in that copy creates the demo database and serves
#      Odoo's login page; stopped as Ctrl-C stops it;
#   8. pytest-odoo over tests/ on a fresh database with Odoo's demo data and German loaded: its
#      closing "N passed" line is the verdict.
# Exits non-zero on any failure; the cluster and its data are removed on exit.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ensure_odoo
find_pg_bin
"$PYTHON" -c 'import pytest_odoo, hypothesis, websocket, pylint_odoo, whool, markdown, ruff' 2>/dev/null || {
    say "installing the test requirements (requirements-test.txt)"
    "$PYTHON" -m pip install -q --disable-pip-version-check -r "$ADDON_DIR/requirements-test.txt" >&2 ||
        die "could not install requirements-test.txt"
}
# The board is tested in headless Chromium (Odoo tours); Odoo would skip those tests without it.
if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
    SYSTEM_PACKAGES=(chromium) ensure_system_packages
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
HTTP_PORT=${ODOO_TEST_PORT:-18069}

say "lint: ruff, pylint-odoo"
(cd "$ADDON_DIR" && "$PYTHON" -m ruff check . && "$PYTHON" -m ruff format --check . >&2)
(cd "$WORK/addons" && "$PYTHON" -m pylint --rcfile="$ADDON_DIR/.pylintrc" "$ADDON_NAME" >&2) ||
    die "pylint-odoo reported problems (see above)"

say "Odoo's own runner: fresh database, install with --test-enable"
odoo_cmd -c "$CONF" -d test_runner -i "$ADDON_NAME" --load-language=de_DE --test-enable \
    --test-tags "/$ADDON_NAME" --stop-after-init --http-port="$HTTP_PORT" "${LOG_ARGS[@]}" \
    >&2 || die "Odoo's test runner reported failures (see above)"

say "life cycle: upgrade and uninstall for real, on the runner's database"
"$PYTHON" "$ADDON_DIR/tools/check_lifecycle.py" "$CONF" test_runner >&2 || die "the lifecycle check failed (see above)"

say "the wheel: build, contents, install from it"
PYTHON=$PYTHON "$ADDON_DIR/tools/build_wheel.sh" "$WORK/dist" >/dev/null
"$PYTHON" "$ADDON_DIR/tools/check_wheel.py" "$WORK/dist" "$WORK/wheel_target" >&2 || die "the wheel is not as it should be"
ODOO_ADDONS=$("$PYTHON" -c 'import odoo.addons, os; print(",".join(p for p in odoo.addons.__path__ if os.path.isfile(os.path.join(p, "crm", "__manifest__.py"))))')
write_odoo_config "$WORK/wheel.conf" "$ODOO_ADDONS" test_wheel
PYTHONPATH=$WORK/wheel_target odoo_cmd -c "$WORK/wheel.conf" -d test_wheel -i "$ADDON_NAME" \
    --stop-after-init --http-port="$HTTP_PORT" --log-level=warn >&2 || die "the addon did not install from its wheel"
[ "$("$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U odoo -d test_wheel -tAc \
    "SELECT state FROM ir_module_module WHERE name = '$ADDON_NAME'")" = installed ] ||
    die "the addon is not installed from its wheel"
say "wheel: installed from $(basename "$WORK"/dist/*.whl), found by Odoo without an addons_path entry"

say "set-up from nothing: a fresh .venv from this machine's Odoo (ODOO_SRC), in a copy of the project"
MACHINE_ODOO=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))')
mkdir -p "$WORK/fresh/$ADDON_NAME"
git -C "$ADDON_DIR" ls-files -z | (cd "$ADDON_DIR" && xargs -0 cp --parents -t "$WORK/fresh/$ADDON_NAME")
(
    cd "$WORK/fresh/$ADDON_NAME"
    ODOO_SRC=$MACHINE_ODOO PYTHON=/nonexistent/python3 bash -c 'source tools/common.sh; ensure_odoo' >&2
    .venv/bin/odoo --version
    .venv/bin/python -c "
import odoo.addons
odoo.addons.__path__.append('$WORK/fresh')
import odoo.addons.crm_deal_phases as addon
print('imported', addon.__name__, 'from', addon.__path__[0])"
) >&2 || die "setting up from nothing failed (see above)"

say "the README's run command: tools/run.sh in that copy serves the demo database (a few minutes)"
RUN_PORT=${ODOO_RUN_TEST_PORT:-18071}
(
    cd "$WORK/fresh/$ADDON_NAME"
    PYTHON=/nonexistent/python3 PG_RUN_PORT=${PG_RUN_TEST_PORT:-54332} ODOO_PORT=$RUN_PORT \
        exec setsid ./tools/run.sh --log-level=warn >"$WORK/run.log" 2>&1
) &
RUN_PID=$!
served=
for _ in $(seq 600); do
    kill -0 "$RUN_PID" 2>/dev/null || break
    if curl -sf "http://127.0.0.1:$RUN_PORT/web/login?db=crm_deal_phases" -o "$WORK/login.html" 2>/dev/null; then
        served=1
        break
    fi
    sleep 1
done
kill -INT -- "-$RUN_PID" 2>/dev/null || true
wait "$RUN_PID" 2>/dev/null || true
[ -n "$served" ] && grep -q "oe_login_form" "$WORK/login.html" ||
    { tail -30 "$WORK/run.log" >&2; die "tools/run.sh did not serve Odoo on 127.0.0.1:$RUN_PORT"; }
say "run: Odoo served the demo database on 127.0.0.1:$RUN_PORT, stopped with Ctrl-C"

say "pytest-odoo: fresh database with demo data, German loaded"
odoo_cmd -c "$CONF" -d test_demo -i "$ADDON_NAME" --with-demo --load-language=de_DE \
    --stop-after-init --http-port="$HTTP_PORT" "${LOG_ARGS[@]}" >&2
ln -sfn "$ADDON_DIR/tools/conftest.py" "$WORK/addons/conftest.py"
printf '[pytest]\n' >"$WORK/addons/pytest.ini"  # the run's root, where the conftest lies
cd "$WORK/addons"
"$PYTHON" -m pytest -p no:cacheprovider -rs -c "$WORK/addons/pytest.ini" --odoo-config="$CONF" --odoo-database=test_demo --odoo-http \
    "$ADDON_NAME/tests" "$@"
