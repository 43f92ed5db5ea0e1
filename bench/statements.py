"""Benchmark: importing a 1,000,000-line DistroKid statement, beside PostgreSQL's own COPY.

    .venv/bin/python bench/statements.py [--lines 1000000] [--runs 3] [--sqlite-runs 1]
                                         [--database-url postgres://…] [--keep FILE]

Writes a tab-separated DistroKid export in the newer layout (200 songs of the catalogue and 10
unknown ones, six stores, ten countries, three sale months, "Inès" on every line; the same bytes
on every run), then, each in a fresh process that prints its wall time and peak resident memory
(ru_maxrss: interpreter, Django and data):

- parse only: ``for record in statement_open(f).records(): pass`` (what the import reads);
- the floor: PostgreSQL's COPY of the same file into a bare table of text columns;
- the whole import (``rights.services.statements.statement_import``: hash, store, parse, match,
  write, commit) on PostgreSQL (its own database, ``liner_bench_statements``) and on SQLite (a
  temporary data folder), each run into a new workspace with the 200-track catalogue.

Before each PostgreSQL run, floor and import alike, the server is settled (``settle``: the
earnings table vacuumed, a CHECKPOINT), so one run's background work does not land on the next
one's clock. Medians of ``--runs`` runs (``--sqlite-runs`` for SQLite, which is slower).
Nothing here passes or fails: timings on a shared machine are noisy, and the figures are for
people to read. The issue's targets: the import within 4× of that COPY on PostgreSQL, under
300 MB on both.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

HEADER = [
    "Reporting Date", "Sale Month", "Store", "Artist", "Title", "ISRC", "UPC", "Quantity",
    "Team Percentage", "Source Type", "Country of Sale", "Songwriter Royalties Withheld (USD)",
    "Earnings (USD)", "Recoup (USD)", "Date Inserted",
]  # fmt: skip
STORES = ["Spotify", "Apple Music", "Deezer", "Amazon Unlimited", "YouTube (Red)", "TikTok"]
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "JP", "MX", "UK", "SE", "NL"]
SONGS = 200

PARSE = """
import resource, sys, time
sys.path.insert(0, {root!r})
from rights.statements import statement_open
started = time.perf_counter()
count = 0
with open({path!r}, "rb") as f:
    for _record in statement_open(f).records():
        count += 1
print(count, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

COPY = """
import sys, time, psycopg
with psycopg.connect({url!r}, autocommit=True) as conn:
    cols = ", ".join(f"c{{i}} text" for i in range(15))
    conn.execute("DROP TABLE IF EXISTS bench_copy_floor")
    conn.execute(f"CREATE TABLE bench_copy_floor ({{cols}})")
    started = time.perf_counter()
    with conn.cursor() as cur, open({path!r}, "rb") as f:
        f.readline()  # the header
        with cur.copy("COPY bench_copy_floor FROM STDIN") as copy:
            while chunk := f.read(1 << 20):
                copy.write(chunk)
    took = time.perf_counter() - started
    conn.execute("DROP TABLE bench_copy_floor")
print(took)
"""

IMPORT = """
import os, resource, sys, time
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from collaborators.models import Workspace
from releases.models import Release, Track
from rights.services.statements import statement_import
n = Workspace.objects.count() + 1
workspace = Workspace.objects.create(name=f"Bench {{n}}", slug=f"bench-{{n}}")
release = Release.objects.create(workspace=workspace, title="Catalogue", type="album")
Track.objects.bulk_create(
    Track(workspace=workspace, release=release, position=i + 1, title=f"Song {{i}}",
          isrc=f"QZABC26{{i:05d}}")
    for i in range({songs})
)
started = time.perf_counter()
result = statement_import(workspace=workspace, file={path!r})
took = time.perf_counter() - started
print(result.lines, result.matched, took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def write(path: Path, lines: int) -> None:
    rnd = random.Random(1)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("\t".join(HEADER) + "\n")
        for _ in range(lines):
            song = rnd.randrange(SONGS + 10)  # 10 songs the catalogue does not have
            f.write(
                f"2026-04-05\t2026-0{rnd.randrange(1, 4)}\t{rnd.choice(STORES)}\tInès Marlow\t"
                f"Song {song}\tQZABC26{song:05d}\t\t{rnd.randrange(1, 5000)}\t100\tStreaming\t"
                f"{rnd.choice(COUNTRIES)}\t0\t{rnd.random() * 5:.10f}\t0\t2026-04-06\n"
            )


def environ(env: dict[str, str | None] | None) -> dict[str, str]:
    """The environment with ``env`` applied (None removes a variable)."""
    merged = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def child(code: str, env: dict[str, str | None] | None = None) -> list[str]:
    done = subprocess.run(
        [PYTHON, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT,
        env=environ(env),
    )  # fmt: skip
    return done.stdout.split()


def fresh_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def migrate(env: dict[str, str | None]) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "-v0"], check=True, cwd=ROOT,
        env=environ(env),
    )  # fmt: skip


def settle(url: str | None) -> None:
    """Start each PostgreSQL measurement on a quiet server: the previous run's million rows
    vacuumed now (else autovacuum would get to them during the next run) and its dirty pages
    written out (CHECKPOINT), so that neither lands on the next run's clock."""
    if url is None:
        return
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) rights_earning")
        conn.execute("CHECKPOINT")


