#!/usr/bin/env python3
"""rank_bm25 on the same synthetic FAQ entries and questions as `loket bench retrieval`.

`loket bench retrieval --entries N --write-corpus DIR` writes DIR/entries-N.jsonl and
DIR/queries-N.txt; this script indexes the entries with BM25Okapi (question, alternative
phrasings and answer of each entry, lower-cased \\w+ tokens) and times one query at a time:
scores for every entry and the best one, which is what answering needs. Prints one summary line
per size in the same form as Loket's:

  bench retrieval-rank_bm25 entries=N queries=Q build_s=... throughput_per_s=... p50_us=...
        p95_us=... p99_us=... max_us=... peak_rss_mib=... cpu_us_per_query=...

rank_bm25 scores every entry in Python for every query term, so it gets fewer queries than
Loket by default (--queries); per-query figures stay comparable.

Usage: python bm25_compare.py DIR N [N ...] [--queries Q]
"""
import argparse
import json
import pathlib
import re
import sys
import time

from rank_bm25 import BM25Okapi

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from measure import latency_fields, peak_rss_mib, timed  # noqa: E402 (the shared module is one folder up)

TOKEN = re.compile(r"\w+", re.UNICODE)


def tokens(text):
    return TOKEN.findall(text.lower())


def run(directory, entries, query_count):
    documents = []
    with open(directory / f"entries-{entries}.jsonl", encoding="utf-8") as file:
        for line in file:
            entry = json.loads(line)
            text = " ".join([entry["question"], *entry.get("alt_questions", []), entry["answer"]])
            documents.append(tokens(text))
    queries = (directory / f"queries-{entries}.txt").read_text(encoding="utf-8").splitlines()
    queries = [queries[index % len(queries)] for index in range(query_count)]
    started = time.perf_counter()
    index = BM25Okapi(documents)
    build = time.perf_counter() - started
    for query in queries[: min(10, len(queries))]:
        index.get_scores(tokens(query)).argmax()
    _, durations, wall, cpu = timed(queries, lambda query: index.get_scores(tokens(query)).argmax())
    print(
        f"bench retrieval-rank_bm25 entries={entries} queries={len(durations)} build_s={build:.2f} "
        f"throughput_per_s={len(durations) / wall:.0f} {latency_fields(durations)} "
        f"peak_rss_mib={peak_rss_mib():.1f} cpu_us_per_query={cpu * 1e6 / len(durations):.1f}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=pathlib.Path)
    parser.add_argument("entries", type=int, nargs="+")
    parser.add_argument("--queries", type=int, default=500)
    arguments = parser.parse_args()
    for entries in arguments.entries:
        run(arguments.directory, entries, arguments.queries)


if __name__ == "__main__":
    main()
