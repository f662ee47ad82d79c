#!/usr/bin/env bash
# Odoo as it scales, on this one machine (a development tool, not part of the test command):
#   ./dev/cluster.sh [--leads N] [--users S,C,M] [--duration SECONDS] [--turns N]
#                      [--warmup SECONDS] [--lag MS] [--flavours "stock addon"] [--json OUT.json]
#                      [--strict]
# Starts, on loopback only and stopped on exit: a PostgreSQL primary and a hot standby made
# with pg_basebackup -R (streaming, hot_standby_feedback=on, optionally replaying --lag
# milliseconds late), and per flavour (crm alone and the addon, all running at once) two Odoo
# servers in prefork (two HTTP workers each, one cron worker per flavour, a shared data_dir, both
# reading through the standby with --db_replica_host). Then dev/load.py: the bounded load
# alternating the two servers, the flavours taking --turns turns, the replica's replay lag,
# the servers' "ro->rw" and concurrency retries from their logs, the history's invariants
# (addon), the transition-edit window (addon, with and without lag), the same leads moved at
# once and one person's six inquiries at once through both servers (addon). Prints one table and
# writes it to --json. With --strict (the test command's short run) it fails where the addon
# broke a guarantee: a load error, a broken history, an "ro->rw" retry, a move judged on a
# stale graph, two leads of one person.
set -euo pipefail
source "$(dirname "$0")/common.sh"

# 150 s: about 1,000 calls of a move or a list per flavour, 300 of each report; at 60 s the p95
# of 400 calls moved by ±0.1 of the ratio from run to run
LEADS=20000 USERS=4,2,2 DURATION=150 TURNS=6 WARMUP=10 LAG=2000 FLAVOURS="stock addon" OUT= STRICT=0
while [ $# -gt 0 ]; do
    case $1 in
        --strict) STRICT=1; shift; continue ;;
        --leads) LEADS=$2 ;;
        --users) USERS=$2 ;;
        --duration) DURATION=$2 ;;
        --warmup) WARMUP=$2 ;;
        --turns) TURNS=$2 ;;
        --lag) LAG=$2 ;;
        --flavours) FLAVOURS=$2 ;;
        --json) OUT=$2 ;;
        *) die "unknown option $1 (see the head of $0)" ;;
    esac
    shift 2
done
[ "$(wc -w <<<"$FLAVOURS")" -gt 1 ] || TURNS=1

