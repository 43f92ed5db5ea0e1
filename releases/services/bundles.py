"""Delivery bundles: one zip per store profile, built in the background on the job machinery.

A bundle holds, for a release whose every track has a locked master:

- each master rendered by ``audio`` in the formats the profile takes, tagged (title, artists,
  album, track and disc number, year, ISRC, ℗ line, genre) with the cover art embedded,
  named ``01 - Title.flac`` (``1-01 - Title.flac`` on a release of several discs);
- the cover art (``cover.jpg`` or ``cover.png``);
- the DDEX ERN 4.3 message (``ern.xml``, ``releases.services.ddex.release_message``, created at
  the bundle's fixed time);
- ``metadata.csv``, one row per track, every cell neutralised against formula injection;
- ``qc/01 - Title.json``, each master's QC report with its verdict for this profile.

**The same inputs give the same job, and the same bytes.** ``bundle_request`` works out the
whole plan up front: the masters' SHA-256s, the tags, the artwork's SHA-256, the profile and
its formats, and the SHA-256 of every small member (CSV, ERN, QC reports). The plan is the
job's ``params`` and its hash the job's key, so asking again for an unchanged release returns
the bundle already made, and any change gives a new job. The work makes the plan again and
refuses to build if it no longer matches (the release changed while the job waited), so a
job's zip always is what its key says. The zip itself is deterministic: entries sorted by
name, every timestamp the time the last master was locked (an input; the ERN message carries
the same time), no compression (stored: the audio is compressed already, and deflate output
may change with the zlib build), Unix permissions 0644, names relative and made safe.

**Renders already made are reused.** Each render is asked for through audio's service API
(``audio.services.renders.render_request``), which is idempotent by key (the file, format,
tags and artwork): an unchanged track gets its finished render back and nothing is rendered.
A render still to do is run inline, inside the bundle job, by audio's own job runner
(``audio.services.jobs.job_run`` with ``renders.render_work``), rather than the bundle waiting
for a render task on the queue: a worker running one task at a time (``--pool solo``) would
otherwise wait on itself for ever. The render's row still goes through its whole life cycle
(claimed, progress, done or failed), so its page and API show it as any other render; the task
``render_request`` also queued finds it done and does nothing. When another worker is already
running that render, the bundle waits for it, showing its progress.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from audio.dsp.profiles import Profile, UnknownProfile, all_profiles, get_profile
from audio.dsp.tags import TagError, validate_tags
from audio.models import AudioFile
from audio.models import Job as AudioJob
from audio.selectors import audio_file_report
from audio.services import jobs as audio_jobs
from audio.services import renders
from audio.services.files import scratch_folder, store_output
from collaborators.csv_export import csv_bytes
from collaborators.jobs import services as jobs
from collaborators.jobs.services import JobBusy, Progress, scaled

from .. import selectors
from ..models import BundleJob, Explicit, Release, Track
from .ddex import release_message

KIND = BundleJob.Kind.BUNDLE
CSV_COLUMNS = (
    "ISRC", "Disc", "Track", "Title", "Version", "Artists", "Featured", "Duration", "Explicit",
    "UPC", "Release title", "Label", "℗", "©", "Genre", "Release date",
)  # fmt: skip
NAME_MAX = 120
RENDER_POLL_SECONDS = 1.0
HEARTBEAT_SECONDS = 20.0
COPY_CHUNK = 1 << 20
# Stages of the bar: checking, the renders, then writing the zip.
RENDERS_FROM, RENDERS_TO = 2, 85


class BundleError(Exception):
    """The bundle cannot be built from what there is; the message says why (fails the job)."""


# --- Which profiles, which formats --------------------------------------------------------


def bundle_formats(profile: Profile) -> tuple[str, ...]:
    """The render formats (``audio.dsp.render.FORMATS``) a bundle for ``profile`` holds.

    One lossless file per track: 16-bit 44.1 kHz WAV where the medium fixes that (CD), else
    FLAC where it is taken (tags travel best in FLAC), else 24-bit WAV; plus MP3 320 where the
    profile takes MP3 and does not require lossless (podcasts, SoundCloud). Rates are the
    master's: a profile that wants another rate (broadcast's 48 kHz) says so in the QC report.
    """
    takes = set(profile.formats)
    formats: list[str] = []
    if profile.sample_rates == (44_100,) and profile.bit_depths == (16,) and "WAV" in takes:
        formats.append("wav16")
    elif "FLAC" in takes:
        formats.append("flac")
    elif "WAV" in takes:
        formats.append("wav24")
    if "MP3" in takes and not profile.lossless_required:
        formats.append("mp3")
    return tuple(formats)


def bundle_profiles() -> list[tuple[Profile, tuple[str, ...]]]:
    """The profiles a bundle can be built for (the stores and media, not references), in
    display order, each with its formats."""
    out = []
    for profile in all_profiles():
        formats = bundle_formats(profile)
        if profile.kind != "reference" and formats:
            out.append((profile, formats))
    return out


def _profile(slug: Any) -> tuple[Profile, tuple[str, ...]]:
    try:
        profile = get_profile(str(slug))
    except UnknownProfile as exc:
        raise ValidationError({"profile": str(exc)}) from None
    formats = bundle_formats(profile)
    if profile.kind == "reference" or not formats:
        raise ValidationError({"profile": f"{profile.name} is not a store Liner delivers to."})
    return profile, formats


# --- File names ---------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(text: str, fallback: str = "Untitled") -> str:
    """``text`` as one file name every system takes: NFC, no path separators, control or
    reserved characters, no leading dots, at most ``NAME_MAX`` characters."""
    name = unicodedata.normalize("NFC", str(text))
    name = " ".join(_UNSAFE.sub(" ", name).split()).strip(" .")
    return name[:NAME_MAX].rstrip(" .") or fallback


def _stem(track: Track, several_discs: bool) -> str:
    number = f"{track.disc}-{track.position:02d}" if several_discs else f"{track.position:02d}"
    return f"{number} - {safe_name(track.display_title, 'Track')}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(round(seconds))
    return f"{total // 3600}:{total % 3600 // 60:02d}:{total % 60:02d}"


def _explicit(track: Track, release: Release) -> str:
    value = track.explicit or release.explicit
    return str(Explicit(value).label) if value else ""


# --- The plan -----------------------------------------------------------------------------


@dataclass
class Plan:
    """Everything a bundle is made of, worked out from the release as it is now."""

    release: Release
    profile: Profile
    params: dict[str, Any]
    members: dict[str, bytes] = field(default_factory=dict)  # the small files, by zip name
    audio_files: dict[int, AudioFile] = field(default_factory=dict)
    artwork: bytes | None = None

    @property
    def key(self) -> str:
        return jobs.job_key(self.release.workspace_id, KIND, self.release.pk, self.params)


def bundle_blockers(*, release: Release, profile: Profile | None = None) -> list[str]:
    """Why no bundle can be built for ``release`` (for ``profile``), in words; empty if it can."""
    tracks = selectors.tracks_with_review(Track.objects.filter(release=release))
    return _blockers(release, list(tracks.order_by("disc", "position")), profile)


def _blockers(release: Release, tracks: list[Track], profile: Profile | None) -> list[str]:
    problems = []
    if not tracks:
        problems.append("The release has no tracks yet.")
    unlocked = [t for t in tracks if selectors.track_master_version(t) is None]
    if unlocked:
        names = ", ".join(f"“{t.display_title}”" for t in unlocked)
        problems.append(
            f"Every track needs a locked master before it can be delivered; not yet: {names}."
        )
    masters = {t.pk: v.audio_file_id for t in tracks if (v := selectors.track_master_version(t))}
    unfinished = AudioFile.objects.filter(pk__in=masters.values(), analysis__isnull=True)
    waiting = set(unfinished.values_list("pk", flat=True)) if masters else set()
    unanalysed = [t for t in tracks if masters.get(t.pk) in waiting]
    if unanalysed:
        names = ", ".join(f"“{t.display_title}”" for t in unanalysed)
        problems.append(f"The QC analysis of these masters is not finished yet: {names}.")
    missing = artwork_missing(release=release, profile=profile) if profile else None
    if missing:
        problems.append(missing)
    return problems


def artwork_missing(*, release: Release, profile: Profile) -> str | None:
    """Why ``profile`` cannot have a bundle of ``release`` for want of cover art, if so."""
    if profile.artwork is not None and not release.artwork:
        return f"{profile.name} needs cover art: upload the release's artwork first."
    return None


def _json_safe(value: Any) -> Any:
    """``value`` with NaN and infinities as null, so the QC file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value


