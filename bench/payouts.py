"""Benchmark: calculating a month of 1,000,000 earnings lines.

    .venv/bin/python bench/payouts.py [--rows 1000000] [--database-url sqlite|postgres://…]

Without ``--database-url`` it runs itself twice, on SQLite (a file under the temp directory)
and on PostgreSQL (``liner_bench_payouts`` on 127.0.0.1). Each run builds one workspace in EUR
with 200 tracks on 20 releases, each track with an agreed master split of three payees, a
recoupable expense per release, a USD rate for the month, and ``--rows`` earnings lines in
EUR and USD written directly (COPY on PostgreSQL, bulk inserts on SQLite). Then it times
``period_calculate`` three times and prints the median. Nothing passes or fails: the issue's
target is "a few seconds".
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TRACKS = 200
RELEASES = 20


def _setup(url: str) -> None:
    if url.startswith("postgres"):
        import psycopg

        base, name = url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    else:
        path = Path(url.removeprefix("sqlite:///"))
        path.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LINER_DATA_DIR", str(Path(tempfile.gettempdir()) / "liner-bench"))
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LINER_LOG_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build(rows: int):
    import datetime as dt
    from decimal import Decimal

    from django.db import connection
    from django.utils import timezone

    from collaborators.models import Person, Workspace
    from releases.models import Expense, Release, Track
    from rights.models import (
        Earning,
        ExchangeRate,
        ReportedItem,
        Share,
        SplitSet,
        Statement,
        earning_id,
    )
    from rights.statements import item_id

    month = dt.date(2026, 3, 1)
    ws = Workspace.objects.create(name="Bench", slug="bench", default_currency="EUR")
    people = [Person.objects.create(workspace=ws, name=f"Payee {i}") for i in range(30)]
    releases = [Release.objects.create(workspace=ws, title=f"R{i}", type="album")
                for i in range(RELEASES)]  # fmt: skip
    tracks = []
    for i in range(TRACKS):
        track = Track.objects.create(
            workspace=ws, release=releases[i % RELEASES], position=i + 1, title=f"T{i}"
        )
        split = SplitSet.objects.create(
            workspace=ws, kind="master", track=track, version=1, effective_from=month,
            total=Decimal(100), agreed_at=timezone.now(),
        )  # fmt: skip
        for n, percent in enumerate(("50", "33.3333", "16.6667")):
            Share.objects.create(split_set=split, person=people[(i + n) % 30], role="artist",
                                 percent=Decimal(percent), position=n)  # fmt: skip
        tracks.append(track)
    for release in releases:
        Expense.objects.create(
            release=release, category="mixing", description="Mix", currency="EUR",
            actual=Decimal("50.00"), recoupable=True,
        )  # fmt: skip
    ExchangeRate.objects.create(workspace=ws, period=month, currency="USD", rate=Decimal("0.92"))
    statement = Statement.objects.create(workspace=ws, source="generic", filename="bench.csv",
                                         file="bench.csv", sha256="b" * 64)  # fmt: skip

    items = ReportedItem.objects.bulk_create(
        ReportedItem(id=item_id(workspace_id=ws.pk, isrc="", upc="", title=t.title, artist=""),
                     workspace=ws, title=t.title, match_key=f"k{n}")
        for n, t in enumerate(tracks)
    )  # fmt: skip

    def line(i: int) -> list:
        track = tracks[i % TRACKS]
        return [earning_id(statement_id=statement.pk, line_no=i), ws.pk, statement.pk, i, month,
                month, month, False,
                ("Spotify", "Apple Music", "YouTube")[i % 3], ("SE", "DE", "US")[i % 3],
                1, Decimal("0.0031000000") + Decimal(i % 7) / 10000,
                Decimal("0.0031000000") + Decimal(i % 7) / 10000, ("EUR", "USD")[i % 2],
                items[i % TRACKS].pk, track.pk, track.release_id]  # fmt: skip

    columns = ["id", "workspace_id", "statement_id", "line_no", "statement_period",
               "sale_period", "booked_period", "adjustment", "store", "territory", "units",
               "gross", "net", "currency", "item_id", "track_id", "release_id"]  # fmt: skip
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # COPY: https://www.psycopg.org/psycopg3/docs/basic/copy.html
        with connection.cursor() as cursor:
            raw = cursor.cursor
            with raw.copy(f"COPY rights_earning ({', '.join(columns)}) FROM STDIN") as copy:
                for i in range(rows):
                    copy.write_row(line(i))
    else:
        batch = []
        for i in range(rows):
            batch.append(Earning(**dict(zip(columns, line(i), strict=True))))
            if len(batch) == 20_000:
                Earning.objects.bulk_create(batch)
                batch = []
        Earning.objects.bulk_create(batch)
    print(f"  {rows:,} earnings written in {time.perf_counter() - started:.1f} s")
    return ws, month


def _run(url: str, rows: int) -> None:
    _setup(url)
    from django.db import connection

    ws, month = _build(rows)
    from rights.services.payouts import period_calculate

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        period = period_calculate(workspace=ws, month=month)
        timings.append(time.perf_counter() - started)
    print(f"  {connection.vendor}: period_calculate median {statistics.median(timings):.2f} s "
          f"(runs {', '.join(f'{t:.2f}' for t in timings)}); allocated {period.currency} "
          f"{period.allocated}, recouped {period.recouped}, "
          f"{period.statements.count()} payee statements")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.database_url:
        _run(args.database_url, args.rows)
        return
    sqlite = f"sqlite:///{Path(tempfile.gettempdir()) / 'liner-bench-payouts.sqlite3'}"
    postgres = os.environ.get(
        "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/liner_bench_payouts"
    )
    for url in (sqlite, postgres):
        print(f"Payouts bench on {url.split(':', 1)[0]}:")
        subprocess.run([sys.executable, __file__, "--rows", str(args.rows),
                        "--database-url", url], check=False)  # fmt: skip


if __name__ == "__main__":
    main()
