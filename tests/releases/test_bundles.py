"""Delivery bundles: what the zip holds (tags read back with mutagen), the CSV neutralised,
byte-identical rebuilds, renders reused, refusals, the job machinery, the API and the pages.
Real small WAV masters and a real JPEG, made here."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from datetime import UTC, date

import numpy as np
import pytest
import soundfile as sf
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from PIL import Image

from audio.models import Job as AudioJob
from collaborators.csv_export import csv_cell
from collaborators.permissions import Role
from releases.models import BundleJob, Credit, MasterLock
from releases.services import bundles, review
from releases.services.artwork import release_artwork_set
from releases.services.ddex import release_message

from ..conftest import wait_for
from ..factories import PersonFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

RATE = 44_100


@pytest.fixture(autouse=True)
def _private_media(request, settings, tmp_path):
    if request.node.get_closest_marker("worker") is None:  # a worker reads the data folder's
        settings.MEDIA_ROOT = str(tmp_path / "media")


def wav(name: str, *, seed: int, seconds: float = 2.0) -> SimpleUploadedFile:
    t = np.arange(int(seconds * RATE)) / RATE
    x = 0.25 * np.sin(2 * np.pi * (330 + 110 * seed) * t)
    x = np.stack([x, x], axis=1) + np.random.default_rng(seed).normal(0, 0.001, (len(t), 2))
    buf = io.BytesIO()
    sf.write(buf, x, RATE, subtype="PCM_24", format="WAV")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="audio/wav")


def jpeg(color=(200, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1400, 1400), color).save(out, "JPEG", quality=80)
    return out.getvalue()


def lock(track, user, *, seed: int, capture) -> None:
    with capture(execute=True):  # the upload's analysis runs (eager tasks), for the QC report
        version = review.mix_version_add(track=track, upload=wav(f"mix{seed}.wav", seed=seed),
                                         user=user)  # fmt: skip
    review.approver_add(release=track.release, user=user, actor=user, track=track)
    review.signoff_record(track=track, version=version, user=user, decision="approved")
    review.master_lock(track=track, version=version, user=user)


@pytest.fixture
def release(workspace, owner, django_capture_on_commit_callbacks):
    """An EP of two locked tracks, with cover art, artists, codes and a label that would run
    as a formula in a spreadsheet."""
    rel = ReleaseFactory(
        workspace=workspace, title="Glasshouse", type="ep", label="=HYPERLINK(\"http://x\")",
        upc="036000291452", p_year=2026, p_owner="North Pier Records", c_year=2026,
        c_owner="Maya Lind", genre="Pop", release_date=date(2026, 5, 1),
    )  # fmt: skip
    maya = PersonFactory(workspace=workspace, name="Maya Lind")
    guest_star = PersonFactory(workspace=workspace, name="@Ines")
    Credit.objects.create(workspace=workspace, release=rel, person=maya, role="main_artist")
    release_artwork_set(release=rel, upload=jpeg(), user=owner)
    t1 = TrackFactory(release=rel, position=1, title="Night Drive", isrc="GBABC2600001")
    t2 = TrackFactory(release=rel, position=2, title="-Interlude", isrc="GBABC2600002")
    Credit.objects.create(workspace=workspace, track=t2, person=guest_star, role="featured_artist")
    lock(t1, owner, seed=1, capture=django_capture_on_commit_callbacks)
    lock(t2, owner, seed=2, capture=django_capture_on_commit_callbacks)
    rel.refresh_from_db()
    return rel


def build(release, owner, profile="spotify") -> BundleJob:
    job = bundles.bundle_request(release=release, profile=profile, user=owner)
    bundles.run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BundleJob.Status.DONE, job.error
    return job


def zip_of(job) -> zipfile.ZipFile:
    with job.output.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def renders() -> int:
    return AudioJob.objects.filter(kind=AudioJob.Kind.RENDER).count()


# --- What a bundle holds ----------------------------------------------------------------


def test_the_bundle_holds_tagged_masters_artwork_csv_and_qc(release, owner, tmp_path):
    job = build(release, owner)
    zf = zip_of(job)
    names = zf.namelist()
    expected = ["01 - Night Drive.flac", "02 - -Interlude.flac", "cover.jpg", "metadata.csv",
                "qc/01 - Night Drive.json", "qc/02 - -Interlude.json", "ern.xml"]  # fmt: skip
    assert names == sorted(expected)
    assert all(not n.startswith("/") and ".." not in n for n in names)
    locked_at = max(MasterLock.objects.values_list("locked_at", flat=True)).astimezone(UTC)
    stamp = (*locked_at.timetuple()[:5], locked_at.second // 2 * 2)  # zip times: 2 s steps
    for info in zf.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        assert info.date_time == stamp

    assert zf.read("ern.xml") == release_message(release=release, created_at=locked_at)
    assert b"GBABC2600002" in zf.read("ern.xml")

    art = release.artwork.open("rb").read()
    assert zf.read("cover.jpg") == art
    path = tmp_path / "t2.flac"
    path.write_bytes(zf.read("02 - -Interlude.flac"))
    flac = FLAC(path)
    assert flac["ISRC"] == ["GBABC2600002"]
    assert flac["TITLE"] == ["-Interlude"]
    assert flac["TRACKNUMBER"] == ["2"] and flac["TRACKTOTAL"] == ["2"]
    assert flac["ARTIST"] == ["Maya Lind", "@Ines"]
    assert flac["ALBUM"] == ["Glasshouse"]
    assert flac["COPYRIGHT"] == ["℗ 2026 North Pier Records"]
    assert flac["DATE"] == ["2026"]
    assert flac.pictures and flac.pictures[0].data == art and flac.pictures[0].type == 3

    qc = json.loads(zf.read("qc/01 - Night Drive.json"))
    assert qc["profile"] == "spotify" and qc["verdict"]["profile"] == "spotify"
    assert qc["track"]["isrc"] == "GBABC2600001"
    assert qc["report"]["integrated_lufs"] is not None
    assert job.progress == 100 and job.stage == "Done"
    assert job.result["sha256"] and job.result["renders_reused"] == 0


def test_a_store_taking_mp3_gets_an_mp3_tagged_too(release, owner, tmp_path):
    job = build(release, owner, profile="podcast")
    zf = zip_of(job)
    assert "01 - Night Drive.flac" in zf.namelist()
    path = tmp_path / "t1.mp3"
    path.write_bytes(zf.read("01 - Night Drive.mp3"))
    tags = ID3(path)
    assert str(tags["TSRC"]) == "GBABC2600001"
    assert str(tags["TIT2"]) == "Night Drive"
    assert str(tags["TRCK"]) == "1/2"
    assert tags.getall("APIC")[0].data == release.artwork.open("rb").read()


def test_a_cd_bundle_is_16_bit_44k_wav(release, owner, tmp_path):
    zf = zip_of(build(release, owner, profile="cd"))
    path = tmp_path / "t1.wav"
    path.write_bytes(zf.read("01 - Night Drive.wav"))
    info = sf.info(str(path))
    assert (info.samplerate, info.subtype) == (44_100, "PCM_16")


def test_metadata_csv_has_a_row_per_track_and_no_formula(release, owner):
    zf = zip_of(build(release, owner))
    rows = list(csv.reader(io.StringIO(zf.read("metadata.csv").decode("utf-8-sig"))))
    assert rows[0] == list(bundles.CSV_COLUMNS)
    assert len(rows) == 3
    head = dict(zip(rows[0], rows[2], strict=True))
    assert head["ISRC"] == "GBABC2600002"
    assert head["Title"] == "'-Interlude"  # would be a formula
    assert head["Featured"] == "'@Ines"
    assert head["Label"] == '\'=HYPERLINK("http://x")'
    assert head["UPC"] == "036000291452" and head["Release date"] == "2026-05-01"
    assert head["℗"] == "℗ 2026 North Pier Records" and head["Duration"] == "0:00:02"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), row


def test_csv_cells_are_neutralised():
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "ok", None)] == [
        "'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "ok", "",
    ]  # fmt: skip


def test_file_names_are_safe():
    assert bundles.safe_name('../a/b:c*?"<>|\x00 .') == "a b c"
    assert bundles.safe_name("...") == "Untitled"
    assert len(bundles.safe_name("x" * 500)) == bundles.NAME_MAX


# --- Same inputs, same bytes; renders reused -----------------------------------------------


def test_an_unchanged_release_gets_the_same_bundle_back(release, owner):
    job = build(release, owner)
    again = bundles.bundle_request(release=release, profile="spotify", user=owner)
    assert again.pk == job.pk and again.status == BundleJob.Status.DONE


def test_a_rebuild_is_byte_identical_and_reuses_every_render(release, owner, capsys):
    t0 = time.perf_counter()
    first = build(release, owner)
    first_s = time.perf_counter() - t0
    data = first.output.open("rb").read()
    count = renders()
    assert count == 2
    key = first.key
    first.output.delete(save=False)
    first.delete()

    t0 = time.perf_counter()
    second = build(release, owner)
    second_s = time.perf_counter() - t0
    assert second.pk != first.pk and second.key == key
    assert second.output.open("rb").read() == data
    assert renders() == count
    assert second.result["renders_reused"] == 2
    with capsys.disabled():
        print(f"\nbundle of 2 tracks: first build {first_s:.2f} s, rebuild {second_s:.2f} s")


def test_a_lost_file_is_built_again_on_request(release, owner):
    job = build(release, owner)
    data = job.output.open("rb").read()
    job.output.storage.delete(job.output.name)
    again = bundles.bundle_request(release=release, profile="spotify", user=owner)
    assert again.pk == job.pk and again.status == BundleJob.Status.QUEUED
    bundles.run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BundleJob.Status.DONE
    assert job.output.open("rb").read() == data


def test_a_change_gives_a_new_bundle_and_only_what_changed_is_rendered(release, owner):
    first = build(release, owner)
    count = renders()
    release.label = "North Pier Records"  # not in the audio's tags: no render
    release.save()
    second = build(release, owner)
    assert second.pk != first.pk and renders() == count
    assert second.output.open("rb").read() != first.output.open("rb").read()

    track = release.tracks.get(position=1)
    track.title = "Night Drive II"  # in the tags: that track is rendered again, only it
    track.save()
    third = build(release, owner)
    assert renders() == count + 1
    assert "01 - Night Drive II.flac" in zip_of(third).namelist()


def test_a_release_changed_while_the_job_waited_is_not_built_from_stale_inputs(release, owner):
    job = bundles.bundle_request(release=release, profile="spotify", user=owner)
    release.label = "Someone else"
    release.save()
    bundles.run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == BundleJob.Status.FAILED
    assert "changed since this bundle was asked for (ern.xml, metadata.csv)" in job.error
    assert not job.output


# --- Refusals --------------------------------------------------------------------------------


def test_a_release_with_an_unlocked_track_is_refused_naming_it(release, owner):
    TrackFactory(release=release, position=3, title="Bonus")
    with pytest.raises(ValidationError) as exc:
        bundles.bundle_request(release=release, profile="spotify", user=owner)
    assert "locked master" in str(exc.value) and "“Bonus”" in str(exc.value)
    assert not BundleJob.objects.exists()


def test_a_master_still_being_analysed_is_waited_for(release, owner):
    from audio.models import AudioFile

    AudioFile.objects.filter(original_name="mix1.wav").update(analysis=None)
    with pytest.raises(ValidationError, match="QC analysis .* not finished yet: “Night Drive”"):
        bundles.bundle_request(release=release, profile="spotify", user=owner)


def test_a_release_the_ddex_message_cannot_describe_is_refused_in_its_words(release, owner):
    release.genre = ""
    release.save()
    with pytest.raises(ValidationError, match="DDEX message cannot be made yet"):
        bundles.bundle_request(release=release, profile="spotify", user=owner)


def test_unknown_profiles_and_missing_cover_art_are_refused(workspace, owner):
    with pytest.raises(ValidationError, match="No delivery profile"):
        bundles.bundle_request(release=ReleaseFactory(workspace=workspace), profile="nope",
                               user=owner)  # fmt: skip
    with pytest.raises(ValidationError, match="no tracks"):
        bundles.bundle_request(release=ReleaseFactory(workspace=workspace), profile="cd",
                               user=owner)  # fmt: skip
    empty = ReleaseFactory(workspace=workspace)
    assert "needs cover art" in " ".join(
        bundles.bundle_blockers(release=empty, profile=bundles.get_profile("spotify"))
    )


# --- The job machinery -----------------------------------------------------------------------


def test_the_job_runs_through_the_machinery_with_progress_by_stage(
    release, owner, django_capture_on_commit_callbacks, monkeypatch
):
    stages: list[tuple[int, str]] = []
    work = bundles.bundle_work

    def recording(job, progress):
        def report(pct, stage):
            stages.append((pct, stage))
            progress(pct, stage)

        return work(job, report)

    monkeypatch.setattr(bundles, "bundle_work", recording)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = bundles.bundle_request(release=release, profile="spotify", user=owner)
    assert callbacks  # queued after the commit, run by the (eager) releases.bundle task
    job.refresh_from_db()
    assert (job.status, job.progress, job.stage, job.attempts) == ("done", 100, "Done", 1)
    names = [s for _, s in stages]
    assert names[0] == "Checking the release"
    assert any(s.startswith("Rendering 1 of 2") for s in names)
    assert any(s.startswith("Rendering 2 of 2") for s in names)
    assert names[-1] == "Writing the bundle"
    assert [p for p, _ in stages] == sorted(p for p, _ in stages)
    assert bundles.run(job_id=job.pk) is None  # a second delivery does nothing


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_bundle_with_progress(celery_worker_process, release, owner):
    from audio.models import AudioFile

    wait_for(lambda: not AudioFile.objects.filter(analysis__isnull=True).exists(), timeout=120,
             what="the worker to analyse the masters")  # fmt: skip
    job = bundles.bundle_request(release=release, profile="spotify", user=owner)
    seen: list[tuple[str, int]] = []

    def ended():
        job.refresh_from_db()
        seen.append((job.status, job.progress))
        return job.status in ("done", "failed")

    wait_for(ended, timeout=180, what="the worker to build the bundle")
    assert job.status == "done", job.error
    assert job.progress == 100 and job.attempts == 1
    assert [p for _, p in seen] == sorted(p for _, p in seen)
    assert "02 - -Interlude.flac" in zip_of(job).namelist()


# --- API and pages -----------------------------------------------------------------------------


def _api_base(release) -> str:
    return f"/api/workspaces/{release.workspace.slug}/releases/{release.pk}/bundles/"


def test_api_asks_lists_shows_and_downloads(
    release, owner, api, django_capture_on_commit_callbacks
):
    client = api(owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(_api_base(release), {"profile": "spotify"}, format="json")
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    r = client.get(_api_base(release))
    assert r.status_code == 200
    rows = r.json()["results"] if isinstance(r.json(), dict) else r.json()
    assert [row["id"] for row in rows] == [job_id]
    body = client.get(f"{_api_base(release)}{job_id}/").json()
    assert body["status"] == "done" and body["profile"] == "spotify" and body["progress"] == 100
    r = client.get(body["download_url"])
    assert r.status_code == 200
    data = b"".join(r.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist()[0] == "01 - Night Drive.flac"


def test_api_refuses_clearly(release, owner, member_of, api):
    from ..conftest import assert_error_shape

    TrackFactory(release=release, position=3, title="Bonus")
    r = api(owner).post(_api_base(release), {"profile": "spotify"}, format="json")
    assert "Bonus" in assert_error_shape(r, 400)["detail"]
    r = api(owner).post(_api_base(release), {"profile": "nope"}, format="json")
    assert_error_shape(r, 400)
    viewer = member_of(Role.VIEWER, email="v@example.com")
    assert_error_shape(api(viewer).post(_api_base(release), {"profile": "cd"}, format="json"), 403)


def test_another_workspaces_bundle_is_a_404(release, owner, outsider, other_workspace, api, client):
    job = build(release, owner)
    base = _api_base(release)
    for url in (base, f"{base}{job.pk}/", f"{base}{job.pk}/download/"):
        assert api(outsider).get(url).status_code == 404, url
    assert api(outsider).post(base, {"profile": "cd"}, format="json").status_code == 404
    # The outsider's own release does not reach this workspace's bundle either.
    theirs = ReleaseFactory(workspace=other_workspace)
    other = f"/api/workspaces/{other_workspace.slug}/releases/{theirs.pk}/bundles/{job.pk}/"
    assert api(outsider).get(other).status_code == 404
    assert api(outsider).get(other + "download/").status_code == 404
    client.force_login(outsider)
    slug = release.workspace.slug
    for name in ("release-bundle-job", "release-bundle-download"):
        assert client.get(reverse(name, args=[slug, release.pk, job.pk])).status_code == 404
    assert client.get(reverse("release-deliveries", args=[slug, release.pk])).status_code == 404
    url = reverse("release-bundle-job", args=[other_workspace.slug, theirs.pk, job.pk])
    assert client.get(url).status_code == 404


def test_the_deliveries_page_builds_and_shows_progress_and_downloads(
    release, owner, client, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    slug = release.workspace.slug
    page = reverse("release-deliveries", args=[slug, release.pk])
    r = client.get(page)
    assert r.status_code == 200
    assert b'Build bundle<span class="visually-hidden"> for Spotify</span>' in r.content
    assert b'aria-current="page">Deliveries</a>' in r.content
    assert reverse("release-ddex", args=[slug, release.pk]).encode() in r.content
    assert reverse("release-cue", args=[slug, release.pk]).encode() in r.content
    job = bundles.bundle_request(release=release, profile="spotify", user=owner)
    r = client.get(page)
    assert b'role="progressbar"' in r.content  # queued: its bar polls
    poll = reverse("release-bundle-job", args=[slug, release.pk, job.pk])
    assert poll.encode() in r.content
    assert client.get(poll, HTTP_ACCEPT="application/json").json()["status"] == "queued"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("release-bundle-build", args=[slug, release.pk]),
                        {"profile": "cd"})  # fmt: skip
    assert r.status_code == 302
    cd = BundleJob.objects.get(profile="cd")
    assert cd.status == "done"
    r = client.get(poll + "?was=running")
    r = client.get(page)
    download = reverse("release-bundle-download", args=[slug, release.pk, cd.pk])
    assert download.encode() in r.content
    r = client.get(download)
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")


def test_the_bundle_list_costs_the_same_queries_for_more_bundles(release, owner, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(owner)

    def add(n):
        for _ in range(n):
            key = f"k{BundleJob.objects.count()}"
            BundleJob.objects.create(workspace=release.workspace, release=release, profile="cd",
                                     key=key, created_by=owner)  # fmt: skip

    add(1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(_api_base(release)).status_code == 200
    add(5)
    with CaptureQueriesContext(connection) as six:
        assert client.get(_api_base(release)).status_code == 200
    assert len(six) == len(one)


def test_guests_do_not_see_deliveries_and_viewers_cannot_build(release, member_of, client):
    from releases.models import ReleaseGuest

    from ..factories import UserFactory

    guest = UserFactory(email="guest@example.org")
    ReleaseGuest.objects.create(release=release, user=guest)
    slug = release.workspace.slug
    page = reverse("release-deliveries", args=[slug, release.pk])
    client.force_login(guest)
    assert client.get(page).status_code == 404
    assert client.post(reverse("release-bundle-build", args=[slug, release.pk]),
                       {"profile": "cd"}).status_code == 404  # fmt: skip
    client.force_login(member_of(Role.VIEWER, email="viewer2@example.com"))
    r = client.get(page)
    assert r.status_code == 200 and b"Build bundle" not in r.content
    assert client.post(reverse("release-bundle-build", args=[slug, release.pk]),
                       {"profile": "cd"}).status_code == 403  # fmt: skip
    assert not BundleJob.objects.exists()


def test_the_deliveries_page_costs_the_same_queries_for_more_tracks(
    release, owner, client, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    page = reverse("release-deliveries", args=[release.workspace.slug, release.pk])
    client.get(page)
    with CaptureQueriesContext(connection) as two:
        assert client.get(page).status_code == 200
    lock(TrackFactory(release=release, position=3, title="Coda"), owner, seed=3,
         capture=django_capture_on_commit_callbacks)  # fmt: skip
    with CaptureQueriesContext(connection) as three:
        assert client.get(page).status_code == 200
    assert len(three) == len(two)
    for i in range(3):
        BundleJob.objects.create(workspace=release.workspace, release=release, profile="cd",
                                 key=f"page-{i}", created_by=owner)  # fmt: skip
    with CaptureQueriesContext(connection) as more_bundles:
        assert client.get(page).status_code == 200
    assert len(more_bundles) == len(three)
