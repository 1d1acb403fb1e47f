"""Fits the hybrid confidence of crates/loket-kb/src/hybrid.rs from `loket eval faq --dump`.

    target/release/loket eval faq --shared-data ../shared/data \
        --encoder "$(scripts/encoder.sh)" --dump /tmp/faq-dump.jsonl
    target/release/loket eval faq --shared-data ../shared/data \
        --encoder "$(scripts/encoder.sh)" --phrasings 1 --dump /tmp/faq-dump-1.jsonl
    python3 eval/faq/fit_confidence.py /tmp/faq-dump.jsonl /tmp/faq-dump-1.jsonl   # numpy, scikit-learn

The second dump holds the same questions asked of knowledge bases with one phrasing per intent
(sets `banking77-1`, `clinc150-1`), shaped like a plain FAQ of one question per answer: the
targets must hold on those too, so a calibration that only knows five-phrasing bases cannot be
over-confident where an entry has a single question.

Each encoder gets its own fit (hybrid.rs, `Calibration`), with its own similarity gate: below
`--min-similarity` confidence is 0, ramping to the model's value over `--similarity-ramp`
(defaults: all-MiniLM-L6-v2's 0.3 and 0.15). With `--sweep-gate` the script tries a grid of gates
and prints, for each, the tuning halves' answered rate at the shifted bias, to choose one on the
tuning halves alone. With `--write FILE` it also writes the fitted calibration as JSON: put it in
the encoder's folder as `loket-calibration.json` and Loket uses it instead of its built-in ones
(for an encoder Loket has no calibration for).

Each dump line holds one question's lexical top 10 (entry ids, BM25), lexical confidence, dense
top 10 (entry ids, similarity) and dense votes. This script recomputes what `hybrid::choose`
computes from them (weighted reciprocal rank fusion, then the six evidence features and the
similarity gate), fits a logistic regression on the tuning halves of banking77 and CLINC150
(label: the fused best entry is the expected one; out-of-scope questions are 0), then shifts the
bias to the largest value at which both tuning halves still meet the targets at the default
threshold (wrong answers <= 3 % of all questions, out-of-scope declined >= 95 %) with a margin
for the questions it has not seen: each target must hold at the far end of the one-sided 90 %
Wilson interval of its rate, not just at the rate measured on the tuning half. It prints the
constants for hybrid.rs and the held-out halves' results as this reimplementation computes them;
`loket eval faq` is the measurement that counts.
"""

import json
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

FUSION_K = 5.0
DENSE_WEIGHT = 3.0
FUSION_DEPTH = 10
MIN_SIMILARITY = 0.3
SIMILARITY_RAMP = 0.15
DEFAULT_THRESHOLD = 0.85
MAX_WRONG = 0.03
MIN_OOS_DECLINED = 0.95
# One-sided 90 % normal quantile: a tuning half's rate must meet its target at this many standard
# errors (Wilson) on the safe side, so the targets hold on questions the fit has not seen.
MARGIN_Z = 1.2816
FEATURES = ["similarity", "similarity_margin", "dense_votes", "lexical_confidence", "lexical_rank", "fused_margin"]


def wilson(successes, trials, z):
    """The (lower, upper) limits of the Wilson score interval of `successes` out of `trials`."""
    if trials == 0:
        return 0.0, 1.0
    rate = successes / trials
    centre = rate + z * z / (2 * trials)
    spread = z * np.sqrt(rate * (1 - rate) / trials + z * z / (4 * trials * trials))
    denominator = 1 + z * z / trials
    return (centre - spread) / denominator, (centre + spread) / denominator


def evidence(line, min_similarity=MIN_SIMILARITY, similarity_ramp=SIMILARITY_RAMP):
    lexical = [entry for entry, _ in line["lexical"][:FUSION_DEPTH]]
    dense = line["dense"]
    dense_ids = [entry for entry, _ in dense[:FUSION_DEPTH]]
    fused = {}
    order = []
    for ids, weight in ((dense_ids, DENSE_WEIGHT), (lexical, 1.0)):
        for rank, entry in enumerate(ids):
            if entry not in fused:
                order.append(entry)
                fused[entry] = 0.0
            fused[entry] += weight / (FUSION_K + rank + 1)
    if not order:
        return None
    ranked = sorted(order, key=lambda entry: -fused[entry])  # stable: dense order among ties
    best = ranked[0]
    best_score = fused[best]
    second_score = fused[ranked[1]] if len(ranked) > 1 else 0.0
    position = next((i for i, (entry, _) in enumerate(dense) if entry == best), None)
    similarity = dense[position][1] if position is not None else 0.0
    runner_up = next((value for entry, value in dense if entry != best), 0.0)
    lexical_position = lexical.index(best) if best in lexical else None
    features = [
        similarity,
        similarity - runner_up,
        line["dense_votes"] if position == 0 else 0.0,
        line["lexical_confidence"] if lexical_position == 0 else 0.0,
        1.0 / (lexical_position + 1) if lexical_position is not None else 0.0,
        (best_score - second_score) / best_score if best_score > 0 else 0.0,
    ]
    gate = min(max((similarity - min_similarity) / similarity_ramp, 0.0), 1.0)
    return best, features, gate


