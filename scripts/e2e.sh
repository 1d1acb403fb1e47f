#!/usr/bin/env bash
# Real-browser end-to-end and accessibility tests (tests-e2e/) against a built `loket` binary.
#
# Builds nothing: it expects target/debug/loket (from `cargo build -p loket`) or $LOKET_BIN.
# Installs Debian's chromium when /usr/bin/chromium is missing (needs root and apt), installs the
# pinned npm packages from tests-e2e/package-lock.json when node_modules is missing, then runs
# `node --test tests-e2e/`. Exits non-zero on any failure. Screenshots go to target/e2e-screenshots/ (or $LOKET_SCREENSHOT_DIR).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

export LOKET_BIN="${LOKET_BIN:-$repo_root/target/debug/loket}"
if [[ ! -x "$LOKET_BIN" ]]; then
  echo "e2e: no loket binary at $LOKET_BIN; run \`cargo build -p loket\` first or set LOKET_BIN" >&2
  exit 2
fi

export CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM_BIN" ]]; then
  echo "e2e: $CHROMIUM_BIN is missing; installing Debian's chromium" >&2
  if [[ "$(id -u)" -eq 0 ]]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y --no-install-recommends chromium chromium-driver
fi

if [[ ! -d tests-e2e/node_modules ]]; then
  (cd tests-e2e && npm ci --no-audit --no-fund)
fi

# The usual report (spec on a terminal, TAP otherwise), plus the requirements each browser test
# checked and how it ended, added to the accessibility summary for the compliance report.
if [[ -t 1 ]]; then reporter=spec; else reporter=tap; fi
exec node --test \
  --test-reporter="$reporter" --test-reporter-destination=stdout \
  --test-reporter=./tests-e2e/support/requirements-reporter.js --test-reporter-destination=stdout \
  tests-e2e/
