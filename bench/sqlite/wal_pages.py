#!/usr/bin/env python3
"""Which B-trees the commits in a SQLite write-ahead log wrote, in frames per commit.

Usage: wal_pages.py WAL DATABASE

Copy DATABASE-wal while `loket bench chat --url …` runs against `loket serve` (the checkpointer
restarts the log from its beginning, so a copy holds the commits since the last restart), then the
database file after the run. Each frame's page number is matched to its table or index through
SQLite's `dbstat` table; pages that are free or new since the copy count as `?new/free`. Used for
the "Where 20x stands" paragraph of BENCHMARKS.md.
"""

import collections
import sqlite3
import struct
import sys


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    wal = open(sys.argv[1], "rb").read()
    _magic, _version, page_size, _checkpoint, salt1, salt2, _c1, _c2 = struct.unpack(">IIIIIIII", wal[:32])
    commits, current, offset = [], [], 32
    while offset + 24 + page_size <= len(wal):
        page, commit, frame_salt1, frame_salt2, _k1, _k2 = struct.unpack(">IIIIII", wal[offset : offset + 24])
        if (frame_salt1, frame_salt2) != (salt1, salt2):
            break
        current.append(page)
        if commit:
            commits.append(current)
            current = []
        offset += 24 + page_size
    owner = dict((page, name) for name, page in sqlite3.connect(sys.argv[2]).execute("SELECT name, pageno FROM dbstat"))
    counts = collections.Counter(owner.get(page, "?new/free") for commit in commits for page in commit)
    print(f"page size {page_size}, {len(commits)} commits, {sum(map(len, commits))} frames")
    for name, frames in counts.most_common():
        print(f"{frames / max(1, len(commits)):7.1f} frames per commit  {name}")


if __name__ == "__main__":
    main()