def _qc_bytes(track: Track, audio_file: AudioFile, profile: Profile) -> bytes:
    report = audio_file_report(audio_file=audio_file)
    verdict = None
    if report is not None:
        verdict = next((v for v in report["verdicts"] if v["profile"] == profile.slug), None)
    doc = {
        "track": {"disc": track.disc, "position": track.position, "title": track.title,
                  "version": track.version, "isrc": track.isrc},
        "master": {"name": audio_file.original_name, "sha256": audio_file.sha256},
        "profile": profile.slug,
        "verdict": verdict,
        "report": report,
    }  # fmt: skip
    text = json.dumps(_json_safe(doc), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode()


def _ern_bytes(release: Release, created_at: datetime) -> bytes:
    try:
        return release_message(release=release, created_at=created_at)
    except ValidationError as exc:
        words = " ".join(exc.messages)
        raise ValidationError(f"The DDEX message cannot be made yet: {words}") from exc


def _names(credits: list[Any]) -> list[str]:
    return [c.person.name for c in credits]


def bundle_plan(*, release: Release, profile: str) -> Plan:
    """The plan of the bundle of ``release`` for ``profile``; ValidationError saying what is
    missing when there can be none."""
    profile_row, formats = _profile(profile)
    release = selectors.release_detail(release=release)
    tracks = list(release.tracks.all())
    problems = _blockers(release, tracks, profile_row)
    if problems:
        raise ValidationError(" ".join(problems))
    versions = {t.pk: selectors.track_master_version(t) for t in tracks}
    audio_files = AudioFile.objects.in_bulk([v.audio_file_id for v in versions.values()])
    locks = {t.pk: t.open_locks[0] for t in tracks}
    built_at = max(lock.locked_at for lock in locks.values()).astimezone(UTC)
    built_at = built_at.replace(microsecond=0)
    several_discs = len({t.disc for t in tracks}) > 1
    disc_totals: dict[int, int] = {}
    for t in tracks:
        disc_totals[t.disc] = disc_totals.get(t.disc, 0) + 1
    release_artists = _names([c for c in release.credits.all() if c.role == "main_artist"])
    year = release.release_date.year if release.release_date else release.p_year

    artwork = None
    artwork_params = None
    if release.artwork:
        with release.artwork.open("rb") as handle:
            artwork = handle.read()
        ext = "png" if artwork.startswith(b"\x89PNG") else "jpg"
        artwork_params = {"name": f"cover.{ext}", "sha256": hashlib.sha256(artwork).hexdigest()}

    plan = Plan(release=release, profile=profile_row, params={}, artwork=artwork)
    rows: list[list[Any]] = [list(CSV_COLUMNS)]
    items = []
    for t in tracks:
        audio_file = audio_files[versions[t.pk].audio_file_id]
        if audio_file.sha256 != locks[t.pk].sha256:
            raise ValidationError(f"The master of “{t.display_title}” is not the audio locked.")
        artists = _names(selectors.track_artists(t, release))
        featured = _names(selectors.track_featured(t))
        try:
            tags = validate_tags({
                "title": t.display_title, "artists": artists + featured,
                "album": release.display_title, "album_artist": ", ".join(release_artists),
                "track_number": t.position, "track_total": max(disc_totals[t.disc], t.position),
                "disc_number": t.disc, "disc_total": max(disc_totals),
                "year": year, "isrc": t.isrc,
                "copyright_p": release.p_line if release.p_year and release.p_owner else None,
                "genre": release.genre,
            })  # fmt: skip
        except TagError as exc:
            raise ValidationError(f"“{t.display_title}” cannot be tagged: {exc}") from exc
        stem = _stem(t, several_discs)
        items.append({"track": t.pk, "audio_file": audio_file.pk, "sha256": audio_file.sha256,
                      "stem": stem, "title": t.display_title, "tags": tags})  # fmt: skip
        plan.audio_files[audio_file.pk] = audio_file
        plan.members[f"qc/{stem}.json"] = _qc_bytes(t, audio_file, profile_row)
        rows.append([
            t.isrc, t.disc, t.position, t.title, t.version, ", ".join(artists),
            ", ".join(featured), _duration(audio_file.duration_s), _explicit(t, release),
            release.upc, release.display_title, release.label, release.p_line, release.c_line,
            release.genre, release.release_date.isoformat() if release.release_date else "",
        ])  # fmt: skip
    plan.members["metadata.csv"] = csv_bytes(rows)
    plan.members["ern.xml"] = _ern_bytes(release, built_at)
    plan.params = {
        "profile": profile_row.slug,
        "formats": list(formats),
        "built_at": built_at.isoformat(),
        "artwork": artwork_params,
        "tracks": items,
        "members": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(plan.members.items())},
    }
    return plan


