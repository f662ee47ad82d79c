# Shared by tools/test.sh and tools/run.sh: prerequisites and a private PostgreSQL cluster.
# shellcheck shell=bash

ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDON_NAME=crm_deal_phases
PYTHON=${PYTHON:-python3}

die() { printf 'error: %s\n' "$*" >&2; exit 2; }
say() { printf '== %s\n' "$*" >&2; }

require_odoo() {
    local version
    version=$("$PYTHON" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null) ||
        die "'$PYTHON' cannot import Odoo. Odoo 19.0 Community is a prerequisite: make its source importable
       (e.g. put the directory holding odoo/ on a .pth file in site-packages) and install its
       requirements.txt with pip. See README.md, 'Prerequisites'."
    [ "$version" = 19 ] || die "'$PYTHON' imports Odoo $version; this addon needs Odoo 19.0."
}

find_pg_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && PG_BIN=$dir
    done
    [ -n "${PG_BIN:-}" ] || die "no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin.
       Install Debian's server package: apt-get install postgresql (15 or newer)."
}

# Runs a PostgreSQL tool as the cluster owner: initdb refuses to run as root.
as_pg_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# start_cluster DIR PORT: initialise DIR if needed and start a server listening only on a
# Unix socket inside DIR (no TCP port is opened).
start_cluster() {
    PG_DIR=$1 PG_PORT=$2
    find_pg_bin
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "running as root needs the 'postgres' system user to own the cluster"
        mkdir -p "$PG_DIR" && chown postgres: "$PG_DIR"
        # the owner must reach the socket folder through every parent
        local parent=$PG_DIR
        while parent=$(dirname "$parent") && [ "$parent" != / ]; do chmod o+x "$parent" 2>/dev/null || true; done
    fi
    if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
        as_pg_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U odoo --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 ||
            { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    fi
    as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses='' -k $PG_DIR -p $PG_PORT -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
        start >/dev/null || { tail -20 "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
}

stop_cluster() {
    [ -n "${PG_DIR:-}" ] && [ -f "$PG_DIR/data/postmaster.pid" ] &&
        as_pg_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

# write_odoo_config FILE ADDONS_PATH DBNAME: an Odoo configuration for the private cluster.
write_odoo_config() {
    cat >"$1" <<CONF
[options]
db_host = $PG_DIR
db_port = $PG_PORT
db_user = odoo
db_name = $3
addons_path = $2
data_dir = $PG_DIR/filestore
admin_passwd = admin
http_interface = 127.0.0.1
list_db = False
CONF
}

# A folder holding the addon under its technical name, whatever the checkout is called.
make_addons_dir() {
    mkdir -p "$1"
    ln -sfn "$ADDON_DIR" "$1/$ADDON_NAME"
}

odoo_cmd() { "$PYTHON" -m odoo "$@"; }
