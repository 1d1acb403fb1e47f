"""Would fine-tuning the sentence encoder on a knowledge base's own phrasings reach the targets?

    python3 -m venv /tmp/venv && /tmp/venv/bin/pip install numpy scikit-learn torch sentence-transformers
    /tmp/venv/bin/python eval/faq/finetune_ceiling.py ../shared/data target/models/all-minilm-l6-v2 \
        --epochs 4 --batch 77 --learning-rate 5e-5

SetFit-style contrastive tuning, as an import step would run it: every pair of phrasings of one
intent is a positive pair, the other pairs of the batch are negatives (no two pairs of one intent
share a batch), and all six layers are trained with a multiple-negatives ranking loss. The
knowledge base, questions, selectors and the measure are those of selector_ceiling.py (the split of
`loket eval faq`). It prints every selector before and after tuning, and the seconds the tuning
took, which is what an import would add. Only banking77 by default: the set the 65% target is
missed on.
"""

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from selector_ceiling import read_sets, results, selectors  # noqa: E402


def encode(model, texts):
    model.eval()
    with torch.no_grad():
        return model.encode(texts, batch_size=128, convert_to_numpy=True, normalize_embeddings=True)


def batches_without_repeated_intents(pairs, size):
    """Splits (anchor, positive, intent) pairs into batches in which every intent appears once."""
    batches, pending = [], pairs
    while pending:
        batch, seen, rest = [], set(), []
        for pair in pending:
            if pair[2] in seen or len(batch) >= size:
                rest.append(pair)
            else:
                batch.append(pair)
                seen.add(pair[2])
        batches.append(batch)
        pending = rest
    return batches


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("shared_data")
    parser.add_argument("model", help="a sentence-transformers folder (all-MiniLM-L6-v2)")
    parser.add_argument("--only", default="banking77", choices=["banking77", "clinc150"])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=77)
    parser.add_argument("--learning-rate", type=float, default=5e-5)
    parser.add_argument("--scale", type=float, default=20.0, help="similarity scale of the loss")
    arguments = parser.parse_args()
    torch.manual_seed(0)
    random.seed(0)
    for name, entries, queries in read_sets(arguments.shared_data):
        if name != arguments.only:
            continue
        model = SentenceTransformer(arguments.model, device="cpu")
        intents = sorted(entries)
        labels = np.array([k for k, intent in enumerate(intents) for _ in entries[intent]])
        phrasings = [text for intent in intents for text in entries[intent]]
        questions = [text for text, _, _ in queries]
        index = {intent: k for k, intent in enumerate(intents)}
        expected = np.array([index[intent] if intent is not None else -1 for _, intent, _ in queries])
        tuning = np.array([tuning for _, _, tuning in queries])

        def report(tag):
            vectors, asked = encode(model, phrasings), encode(model, questions)
            for selector, predicted, confidence in selectors(vectors, labels, asked, len(intents)):
                accuracy, held_out, oracle = results(predicted, confidence, expected, tuning)
                held = "none" if held_out is None else f"{held_out[0]:6.1%} {held_out[1]:6.2%} {held_out[2]:6.1%}"
                print(f"{tag:6} {selector:36} first {accuracy:6.1%} | held-out {held:>24} | oracle {oracle:6.1%}")

        report("before")
        optimiser = torch.optim.AdamW(model.parameters(), lr=arguments.learning_rate)
        by_intent = {}
        for text, label in zip(phrasings, labels):
            by_intent.setdefault(label, []).append(text)
        started = time.time()
        for epoch in range(arguments.epochs):
            model.train()
            pairs = [(a, b, label) for label, texts in by_intent.items() for a in texts for b in texts if a != b]
            random.shuffle(pairs)
            for batch in batches_without_repeated_intents(pairs, arguments.batch):
                anchors = model(model.tokenize([pair[0] for pair in batch]))["sentence_embedding"]
                positives = model(model.tokenize([pair[1] for pair in batch]))["sentence_embedding"]
                anchors = torch.nn.functional.normalize(anchors, dim=1)
                positives = torch.nn.functional.normalize(positives, dim=1)
                loss = torch.nn.functional.cross_entropy(
                    anchors @ positives.T * arguments.scale, torch.arange(len(batch))
                )
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
            print(f"epoch {epoch + 1}: {time.time() - started:.0f} s, last loss {loss.item():.3f}", flush=True)
        print(f"tuning took {time.time() - started:.0f} s for {len(phrasings)} phrasings")
        report("after")


if __name__ == "__main__":
    main()