# --- Request ------------------------------------------------------------------------------


def bundle_request(*, release: Release, profile: str, user: Any) -> BundleJob:
    """The delivery bundle of ``release`` for the store ``profile`` (a profile slug): the one
    already asked for when nothing changed since, else a new job, queued after commit.

    Precondition: the caller may edit the release (the views check ``content.edit``). Raises
    ValidationError, saying what is missing, for an unknown profile, a release with no tracks
    or a track without a locked master, missing cover art the store needs, or tags audio
    refuses. A finished bundle whose file has gone is built again.
    """
    plan = bundle_plan(release=release, profile=profile)

    def request() -> BundleJob:
        return jobs.job_request(
            model=BundleJob, workspace_id=release.workspace_id, kind=KIND, params=plan.params,
            key=plan.key, user=user, release=release, profile=plan.profile.slug,
        )  # fmt: skip

    job = request()
    if job.status == BundleJob.Status.DONE and not (
        job.output and job.output.storage.exists(job.output.name)
    ):
        jobs.job_fail(job=job, error="The bundle's file was missing; it is being built again.")
        job = request()  # a failed job is queued again
    return job


def bundles_list(*, release: Release) -> QuerySet[BundleJob]:
    """The release's bundles, newest first."""
    return (
        BundleJob.objects.filter(release=release)
        .select_related("created_by")
        .order_by("-created_at", "-id")
    )


