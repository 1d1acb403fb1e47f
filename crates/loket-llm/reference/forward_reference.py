"""Reference logits for loket-llm's forward pass, from an independent numpy implementation.

Dequantises every tensor with the `gguf` package's own `gguf.quants.dequantize`, un-permutes Q and
K back to Hugging Face's row order (the inverse of convert_hf_to_gguf.py's `permute`) and runs a
plain float64 Llama forward pass with Hugging Face's RoPE (rotate_half over the two halves of
each head). loket-llm instead rotates adjacent pairs of the permuted rows, as llama.cpp does;
agreement checks that the two are the same thing.

For each chat prompt in expected_tokens.json it records the logits after the prompt and, after
appending the greedy next token, after one more position (which loket-llm computes with its
single-token decoding path): the ten best ids and every 500th id.

Usage: python forward_reference.py MODEL.gguf expected_tokens.json > expected_logits.json
"""

import json
import sys

import gguf
import numpy as np
from gguf.quants import dequantize

from dump import dump

PROBE_STEP = 500


def load(path):
    reader = gguf.GGUFReader(path)
    field = lambda key: reader.fields[key].contents()
    config = {
        "layers": field("llama.block_count"),
        "heads": field("llama.attention.head_count"),
        "kv_heads": field("llama.attention.head_count_kv"),
        "base": field("llama.rope.freq_base"),
        "epsilon": field("llama.attention.layer_norm_rms_epsilon"),
    }
    weights = {
        tensor.name: dequantize(tensor.data, tensor.tensor_type).astype(np.float64).reshape(
            tuple(reversed([int(d) for d in tensor.shape]))
        )
        for tensor in reader.tensors
    }
    return config, weights


def unpermute(weight, heads):
    """Inverse of convert_hf_to_gguf.py's permute: (head, pair, half) rows -> (head, half, pair)."""
    rows, columns = weight.shape
    return weight.reshape(heads, rows // heads // 2, 2, columns).swapaxes(1, 2).reshape(rows, columns)


def rms_norm(x, gain, epsilon):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + epsilon) * gain


def rope_hf(x, positions, base):
    """Hugging Face Llama RoPE: x * cos + rotate_half(x) * sin, for x of shape (n, heads, dim)."""
    dim = x.shape[-1]
    inverse = 1.0 / base ** (np.arange(0, dim, 2, dtype=np.float64) / dim)
    angles = np.outer(positions, inverse)
    cos = np.concatenate([np.cos(angles)] * 2, axis=-1)[:, None, :]
    sin = np.concatenate([np.sin(angles)] * 2, axis=-1)[:, None, :]
    first, second = x[..., : dim // 2], x[..., dim // 2 :]
    rotated = np.concatenate([-second, first], axis=-1)
    return x * cos + rotated * sin


def forward(config, weights, ids):
    """Logits of every position of `ids`."""
    heads, kv_heads, layers = config["heads"], config["kv_heads"], config["layers"]
    epsilon = config["epsilon"]
    embedding = weights["token_embd.weight"]
    x = embedding[ids]
    n, width = x.shape
    head_dim = width // heads
    positions = np.arange(n, dtype=np.float64)
    mask = np.triu(np.full((n, n), -np.inf), k=1)
    for layer in range(layers):
        w = lambda part: weights[f"blk.{layer}.{part}.weight"]
        h = rms_norm(x, w("attn_norm"), epsilon)
        q = (h @ unpermute(w("attn_q"), heads).T).reshape(n, heads, head_dim)
        k = (h @ unpermute(w("attn_k"), kv_heads).T).reshape(n, kv_heads, head_dim)
        v = (h @ w("attn_v").T).reshape(n, kv_heads, head_dim)
        q, k = rope_hf(q, positions, config["base"]), rope_hf(k, positions, config["base"])
        k = np.repeat(k, heads // kv_heads, axis=1)
        v = np.repeat(v, heads // kv_heads, axis=1)
        scores = np.einsum("qhd,khd->hqk", q, k) / np.sqrt(head_dim) + mask
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        attention = np.einsum("hqk,khd->qhd", scores, v).reshape(n, width)
        x = x + attention @ w("attn_output").T
        h = rms_norm(x, w("ffn_norm"), epsilon)
        gate = h @ w("ffn_gate").T
        x = x + (gate / (1.0 + np.exp(-gate)) * (h @ w("ffn_up").T)) @ w("ffn_down").T
    x = rms_norm(x, weights["output_norm.weight"], epsilon)
    output = weights.get("output.weight", embedding)
    return x @ output.T


def summary(logits):
    best = np.argsort(-logits)[:10]
    return {
        "top": [[int(i), float(logits[i])] for i in best],
        "probes": [[int(i), float(logits[i])] for i in range(0, len(logits), PROBE_STEP)],
    }


def main(model_path, tokens_path):
    config, weights = load(model_path)
    with open(tokens_path, encoding="utf-8") as file:
        chats = json.load(file)["chats"]
    cases = []
    for chat in chats:
        ids = chat["ids"]
        first = forward(config, weights, ids)[-1]
        next_token = int(np.argmax(first))
        second = forward(config, weights, ids + [next_token])[-1]
        cases.append(
            {
                "name": chat["name"],
                "prompt_ids": ids,
                "after_prompt": summary(first),
                "next_token": next_token,
                "after_next_token": summary(second),
            }
        )
        print(chat["name"], len(ids), "tokens, top 5:", [i for i, _ in summary(first)["top"][:5]], file=sys.stderr)
    dump(cases)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
