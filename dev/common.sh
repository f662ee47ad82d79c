# Shared by the project's commands (run.sh, test.sh, build_wheel.sh): prerequisites, the set-up
# of an Odoo 19 environment when none is there, and a private PostgreSQL cluster.
# shellcheck shell=bash

ADDON_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ADDON_NAME=crm_deal_phases
PYTHON=${PYTHON:-python3}
# Everything the commands make lives outside the addon's folder: Odoo reads every file of an
# addon's folder as the addon's (its translation export walks them all), so a virtual
# environment or a cluster inside it becomes part of the addon. CRM_DEAL_PHASES_HOME moves it.
HOME=${HOME:-$(getent passwd "$(id -u)" | cut -d: -f6)}
# runuser, apt-get and PostgreSQL's tools live in the sbin folders, which a bare PATH lacks
export PATH="${PATH:-/usr/local/bin:/usr/bin:/bin}:/usr/local/sbin:/usr/sbin:/sbin"
STATE_DIR=${CRM_DEAL_PHASES_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/crm_deal_phases}
VENV=$STATE_DIR/venv
# bytecode of the addon (and of Odoo) goes beside the rest, not into __pycache__/ of the checkout
export PYTHONPYCACHEPREFIX=${PYTHONPYCACHEPREFIX:-$STATE_DIR/pycache}
ODOO_GIT=https://github.com/odoo/odoo.git
# Debian packages the commands need: the database server, what python-ldap builds against,
# the browser of the tours.
SYSTEM_PACKAGES=(postgresql libldap2-dev libsasl2-dev chromium)
# Files under git control that are no part of the addon's wheel.
WHEEL_EXCLUDE='^(dev/|tools/|\.ci/|\.gitignore$|\.pylintrc$|requirements(-[a-z]+)?\.txt$)'

die() { printf 'error: %s\n' "$*" >&2; exit 2; }
say() { printf '== %s\n' "$*" >&2; }

odoo_major() { "$1" -c 'import odoo.release as r; print(r.version_info[0])' 2>/dev/null; }

# move_legacy_state: checkouts of earlier versions kept .venv/ and .local/ inside the addon;
# they move to STATE_DIR (a moved environment that no longer imports Odoo is set up anew).
move_legacy_state() {
    local legacy=$ADDON_DIR/.local name
    mkdir -p "$STATE_DIR"
    if [ -d "$ADDON_DIR/.venv" ]; then
        if [ -e "$VENV" ]; then
            mkdir -p "$STATE_DIR/legacy"
            say "moving $ADDON_DIR/.venv out of the addon to $STATE_DIR/legacy/ ($VENV is used)"
            mv "$ADDON_DIR/.venv" "$STATE_DIR/legacy/venv.$(date +%Y%m%d%H%M%S)"
        else
            say "moving $ADDON_DIR/.venv out of the addon to $VENV"
            mv "$ADDON_DIR/.venv" "$VENV"
        fi
    fi
    [ -d "$legacy" ] || return 0
    for name in odoo pg; do
        if [ -d "$legacy/$name" ]; then
            local target=$STATE_DIR/$name
            [ "$name" = pg ] && target=$STATE_DIR/run/pg
            if [ -e "$target" ]; then
                mkdir -p "$STATE_DIR/legacy"
                target=$STATE_DIR/legacy/$name.$(date +%Y%m%d%H%M%S)
            fi
            say "moving $legacy/$name out of the addon to $target"
            mkdir -p "$(dirname "$target")"
            mv "$legacy/$name" "$target"
        fi
    done
    # the rest (odoo.conf, the addons link) is written anew on every run
    rm -rf "$legacy"
}