# --- The work -----------------------------------------------------------------------------


def _with_heartbeat(job: BundleJob, progress: Progress) -> Progress:
    """``progress``, plus a heartbeat at least every ``HEARTBEAT_SECONDS`` while the bar stands
    still (a long render maps onto a sliver of the bar): the sweep must not take a live bundle
    job for a lost one."""
    rows = BundleJob.objects.filter(pk=job.pk, status=BundleJob.Status.RUNNING)
    last = {"t": time.monotonic()}

    def report(percent: int, stage: str) -> None:
        progress(percent, stage)
        now = time.monotonic()
        if now - last["t"] >= HEARTBEAT_SECONDS:
            last["t"] = now
            rows.update(heartbeat_at=timezone.now())

    return report


def _render_finished(render: AudioJob, title: str, progress: Progress) -> AudioJob:
    """``render`` done: as it is when finished already, else run here (or waited for, when
    another worker runs it). BundleError when it fails."""

    def work(job: AudioJob, own: Progress) -> dict[str, Any]:
        def both(percent: int, stage: str) -> None:
            own(percent, stage)
            progress(percent, stage)

        return renders.render_work(job, both)

    while render.status != AudioJob.Status.DONE:
        if render.status == AudioJob.Status.FAILED:
            raise BundleError(f"The render of “{title}” failed: {render.error}")
        try:
            audio_jobs.job_run(job_id=render.pk, work=work)
        except JobBusy:
            progress(render.progress, "Waiting for the render")
            time.sleep(RENDER_POLL_SECONDS)
        try:
            render.refresh_from_db()
        except AudioJob.DoesNotExist:
            raise BundleError(f"The master of “{title}” was deleted.") from None
    if not render.output:
        raise BundleError(f"The render of “{title}” has no file.")
    return render


