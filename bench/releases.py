"""Benchmark: the releases pages and API on a catalogue of 1,000 releases and 10,000 tracks.

    .venv/bin/python bench/releases.py [--runs 40] [--database-url postgres://…]

Builds (once; kept between runs) a catalogue in its own PostgreSQL database, ``liner_bench``
by default: one workspace, 1,000 releases with about 10 tracks each (10,000 in all), a main
artist and a composer credit on each, one release of 30 tracks and one track with 5 mix
versions (each with a real QC report and waveform) and 50 comments. Then it times, in this
process through Django's test client (URL routing, middleware, view, template or serializer;
no network), each page and endpoint ``--runs`` times after three warm-up requests, and prints
the median and 95th percentile of the server time with the number of database queries.

Nothing here passes or fails: timings on a shared machine are noisy. The targets from the
releases issue are printed under the table. Query counts staying flat with the number of rows
is asserted by the tests (tests/releases/); this prints them for the big catalogue.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_P95_MS = 150.0
FIXED = __import__("datetime").datetime(2027, 1, 1, tzinfo=__import__("datetime").UTC)
RELEASES = 1000
TRACKS_EACH = 10


def _database(url: str) -> None:
    """Create the bench database if it is missing."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LINER_DATA_DIR", str(Path(tempfile.gettempdir()) / "liner-bench"))
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LINER_LOG_LEVEL", "WARNING")  # the figures, not every task's log line
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _report() -> tuple[dict, dict]:
    """A real QC report and waveform, of a 20-second generated mix."""
    import soundfile as sf

    from audio.demo import RATE, synthesise
    from audio.dsp.analysis import analyze
    from audio.dsp.waveform import DEFAULT_COLUMNS

    path = Path(tempfile.mkdtemp()) / "mix.wav"
    sf.write(path, synthesise(5, seconds=20.0), RATE, subtype="PCM_24")
    report = analyze(str(path), waveform_columns=DEFAULT_COLUMNS)
    peaks = report.pop("waveform")
    return report, peaks


def _build() -> dict:
    """The catalogue, made with bulk inserts; returns the ids the measurements use."""
    from django.db import transaction

    from audio.models import AudioFile
    from collaborators.models import Membership, Person, User, Workspace
    from releases.models import Comment, Credit, MixVersion, Release, Track

    ws = Workspace.objects.filter(slug="bench").first()
    if ws is not None and Release.objects.filter(workspace=ws).count() >= RELEASES:
        big = Release.objects.get(workspace=ws, title="The 30-track release")
        track = Track.objects.filter(workspace=ws, versions__number=5).distinct().get()
        return {"workspace": ws, "user": User.objects.get(email="bench@liner.test"),
                "big": big, "track": track, "hundred": _hundred(ws)}  # fmt: skip
    print("Building the catalogue (once) …", file=sys.stderr)
    with transaction.atomic():
        if ws is not None:
            ws.delete()
        user = User.objects.filter(email="bench@liner.test").first() or User.objects.create_user(
            email="bench@liner.test", password="bench-password-1", name="Bench"
        )
        ws = Workspace.objects.create(name="Bench Records", slug="bench")
        Membership.objects.create(workspace=ws, user=user, role="owner")
        people = Person.objects.bulk_create(
            [Person(workspace=ws, name=f"Artist {i}") for i in range(200)]
        )
        releases = Release.objects.bulk_create(
            [
                Release(
                    workspace=ws,
                    title=f"Release {i:04d}",
                    type="album",
                    upc="",
                    status=("planning", "in_production", "ready", "released")[i % 4],
                    genre="Pop",
                    created_by=user,
                )  # fmt: skip
                for i in range(RELEASES - 1)
            ]
            + [Release(workspace=ws, title="The 30-track release", type="album", created_by=user)]
        )
        tracks = []
        for r in releases:
            count = 30 if r.title == "The 30-track release" else TRACKS_EACH
            tracks += [
                Track(
                    workspace=ws,
                    release=r,
                    disc=1,
                    position=p + 1,
                    title=f"Song {p + 1}",
                    isrc=f"SEBNC26{len(tracks) + p + 1:05d}",
                )  # fmt: skip
                for p in range(count)
            ]
        tracks = Track.objects.bulk_create(tracks, batch_size=2000)
        Credit.objects.bulk_create(
            [
                Credit(workspace=ws, release=r, person=people[i % 200], role="main_artist")
                for i, r in enumerate(releases)
            ]  # fmt: skip
            + [
                Credit(workspace=ws, track=t, person=people[i % 200], role="composer")
                for i, t in enumerate(tracks)
            ],  # fmt: skip
            batch_size=5000,
        )
        report, peaks = _report()
        track = tracks[0]
        files = AudioFile.objects.bulk_create(
            [
                AudioFile(
                    workspace=ws,
                    original_name=f"Song 1 v{v}.wav",
                    file=f"bench/{v}.wav",
                    sha256=f"{v:064d}",
                    format="WAV",
                    subtype="PCM_24",
                    sample_rate=44100,
                    bit_depth=24,
                    channels=2,
                    duration_s=20.0,
                    size_bytes=5_292_044,
                    analysis=report,
                    peaks=peaks,
                )  # fmt: skip
                for v in range(1, 6)
            ]
        )
        versions = MixVersion.objects.bulk_create(
            [
                MixVersion(track=track, number=v + 1, audio_file=f, uploaded_by=user)
                for v, f in enumerate(files)
            ]  # fmt: skip
        )
        roots = Comment.objects.bulk_create(
            [
                Comment(
                    track=track,
                    version=versions[i % 5],
                    author=user,
                    at_s=float(i % 20),
                    body=f"Note {i} on the mix.",
                )
                for i in range(25)
            ]  # fmt: skip
        )
        Comment.objects.bulk_create(
            [
                Comment(track=track, version=c.version, parent=c, author=user, body="Agreed.")
                for c in roots
            ]  # fmt: skip
        )
    big = Release.objects.get(workspace=ws, title="The 30-track release")
    return {"workspace": ws, "user": user, "big": big, "track": track, "hundred": _hundred(ws)}


