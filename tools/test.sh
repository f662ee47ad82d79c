#!/usr/bin/env bash
# The whole test suite, on private throw-away PostgreSQL clusters. Stages, in order:
#   1. set-up: python3 must import Odoo 19; if it does not, an Odoo 19 environment is set up in
#      STATE_DIR/venv (~/.cache/crm_deal_phases, outside the addon; from ODOO_SRC, else a shallow
#      clone of Odoo 19.0; system packages with apt-get when run as root on Debian); the test
#      requirements and Debian's chromium when missing;
#   2. the addon's folder holds no Python, XML, JS or .po file git does not track;
#   3. lint: ruff (lint and format check), pylint with pylint-odoo (OCA's mandatory checks);
#   4. set-up from nothing: a copy of the project (its git files only) whose python3 cannot
#      import Odoo sets up a fresh environment of its own from the Odoo this machine has;
#   5. Odoo's own runner (--test-enable, as Odoo.sh and OCA CI run it) with that fresh
#      environment, on the copy, on a fresh database without demo data;
#   6. life cycle: a real upgrade (-u) and uninstall of the addon on that database
#      (dev/check_lifecycle.py);
#   7. the README's run command: tools/run.sh in the copy creates the demo database and serves
#      Odoo's login page; stopped as Ctrl-C stops it; the copy then holds its git files only;
#   8. the wheel: built with whool (dev/build_wheel.sh), its contents checked, installed into a
#      throw-away target and the addon installed from there into a fresh database;
#   9. the neighbours: Odoo's own test suites of crm, and of the apps that create leads themselves
#      (website_crm, sale_crm, event_crm, crm_livechat) with test_crm_full (query counts), on Odoo
#      alone and with the addon installed (dev/crm_neighbours.py): no test may fail only with
#      the addon;
#  10. the cluster (dev/cluster.sh --strict, short): a PostgreSQL primary, a hot standby and two
#      Odoo servers in prefork under a minute's load of setters, closers and managers; fails on
#      a load error, an "ro->rw" retry, a broken history, a move judged on a stale graph or one
#      person's inquiries sent at once making two leads;
#  11. pytest-odoo over tests/ on a fresh database with Odoo's demo data and German loaded: its
#      closing "N passed" line is the verdict.
# Exits non-zero on any failure; the clusters and their data are removed on exit.
set -euo pipefail
source "$(dirname "$0")/../dev/common.sh"

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

say "the addon's folder: every Python, XML, JS and .po file is tracked by git"
check_no_stray_files

say "lint: ruff, pylint-odoo"
(cd "$ADDON_DIR" && "$PYTHON" -m ruff check --no-cache . && "$PYTHON" -m ruff format --no-cache --check . >&2)
(cd "$WORK/addons" && "$PYTHON" -m pylint --rcfile="$ADDON_DIR/.pylintrc" "$ADDON_NAME" >&2) ||
    die "pylint-odoo reported problems (see above)"

say "set-up from nothing: a copy of the project whose python3 cannot import Odoo sets up its own"
MACHINE_ODOO=$("$PYTHON" -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))')
FRESH=$WORK/fresh/$ADDON_NAME
FRESH_HOME=$WORK/fresh_home
mkdir -p "$FRESH"
git -C "$ADDON_DIR" ls-files -z | (cd "$ADDON_DIR" && xargs -0 cp --parents -t "$FRESH")
git -C "$ADDON_DIR" ls-files | sort >"$WORK/tracked.txt"
FRESH_ENV=(env CRM_DEAL_PHASES_HOME="$FRESH_HOME" PYTHON=/nonexistent/python3 ODOO_SRC="$MACHINE_ODOO")
(cd "$FRESH" && "${FRESH_ENV[@]}" bash -c 'source dev/common.sh; ensure_odoo') >&2 ||
    die "setting up from nothing failed (see above)"
FRESH_PYTHON=$FRESH_HOME/venv/bin/python
[ "$(odoo_major "$FRESH_PYTHON")" = 19 ] || die "the fresh environment $FRESH_HOME/venv does not import Odoo 19"
say "fresh environment: $("$FRESH_PYTHON" -m odoo --version) in $FRESH_HOME/venv"

say "Odoo's own runner, in that environment on the copy: fresh database, install with --test-enable"
write_odoo_config "$WORK/fresh.conf" "$WORK/fresh" test_runner
"$FRESH_PYTHON" -m odoo -c "$WORK/fresh.conf" -d test_runner -i "$ADDON_NAME" --load-language=de_DE --test-enable \
    --test-tags "/$ADDON_NAME" --stop-after-init --http-port="$HTTP_PORT" "${LOG_ARGS[@]}" \
    >&2 || die "Odoo's test runner reported failures (see above)"