ensure_odoo
find_pg_bin
WORK=$(mktemp -d /tmp/crm_deal_phases_cluster.XXXXXX)
chmod 755 "$WORK"
SERVERS=()
stop_servers() {
    local pid
    for pid in "${SERVERS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${SERVERS[@]}"; do wait "$pid" 2>/dev/null || true; done
    SERVERS=()
}
cleanup() {
    stop_servers
    [ -f "$WORK/standby/data/PG_VERSION" ] && as_pg_owner "$PG_BIN/pg_ctl" -D "$WORK/standby/data" -m fast stop >/dev/null 2>&1
    stop_cluster
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

PRIMARY_PORT=${PG_CLUSTER_PORT:-54340} STANDBY_PORT=$((${PG_CLUSTER_PORT:-54340} + 1))
start_cluster "$WORK/primary" "$PRIMARY_PORT"
PRIMARY_DIR=$PG_DIR
make_addons_dir "$WORK/addons"
write_odoo_config "$WORK/odoo.conf" "$WORK/addons" cluster_addon
psql_primary() { "$PG_BIN/psql" -h "$PRIMARY_DIR" -p "$PRIMARY_PORT" -U odoo -d "${2:-postgres}" -Atqc "$1"; }

say "installing crm (cluster_stock) and crm_deal_phases (cluster_addon); $LEADS leads and the users in each"
for flavour in $FLAVOURS; do
    db=cluster_$flavour
    module=crm addon_flag=
    [ "$flavour" = addon ] && module=$ADDON_NAME addon_flag=--addon
    odoo_cmd -c "$WORK/odoo.conf" -d "$db" -i "$module" --stop-after-init --log-level=warn
    "$PYTHON" "$ADDON_DIR/dev/load.py" setup "$WORK/odoo.conf" --db "$db" $addon_flag --leads "$LEADS" \
        --users "$USERS" --out "$WORK/$flavour.keys.json"
done

say "the hot standby: pg_basebackup -R, streaming"
mkdir -p "$WORK/standby"
if [ "$(id -u)" = 0 ]; then chown postgres: "$WORK/standby"; fi
as_pg_owner "$PG_BIN/pg_basebackup" -D "$WORK/standby/data" -R -X stream -c fast -h "$PRIMARY_DIR" -p "$PRIMARY_PORT" -U odoo
set_lag() {
    # recovery_min_apply_delay is read again on reload: the standby replays that late
    as_pg_owner sh -c "echo \"recovery_min_apply_delay = '${1}ms'\" >> '$WORK/standby/data/postgresql.auto.conf'"
    as_pg_owner "$PG_BIN/pg_ctl" -D "$WORK/standby/data" reload >/dev/null
}
as_pg_owner "$PG_BIN/pg_ctl" -D "$WORK/standby/data" -l "$WORK/standby/server.log" -w -t 60 \
    -o "-c listen_addresses='' -k $WORK/standby -p $STANDBY_PORT -c hot_standby=on -c hot_standby_feedback=on" \
    start >/dev/null || { tail -20 "$WORK/standby/server.log" >&2; die "the standby did not start"; }

# odoo-bin, not `python -m odoo`: prefork starts its gevent worker again from sys.argv
ODOO_BIN=$("$PYTHON" -c 'import odoo, os; print(os.path.join(os.path.dirname(list(odoo.__path__)[0]), "odoo-bin"))')
# per flavour two servers: A on 18180 + 20 x its index, B ten ports above
port_of() { echo $((18180 + $1 * 20 + $2 * 10)); }
servers_of() { echo "http://127.0.0.1:$(port_of "$1" 0),http://127.0.0.1:$(port_of "$1" 1)"; }
start_servers() {
    local db=$1 flavour_index=$2 index port
    for index in 0 1; do
        port=$(port_of "$flavour_index" "$index")
        # one cron worker in all: on server A
        "$PYTHON" "$ODOO_BIN" -c "$WORK/odoo.conf" -d "$db" --db-filter="^$db\$" --http-port="$port" --gevent-port=$((port + 2)) \
            --workers=2 --max-cron-threads=$((1 - index)) --db_replica_host="$WORK/standby" \
            --db_replica_port="$STANDBY_PORT" --limit-time-real=600 --log-level=info \
            --logfile="$WORK/server_${db}_$index.log" &
        SERVERS+=($!)
    done
    for index in 0 1; do
        port=$(port_of "$flavour_index" "$index")
        for _ in $(seq 120); do
            curl -sf -o /dev/null "http://127.0.0.1:$port/web/login?db=$db" && continue 2
            sleep 1
        done
        die "Odoo did not start on port $port (see $WORK/server_${db}_*.log)"
    done
}

replica_lag() { psql_primary "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) FROM pg_stat_replication"; }
count_in_logs() { cat "$WORK"/server_"$1"_*.log | grep -c -- "$2" || true; }

: >"$WORK/summary.txt"
BROKEN=()
set_lag 0
# every flavour's servers at once, the load taking turns (load.py run --turns): what the machine
# does meanwhile falls on both flavours alike, not on whichever ran second
say "two servers in prefork per flavour ($FLAVOURS) on the primary and the standby; the load for ${DURATION}s each after ${WARMUP}s, in $TURNS turns"
RUN_ARGS=() flavour_index=0
for flavour in $FLAVOURS; do
    start_servers "cluster_$flavour" $flavour_index
    RUN_ARGS+=(--keys "$WORK/$flavour.keys.json" --servers "$(servers_of $flavour_index)" --json "$WORK/$flavour.run.json")
    flavour_index=$((flavour_index + 1))
done
(while sleep 2; do replica_lag; done) >"$WORK/load.lag" 2>/dev/null &
LAG_WATCH=$!
"$PYTHON" "$ADDON_DIR/dev/load.py" run "${RUN_ARGS[@]}" --duration "$DURATION" --warmup "$WARMUP" --turns "$TURNS" |
    tee -a "$WORK/summary.txt"
kill "$LAG_WATCH" 2>/dev/null || true
echo "replica replay lag max $(sort -g "$WORK/load.lag" | tail -1)s" | tee -a "$WORK/summary.txt"
flavour_index=0
for flavour in $FLAVOURS; do
    db=cluster_$flavour
    servers=$(servers_of $flavour_index)
    flavour_index=$((flavour_index + 1))
    ro_rw=$(count_in_logs "$db" 'retrying with a read/write cursor')
    {
        echo "$db: ro->rw retries $ro_rw"
        echo "$db: concurrency retries $(count_in_logs "$db" 'tries left, try again')"
    } | tee -a "$WORK/summary.txt"
    [ "$flavour" = addon ] || continue
    grep -q "^$db: .* 0 errors\$" "$WORK/summary.txt" || BROKEN+=("errors under load")
    [ "$ro_rw" = 0 ] || BROKEN+=("ro->rw retries")
    part=0
    for lag in 0 "$LAG"; do
        set_lag "$lag"
        printf '%s: replica lag %sms: ' "$db" "$lag" | tee -a "$WORK/summary.txt"
        "$PYTHON" "$ADDON_DIR/dev/load.py" window "$WORK/addon.keys.json" --servers "$servers" --part $part \
            --json "$WORK/window_$lag.json" |
            tee -a "$WORK/summary.txt" || BROKEN+=("the transition-edit window at ${lag}ms lag")
        part=1
    done
    set_lag 0
    "$PYTHON" "$ADDON_DIR/dev/load.py" contention "$WORK/addon.keys.json" --servers "$servers" \
        --dsn "host=$PRIMARY_DIR port=$PRIMARY_PORT user=odoo dbname=$db" |
        sed "s/^/$db: /" | tee -a "$WORK/summary.txt" || BROKEN+=("the same leads moved at once")
    echo "$db: concurrency retries, with the same leads: $(count_in_logs "$db" 'tries left, try again')" |
        tee -a "$WORK/summary.txt"
    "$PYTHON" "$ADDON_DIR/dev/load.py" inquiries "$WORK/addon.keys.json" --servers "$servers" |
        sed "s/^/$db: /" | tee -a "$WORK/summary.txt" || BROKEN+=("one person's inquiries at once")
    # the history's invariants after all of it
    "$PYTHON" "$ADDON_DIR/dev/load.py" check "$WORK/odoo.conf" --db "$db" --moves "$WORK/addon.run.json" |
        tee -a "$WORK/summary.txt" || BROKEN+=("the history's invariants")
done
if [ -n "${CLUSTER_HOLD:-}" ]; then
    say "holding: the servers on $(for i in $(seq 0 $((flavour_index - 1))); do servers_of "$i"; done | tr '\n' ' ')$WORK (CLUSTER_HOLD; stop with Ctrl-C)"
    sleep infinity
fi
stop_servers
"$PYTHON" - "$WORK" "$FLAVOURS" "${OUT:-$WORK/cluster.json}" <<'PY'
import json, sys
work, flavours, out = sys.argv[1], sys.argv[2].split(), sys.argv[3]
runs = {flavour: json.load(open(f"{work}/{flavour}.run.json")) for flavour in flavours}
rows = []
names = sorted(set().union(*(run["operations"] for run in runs.values())))
for name in names:
    row = {"operation": name}
    for flavour, run in runs.items():
        row[f"{flavour} p95"] = run["operations"].get(name, {}).get("p95")
    if {"stock", "addon"} <= set(runs) and row["stock p95"] and row["addon p95"]:
        row["ratio"] = round(row["addon p95"] / row["stock p95"], 2)
    rows.append(row)
    print(" | ".join(str(value) for value in row.values()))
json.dump({"table": rows, "summary": open(f"{work}/summary.txt").read().splitlines()}, open(out, "w"), indent=1)
PY
if [ ${#BROKEN[@]} -gt 0 ]; then
    say "broken on the cluster: ${BROKEN[*]}"
    [ "$STRICT" = 0 ] || exit 1
fi
