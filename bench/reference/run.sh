#!/bin/sh
# Loket against a Python reference on the same inputs and the same machine (issue 10), and the
# Loket/Python ratios.
#
#   guards     `loket bench guards` vs Presidio analyzer + anonymizer (bench/presidio/compare.py)
#              on the same seeded messages
#   retrieval  `loket bench retrieval` vs rank_bm25 (bm25_compare.py) on the same synthetic
#              entries and questions, written by Loket with --write-corpus
#   chat       `loket bench chat --url` driving, identically, a `loket serve --demo` process and
#              the FastAPI + Presidio + rank_bm25 service in app.py (uvicorn, one worker per
#              core), at the same concurrency; server memory and CPU from their processes
#
# Installs the pinned packages of requirements.txt from PyPI into a virtual environment under
# /tmp (REFERENCE_VENV) on first use; builds Loket in release mode unless LOKET_BIN names a
# binary. Not part of CI. Sizes can be changed through the environment:
#   CUSTOMERS (64) TURNS (100) MESSAGES (10000) ENTRIES (10000,100000) BM25_QUERIES (500)
#   WORKERS (number of cores)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${REFERENCE_VENV:-/tmp/loket-reference-venv}
customers=${CUSTOMERS:-64}
turns=${TURNS:-100}
messages=${MESSAGES:-10000}
entries=${ENTRIES:-10000,100000}
bm25_queries=${BM25_QUERIES:-500}
workers=${WORKERS:-$(nproc)}
# Turns per customer of the unmeasured warm-up run against each server.
warm_up_turns=5

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi
python="$venv/bin/python"
if [ -z "${LOKET_BIN:-}" ]; then
    (cd "$root" && cargo build --release -p loket --quiet)
    LOKET_BIN="${CARGO_TARGET_DIR:-$root/target}/release/loket"
fi

work=$(mktemp -d /tmp/loket-reference.XXXXXX)
results="$work/results.txt"
loket_pid=""
uvicorn_pid=""
cleanup() {
    for pid in $loket_pid $uvicorn_pid; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Runs a measuring command: its summary lines go to the terminal and the results file; its
# standard error (progress, and the Python packages' warnings, such as tldextract failing to
# fetch the public suffix list without network and using its bundled copy) only when it fails.
measure() {
    if ! "$@" >"$work/last.out" 2>"$work/last.err"; then
        cat "$work/last.err" >&2
        echo "failed: $*" >&2
        exit 1
    fi
    cat "$work/last.out"
    cat "$work/last.out" >>"$results"
}

free_port() {
    "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until $1/readyz answers 200 (servers load models and indexes first).
wait_ready() {
    "$python" - "$1" <<'PY'
import sys, time, urllib.request
deadline = time.monotonic() + 300
while True:
    try:
        with urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=5) as response:
            if response.status == 200:
                break
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit("server at " + sys.argv[1] + " not ready within 300 s")
    time.sleep(0.2)
PY
}

echo "== machine"
echo "$(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "memory: $(grep MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2 / 1048576}')"
echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
echo "load before: $(uptime)"

echo "== guards: loket bench guards vs Presidio analyzer + anonymizer ($messages messages)"
measure "$LOKET_BIN" bench guards --messages "$messages"
measure "$python" "$root/bench/presidio/compare.py" "$messages"

echo "== retrieval: loket bench retrieval vs rank_bm25 (entries $entries)"
measure "$LOKET_BIN" bench retrieval --entries "$entries" --write-corpus "$work/corpus"
# shellcheck disable=SC2046
measure "$python" "$here/bm25_compare.py" "$work/corpus" $(echo "$entries" | tr ',' ' ') --queries "$bm25_queries"

echo "== chat: $customers customers x $turns turns against loket serve --demo"
loket_port=$(free_port)
loket_url="http://127.0.0.1:$loket_port"
LOKET_LOG=warn \
LOKET_LIMITS__REQUESTS_PER_IP_PER_MINUTE=4294967295 \
LOKET_LIMITS__CONVERSATIONS_PER_IP_PER_HOUR=4294967295 \
LOKET_LIMITS__MESSAGES_PER_CONVERSATION_PER_MINUTE=4294967295 \
    "$LOKET_BIN" serve --demo --data-dir "$work/loket-data" --listen "127.0.0.1:$loket_port" 2>"$work/loket.log" &
loket_pid=$!
wait_ready "$loket_url"
"$LOKET_BIN" bench chat --url "$loket_url" --customers "$customers" --turns "$warm_up_turns" >/dev/null 2>&1 || { echo "warm-up run failed" >&2; exit 1; }
measure "$LOKET_BIN" bench chat --url "$loket_url" --server-pid "$loket_pid" --customers "$customers" --turns "$turns"
kill "$loket_pid"
wait "$loket_pid" 2>/dev/null || true
loket_pid=""

echo "== chat: $customers customers x $turns turns against the reference (uvicorn, $workers workers)"
reference_port=$(free_port)
reference_url="http://127.0.0.1:$reference_port"
(
    cd "$here"
    REFERENCE_SECRET=$("$python" -c 'import secrets; print(secrets.token_hex(32))')
    export REFERENCE_SECRET
    exec "$venv/bin/uvicorn" app:app --host 127.0.0.1 --port "$reference_port" \
    --workers "$workers" --no-access-log --log-level warning 2>"$work/reference.log"
) &
uvicorn_pid=$!
wait_ready "$reference_url"
"$LOKET_BIN" bench chat --url "$reference_url" --customers "$customers" --turns "$warm_up_turns" >/dev/null 2>&1 || { echo "warm-up run failed" >&2; exit 1; }
server_pids="--server-pid $uvicorn_pid"
for pid in $(ps -o pid= --ppid "$uvicorn_pid"); do
    server_pids="$server_pids --server-pid $pid"
done
# shellcheck disable=SC2086
measure "$LOKET_BIN" bench chat --url "$reference_url" $server_pids --customers "$customers" --turns "$turns"
kill "$uvicorn_pid"
wait "$uvicorn_pid" 2>/dev/null || true
uvicorn_pid=""

echo "load after: $(uptime)"
echo "== ratios"
"$python" "$here/ratios.py" --reference-url "$reference_url" "$results"
