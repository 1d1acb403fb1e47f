#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests: its own cluster in a temporary directory, listening on
# 127.0.0.1 on a free port, removed again when it stops.
#
#   scripts/postgres.sh run -- CMD...   start, run CMD with LOKET_TEST_DATABASE_URL set, stop
#   source scripts/postgres.sh          defines loket_pg_start / loket_pg_stop; loket_pg_start
#                                       exports LOKET_TEST_DATABASE_URL and LOKET_PG_ROOT
#
# Installs the Debian package `postgresql` with apt-get when no initdb is found. initdb and
# pg_ctl refuse to run as root, so as root the cluster belongs to the `postgres` user the
# package creates. fsync stays on (the default) so timings resemble a real server; set
# LOKET_PG_FSYNC=off for speed when durability of the server itself does not matter.

loket_pg_bin() {
    local initdb
    initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$initdb" ]; then
        echo "postgres.sh: installing postgresql from Debian's packages" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
        initdb=$(ls -1d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1)
    fi
    if [ -z "$initdb" ]; then
        echo "postgres.sh: no initdb after installing postgresql" >&2
        return 1
    fi
    dirname "$initdb"
}

# Runs a PostgreSQL tool as the cluster's owner: `postgres` when we are root, else ourselves.
loket_pg_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

loket_pg_start() {
    local bin root port attempt
    bin=$(loket_pg_bin) || return 1
    root=$(mktemp -d /tmp/loket-pg.XXXXXX) || return 1
    chmod 755 "$root"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$root"
    fi
    loket_pg_as_owner "$bin/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$root/initdb.log" 2>&1 || {
        cat "$root/initdb.log" >&2
        return 1
    }
    # A random port; when it is taken the server does not start and the next one is tried.
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        port=$((20000 + RANDOM % 40000))
        if loket_pg_as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 -o \
            "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$root -c fsync=${LOKET_PG_FSYNC:-on} -c max_connections=400" \
            start >/dev/null 2>&1; then
            break
        fi
        port=
    done
    if [ -z "$port" ]; then
        echo "postgres.sh: the server did not start; its log:" >&2
        cat "$root/server.log" >&2
        return 1
    fi
    loket_pg_as_owner "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'CREATE DATABASE loket' >&2 ||
        return 1
    export LOKET_PG_ROOT="$root" LOKET_PG_BIN="$bin"
    export LOKET_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/loket"
    echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') at $LOKET_TEST_DATABASE_URL" >&2
}

loket_pg_stop() {
    if [ -n "${LOKET_PG_ROOT:-}" ] && [ -d "$LOKET_PG_ROOT/data" ]; then
        loket_pg_as_owner "$LOKET_PG_BIN/pg_ctl" -D "$LOKET_PG_ROOT/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$LOKET_PG_ROOT"
    fi
    unset LOKET_PG_ROOT LOKET_TEST_DATABASE_URL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -euo pipefail
    case "${1:-}" in
    run)
        shift
        [ "${1:-}" = "--" ] && shift
        trap loket_pg_stop EXIT INT TERM
        loket_pg_start
        "$@"
        ;;
    *)
        echo "usage: scripts/postgres.sh run -- COMMAND... (or source it for loket_pg_start / loket_pg_stop)" >&2
        exit 2
        ;;
    esac
fi