def _hundred(ws):
    """A 100-track release with what an ERN export needs (genre, main artist, credits)."""
    from collaborators.models import Person
    from releases.models import Credit, Release, Track

    found = Release.objects.filter(workspace=ws, title="The 100-track release").first()
    if found is not None:
        return found
    release = Release.objects.create(
        workspace=ws, title="The 100-track release", type="compilation", genre="Pop",
        upc="7350000000030", label="Bench Records", p_year=2027, p_owner="Bench Records",
        c_year=2027, c_owner="Bench Records", explicit="clean",
    )  # fmt: skip
    person = Person.objects.filter(workspace=ws).first()
    Credit.objects.create(workspace=ws, release=release, person=person, role="main_artist")
    tracks = Track.objects.bulk_create(
        [
            Track(
                workspace=ws,
                release=release,
                disc=1 + p // 50,
                position=p % 50 + 1,
                title=f"Cut {p + 1}",
                isrc=f"SEBNC27{p + 1:05d}",
                explicit="clean",
            )
            for p in range(100)
        ]  # fmt: skip
    )
    Credit.objects.bulk_create(
        [Credit(workspace=ws, track=t, person=person, role="composer") for t in tracks]
    )
    return release


def _measure(client, url: str, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)  # now: the next request empties the query log
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, queries


BUNDLE_TRACKS = 4
BUNDLE_SECONDS = 120.0


