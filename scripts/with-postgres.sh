#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster.
#
#   scripts/with-postgres.sh CMD [ARGS...]
#
# Creates a new cluster in a temporary folder, listening only on 127.0.0.1 on a free port (and on a
# Unix socket inside that folder), creates the role and database `parceria` (the role may create
# databases, which Django's test runner needs), exports
#
#   DATABASE_URL=postgres://parceria:<password>@127.0.0.1:<port>/parceria
#
# and runs CMD. The cluster is stopped and its folder removed when the script ends, whether CMD
# succeeds, fails, or the script is interrupted (Ctrl-C, SIGTERM). The script exits with CMD's exit code.
#
# The server binaries are taken from the newest /usr/lib/postgresql/<version>/bin (override with
# PG_BIN=/path/to/bin). PostgreSQL refuses to run as root: when run as root, the cluster belongs to the
# `postgres` user and its tools run through `runuser -u postgres --`.
#
# The cluster is tuned for speed, not durability (fsync=off and friends): it is only for tests and
# benchmarks, never for data you want to keep.
set -euo pipefail

log() { printf 'with-postgres: %s\n' "$*" >&2; }

if [ "$#" -eq 0 ]; then
    log "usage: $0 CMD [ARGS...]"
    exit 64
fi

find_pg_bin() {
    if [ -n "${PG_BIN:-}" ]; then
        printf '%s\n' "$PG_BIN"
        return
    fi
    local dir
    dir=$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -type d -name bin 2>/dev/null | sort -V | tail -n 1)
    printf '%s\n' "$dir"
}

PG_BIN=$(find_pg_bin)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    log "no PostgreSQL server binaries found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
    exit 69
fi

PYTHON=${PYTHON:-python3}
if [ "$(id -u)" -eq 0 ]; then
    as_pg() { runuser -u postgres -- "$@"; }
    PG_SUPERUSER=postgres
else
    as_pg() { "$@"; }
    PG_SUPERUSER=$(id -un)
fi

TMP_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/parceria-pg.XXXXXX")
DATA_DIR="$TMP_ROOT/data"
SOCKET_DIR="$TMP_ROOT/socket"
SERVER_LOG="$TMP_ROOT/server.log"

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -f "$DATA_DIR/postmaster.pid" ]; then
        # Immediate: the data is thrown away anyway, so there is no point in a checkpoint.
        as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate -w -t 30 stop >/dev/null 2>&1 || {
            log "pg_ctl stop failed; killing the postmaster"
            kill -9 "$(head -n 1 "$DATA_DIR/postmaster.pid" 2>/dev/null)" 2>/dev/null || true
        }
    fi
    rm -rf "$TMP_ROOT"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$SOCKET_DIR"
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$TMP_ROOT"
fi

as_pg "$PG_BIN/initdb" --pgdata="$DATA_DIR" --username="$PG_SUPERUSER" --auth-local=trust \
    --auth-host=scram-sha-256 --encoding=UTF8 --locale=C >"$TMP_ROOT/initdb.log" 2>&1 || {
    cat "$TMP_ROOT/initdb.log" >&2
    log "initdb failed"
    exit 70
}

# Settings for a throwaway cluster. (The port is given on the command line below.)
cat >>"$DATA_DIR/postgresql.conf" <<EOF

# --- throwaway cluster for tests (scripts/with-postgres.sh) ---
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SOCKET_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 256MB
EOF

free_port() {
    "$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Another process may take the free port between the check and the server's start: try a few times.
PORT=""
for _attempt in 1 2 3 4 5; do
    candidate=$(free_port)
    if as_pg "$PG_BIN/pg_ctl" -D "$DATA_DIR" -l "$SERVER_LOG" -o "-p $candidate" -w -t 60 start >/dev/null 2>&1; then
        PORT=$candidate
        break
    fi
done
if [ -z "$PORT" ]; then
    cat "$SERVER_LOG" >&2 2>/dev/null || true
    log "could not start PostgreSQL"
    exit 70
fi

PASSWORD=$("$PYTHON" -c 'import secrets; print(secrets.token_hex(16))')
as_pg "$PG_BIN/psql" --quiet --no-psqlrc -v ON_ERROR_STOP=1 -h "$SOCKET_DIR" -p "$PORT" -U "$PG_SUPERUSER" \
    -d postgres >/dev/null <<EOF
CREATE ROLE parceria LOGIN CREATEDB PASSWORD '$PASSWORD';
CREATE DATABASE parceria OWNER parceria;
EOF

export DATABASE_URL="postgres://parceria:$PASSWORD@127.0.0.1:$PORT/parceria"
log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT (cluster in $TMP_ROOT)"

# CMD runs in the background so that a SIGTERM sent to this script alone is acted on at once: it is passed
# on to CMD, and the cluster is removed when CMD has ended. (`<&0` keeps CMD's standard input.)
"$@" <&0 &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 130' INT
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM
set +e
wait "$child"
rc=$?
set -e
exit "$rc"
