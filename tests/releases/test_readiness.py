"""Release readiness: the report per delivery profile, each check family on a release made to
show its problem (and not once fixed), registered checks, the physical limits, side planning,
the gate on the status "ready", query counts, the API and the page."""

from __future__ import annotations

import datetime as dt
import io
import time

import numpy as np
import pytest
import soundfile as sf
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audio.dsp.analysis import analyze
from audio.models import AudioFile
from releases import registry
from releases.models import (
    Credit,
    Deliverable,
    EditionTrack,
    MasterLock,
    MixVersion,
    Release,
    SignOff,
    Track,
)
from releases.readiness import readiness_report
from releases.readiness.profiles import DIGITAL
from releases.readiness.sides import split_sides
from releases.readiness.style import all_caps, featured_in_title, version_in_title
from releases.services import catalogue, physical, review

from ..conftest import assert_error_shape
from ..factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

RATE = 44_100


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def master_audio(seconds: float = 6.0, *, lufs_gain_db: float = -8.2, seed: int = 1) -> bytes:
    """A master-quality WAV at about -14 LUFS: pink noise (no DC, nothing below 30 Hz), the
    channels mostly correlated, gently saturated so its true peak stays near -8 dBTP."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)

    def pink() -> np.ndarray:
        spectrum = np.fft.rfft(rng.normal(size=n))
        k = np.arange(len(spectrum))
        k[0] = 1
        spectrum = spectrum / np.sqrt(k)
        spectrum[: int(30 * n / RATE)] = 0
        x = np.fft.irfft(spectrum, n)
        return x / np.std(x)

    common = pink()
    x = np.stack([common + 0.3 * pink(), common + 0.3 * pink()], axis=1)
    x /= np.max(np.abs(x))
    x = np.tanh(1.5 * x) / np.tanh(1.5) * 10 ** (lufs_gain_db / 20)
    buf = io.BytesIO()
    sf.write(buf, x, RATE, subtype="PCM_24", format="WAV")
    return buf.getvalue()


@pytest.fixture(scope="module")
def good_analysis(tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("master") / "master.wav"
    path.write_bytes(master_audio())
    return analyze(path)


# --- Building releases ------------------------------------------------------------------------


def add_master(track: Track, *, seconds: float, analysis: dict | None, approver) -> MixVersion:
    """A locked master approved by ``approver``, as rows (the review services are tested in
    test_review; here only what the report reads matters)."""
    audio = AudioFile.objects.create(
        workspace_id=track.workspace_id, original_name=f"{track.title}.wav",
        file=f"audio/{track.pk}.wav", sha256=f"{track.pk:064x}", format="WAV",
        subtype="PCM_24", sample_rate=RATE, bit_depth=24, channels=2, duration_s=seconds,
        size_bytes=1, analysis=analysis,
    )  # fmt: skip
    version = MixVersion.objects.create(track=track, number=1, audio_file=audio)
    SignOff.objects.create(
        track=track, version=version, user=approver, decision="approved", sha256=audio.sha256
    )
    MasterLock.objects.create(
        track=track, version=version, sha256=audio.sha256, covered={}, fingerprint="x",
        locked_by=approver,
    )  # fmt: skip
    return version


def complete_release(workspace, owner, analysis, *, tracks: int = 3, seconds: float = 200.0,
                     title: str = "Glasshouse", upc: str = "036000291452",
                     first_isrc: int = 1) -> Release:  # fmt: skip
    """A streaming release with nothing left to do: every track locked and approved, codes,
    credits, explicit flags, artwork facts and a release date well ahead."""
    artist = PersonFactory(workspace=workspace, name="Maya Lind")
    writer = PersonFactory(workspace=workspace, name="Ines Okafor")
    release = catalogue.release_create(
        workspace=workspace, title=title, type="album", artists=[artist], upc=upc,
        explicit="clean", release_date=timezone.localdate() + dt.timedelta(days=60),
    )  # fmt: skip
    Release.objects.filter(pk=release.pk).update(
        artwork="releases/artwork/cover.jpg", artwork_width=3000, artwork_height=3000,
        artwork_format="JPEG",
    )  # fmt: skip
    catalogue.credit_add(release=release, person=writer, role="composer_lyricist")
    Track.objects.bulk_create(
        Track(workspace=workspace, release=release, position=i + 1, title=f"Song {i + 1}",
              isrc=f"GBAYE26{i + first_isrc:05d}", explicit="clean")
        for i in range(tracks)
    )  # fmt: skip
    review.approver_add(release=release, user=owner, actor=owner)
    for track in release.tracks.all():
        add_master(track, seconds=seconds, analysis=analysis, approver=owner)
    checklist_done(release)
    return Release.objects.get(pk=release.pk)


def checklist_done(release: Release) -> None:
    """Tick the deliverables checklist's required items that a person ticks (press photos,
    split sheets …), where the checklist module is there."""
    try:
        from releases.deliverables import DEFAULT_ITEMS
    except ImportError:
        return
    Deliverable.objects.bulk_create(
        Deliverable(release=release, group=i.group, key=i.key, title=i.title, required=True,
                    done_at=timezone.now())
        for i in DEFAULT_ITEMS
        if i.required and not i.auto
    )  # fmt: skip


def codes(report, profile: str = "spotify", severity: str = "blockers") -> set[str]:
    return {f.code for f in getattr(report.profiles[profile], severity)}


def report_of(release: Release):
    return readiness_report(release=Release.objects.get(pk=release.pk))


@pytest.fixture
def ready_release(workspace, owner, good_analysis):
    return complete_release(workspace, owner, good_analysis)


# --- The report -------------------------------------------------------------------------------


def test_a_release_with_a_title_alone_is_not_ready_and_says_why(workspace):
    release = catalogue.release_create(workspace=workspace, title="Demo")
    report = readiness_report(release=release)
    assert not report.ready
    assert list(report.profiles) == list(DIGITAL)  # no editions: no CD, vinyl or cassette
    found = codes(report)
    assert {"no_tracks", "no_main_artist", "artwork_missing", "upc_missing",
            "explicit_unset", "no_release_date"} <= found  # fmt: skip
    for f in report.blockers:
        assert f.message.endswith(".") and f.fix_url.startswith(f"/w/{workspace.slug}/"), f
    assert "Add the release's tracks" in " ".join(f.message for f in report.blockers)
    assert report.summary().startswith(f"{len(report.profiles['spotify'].blockers)} blockers")


def test_a_complete_release_is_ready_for_every_store(ready_release):
    report = report_of(ready_release)
    assert report.ready, [f.message for f in report.blockers]
    assert report.summary().startswith("Ready for Spotify, Apple Music")


def _break_masters(r):
    MasterLock.objects.filter(track__release=r, track__position=1).update(ended_at=timezone.now())


def _fix_masters(r):
    MasterLock.objects.filter(track__release=r, track__position=1).update(ended_at=None)


def _break_qc(r):
    audio = AudioFile.objects.get(pk=r.tracks.get(position=2).versions.get().audio_file_id)
    audio.analysis = {**audio.analysis, "format": "MP3"}  # lossy: stores want lossless
    audio.save()
    return audio


def _set(model, **kw):
    def do(r):
        qs = Release.objects.filter(pk=r.pk) if model is Release else model.objects.filter(
            release=r, position=1
        )  # fmt: skip
        qs.update(**kw)

    return do


FAMILIES = {
    # family: (break, fix, code it finds, profile)
    "masters": (_break_masters, _fix_masters, "not_locked", "spotify"),
    "artwork": (_set(Release, artwork_width=1000, artwork_height=1000),
                _set(Release, artwork_width=3000, artwork_height=3000),
                "artwork_too_small", "apple-music"),
    "isrc": (_set(Track, isrc=""), _set(Track, isrc="GBAYE2600001"), "isrc_missing", "tidal"),
    "upc": (_set(Release, upc=""), _set(Release, upc="036000291452"), "upc_missing", "deezer"),
    "explicit": (_set(Track, explicit=""), _set(Track, explicit="clean"), "explicit_unset",
                 "spotify"),
    "explicit_mismatch": (_set(Track, explicit="explicit"), _set(Track, explicit="clean"),
                          "explicit_mismatch", "amazon-music"),
    "feat": (_set(Track, title="Song 1 (feat. Ravi)"), _set(Track, title="Song 1"),
             "feat_in_title", "spotify"),
    "version": (_set(Track, title="Song 1 (Radio Edit)"), _set(Track, title="Song 1"),
                "version_in_title", "youtube"),
    "all_caps": (_set(Track, title="SONG OF THE NIGHT"), _set(Track, title="Song 1"),
                 "all_caps", "apple-music"),
    "release_date": (_set(Release, release_date=None),
                     _set(Release, release_date=dt.date.today() + dt.timedelta(days=60)),
                     "no_release_date", "soundcloud"),
    "date_past": (_set(Release, release_date=dt.date.today() - dt.timedelta(days=3)),
                  _set(Release, release_date=dt.date.today() + dt.timedelta(days=60)),
                  "release_date_past", "spotify"),
}  # fmt: skip


@pytest.mark.parametrize("family", list(FAMILIES))
def test_each_check_family_finds_its_problem_and_stops_once_fixed(ready_release, family):
    spoil, fix, code, profile = FAMILIES[family]
    spoil(ready_release)
    report = report_of(ready_release)
    assert code in codes(report, profile), (family, [f.message for f in report.blockers])
    assert not report.ready
    fix(ready_release)
    report = report_of(ready_release)
    assert report.ready, (family, [f.message for f in report.blockers])


def test_audio_qc_failures_of_a_master_block_with_the_verdicts_words(ready_release):
    audio = _break_qc(ready_release)
    report = report_of(ready_release)
    qc = [f for f in report.profiles["spotify"].blockers if f.check == "audio_qc"]
    assert qc and all(f.message.startswith("“Song 2”:") for f in qc)
    assert qc[0].fix_url == f"/w/{ready_release.workspace.slug}/audio/{audio.pk}/"
    audio.analysis = {**audio.analysis, "format": "WAV"}
    audio.save()
    assert not [f for f in report_of(ready_release).blockers if f.check == "audio_qc"]


def test_vinyl_gets_the_low_end_and_sibilance_findings_of_audio(ready_release):
    catalogue.edition_create(release=ready_release, format="vinyl", vinyl="12-33")
    audio = AudioFile.objects.get(pk=ready_release.tracks.get(position=1).versions.get()
                                  .audio_file_id)  # fmt: skip
    audio.analysis = {**audio.analysis, "low_end_correlation": -0.4, "sibilance_count": 3}
    audio.save()
    report = report_of(ready_release)
    vinyl = {f.code for f in report.profiles["vinyl"].blockers + report.profiles["vinyl"].warnings}
    assert {"qc_low_end_out_of_phase", "qc_sibilance"} <= vinyl
    spotify = report.profiles["spotify"].blockers + report.profiles["spotify"].warnings
    assert not {"qc_low_end_out_of_phase", "qc_sibilance"} & {f.code for f in spotify}


def test_a_master_still_being_analysed_blocks_until_its_qc_is_in(ready_release):
    AudioFile.objects.filter(pk=ready_release.tracks.get(position=1).versions.get()
                             .audio_file_id).update(analysis=None)  # fmt: skip
    assert "qc_pending" in codes(report_of(ready_release))


def test_an_approver_added_after_the_lock_must_approve_the_master(ready_release, member):
    review.approver_add(release=ready_release, user=member, actor=ready_release.created_by
                        or member)  # fmt: skip
    report = report_of(ready_release)
    assert "not_signed_off" in codes(report)


def test_credits_a_composer_on_every_track_and_a_lyricist_where_there_are_lyrics(ready_release):
    Credit.objects.filter(release=ready_release, role="composer_lyricist").update(role="composer")
    assert "no_composer" not in codes(report_of(ready_release))
    assert report_of(ready_release).ready  # no lyrics yet: no lyricist needed
    Track.objects.filter(release=ready_release, position=2).update(lyrics="La la la")
    report = report_of(ready_release)
    assert codes(report) == {"no_lyricist"}
    Credit.objects.filter(release=ready_release, role="composer").delete()
    assert {"no_composer", "no_lyricist"} <= codes(report_of(ready_release))


def test_a_short_lead_time_warns_with_the_distributor_and_a_later_date(ready_release):
    Release.objects.filter(pk=ready_release.pk).update(
        release_date=dt.date.today() + dt.timedelta(days=5), distributor="DistroKid"
    )
    report = report_of(ready_release)
    assert report.ready  # a warning, not a blocker
    words = [f.message for f in report.profiles["spotify"].warnings if f.code == "lead_time_short"]
    assert words and words[0].startswith("DistroKid needs the release 21 days ahead")


def test_a_missing_required_deliverable_blocks(ready_release):
    item = Deliverable.objects.create(release=ready_release, group="marketing", title="Press kit")
    report = report_of(ready_release)
    found = [f for f in report.blockers if f.check == "deliverables"]
    assert found and "Press kit" in found[0].message
    Deliverable.objects.filter(pk=item.pk).update(done_at=timezone.now())
    assert report_of(ready_release).ready


def test_a_registered_check_appears_and_can_block(ready_release):
    def splits(ctx):
        yield {"code": "splits_unagreed", "severity": "blocker", "fix_url": "/rights/",
               "message": f"Agree the splits of “{ctx.tracks[0]}”."}  # fmt: skip

    registry.register_readiness_check("splits_agreed", splits, profiles=["spotify"])
    try:
        report = report_of(ready_release)
        assert "splits_unagreed" in codes(report, "spotify")
        assert "splits_unagreed" not in codes(report, "tidal")  # registered for Spotify only
        assert not report.ready
        registry.register_readiness_check("splits_agreed", splits)  # the same again: harmless
        with pytest.raises(ValueError):
            registry.register_readiness_check("splits_agreed", lambda ctx: [])
    finally:
        registry.unregister_readiness_check("splits_agreed")
    assert report_of(ready_release).ready


def test_a_registered_check_that_breaks_blocks_by_name(ready_release):
    def broken(ctx):
        raise RuntimeError("database went away")

    registry.register_readiness_check("broken_thing", broken)
    try:
        report = report_of(ready_release)
    finally:
        registry.unregister_readiness_check("broken_thing")
    assert "check_failed" in codes(report) and "broken thing" in report.blockers[0].message


# --- Physical ---------------------------------------------------------------------------------


def mixes(release: Release, lengths: list[float]) -> list[Track]:
    """Tracks with one mix each of the given lengths (no master: lengths are the mixes')."""
    Track.objects.bulk_create(
        Track(workspace=release.workspace, release=release, position=i + 1, title=f"Cut {i + 1}")
        for i in range(len(lengths))
    )  # fmt: skip
    tracks = list(release.tracks.order_by("position"))
    files = AudioFile.objects.bulk_create(
        AudioFile(workspace=release.workspace, original_name=f"{t.pk}.wav", file=f"a/{t.pk}.wav",
                  sha256=f"{t.pk:064x}", format="WAV", sample_rate=RATE, bit_depth=16,
                  channels=2, duration_s=s, size_bytes=1)
        for t, s in zip(tracks, lengths, strict=True)
    )  # fmt: skip
    MixVersion.objects.bulk_create(
        MixVersion(track=t, number=1, audio_file=f) for t, f in zip(tracks, files, strict=True)
    )
    return tracks


@pytest.mark.parametrize(
    ("lengths", "code"),
    [
        ([60.0] * 100, "cd_too_many_tracks"),
        ([480.0] * 10, "cd_too_long"),
        ([200.0, 3.0, 200.0], "cd_track_too_short"),
    ],  # fmt: skip
    ids=["100 tracks", "80 minutes", "a 3 s track"],
)
def test_cd_limits(workspace, lengths, code):
    release = catalogue.release_create(workspace=workspace, title="Disc")
    catalogue.edition_create(release=release, format="cd")
    mixes(release, lengths)
    report = readiness_report(release=release)
    assert "cd" in report.profiles and code in codes(report, "cd")
    assert code not in codes(report, "spotify")
    message = next(f.message for f in report.profiles["cd"].blockers if f.code == code)
    assert {"cd_too_many_tracks": "at most 99", "cd_too_long": "79:57",
            "cd_track_too_short": "at least 4 s"}[code] in message  # fmt: skip


def test_a_cd_within_its_limits_has_no_cd_blockers(workspace):
    release = catalogue.release_create(workspace=workspace, title="Disc", upc="036000291452")
    catalogue.edition_create(release=release, format="cd")
    mixes(release, [45.0] * 99)  # 74:15
    report = readiness_report(release=release)
    assert not {c for c in codes(report, "cd") if c.startswith("cd_")}


def test_a_vinyl_side_over_22_minutes_at_33_is_refused_and_flagged(workspace, api, owner):
    release = catalogue.release_create(workspace=workspace, title="Long Player")
    edition = catalogue.edition_create(release=release, format="vinyl", vinyl="12-33")
    tracks = mixes(release, [270.0] * 6)  # 27 minutes
    with pytest.raises(ValidationError) as exc:
        physical.edition_sides_plan(edition=edition, sides={"A": tracks})
    words = " ".join(exc.value.messages)
    assert "Side A runs 27:00, over the 22:00" in words and '12" at 33⅓ rpm' in words
    assert not EditionTrack.objects.filter(edition=edition).exists()
    # A plan written round the service is flagged in the report, with a split to use.
    EditionTrack.objects.bulk_create(
        EditionTrack(edition=edition, track=t, side="A", position=i + 1)
        for i, t in enumerate(tracks)
    )  # fmt: skip
    report = readiness_report(release=release)
    over = [f for f in report.profiles["vinyl"].blockers if f.code == "vinyl_side_too_long"]
    assert over and "Liner suggests A: 1–3 (13:30), B: 4–6 (13:30)." in over[0].message
    assert physical.edition_sides_suggest(edition=edition) == {
        "A": [t.pk for t in tracks[:3]], "B": [t.pk for t in tracks[3:]],
    }  # fmt: skip
    physical.edition_sides_apply_suggestion(edition=edition)
    report = readiness_report(release=release)
    assert not {c for c in codes(report, "vinyl") if c.startswith("vinyl_")}
    # The API refuses in the one error shape.
    url = f"/api/workspaces/{workspace.slug}/releases/{release.pk}/editions/{edition.pk}/sides/"
    r = api(owner).put(url, {"sides": {"A": [t.pk for t in tracks]}}, format="json")
    body = assert_error_shape(r, 400)
    assert "over the 22:00" in " ".join(body["fields"]["sides"])
    r = api(owner).get(url)
    assert r.status_code == 200 and [s["side"] for s in r.json()["sides"]] == ["A", "B"]


def test_an_unplanned_record_and_a_long_cassette_side(workspace):
    release = catalogue.release_create(workspace=workspace, title="Tape")
    tape = catalogue.edition_create(release=release, format="cassette", tape_minutes=30)
    record = catalogue.edition_create(release=release, format="vinyl")
    tracks = mixes(release, [360.0, 360.0, 360.0])
    report = readiness_report(release=release)
    assert "cassette_unplanned" in codes(report, "cassette")
    assert "vinyl_format_unset" in codes(report, "vinyl")
    with pytest.raises(ValidationError) as exc:
        physical.edition_sides_plan(edition=tape, sides={"A": tracks})
    assert "Side A runs 18:00, longer than the 15:00 a side of a C30 cassette holds" in str(
        exc.value
    )
    with pytest.raises(ValidationError):
        physical.edition_sides_plan(edition=tape, sides={"C": tracks[:1]})  # a tape has A and B
    with pytest.raises(ValidationError):
        physical.edition_sides_plan(edition=record, sides={"A": tracks[:1]})  # size not chosen
    physical.edition_sides_plan(edition=tape, sides={"A": tracks[:2], "B": tracks[2:]})
    report = readiness_report(release=release)
    assert not {c for c in codes(report, "cassette") if c.startswith("cassette_")}


def test_the_planner_chooses_the_records_size_and_the_tapes_length(client, workspace, owner):
    release = catalogue.release_create(workspace=workspace, title="Formats")
    record = catalogue.edition_create(release=release, format="vinyl")
    tape = catalogue.edition_create(release=release, format="cassette")
    client.force_login(owner)
    base = f"/w/{workspace.slug}/releases/{release.pk}/editions/"
    client.post(f"{base}{record.pk}/sides/format/", {"vinyl": "12-45"})
    r = client.post(f"{base}{tape.pk}/sides/format/", {"tape_minutes": "sixty"}, follow=True)
    assert "length in minutes, both sides together" in r.content.decode()
    client.post(f"{base}{tape.pk}/sides/format/", {"tape_minutes": "60"})
    record.refresh_from_db()
    tape.refresh_from_db()
    assert (record.vinyl, tape.tape_minutes) == ("12-45", 60)


def test_the_side_planner_page_says_why_a_plan_is_refused(client, workspace, owner):
    release = catalogue.release_create(workspace=workspace, title="Seven")
    edition = catalogue.edition_create(release=release, format="vinyl", vinyl="7-45")
    tracks = mixes(release, [200.0, 200.0])
    client.force_login(owner)
    url = f"/w/{workspace.slug}/releases/{release.pk}/editions/{edition.pk}/sides/"
    r = client.post(url, {f"side-{t.pk}": "A" for t in tracks}, follow=True)
    assert "Side A runs 6:40, over the 5:00" in r.content.decode()
    r = client.post(url, {f"side-{tracks[0].pk}": "A", f"side-{tracks[1].pk}": "B"}, follow=True)
    assert r.status_code == 200 and "Sides saved." in r.content.decode()
    assert EditionTrack.objects.filter(edition=edition).count() == 2


# --- The gate ---------------------------------------------------------------------------------


def test_the_gate_refuses_ready_with_blockers_and_allows_it_once_clear(
    workspace, owner, django_capture_on_commit_callbacks
):
    """A streaming-only single with a real master at about -14 LUFS, analysed, approved and
    locked through the review services."""
    artist = PersonFactory(workspace=workspace, name="Maya Lind")
    release = catalogue.release_create(
        workspace=workspace, title="Low Tide", type="single", artists=[artist],
        explicit="clean", release_date=timezone.localdate() + dt.timedelta(days=45),
    )  # fmt: skip
    Release.objects.filter(pk=release.pk).update(
        artwork="releases/artwork/c.jpg", artwork_width=3000, artwork_height=3000,
        artwork_format="JPEG",
    )  # fmt: skip
    track = catalogue.track_create(release=release, title="Low Tide", isrc="GBAYE2600007",
                                   explicit="clean")  # fmt: skip
    catalogue.credit_add(track=track, person=artist, role="composer_lyricist")
    with django_capture_on_commit_callbacks(execute=True):
        version = review.mix_version_add(
            track=track, upload=SimpleUploadedFile("low tide.wav", master_audio()), user=owner
        )
    lufs = AudioFile.objects.get(pk=version.audio_file_id).analysis["integrated_lufs"]
    assert lufs == pytest.approx(-14.0, abs=0.5)
    review.approver_add(release=release, user=owner, actor=owner)
    review.signoff_record(track=track, version=version, user=owner, decision="approved")
    review.master_lock(track=track, version=version, user=owner)
    checklist_done(release)

    with pytest.raises(ValidationError) as exc:  # no UPC yet
        catalogue.release_update(release=release, status="ready")
    words = exc.value.message_dict["status"][0]
    assert words.startswith("Not ready yet: 1 blocker remains") and "UPC" in words
    assert Release.objects.get(pk=release.pk).status == "planning"

    catalogue.release_update(release=release, upc="036000291452")
    catalogue.release_update(release=release, status="ready")
    assert Release.objects.get(pk=release.pk).status == "ready"


def test_the_api_refuses_ready_in_the_error_shape(api, workspace, owner):
    release = catalogue.release_create(workspace=workspace, title="Demo")
    r = api(owner).patch(f"/api/workspaces/{workspace.slug}/releases/{release.pk}/",
                         {"status": "ready"}, format="json")  # fmt: skip
    body = assert_error_shape(r, 400)
    assert "Not ready yet" in body["fields"]["status"][0]
    assert Release.objects.get(pk=release.pk).status == "planning"


# --- Cost -------------------------------------------------------------------------------------


def test_query_count_is_the_same_for_3_and_30_tracks(workspace, owner, good_analysis):
    counts, times = [], []
    for n, title in ((3, "Small"), (30, "Big")):
        release = complete_release(workspace, owner, good_analysis, tracks=n, title=title,
                                   upc="042100005264" if n == 3 else "036000291452",
                                   first_isrc=100 * n)  # fmt: skip
        catalogue.edition_create(release=release, format="cd")
        catalogue.edition_create(release=release, format="vinyl", vinyl="12-33")
        release = Release.objects.select_related("workspace").get(pk=release.pk)
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            report = readiness_report(release=release)
            times.append(time.perf_counter() - start)
        assert set(report.profiles) == {*DIGITAL, "cd", "vinyl"}
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    print(f"readiness report: {counts[1]} queries; 3 tracks {times[0] * 1000:.0f} ms, "
          f"30 tracks {times[1] * 1000:.0f} ms")  # fmt: skip


# --- API and page -----------------------------------------------------------------------------


def test_api_shape_and_profile_filter(api, workspace, owner, ready_release):
    base = f"/api/workspaces/{workspace.slug}/releases/{ready_release.pk}/readiness/"
    body = api(owner).get(base).json()
    assert body["ready"] is True and set(body["profiles"]) == set(DIGITAL)
    assert set(body["profiles"]["spotify"]) == {"name", "ready", "blockers", "warnings"}
    Release.objects.filter(pk=ready_release.pk).update(upc="")
    body = api(owner).get(base, {"profile": "spotify"}).json()
    assert body["ready"] is False and list(body["profiles"]) == ["spotify"]
    finding = body["profiles"]["spotify"]["blockers"][0]
    assert set(finding) == {"code", "severity", "message", "fix_url", "track_id", "check"}
    assert finding["code"] == "upc_missing" and finding["severity"] == "blocker"
    assert "UPC" in finding["message"] and finding["fix_url"].endswith("/edit/")
    assert_error_shape(api(owner).get(base, {"profile": "nope"}), 400)
    assert_error_shape(api(owner).get(base, {"profile": "cd"}), 400)  # no CD edition


def test_api_and_page_are_for_members_of_the_workspace(api, client, workspace, owner, outsider,
                                                        ready_release):  # fmt: skip
    guest = UserFactory(email="guest@studio.example")
    from releases.services import guests

    guests.release_guest_add(release=ready_release, user=guest, actor=owner)
    path = f"workspaces/{workspace.slug}/releases/{ready_release.pk}/readiness/"
    record = catalogue.edition_create(release=ready_release, format="vinyl", vinyl="12-33")
    track = ready_release.tracks.first()
    sides = (
        f"/api/workspaces/{workspace.slug}/releases/{ready_release.pk}/editions/{record.pk}/sides/"
    )
    page = f"/w/{workspace.slug}/releases/{ready_release.pk}/editions/{record.pk}/sides/"
    for user in (guest, outsider):
        assert api(user).get(sides).status_code == 404
        assert api(user).put(sides, {"sides": {"A": [track.pk]}}, format="json").status_code == 404
        client.force_login(user)
        assert client.post(page, {f"side-{track.pk}": "A"}).status_code in (403, 404)
    assert not EditionTrack.objects.filter(edition=record).exists()
    for user in (guest, outsider):
        assert api(user).get(f"/api/{path}").status_code == 404
        client.force_login(user)
        assert (
            client.get(f"/w/{workspace.slug}/releases/{ready_release.pk}/readiness/").status_code
            == 404
        )


def test_the_page_lists_each_profile_with_what_to_do(client, workspace, owner, ready_release):
    Release.objects.filter(pk=ready_release.pk).update(upc="")
    catalogue.edition_create(release=ready_release, format="vinyl", vinyl="12-45")
    catalogue.edition_create(release=ready_release, format="vinyl")  # no size chosen yet
    catalogue.edition_create(release=ready_release, format="cassette", tape_minutes=60)
    catalogue.edition_create(release=ready_release, format="cd")
    client.force_login(owner)
    r = client.get(f"/w/{workspace.slug}/releases/{ready_release.pk}/readiness/")
    html = r.content.decode()
    assert r.status_code == 200 and 'aria-current="page">Readiness' in html
    assert "Enter the release&#x27;s UPC/EAN barcode" in html
    assert 'id="profile-spotify"' in html and 'id="profile-vinyl"' in html
    assert 'id="sides-' in html and "Save the sides" in html
    assert html.count("Sides of the") == 3 and "Download the CD" in html
    assert "Choose the record's size and speed first" in html


# --- Plain modules ----------------------------------------------------------------------------


def test_split_sides_balances_in_order_and_refuses_what_cannot_fit():
    assert split_sides([300, 300, 300, 300], limit_s=22 * 60) == [[0, 1], [2, 3]]
    assert split_sides([600, 600, 600], limit_s=15 * 60) == [[0], [1], [2], []]
    assert split_sides([1400], limit_s=22 * 60) is None
    assert split_sides([100] * 3, limit_s=120, max_sides=2) is None


def test_title_style_rules():
    assert featured_in_title("Song (feat. Ravi)") == "(feat. Ravi)"
    assert featured_in_title("Song ft. Ravi") == "ft. Ravi"
    assert featured_in_title("Featherweight") is None
    assert version_in_title("Song (Radio Edit)") == "Radio Edit"
    assert version_in_title("Song - Acoustic Version") == "Acoustic Version"
    assert version_in_title("Mixtape") is None and version_in_title("Live Forever") is None
    assert all_caps("SONG OF THE NIGHT") and not all_caps("ABBA") and not all_caps("Song")


def test_a_title_only_release_page_and_api_say_why(client, api, workspace, owner):
    release = catalogue.release_create(workspace=workspace, title="Demo")
    client.force_login(owner)
    html = client.get(f"/w/{workspace.slug}/releases/{release.pk}/readiness/").content.decode()
    assert "Not ready yet" in html and "Add the release&#x27;s tracks: it has none yet." in html
    body = api(owner).get(f"/api/workspaces/{workspace.slug}/releases/{release.pk}/readiness/")
    assert body.json()["ready"] is False
    messages = [f["message"] for f in body.json()["profiles"]["spotify"]["blockers"]]
    assert (
        "Set a release date." in messages
        and "Add the release's tracks: it has none yet." in messages
    )