def imports(label: str, path: Path, runs: int, env: dict[str, str | None]) -> tuple[float, float]:
    times, peaks = [], []
    for run in range(1, runs + 1):
        settle(env.get("DATABASE_URL"))
        lines, matched, took, rss = child(IMPORT.format(root=str(ROOT), path=str(path),
                                                        songs=SONGS), env)  # fmt: skip
        times.append(float(took))
        peaks.append(int(rss) / 1024)
        print(
            f"  {label} import run {run}: {int(lines):,} lines ({int(matched):,} matched) in "
            f"{float(took):.2f} s = {int(lines) / float(took):,.0f} lines/s, "
            f"peak RSS {int(rss) / 1024:.0f} MB"
        )
    return statistics.median(times), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite-runs", type=int, default=1)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LINER_BENCH_STATEMENTS_URL",
            "postgres://postgres@127.0.0.1:5432/liner_bench_statements",
        ),
    )
    parser.add_argument("--keep", type=Path, help="write the statement here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "distrokid.tsv"
        if not path.exists():
            write(path, args.lines)
        lines = args.lines
        print(f"DistroKid newer layout: {lines:,} lines, {os.path.getsize(path) / 1e6:.0f} MB")

        count, took, rss = child(PARSE.format(root=str(ROOT), path=str(path)))
        print(f"  parse only: {float(took):.2f} s = {int(count) / float(took):,.0f} lines/s, "
              f"peak RSS {int(rss) / 1024:.0f} MB")  # fmt: skip

        fresh_postgres(args.database_url)
        pg_env: dict[str, str | None] = {
            "DATABASE_URL": args.database_url, "LINER_DATA_DIR": str(Path(tmp) / "pg"),
        }  # fmt: skip
        migrate(pg_env)
        floors = []
        for _ in range(args.runs):
            settle(args.database_url)
            floors.append(float(child(COPY.format(url=args.database_url, path=str(path)))[0]))
        floor = statistics.median(floors)
        print(f"  PostgreSQL COPY into a bare table (the floor): median {floor:.2f} s "
              f"({', '.join(f'{t:.2f}' for t in floors)})")  # fmt: skip
        pg, pg_peak = imports("PostgreSQL", path, args.runs, pg_env)

        sqlite_env: dict[str, str | None] = {
            "DATABASE_URL": None, "LINER_DATA_DIR": str(Path(tmp) / "sqlite"),
        }  # fmt: skip
        migrate(sqlite_env)
        lite, lite_peak = imports("SQLite", path, args.sqlite_runs, sqlite_env)

        print()
        print(
            f"PostgreSQL: median {pg:.2f} s = {lines / pg:,.0f} lines/s, "
            f"{pg / floor:.1f}× COPY's {floor:.2f} s (target ≤ 4×), peak {pg_peak:.0f} MB"
        )
        print(f"SQLite:     median {lite:.2f} s = {lines / lite:,.0f} lines/s, "
              f"peak {lite_peak:.0f} MB (target < 300 MB on both)")  # fmt: skip


if __name__ == "__main__":
    main()
