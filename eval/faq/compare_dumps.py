"""Compares two `loket eval faq --dump` files of the same questions, set by set.

    target/release/loket eval faq --shared-data ../shared/data --encoder DIR --dump /tmp/before.jsonl
    # ... change the retrieval, rebuild ...
    target/release/loket eval faq --shared-data ../shared/data --encoder DIR --dump /tmp/after.jsonl
    python3 eval/faq/compare_dumps.py /tmp/before.jsonl /tmp/after.jsonl

For each set it counts the questions whose dense ranking kept its best entry (same entry, same
similarity within 1e-6), its votes, and its whole top 10 as dumped, and the same for the lexical
top 10. This is how a change meant to keep answers (a faster dense search, say) is checked
question by question rather than only by the rates `loket eval faq` prints. Standard library only.
"""

import json
import sys
from collections import Counter


def same_ranking(left, right):
    return len(left) == len(right) and all(
        a[0] == b[0] and abs(a[1] - b[1]) < 1e-6 for a, b in zip(left, right)
    )


def main(before_path, after_path):
    counts = Counter()
    with open(before_path) as before, open(after_path) as after:
        for number, (left_line, right_line) in enumerate(zip(before, after), start=1):
            left, right = json.loads(left_line), json.loads(right_line)
            if (left["set"], left["expected"]) != (right["set"], right["expected"]):
                sys.exit(f"line {number}: the dumps hold different questions")
            name = left["set"]
            counts[name, "questions"] += 1
            counts[name, "dense best"] += same_ranking(left["dense"][:1], right["dense"][:1])
            counts[name, "dense votes"] += abs(left["dense_votes"] - right["dense_votes"]) < 1e-6
            counts[name, "dense top 10"] += same_ranking(left["dense"], right["dense"])
            counts[name, "lexical top 10"] += same_ranking(left["lexical"], right["lexical"])
    for name in sorted({key[0] for key in counts}):
        total = counts[name, "questions"]
        cells = ", ".join(
            f"{what} {counts[name, what]}"
            for what in ("dense best", "dense votes", "dense top 10", "lexical top 10")
        )
        print(f"{name}: {total} questions; same {cells}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: compare_dumps.py BEFORE.jsonl AFTER.jsonl")
    main(sys.argv[1], sys.argv[2])