say "life cycle: upgrade and uninstall for real, on the runner's database"
"$FRESH_PYTHON" "$FRESH/dev/check_lifecycle.py" "$WORK/fresh.conf" test_runner >&2 ||
    die "the lifecycle check failed (see above)"

say "the README's run command: tools/run.sh in the copy serves the demo database (a few minutes)"
RUN_PORT=${ODOO_RUN_TEST_PORT:-18071}
(
    cd "$FRESH"
    exec "${FRESH_ENV[@]}" PG_RUN_PORT="${PG_RUN_TEST_PORT:-54332}" ODOO_PORT="$RUN_PORT" \
        setsid ./tools/run.sh --log-level=warn >"$WORK/run.log" 2>&1
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
(cd "$FRESH" && find . \( -type f -o -type l \) -printf '%P\n' | sort) >"$WORK/copy.txt"
if ! cmp -s "$WORK/tracked.txt" "$WORK/copy.txt"; then
    comm -13 "$WORK/tracked.txt" "$WORK/copy.txt" | head -10 >&2
    die "the set-up, the runner or the run command left files inside the addon's folder (above)"
fi
say "the copy holds its git files only: the environment, the clusters and the bytecode stayed outside"

say "the wheel: build, contents, install from it"
PYTHON=$PYTHON "$ADDON_DIR/dev/build_wheel.sh" "$WORK/dist" >/dev/null
"$PYTHON" "$ADDON_DIR/dev/check_wheel.py" "$WORK/dist" "$WORK/wheel_target" >&2 || die "the wheel is not as it should be"
ODOO_ADDONS=$("$PYTHON" -c 'import odoo.addons, os; print(",".join(p for p in odoo.addons.__path__ if os.path.isfile(os.path.join(p, "crm", "__manifest__.py"))))')
write_odoo_config "$WORK/wheel.conf" "$ODOO_ADDONS" test_wheel
PYTHONPATH=$WORK/wheel_target odoo_cmd -c "$WORK/wheel.conf" -d test_wheel -i "$ADDON_NAME" \
    --stop-after-init --http-port="$HTTP_PORT" --log-level=warn >&2 || die "the addon did not install from its wheel"
[ "$("$PG_BIN/psql" -h "$PG_DIR" -p "$PG_PORT" -U odoo -d test_wheel -tAc \
    "SELECT state FROM ir_module_module WHERE name = '$ADDON_NAME'")" = installed ] ||
    die "the addon is not installed from its wheel"
say "wheel: installed from $(basename "$WORK"/dist/*.whl), found by Odoo without an addons_path entry"

say "the neighbours: the suites of crm and of the apps beside it, without and with the addon (side by side, minutes)"
"$PYTHON" "$ADDON_DIR/dev/crm_neighbours.py" "$CONF" "$WORK/neighbours" \
    --http-port "${ODOO_NEIGHBOURS_PORT:-18072}" >"$WORK/neighbours.txt" 2>"$WORK/neighbours.err" ||
    { cat "$WORK/neighbours.txt" >&2; tail -20 "$WORK/neighbours.err" >&2; die "a neighbour's test fails only with the addon (above)"; }
cat "$WORK/neighbours.txt" >&2
[ "$(grep -c '^neighbours: .* 0 fail only with the addon$' "$WORK/neighbours.txt")" = 2 ] ||
    die "the neighbours' comparison printed no verdict for each of its two suites"

say "the cluster: a primary, a hot standby, two prefork servers, a short load (dev/cluster.sh --strict)"
PYTHON=$PYTHON "$ADDON_DIR/dev/cluster.sh" --flavours addon --leads 2000 --users 2,1,1 --duration 30 --warmup 5 \
    --strict --json "$WORK/cluster.json" >"$WORK/cluster.txt" 2>"$WORK/cluster.err" ||
    { cat "$WORK/cluster.txt" >&2; tail -20 "$WORK/cluster.err" >&2; die "the addon broke a guarantee on the cluster (above)"; }
grep -E "invariants hold|transition-edit window|same three leads|six inquiries at once" "$WORK/cluster.txt" | tail -5 >&2

say "pytest-odoo: fresh database with demo data, German loaded"
odoo_cmd -c "$CONF" -d test_demo -i "$ADDON_NAME" --with-demo --load-language=de_DE \
    --stop-after-init --http-port="$HTTP_PORT" "${LOG_ARGS[@]}" >&2
ln -sfn "$ADDON_DIR/dev/conftest.py" "$WORK/addons/conftest.py"
printf '[pytest]\n' >"$WORK/addons/pytest.ini"  # the run's root, where the conftest lies
cd "$WORK/addons"
"$PYTHON" -m pytest -p no:cacheprovider -rs -c "$WORK/addons/pytest.ini" --odoo-config="$CONF" --odoo-database=test_demo --odoo-http \
    "$ADDON_NAME/tests" "$@"
