#!/usr/bin/env python3
"""Trains the learned part of Loket's grounding verifier (issue 8, ACC-01 to ACC-03).

A logistic regression over ten lexical features of one answer sentence against the passages it
cites. The feature extraction below is the specification that
`crates/loket-guard/src/grounding/mod.rs` implements in Rust; the tests there pin both together
on fixed examples. Deterministic rules (numbers, contact details and commitments that are not in
the passages; questions) are applied on top in Rust and are not learned.

Data: ../shared/data/grounding-begin-dev (BEGIN dev, label "Fully attributable" = supported).
Split by FNV-1a 32-bit of the response text: even -> train (this script), odd -> held out
(`loket eval grounding` reports on it). The threshold is chosen on the training half only.

Run from the repository root (numpy and scikit-learn from PyPI):
    python3 eval/grounding/train.py ../shared/data
It rewrites crates/loket-guard/src/grounding/weights.rs; a second run gives identical bytes.
"""

import csv
import re
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

REPO = Path(__file__).resolve().parent.parent.parent
OUT = REPO / "crates/loket-guard/src/grounding/weights.rs"
TARGET_PRECISION = 0.90

FUNC = set("a an the and or of to in on at for with by from as is are was were be been being it its this that these "
           "those which who whom whose there their they them he she his her him also so very de het een en of te in op "
           "aan voor met door van is zijn was waren wordt worden dat die dit deze er".split())
DISC = set("yes yeah well sure indeed ja inderdaad zeker".split())
PRON = set("i me my mine you your we us our ik mij mijn jij je jouw wij ons onze".split())
HEDGE = set("think believe guess maybe probably love like hate favorite prefer agree denk geloof misschien "
            "waarschijnlijk".split())
AFFIRM = ("yes", "yeah", "no", "ja", "nee")


def fnv(text):
    value = 0x811C9DC5
    for byte in text.encode():
        value ^= byte
        value = (value * 0x01000193) & 0xFFFFFFFF
    return value


def tokens(text):
    return re.findall(r"[a-z0-9\u00e0-\u00ff]+", text.lower())


def stem(word):
    for suffix in ("ing", "ed", "es", "s", "en", "e"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def sentences(text):
    return [part for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part.strip()]


def coverage(passage, answer, n):
    if len(answer) < n:
        return 0.0
    grams = {tuple(passage[i:i + n]) for i in range(len(passage) - n + 1)}
    covered = [False] * len(answer)
    for i in range(len(answer) - n + 1):
        if tuple(answer[i:i + n]) in grams:
            for j in range(i, i + n):
                covered[j] = True
    return sum(covered) / len(answer)


def features(passages, sentence):
    passage = tokens(passages)
    answer = tokens(sentence)
    if not answer:
        return None
    known = set(passage)
    stems = {stem(word) for word in passage}
    novel = [w for w in answer if w not in FUNC and w not in DISC and w not in known and stem(w) not in stems]
    return [
        sum(1 for w in answer if w in known) / len(answer),
        min(len(novel), 10),
        len(novel) / len(answer),
        coverage(passage, answer, 2),
        coverage(passage, answer, 3),
        min(len(answer), 40) / 40,
        sum(1 for w in answer if w in PRON and w not in known),
        sum(1 for w in answer if w in HEDGE and w not in known),
        1.0 if sentence.strip().endswith("?") else 0.0,
        1.0 if answer[0] in AFFIRM else 0.0,
    ]


def load(shared):
    rows = []
    for path in sorted((Path(shared) / "grounding-begin-dev").glob("*.tsv")):
        with open(path, encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                rows.append((row["knowledge"], row["response"], row["begin_label"] == "Fully attributable"))
    return rows


def main():
    shared = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
    train = [row for row in load(shared) if fnv(row[1]) % 2 == 0]
    x, y = [], []
    for passages, answer, label in train:
        for sentence in sentences(answer):
            vector = features(passages, sentence)
            if vector is not None:
                x.append(vector)
                y.append(label)
    model = LogisticRegression(C=1.0, max_iter=5000).fit(np.array(x), np.array(y))
    weights = [float(w) for w in model.coef_[0]]
    bias = float(model.intercept_[0])

    def probability(vector):
        return 1.0 / (1.0 + np.exp(-(bias + float(np.dot(weights, vector)))))

    def supported(passages, answer, threshold):
        parts = [features(passages, sentence) for sentence in sentences(answer)]
        parts = [part for part in parts if part is not None]
        return bool(parts) and all(probability(part) >= threshold for part in parts)

    # The lowest threshold whose training precision reaches the target (most answers pass).
    positives = sum(1 for row in train if row[2])
    chosen = 0.5
    for threshold in [round(0.30 + 0.01 * step, 2) for step in range(60)]:
        passed = [row[2] for row in train if supported(row[0], row[1], threshold)]
        if passed and sum(passed) / len(passed) >= TARGET_PRECISION:
            chosen = threshold
            print(f"threshold {threshold}: train precision {sum(passed) / len(passed):.3f}, "
                  f"passed {sum(passed) / positives:.3f} of attributable")
            break
    body = ",\n".join(f"    {weight:.6f}" for weight in weights)
    OUT.write_text(
        "// Generated by eval/grounding/train.py from BEGIN dev (training half); do not edit.\n"
        "/// Weights of the ten sentence features, in the order of `features`.\n"
        f"pub(super) const WEIGHTS: [f64; 10] = [\n{body},\n];\n"
        "/// The intercept.\n"
        f"pub(super) const BIAS: f64 = {bias:.6f};\n"
        "/// The default threshold on a sentence's probability of being supported.\n"
        f"pub(super) const THRESHOLD: f64 = {chosen:.2f};\n",
        encoding="utf-8",
    )
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
