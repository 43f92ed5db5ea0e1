"""Benchmark: parsing a 1,000,000-line DistroKid statement (newer layout), no database.

    .venv/bin/python bench/statements.py [--lines 1000000] [--runs 3] [--keep FILE]

Writes a tab-separated DistroKid export (200 songs, seven stores, ten countries, three sale
months, UTF-8 with "Inès" on every line; the same bytes on every run) and times
``for line in statement_open(f).lines(): pass`` in a fresh process per run, printing lines per
second and the process's peak resident memory (ru_maxrss: interpreter, libraries and data).
The importer's budget is about 10 s for a million lines including its inserts, so the parse
is meant to take well under half of it. Nothing here passes or fails: timings on a shared
machine are noisy, and the figures are for people to read.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = [
    "Reporting Date",
    "Sale Month",
    "Store",
    "Artist",
    "Title",
    "ISRC",
    "UPC",
    "Quantity",
    "Team Percentage",
    "Source Type",
    "Country of Sale",
    "Songwriter Royalties Withheld (USD)",
    "Earnings (USD)",
    "Recoup (USD)",
    "Date Inserted",
]
STORES = ["Spotify", "Apple Music", "Deezer", "Amazon Unlimited", "YouTube (Red)", "TikTok"]
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "JP", "MX", "UK", "SE", "NL"]

RUN = """
import resource, sys, time
sys.path.insert(0, {root!r})
from rights.statements import statement_open
started = time.perf_counter()
count = 0
with open({path!r}, "rb") as f:
    for _line in statement_open(f).lines():
        count += 1
took = time.perf_counter() - started
print(count, took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write(path: Path, lines: int) -> None:
    rnd = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("\t".join(HEADER) + "\n")
        for _ in range(lines):
            song = rnd.randrange(200)
            f.write(
                f"2026-04-05\t2026-0{rnd.randrange(1, 4)}\t{rnd.choice(STORES)}\tInès Marlow\t"
                f"Song {song}\tQZABC26{song:05d}\t\t{rnd.randrange(1, 5000)}\t100\tStreaming\t"
                f"{rnd.choice(COUNTRIES)}\t0\t{rnd.random() * 5:.10f}\t0\t2026-04-06\n"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the statement here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "distrokid.tsv"
        if not path.exists():
            write(path, args.lines)
        size = os.path.getsize(path) / 1e6
        print(f"DistroKid newer layout: {args.lines:,} lines, {size:.0f} MB")
        for run in range(1, args.runs + 1):
            out = subprocess.run(
                [sys.executable, "-c", RUN.format(root=str(ROOT), path=str(path))],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()
            count, took, rss_kb = int(out[0]), float(out[1]), int(out[2])
            print(
                f"run {run}: {count:,} lines in {took:.2f} s = {count / took:,.0f} lines/s, "
                f"peak RSS {rss_kb / 1024:.0f} MB"
            )


if __name__ == "__main__":
    main()