def dump_files():
    """Every argument that is neither an option nor an option's value."""
    files, skip = [], False
    for argument in sys.argv[1:]:
        if skip:
            skip = False
        elif argument in ("--min-similarity", "--similarity-ramp", "--write"):
            skip = True
        elif not argument.startswith("--"):
            files.append(argument)
    return files


def option(name, default):
    if name in sys.argv:
        return float(sys.argv[sys.argv.index(name) + 1])
    return default


def main():
    if "--sweep-gate" in sys.argv:
        for min_similarity in [0.0, 0.3, 0.6, 0.7, 0.75, 0.8, 0.82, 0.85]:
            for ramp in [0.02, 0.05, 0.1, 0.15]:
                fit(min_similarity, ramp, quiet=True)
        return
    fit(option("--min-similarity", MIN_SIMILARITY), option("--similarity-ramp", SIMILARITY_RAMP))


def fit(min_similarity, similarity_ramp, quiet=False):
    rows = []
    texts = [text for path in dump_files() for text in open(path, encoding="utf-8")]
    for text in texts:
        line = json.loads(text)
        computed = evidence(line, min_similarity, similarity_ramp)
        if computed is None:
            best, features, gate = None, [0.0] * len(FEATURES), 0.0
        else:
            best, features, gate = computed
        rows.append((line["set"], line["tuning"], line["expected"], best, features, gate))
    sets = np.array([row[0] for row in rows])
    tuning = np.array([row[1] for row in rows])
    in_scope = np.array([row[2] is not None for row in rows])
    correct = np.array([row[2] is not None and row[2] == row[3] for row in rows])
    x = np.array([row[4] for row in rows])
    gate = np.array([row[5] for row in rows])
    model = LogisticRegression(C=100.0, max_iter=5000).fit(x[tuning], correct[tuning])
    logit = x @ model.coef_[0] + model.intercept_[0]

    def counts(mask, shift):
        answered = gate / (1.0 + np.exp(-(logit + shift))) >= DEFAULT_THRESHOLD
        return {
            "in_scope": (mask & in_scope).sum(),
            "answered": (answered & mask & in_scope).sum(),
            "all": mask.sum(),
            "wrong": (answered & mask & ~correct).sum(),
            "out_of_scope": (mask & ~in_scope).sum(),
            "declined": (~answered & mask & ~in_scope).sum(),
        }

    def metrics(mask, shift):
        c = counts(mask, shift)
        declined = c["declined"] / c["out_of_scope"] if c["out_of_scope"] else 1.0
        return c["answered"] / max(c["in_scope"], 1), c["wrong"] / max(c["all"], 1), declined

    def meets(shift):
        for name in sorted(set(sets)):
            c = counts(tuning & (sets == name), shift)
            _, wrong_upper = wilson(c["wrong"], c["all"], MARGIN_Z)
            if wrong_upper > MAX_WRONG:
                return False
            if c["out_of_scope"]:
                declined_lower, _ = wilson(c["declined"], c["out_of_scope"], MARGIN_Z)
                if declined_lower < MIN_OOS_DECLINED:
                    return False
        return True

    shift = next((s / 100 for s in range(800, -800, -1) if meets(s / 100)), None)
    if shift is None:
        print(f"gate {min_similarity} + {similarity_ramp}: no bias meets the targets")
        return
    if quiet:
        answered = [metrics(tuning & (sets == name), shift)[0] for name in sorted(set(sets))]
        print(f"gate {min_similarity} + {similarity_ramp}: shift {shift:.2f}, tuning answered "
              + ", ".join(f"{name} {rate:.3f}" for name, rate in zip(sorted(set(sets)), answered)))
        return
    print(f"gate: min_similarity {min_similarity}, similarity_ramp {similarity_ramp}")
    if "--write" in sys.argv:
        path = sys.argv[sys.argv.index("--write") + 1]
        calibration = {
            "weights": {name: round(float(weight), 3) for name, weight in zip(FEATURES, model.coef_[0])},
            "bias": round(float(model.intercept_[0]) + shift, 3),
            "min_similarity": min_similarity,
            "similarity_ramp": similarity_ramp,
        }
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(calibration, handle, indent=2)
        print(f"wrote {path}")
    for name, weight in zip(FEATURES, model.coef_[0]):
        print(f"    {name}: {weight:.3f},")
    print(f"fitted bias {model.intercept_[0]:.3f}, shift {shift:.2f}")
    for name in sorted(set(sets)):
        for half, mask in (("tune", tuning), ("held-out", ~tuning)):
            answered, wrong, declined = metrics(mask & (sets == name), shift)
            print(f"{name} {half}: answered {answered:.3f}, wrong {wrong:.3f} of all, out-of-scope declined {declined:.3f}")


if __name__ == "__main__":
    main()