# ensure_odoo: PYTHON imports Odoo 19 - the given python3 if it does, else the environment in
# STATE_DIR, set up from ODOO_SRC (or a shallow clone of Odoo 19.0) when missing.
ensure_odoo() {
    local version
    move_legacy_state
    version=$(odoo_major "$PYTHON") || true
    if [ "$version" = 19 ]; then
        ensure_addon_requirements
        return
    elif [ -n "$version" ]; then
        die "'$PYTHON' imports Odoo $version; this addon needs Odoo 19.0."
    fi
    if [ "$(odoo_major "$VENV/bin/python" || true)" != 19 ]; then
        say "'$PYTHON' cannot import Odoo 19: setting up $VENV (once)"
        ensure_system_packages
        setup_venv "$VENV"
    fi
    PYTHON=$VENV/bin/python
    ensure_addon_requirements
}

# ensure_addon_requirements: the addon's own Python dependencies (requirements.txt) in PYTHON.
ensure_addon_requirements() {
    "$PYTHON" -c 'import phonenumbers' 2>/dev/null && return
    say "installing the addon's requirements.txt (phonenumbers) into $PYTHON"
    "$PYTHON" -m pip install -q --disable-pip-version-check -r "$ADDON_DIR/requirements.txt" >&2 ||
        die "could not install requirements.txt (phonenumbers) into $PYTHON; install it there (pip install phonenumbers)"
}

# ensure_system_packages: the Debian packages above, installed with apt-get when run as root.
ensure_system_packages() {
    local missing=() pkg
    for pkg in "${SYSTEM_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} = 0 ] && return
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "installing Debian packages ${missing[*]} with apt-get (a few minutes)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } >&2 ||
            die "apt-get could not install ${missing[*]}"
    else
        die "missing system packages: ${missing[*]}. Install them (Debian: sudo apt-get install ${missing[*]})."
    fi
}

# odoo_source: an Odoo 19.0 source tree - ODOO_SRC, or a shallow clone of Odoo's repository.
odoo_source() {
    local src=${ODOO_SRC:-}
    if [ -z "$src" ]; then
        src=$STATE_DIR/odoo
        if [ ! -f "$src/odoo-bin" ]; then
            say "cloning Odoo 19.0 from $ODOO_GIT into $src (shallow, about 1 GB: several minutes)"
            git clone -q --depth 1 --branch 19.0 "$ODOO_GIT" "$src" >&2 ||
                die "could not clone $ODOO_GIT (no network?). Set ODOO_SRC to an Odoo 19.0 source tree."
        fi
    fi
    [ -f "$src/odoo-bin" ] && [ -f "$src/requirements.txt" ] && [ -f "$src/setup.py" ] ||
        die "ODOO_SRC=$src is not an Odoo source tree (odoo-bin, requirements.txt, setup.py)."
    grep -q "version_info = (19, 0" "$src/odoo/release.py" || die "$src is not Odoo 19.0."
    printf '%s\n' "$src"
}

# setup_venv DIR: a virtual environment with Odoo 19 (pip install -e), its requirements and the
# test requirements.
setup_venv() {
    local dir=$1 src base
    src=$(odoo_source)
    base=$(command -v python3.11 || command -v python3)
    say "creating $dir: Odoo from $src, its requirements.txt and requirements-test.txt (pip; minutes)"
    "$base" -m venv --clear "$dir" || die "could not create $dir (python3 -m venv)"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$src/requirements.txt" >&2 ||
        die "pip could not install Odoo's requirements.txt"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -e "$src" >&2 ||
        die "pip could not install Odoo from $src"
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -r "$ADDON_DIR/requirements-test.txt" >&2 ||
        die "pip could not install requirements-test.txt"
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

# check_no_stray_files: the addon's folder holds no Python, XML, JS or .po file git does not
# track (ignored ones included): Odoo would read them as the addon's.
check_no_stray_files() {
    local stray
    git -C "$ADDON_DIR" rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
        die "$ADDON_DIR is not a git checkout: the test command checks the addon's files against git"
    stray=$(git -C "$ADDON_DIR" ls-files --others -- '*.py' '*.xml' '*.js' '*.po' '*.pot' | head -5)
    [ -z "$stray" ] || die "the addon's folder holds files git does not track, which Odoo would read as the addon's:
$stray
       Tooling state belongs in $STATE_DIR (CRM_DEAL_PHASES_HOME); remove or commit these files."
}