def _entry(name: str, size: int, when: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, wherever it is built
    info.external_attr = 0o100644 << 16
    info.file_size = size  # known up front: the ZIP64 choice depends on it, not on chance
    return info


def bundle_zip(
    path: Path, *, members: dict[str, Callable[[], Any]], sizes: dict[str, int],
    when: datetime, progress: Progress,
) -> None:  # fmt: skip
    """Write the zip at ``path``: ``members`` opens each entry's bytes (a binary file object),
    in name order, stored, every entry dated ``when``."""
    stamp = when.timetuple()[:6]
    total = max(1, sum(sizes.values()))
    done = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name in sorted(members):
            with members[name]() as src, zf.open(_entry(name, sizes[name], stamp), "w") as dst:
                while chunk := src.read(COPY_CHUNK):
                    dst.write(chunk)
                    done += len(chunk)
                    progress(100 * done // total, "Writing the bundle")


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def _changed(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What differs between two plans' params, in a few words."""
    words = [k for k in ("profile", "formats", "built_at", "artwork") if old.get(k) != new.get(k)]
    if old.get("tracks") != new.get("tracks"):
        words.append("the masters or their tags")
    members = old.get("members", {}), new.get("members", {})
    words += sorted(
        n for n in set(members[0]) | set(members[1]) if members[0].get(n) != members[1].get(n)
    )
    return ", ".join(words) or "its inputs"


def bundle_work(job: BundleJob, progress: Progress) -> dict[str, Any]:
    """Build ``job``'s zip (``job_run`` calls this): renders, then the zip, into ``job.output``."""
    progress = _with_heartbeat(job, progress)
    progress(0, "Checking the release")
    try:
        plan = bundle_plan(release=job.release, profile=job.profile)
    except ValidationError as exc:
        raise BundleError(" ".join(exc.messages)) from exc
    if plan.params != job.params:
        what = _changed(job.params, plan.params)
        raise BundleError(
            f"The release changed since this bundle was asked for ({what}); ask for a new bundle."
        )
    params = plan.params
    files: dict[str, Callable[[], Any]] = {}
    sizes: dict[str, int] = {}
    for name, data in plan.members.items():
        files[name], sizes[name] = (lambda data=data: io.BytesIO(data)), len(data)
    if plan.artwork is not None:
        name = params["artwork"]["name"]
        files[name], sizes[name] = (lambda: io.BytesIO(plan.artwork)), len(plan.artwork)

    steps = [(item, fmt) for item in params["tracks"] for fmt in params["formats"]]
    reused, render_ids = 0, []
    span = (RENDERS_TO - RENDERS_FROM) / max(1, len(steps))
    for i, (item, fmt) in enumerate(steps):
        low = RENDERS_FROM + int(i * span)
        stage = f"Rendering {i + 1} of {len(steps)} ({renders.LABELS[fmt]}): "
        progress(low, stage.rstrip(": "))
        render = renders.render_request(
            audio_file=plan.audio_files[item["audio_file"]], fmt=fmt, tags=item["tags"],
            artwork=plan.artwork, user=job.created_by,
        )  # fmt: skip
        reused += render.status == AudioJob.Status.DONE
        render = _render_finished(
            render, item["title"], scaled(progress, low, RENDERS_FROM + int((i + 1) * span), stage)
        )
        render_ids.append(render.pk)
        name = f"{item['stem']}{renders.EXTENSIONS[fmt]}"
        files[name] = lambda output=render.output: output.open("rb")
        sizes[name] = render.output.size

    when = datetime.fromisoformat(params["built_at"])
    zip_name = safe_name(f"{plan.release.display_title} - {plan.profile.name} bundle.zip")
    with scratch_folder() as folder:
        tmp = folder / "bundle.zip.part"
        bundle_zip(tmp, members=files, sizes=sizes, when=when,
                   progress=scaled(progress, RENDERS_TO, 99))  # fmt: skip
        digest, size = _sha256(tmp), tmp.stat().st_size
        store_output(job.output, tmp, zip_name)
    return {
        "profile": params["profile"],
        "formats": params["formats"],
        "files": [{"name": n, "bytes": sizes[n]} for n in sorted(files)],
        "bytes": size,
        "sha256": digest,
        "renders": render_ids,
        "renders_reused": reused,
        "ern": "ern.xml" in files,
    }


def run(*, job_id: int) -> BundleJob | None:
    """Run one bundle job (the ``releases.bundle`` task); safe to call twice."""
    return jobs.job_run(model=BundleJob, job_id=job_id, work=bundle_work, permanent=(BundleError,))
