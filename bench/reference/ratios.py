#!/usr/bin/env python3
"""Print Loket/Python ratios from the summary lines of one comparison run.

Reads `bench <workload> key=value ...` lines (Loket's and the Python side's, in any order) from
the files given or standard input and pairs them:

  chat       `bench chat` against Loket and against the reference, same customers and turns
             (told apart by target=: the reference's URL is given with --reference-url)
  guards     `bench guards` with `bench guards-presidio`, same message count
  retrieval  `bench retrieval` with `bench retrieval-rank_bm25`, same entry count

For each pair: throughput Loket/Python (higher is better for Loket) and p99 Python/Loket (how
many times lower Loket's tail latency is), plus peak memory and CPU time per unit where both
sides have them.

Usage: python ratios.py --reference-url URL FILE...
"""
import argparse
import sys


def parse(lines):
    runs = []
    for line in lines:
        parts = line.split()
        if len(parts) < 2 or parts[0] != "bench":
            continue
        fields = dict(part.split("=", 1) for part in parts[2:] if "=" in part)
        runs.append((parts[1], fields))
    return runs


def number(fields, key):
    try:
        return float(fields[key])
    except (KeyError, ValueError):
        return None


def ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator == 0:
        return "n/a"
    return f"{numerator / denominator:.1f}x"


def pair(title, loket, python, p99_key, extra):
    lines = [
        title,
        f"  throughput  Loket {loket['throughput_per_s']}/s, Python {python['throughput_per_s']}/s: "
        f"Loket/Python {ratio(number(loket, 'throughput_per_s'), number(python, 'throughput_per_s'))}",
        f"  p99         Loket {loket[p99_key]}, Python {python[p99_key]} ({p99_key[4:]}): "
        f"Python/Loket {ratio(number(python, p99_key), number(loket, p99_key))}",
    ]
    for key in extra:
        if key in loket and key in python:
            lines.append(
                f"  {key:<22}Loket {loket[key]}, Python {python[key]}: "
                f"Python/Loket {ratio(number(python, key), number(loket, key))}"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference-url", required=True)
    parser.add_argument("files", nargs="*")
    arguments = parser.parse_args()
    lines = []
    if arguments.files:
        for name in arguments.files:
            with open(name, encoding="utf-8") as file:
                lines.extend(file)
    else:
        lines.extend(sys.stdin)
    runs = parse(lines)
    reports = []
    chats = [fields for workload, fields in runs if workload == "chat"]
    reference = arguments.reference_url.rstrip("/")
    for python in [fields for fields in chats if fields.get("target") == reference]:
        for loket in chats:
            if (
                loket.get("target") != reference
                and loket.get("customers") == python.get("customers")
                and loket.get("turns") == python.get("turns")
            ):
                reports.append(
                    pair(
                        f"chat turn, {python['customers']} concurrent customers, {python['turns']} turns",
                        loket,
                        python,
                        "p99_ms",
                        ["peak_rss_mib", "cpu_ms_per_turn"],
                    )
                )
    for workload, python_workload, key, unit, extra in [
        ("guards", "guards-presidio", "messages", "messages", ["peak_rss_mib", "cpu_us_per_message"]),
        ("retrieval", "retrieval-rank_bm25", "entries", "entries", ["cpu_us_per_query"]),
    ]:
        for python_name, python in runs:
            if python_name != python_workload:
                continue
            for loket_name, loket in runs:
                if loket_name == workload and loket.get(key) == python.get(key):
                    reports.append(
                        pair(f"{workload} vs {python_workload}, {python[key]} {unit}", loket, python, "p99_us", extra)
                    )
    if not reports:
        print("no matching Loket and Python summary lines found", file=sys.stderr)
        sys.exit(1)
    print("\n".join(reports))


if __name__ == "__main__":
    main()
