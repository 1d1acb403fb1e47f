"""What the numpy forward passes of `mpnet_embed.py` and `nomic_embed.py` share: padding a batch of
token ids, and the `embed` interface of loket-embed's example (one text per line of standard input,
little-endian float32 vectors on standard output, in input order, encoded in batches of similar
length)."""

import sys

import numpy as np


def pad(batch, pad_id):
    """The batch's token ids padded with `pad_id` to its longest, and the mask of real tokens."""
    rows, length = len(batch), max(len(ids) for ids in batch)
    ids = np.full((rows, length), pad_id, dtype=np.int64)
    mask = np.zeros((rows, length), dtype=np.float32)
    for row, tokens in enumerate(batch):
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1
    return ids, mask


def embed_stdin(tokenize, encode, width, batch=64):
    """Embeds every line of standard input with `encode` (a list of id lists in, unit vectors of
    `width` out) and writes the vectors to standard output."""
    lines = sys.stdin.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tokens = [tokenize(line) for line in lines]
    order = sorted(range(len(tokens)), key=lambda index: len(tokens[index]))
    vectors = np.zeros((len(tokens), width), dtype=np.float32)
    for start in range(0, len(order), batch):
        chosen = order[start : start + batch]
        vectors[chosen] = encode([tokens[index] for index in chosen])
    sys.stdout.buffer.write(vectors.astype("<f4").tobytes())