def _bundle_release(ws, user):
    """An EP of four 2-minute masters, approved and locked, with a cover: what a bundle needs.
    Made once through the services (analyses run in this process)."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from audio.demo import synthesise, wav_bytes
    from collaborators.models import Person
    from config.celery import app
    from releases.demo import cover_jpeg
    from releases.models import Release
    from releases.services import artwork, catalogue, review

    found = Release.objects.filter(workspace=ws, title="Bundle bench EP").first()
    if found is not None:
        return found
    print("Making the bundle bench EP (once) …", file=sys.stderr)
    app.conf.task_always_eager = True
    person = Person.objects.filter(workspace=ws).first()
    catalogue.catalogue_settings_update(workspace=ws, isrc_prefix="SE-BNB")
    day = dt.date.today() + dt.timedelta(weeks=8)
    release = catalogue.release_create(
        workspace=ws, user=user, artists=[person], title="Bundle bench EP", type="ep",
        genre="Pop", upc="7350000000047", release_date=day, p_year=day.year, p_owner="Bench",
        c_year=day.year, c_owner="Bench", explicit="clean", language="en",
    )  # fmt: skip
    artwork.release_artwork_set(
        release=release, upload=SimpleUploadedFile("cover.jpg", cover_jpeg(hue=(90, 60, 140))),
        user=user,
    )  # fmt: skip
    review.approver_add(release=release, user=user, actor=user)
    for i in range(BUNDLE_TRACKS):
        track = catalogue.track_create(
            release=release, title=f"Song {i + 1}", isrc="auto", explicit="clean", language="en"
        )
        catalogue.credit_add(track=track, person=person, role="composer")
        mix = wav_bytes(synthesise(100 + i, seconds=BUNDLE_SECONDS, peak_dbfs=-1.0))
        version = review.mix_version_add(
            track=track, upload=SimpleUploadedFile(f"song{i + 1}.wav", mix), user=user
        )
        review.signoff_record(track=track, version=version, user=user, decision="approved")
        review.master_lock(track=track, version=version, user=user)
    return release


def _bundle_builds(release, user, profile: str = "spotify") -> list[tuple[str, float, int]]:
    """First build (renders made), a rebuild into a new job (renders reused) and asking again
    for an unchanged release (the finished job returned)."""
    from audio.models import Job
    from config.celery import app
    from releases.models import BundleJob
    from releases.services.bundles import bundle_request

    app.conf.task_always_eager = True
    renders = Job.objects.filter(workspace=release.workspace, kind="render")
    BundleJob.objects.filter(release=release).delete()
    renders.filter(audio_file__in=[t.versions.last().audio_file for t in release.tracks.all()]
                   ).delete()  # fmt: skip
    rows = []
    for what in ("first build (renders made)", "second build (renders reused)", "asked again"):
        if what.startswith("second"):
            BundleJob.objects.filter(release=release).delete()
        before = renders.count()
        t0 = time.perf_counter()
        job = bundle_request(release=release, profile=profile, user=user)
        seconds = time.perf_counter() - t0
        job.refresh_from_db()
        assert job.status == "done", (job.status, job.error)
        rows.append((what, seconds, renders.count() - before))
    return rows


def _timed(fn, runs: int) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, len(ctx.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "LINER_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/liner_bench"
        ),  # fmt: skip
    )
    args = parser.parse_args()
    _database(args.database_url)
    _setup(args.database_url)
    from django.test import Client

    from releases.models import Release, Track
    from releases.services.ddex import release_message

    ids = _build()
    ws, big, track = ids["workspace"], ids["big"], ids["track"]
    client = Client()
    client.force_login(ids["user"])
    slug = ws.slug
    rows = [
        ("Release list page (50 of 1,000)", f"/w/{slug}/releases/"),
        ("Release page, 30 tracks", f"/w/{slug}/releases/{big.pk}/"),
        (
            "Track page, 5 versions, 50 comments",
            f"/w/{slug}/releases/{track.release_id}/tracks/{track.pk}/",
        ),  # fmt: skip
        ("API: releases (50 of 1,000)", f"/api/workspaces/{slug}/releases/"),
        ("API: a release, 30 tracks", f"/api/workspaces/{slug}/releases/{big.pk}/"),
        ("API: tracks (50 of 10,000)", f"/api/workspaces/{slug}/tracks/"),
    ]
    print(
        f"Liner releases bench, {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, "
        f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; "
        f"{Release.objects.filter(workspace=ws).count()} releases, "
        f"{Track.objects.filter(workspace=ws).count()} tracks; {args.runs} runs each"
    )
    print(f"{'what':<40} {'median':>9} {'p95':>9} {'queries':>8}")
    for name, url in rows:
        median, p95, queries = _measure(client, url, args.runs)
        flag = "" if p95 < TARGET_P95_MS else "  (over target)"
        print(f"{name:<40} {median:7.1f}ms {p95:7.1f}ms {queries:>8}{flag}")
    readiness = f"/api/workspaces/{slug}/releases/{big.pk}/readiness/"
    median, p95, queries = _measure(client, readiness, args.runs)
    print(f"{'Readiness report, 30 tracks (API)':<40} {median:7.1f}ms {p95:7.1f}ms {queries:>8}")
    median, p95, queries = _timed(
        lambda: release_message(release=ids["hundred"], created_at=FIXED), args.runs
    )
    print(f"{'ERN 4.3 export, 100 tracks':<40} {median:7.1f}ms {p95:7.1f}ms {queries:>8}")
    ep = _bundle_release(ws, ids["user"])
    for what, seconds, new_renders in _bundle_builds(ep, ids["user"]):
        label = f"Spotify bundle, {BUNDLE_TRACKS} x 2 min: {what}"
        print(f"{label:<58} {seconds:6.2f} s, {new_renders} new renders")
    print(
        f"Targets (releases issues): each page and the readiness report under "
        f"{TARGET_P95_MS:.0f} ms at the 95th percentile; the ERN export under 500 ms; query "
        "counts the same at 10 and 1,000 rows (asserted by the tests); a second bundle build "
        "of an unchanged release under 2 s."
    )


if __name__ == "__main__":
    main()
