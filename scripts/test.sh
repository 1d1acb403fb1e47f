#!/usr/bin/env bash
# Runs every test of Loket: Rust unit and integration tests (real SQLite, real HTTP server),
# the web assets' unit tests, the real-browser end-to-end and accessibility tests (headless
# Chromium; scripts/e2e.sh installs Chromium and the pinned npm packages when missing), and a
# smoke run of the benchmark so the harness cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --workspace --all-targets --quiet

echo "== web unit tests"
node --test web/test/

echo "== browser tests"
cargo build -p loket --quiet
export LOKET_BIN="${CARGO_TARGET_DIR:-target}/debug/loket"
scripts/e2e.sh

echo "== benchmark smoke run"
"$LOKET_BIN" bench --smoke
