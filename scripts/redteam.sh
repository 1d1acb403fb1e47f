#!/usr/bin/env bash
# Red-team gate (issue 6, SEC-11): starts `loket serve --demo` on a free port with a fresh data
# directory, runs `loket redteam` (the bundled Dutch and English attack corpus) against it through
# the public API, stops the server, and exits non-zero when any attack got a canary, a passage of
# an internal or confidential page, or another customer's data back.
#
# Builds nothing: it expects target/debug/loket (from `cargo build -p loket`) or $LOKET_BIN.
# The server's rate limits are raised so the run is not throttled; `loket redteam` still waits
# out any 429 it gets.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

LOKET_BIN="${LOKET_BIN:-$repo_root/target/debug/loket}"
if [[ ! -x "$LOKET_BIN" ]]; then
  echo "redteam: no loket binary at $LOKET_BIN; run \`cargo build -p loket\` first or set LOKET_BIN" >&2
  exit 2
fi

work_dir="$(mktemp -d)"
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

data_dir="$work_dir/data"
log="$work_dir/server.log"
mkdir -p "$data_dir"

LOKET_LIMITS__REQUESTS_PER_IP_PER_MINUTE=100000 \
LOKET_LIMITS__CONVERSATIONS_PER_IP_PER_HOUR=100000 \
LOKET_LIMITS__MESSAGES_PER_CONVERSATION_PER_MINUTE=1000 \
LOKET_LOG="${LOKET_LOG:-warn}" \
  "$LOKET_BIN" serve --demo --data-dir "$data_dir" --listen 127.0.0.1:0 >"$log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 1 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "redteam: the server exited early:" >&2
    cat "$log" >&2
    exit 2
  fi
  url="$(grep -oE 'Loket serves on http://127\.0\.0\.1:[0-9]+' "$log" | head -n 1 | sed 's/^Loket serves on //' || true)"
  [[ -n "$url" ]] && break
  sleep 0.1
done
if [[ -z "$url" ]]; then
  echo "redteam: the server did not start within 60 s:" >&2
  cat "$log" >&2
  exit 2
fi

status=0
"$LOKET_BIN" redteam --url "$url" --data-dir "$data_dir" || status=$?
if [[ "$status" -ne 0 ]]; then
  echo "redteam: FAILED (exit $status)" >&2
fi
exit "$status"
