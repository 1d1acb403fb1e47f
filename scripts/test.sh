#!/usr/bin/env bash
# Runs every test of Loket: Rust unit and integration tests (real SQLite, real HTTP server),
# the web assets' unit tests, and the real-browser end-to-end and accessibility tests.
# Installs what the tests need when it is missing (Chromium from Debian, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."

need_root_install() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium chromium-driver)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "missing packages: ${missing[*]} (run as root, or install them)" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

echo "== cargo test"
cargo test --workspace --all-targets --quiet

echo "== web unit tests"
node --test web/test/

if [ -x scripts/e2e.sh ]; then
  echo "== browser tests"
  need_root_install
  cargo build -p loket --quiet
  scripts/e2e.sh
fi

echo "== benchmark smoke run"
cargo run -p loket --quiet -- bench --smoke
