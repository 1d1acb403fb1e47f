#!/usr/bin/env python3
"""Derive the compact Dutch name lists that loket-guard embeds with include_str!.

Origin: the Dutch first-name and surname gazetteers of the PyPI package filenthropist 0.3.1
(pii_interface/data/gazetteers/dutch_first_names.json and dutch_last_names.json, MIT licence;
the package does not say where its counts come from). The full lists (115k first names, 171k
surnames) are too large to embed and are not copied into this repository; this script keeps a
reproducible subset:

- nl-first-common.txt: first names with the top count (1000, the list's cap): the ~350 most
  common Dutch first names. A name from this list may be reported on its own.
- nl-first.txt: first names seen once in the source, 3 to 6 letters (any script), the short end
  of the long tail. This tail also holds ordinary words ("Green", "King"), so a name from it is
  reported only together with other evidence (a surname, a title, a context phrase).
- nl-last.txt: the 15,000 most frequent surnames (ties broken alphabetically).

en-first.txt and en-last.txt are written by hand (common English first names and surnames);
this script does not touch them.

Entries with counts between 2 and 999 in the first-name file are mostly words scraped from text
("Tweede", "Duitsland", "Mevr") and are left out.

Usage: python3 derive.py /path/to/names-nl   (writes next to this script; stdlib only)
"""
import json
import pathlib
import re
import sys

source = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "../../../../../shared/data/names-nl")
target = pathlib.Path(__file__).resolve().parent

first = json.loads((source / "dutch_first_names.json").read_text(encoding="utf-8"))
last = json.loads((source / "dutch_last_names.json").read_text(encoding="utf-8"))

common = sorted(name for name, count in first.items() if count >= 1000 and re.fullmatch(r"[^\W\d_]{2,}", name))
tail = sorted(
    name for name, count in first.items()
    if count == 1 and re.fullmatch(r"[^\W\d_]{3,6}", name) and name[0].isupper()
)
surnames = [
    name for name, _ in sorted(last.items(), key=lambda item: (-item[1], item[0]))
    if re.fullmatch(r"[^\W\d_][^\W\d_'-]*(?:[-'][^\W\d_]+)*", name) and len(name) >= 2
][:15000]

(target / "nl-first-common.txt").write_text("\n".join(common) + "\n", encoding="utf-8")
(target / "nl-first.txt").write_text("\n".join(tail) + "\n", encoding="utf-8")
(target / "nl-last.txt").write_text("\n".join(sorted(surnames)) + "\n", encoding="utf-8")
print(len(common), len(tail), len(surnames))
