"""DDEX ERN 4.3: every demo release's message validates against DDEX's schema, export then
parse keeps the facts, the three published samples import with their tracks, codes, artists
and credits, hostile or broken files are refused with a reason and nothing saved, and an
export reads a release in the same number of queries for 10 tracks as for 100."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaborators import demo as registry
from collaborators.models import Person
from releases import demo
from releases.ddex import build, parse, safexml, schema
from releases.ddex import model as m
from releases.ddex.model import DdexError
from releases.models import Credit, Release, Track
from releases.services import catalogue, ddex
from tests.factories import PersonFactory, ReleaseFactory

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "ddex"
XSD = SHARED / "ern43" / "release-notification.xsd"
SAMPLES = SHARED / "samples"
needs_shared = pytest.mark.skipif(
    not XSD.exists(), reason=f"DDEX schema and samples not found at {SHARED} (CI lays shared/ "
    "beside the clone)",
)  # fmt: skip
WHEN = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


# --- Pure: build, parse, refuse (no database) ------------------------------------------------


def _description(tracks: int = 3) -> m.Release:
    maya, ravi = m.Party("Maya Lind", isni="0000000121032683"), m.Party("Ravi Menon")
    return m.Release(
        title="Glasshouse", version="Deluxe", release_type="Album",
        artists=(m.Artist(maya),),
        tracks=tuple(
            m.Track(
                disc=1 + (i > 2), position=i if i <= 2 else i - 2, title=f"Song {i}",
                isrc=f"SELND27{i:05d}", duration_s=183.25 + i, parental_warning="NotExplicit",
                language="en", artists=(m.Artist(maya), m.Artist(ravi, "FeaturedArtist")),
                contributors=(m.Contributor(maya, "ComposerLyricist"),
                              m.Contributor(ravi, "Musician", "ElectricBassGuitar")),
                preview_start_s=45,
                file=m.AudioFile(uri=f"resources/x_{i}.wav", codec="PCM", channels=2,
                                 sample_rate=44100, bits_per_sample=24, sha256="ab" * 32),
                proprietary_id=f"liner-track-{i}",
            )  # fmt: skip
            for i in range(1, tracks + 1)
        ),
        icpn="7350000000016", catalogue_number="NPR-024", label="North Pier Records",
        genre="Pop", subgenre="Dream Pop", language="en", parental_warning="NotExplicit",
        release_date=dt.date(2027, 5, 21), original_release_date=dt.date(2027, 1, 1),
        p_year=2027, p_owner="Maya Lind", c_year=2027, c_owner="North Pier Records",
        territory_mode="exclude", territories=("GB", "US"), keywords=("synth", "night"),
        artwork=m.Artwork(uri="resources/x.jpg", codec="JPEG", width=3000, height=3000,
                          sha256="cd" * 32),
        proprietary_id="liner-release-1",
    )  # fmt: skip


HEADER = m.Header(message_id="LINER-1-20261201T120000Z", thread_id="LINER-1", created_at=WHEN,
                  sender_dpid="PADPIDA0000000000X", sender_name="Maya Lind",
                  recipient_dpid="PADPIDA0000000000X")  # fmt: skip


def test_round_trip_keeps_every_fact_and_the_bytes_are_the_same_each_time():
    description = _description()
    data = build.build_message(m.Message(HEADER, description))
    assert data == build.build_message(m.Message(HEADER, description))
    back = parse.read_message(data)
    assert back.release == description
    assert back.header == HEADER
    assert back.release.tracks[2].disc == 2 and back.release.tracks[2].position == 1


@needs_shared
def test_a_built_message_validates_against_the_schema():
    data = build.build_message(m.Message(HEADER, _description()))
    assert schema.validation_errors(data, XSD) == []


@needs_shared
def test_schema_finds_what_is_wrong():
    data = build.build_message(m.Message(HEADER, _description()))
    broken = data.replace(b"<ParentalWarningType>NotExplicit<", b"<ParentalWarningType>Rude<", 1)
    errors = schema.validation_errors(broken, XSD)
    assert errors and "ParentalWarningType" in errors[0]
    with pytest.raises(schema.SchemaError):
        schema.validate(broken, XSD)


def test_a_release_without_artist_or_genre_is_refused_in_words():
    bare = m.Release(title="Demo", release_type="Single", artists=(), tracks=(), label="X")
    with pytest.raises(DdexError) as err:
        build.build_message(m.Message(HEADER, bare))
    assert "a main artist" in str(err.value) and "a genre" in str(err.value)


def test_durations():
    assert build.duration_iso(263.583) == "PT4M23.583S"
    assert build.duration_iso(3600) == "PT1H"
    assert build.duration_iso(None) == "PT0S"
    assert parse.duration_seconds("PT4M23.583S") == 263.583
    assert parse.duration_seconds("PT0M59S") == 59


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43">&lol9;</ern:NewReleaseMessage>"""
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b'<ern:NewReleaseMessage xmlns:ern="http://ddex.net/xml/ern/43"><MessageHeader>'
    b"<MessageId>&x;</MessageId></MessageHeader></ern:NewReleaseMessage>"
)
EXTERNAL_ENTITY_UTF16 = EXTERNAL_ENTITY.decode().replace('version="1.0"?', 'version="1.0" encoding="UTF-16"?').encode("utf-16")  # fmt: skip  # noqa: E501
DEEP = b"<ern:NewReleaseMessage xmlns:ern='http://ddex.net/xml/ern/43'>" + b"<a>" * 100_000 + b"</a>" * 100_000 + b"</ern:NewReleaseMessage>"  # fmt: skip  # noqa: E501


def _huge_nesting() -> bytes:
    depth = 50 * 1024 * 1024 // 7
    return b"<a>" * depth + b"</a>" * depth


HOSTILE = {
    "billion laughs": (BILLION_LAUGHS, "document type"),
    "external entity": (EXTERNAL_ENTITY, "document type"),
    "external entity, UTF-16": (EXTERNAL_ENTITY_UTF16, "document type"),
    "deep nesting": (DEEP, "nests its elements too deeply"),
    "too many elements": (
        b"<ern:NewReleaseMessage xmlns:ern='http://ddex.net/xml/ern/43'>"
        + b"<a/>" * 300_000
        + b"</ern:NewReleaseMessage>",
        "more than 250,000",
    ),
    "malformed": (
        b"<ern:NewReleaseMessage xmlns:ern='http://ddex.net/xml/ern/43'><MessageHeader>"
        b"</ern:NewReleaseMessage>",
        "not well-formed",
    ),  # fmt: skip
    "not ERN": (b"<rss><channel/></rss>", "not a DDEX ERN 4.3 NewReleaseMessage"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_and_broken_files_are_refused_in_words(name):
    data, words = HOSTILE[name]
    with pytest.raises(DdexError) as err:
        parse.read_message(data)
    assert words in str(err.value)
    assert "root:" not in str(err.value)  # /etc/passwd never shows up in a message


def test_a_50_mb_file_is_refused_before_it_is_parsed(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("parsed")

    monkeypatch.setattr(safexml, "_prescan", never)
    with pytest.raises(DdexError) as err:
        parse.read_message(_huge_nesting())
    assert "50.0 MB" in str(err.value) and "at most 10 MB" in str(err.value)


def test_without_the_prolog_scan_lxml_still_neither_reads_files_nor_keeps_the_dtd(monkeypatch):
    monkeypatch.setattr(safexml, "_prescan", lambda data: None)
    for data in (EXTERNAL_ENTITY, BILLION_LAUGHS):
        with pytest.raises(DdexError) as err:
            parse.read_message(data)
        assert "root:" not in str(err.value)


@needs_shared
@pytest.mark.parametrize("name", ["1-audio.xml", "4-simple-audio-single.xml", "8-dj-mix.xml"])
def test_the_samples_parse(name):
    release = parse.read_message(_sample(name)).release
    assert release.title and release.tracks and release.artists


# --- Demo releases: export validates --------------------------------------------------------


@pytest.fixture
def demo_releases(db, monkeypatch):
    from audio import demo as audio_demo

    def short_audio(**kwargs):
        return audio_demo.seed_audio(**{**kwargs, "seconds": 3.0})

    def short_releases(**kwargs):
        return demo.seed_releases(**{**kwargs, "seconds": 3.0})

    monkeypatch.setitem(registry._SEEDERS, "audio", short_audio)
    monkeypatch.setitem(registry._SEEDERS, "releases", short_releases)
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return list(Release.objects.order_by("title"))


@needs_shared
def test_every_demo_release_exports_a_valid_message_with_its_facts(demo_releases):
    assert [r.title for r in demo_releases] == ["Glasshouse", "Low Tide"]
    for release in demo_releases:
        data = ddex.release_message(release=release, created_at=WHEN)
        assert schema.validation_errors(data, XSD) == [], release.title
        assert data == ddex.release_message(release=release, created_at=WHEN)
        back = parse.read_message(data).release
        assert back.title == release.title and back.icpn == release.upc
        tracks = list(release.tracks.order_by("disc", "position"))
        assert [t.isrc for t in back.tracks] == [t.isrc for t in tracks]
        assert [t.title for t in back.tracks] == [t.title for t in tracks]
        assert [a.party.name for a in back.artists] == ["Maya Lind"]
        assert (back.p_year, back.p_owner, back.c_year, back.c_owner) == (
            release.p_year, release.p_owner, release.c_year, release.c_owner)  # fmt: skip
        assert back.genre == release.genre and back.release_date == release.release_date
    warnings = ddex.release_message_warnings(release=demo_releases[0])
    assert any("Salt and Static" in w and "no mix yet" in w for w in warnings)
    single = parse.read_message(ddex.release_message(release=demo_releases[1])).release
    (track,) = single.tracks
    assert single.parental_warning == track.parental_warning == "NotExplicit"
    assert track.duration_s == pytest.approx(3.0, abs=0.01)  # the locked master's
    assert single.artwork.width == 3000 and single.artwork.codec == "JPEG"
    assert ("Musician", "ElectricBassGuitar") in {
        (c.role, c.instrument) for c in track.contributors
    }
    assert {c.role for c in track.contributors} >= {
        "ComposerLyricist",
        "StudioProducer",
        "MixingEngineer",
        "MasteringEngineer",
    }


@needs_shared
def test_a_delivery_names_the_files_it_ships(demo_releases):
    single = demo_releases[1]
    track = single.tracks.get()
    shipped = m.AudioFile(uri="01 - Low Tide.flac", codec="FLAC", channels=2,
                          sample_rate=44100, bits_per_sample=16, sha256="ef" * 32)  # fmt: skip
    cover = m.Artwork(uri="cover.jpg", codec="JPEG", width=3000, height=3000, sha256="12" * 32)
    data = ddex.release_message(
        release=single, created_at=WHEN, files={(track.disc, track.position): shipped}, cover=cover
    )
    assert schema.validation_errors(data, XSD) == []
    back = parse.read_message(data).release
    assert back.tracks[0].file == shipped and back.artwork == cover
    default = parse.read_message(ddex.release_message(release=single, created_at=WHEN)).release
    assert default.tracks[0].file.uri == f"resources/{single.upc}_01_001.wav"


@needs_shared
def test_demo_export_then_import_elsewhere_gives_the_same_release(demo_releases, other_workspace):
    album = demo_releases[0]
    data = ddex.release_message(release=album, created_at=WHEN)
    copy = ddex.release_import(workspace=other_workspace, data=data, user=None)
    assert (copy.title, copy.upc, copy.type, copy.genre, copy.subgenre, copy.release_date) == (
        album.title,
        album.upc,
        album.type,
        album.genre,
        album.subgenre,
        album.release_date,
    )
    assert [(t.title, t.isrc) for t in copy.tracks.order_by("position")] == [
        (t.title, t.isrc) for t in album.tracks.order_by("position")
    ]
    bass = Credit.objects.get(track__release=copy, role="performer")
    assert (bass.person.name, bass.instrument) == (
        Credit.objects.get(track__release=album, role="performer").person.name,
        "ElectricBassGuitar",
    )
    assert [c.person.name for c in copy.credits.filter(role="main_artist")] == ["Maya Lind"]


# --- Import ---------------------------------------------------------------------------------


@needs_shared
def test_album_sample_imports_with_tracks_codes_artists(workspace, owner):
    release = ddex.release_import(workspace=workspace, data=_sample("1-audio.xml"), user=owner)
    assert (release.title, release.type, release.upc) == ("Yume no Hajmari", "album",
                                                          "0094631432057")  # fmt: skip
    assert (release.genre, release.label, release.release_date) == (
        "J-Pop", "EMI MUSIC JAPAN INC.", dt.date(2004, 4, 1))  # fmt: skip
    assert (release.p_year, release.p_owner) == (1994, "EMI Music Japan Inc.")
    assert (release.territory_mode, release.territories) == ("include", ["JP"])
    tracks = list(release.tracks.order_by("position"))
    assert len(tracks) == 21
    assert (tracks[0].title, tracks[0].isrc, tracks[0].language) == (
        "Yume no Lullaby", "JPTO09404900", "ja")  # fmt: skip
    assert tracks[8].title == "Natsu no Omoide" and tracks[8].version == "Instrumental"
    assert [c.person.name for c in release.credits.filter(role="main_artist")] == ["Saeko Shu"]
    assert not Credit.objects.filter(track__release=release).exists()  # the release's artist
    assert Person.objects.filter(workspace=workspace, name="Saeko Shu").count() == 1


@needs_shared
def test_single_sample_imports_with_its_code_from_the_related_release(workspace, owner):
    release = ddex.release_import(
        workspace=workspace, data=_sample("4-simple-audio-single.xml"), user=owner
    )
    assert (release.title, release.type, release.upc) == ("I Love You", "single", "190295810726")
    assert (release.genre, release.subgenre) == ("Classical", "Classical Crossover")
    assert (release.c_year, release.c_owner) == (
        2017, "Parlophone Records Limited, a Warner Music Group Company")  # fmt: skip
    (track,) = release.tracks.all()
    assert (track.title, track.isrc) == ("I Love You", "GBAYC1700598")
    assert release.territory_mode == "include" and len(release.territories) > 200
    assert [c.person.name for c in release.credits.all()] == ["RIOPY"]


@needs_shared
def test_dj_mix_sample_imports_its_mix_and_says_what_it_left_out(workspace, owner):
    known = PersonFactory(workspace=workspace, name="original spinner")
    release = ddex.release_import(workspace=workspace, data=_sample("8-dj-mix.xml"), user=owner)
    (track,) = release.tracks.all()  # the eight source recordings are supplemental
    assert (track.title, track.isrc, release.type) == ("MMix", "USWE34255410", "compilation")
    assert release.upc == ""  # 123123123123's check digit is wrong …
    assert any("123123123123" in w and "check digit" in w for w in release.import_warnings)
    assert any("supplemental" in w for w in release.import_warnings)
    assert (release.original_release_date, release.release_date) == (dt.date(2017, 1, 2),) * 2
    assert release.credits.get(role="main_artist").person == known  # reused by name
    assert sorted(release.territories) == sorted(
        ["KR", "AU", "PE", "SG", "SI", "GB", "US", "VN", "CA", "DO", "FR", "DE"])  # fmt: skip


@needs_shared
def test_the_same_sample_twice_is_refused_and_nothing_is_saved(workspace, owner):
    ddex.release_import(workspace=workspace, data=_sample("1-audio.xml"), user=owner)
    counts = (Release.objects.count(), Track.objects.count(), Person.objects.count(),
              Credit.objects.count())  # fmt: skip
    with pytest.raises(ValidationError) as err:
        ddex.release_import(workspace=workspace, data=_sample("1-audio.xml"), user=owner)
    assert "already has a release with UPC 0094631432057" in " ".join(err.value.messages)
    release = ReleaseFactory(workspace=workspace, title="Other")
    catalogue.track_create(release=release, title="Taken", isrc="GBAYC1700598")
    with pytest.raises(ValidationError) as err:
        ddex.release_import(workspace=workspace, data=_sample("4-simple-audio-single.xml"),
                            user=owner)  # fmt: skip
    assert "GBAYC1700598" in " ".join(err.value.messages)
    assert (
        Release.objects.count(),
        Track.objects.count(),
        Person.objects.count(),
        Credit.objects.count(),
    ) == (counts[0] + 1, counts[1] + 1, counts[2], counts[3])


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_files_import_nothing(workspace, owner, name):
    with pytest.raises(ValidationError) as err:
        ddex.release_import(workspace=workspace, data=HOSTILE[name][0], user=owner)
    assert HOSTILE[name][1] in " ".join(err.value.messages)
    assert not Release.objects.exists() and not Person.objects.exists()


@needs_shared
def test_a_failure_halfway_leaves_nothing(workspace, owner, monkeypatch):
    def boom(**kwargs):
        raise ValidationError("disk full")

    monkeypatch.setattr(catalogue, "credit_add", boom)
    with pytest.raises(ValidationError):
        ddex.release_import(workspace=workspace, data=_sample("1-audio.xml"), user=owner)
    assert not Release.objects.exists() and not Track.objects.exists()
    assert not Person.objects.exists()


def test_a_field_liner_refuses_is_named_and_nothing_is_saved(workspace, owner):
    data = build.build_message(m.Message(HEADER, _description()))
    too_long = data.replace(
        b"<TitleText>Song 2</TitleText>", b"<TitleText>" + b"x" * 250 + b"</TitleText>"
    )
    with pytest.raises(ValidationError) as err:
        ddex.release_import(workspace=workspace, data=too_long, user=owner)
    words = " ".join(err.value.messages)
    assert "Track 1-2" in words and "title:" in words and "Nothing was imported" in words
    assert not Release.objects.exists() and not Track.objects.exists()
    assert not Person.objects.exists()


# --- Speed: queries flat in the number of tracks -------------------------------------------


def _release_with(workspace, n: int) -> Release:
    maya = PersonFactory(workspace=workspace, name="Maya Lind")
    bass = PersonFactory(workspace=workspace, name="Ravi Menon")
    release = catalogue.release_create(
        workspace=workspace, artists=[maya], title=f"Big {n}", type="album", genre="Pop",
        label="North Pier", release_date=dt.date(2027, 1, 1),
    )  # fmt: skip
    Track.objects.bulk_create(
        Track(workspace=workspace, release=release, position=i, title=f"T{i}",
              isrc=f"SELND{27 + n // 100:02d}{n % 100:02d}{i:03d}")
        for i in range(1, n + 1)
    )  # fmt: skip
    Credit.objects.bulk_create(
        Credit(workspace=workspace, track=t, person=bass, role="performer",
               instrument="ElectricBassGuitar")
        for t in release.tracks.all()
    )  # fmt: skip
    return release


@needs_shared
def test_export_query_count_is_flat_in_the_number_of_tracks(workspace):
    counts = {}
    for n in (10, 100):
        release = Release.objects.select_related("workspace").get(pk=_release_with(workspace, n).pk)
        with CaptureQueriesContext(connection) as queries:
            data = ddex.release_message(release=release, created_at=WHEN)
        counts[n] = len(queries)
        assert len(parse.read_message(data).release.tracks) == n
    assert counts[10] == counts[100], counts
    assert schema.validation_errors(data, XSD) == []


# --- Commands --------------------------------------------------------------------------------


@needs_shared
def test_export_and_import_commands(workspace, other_workspace, tmp_path):
    release = _release_with(workspace, 3)
    out = tmp_path / "m.xml"
    call_command("export_ddex", str(release.pk), "--out", str(out), "--validate", str(XSD),
                 stdout=io.StringIO(), stderr=io.StringIO())  # fmt: skip
    assert parse.read_message(out.read_bytes()).release.title == "Big 3"
    stdout = io.StringIO()
    call_command("import_ddex", str(out), "--workspace", other_workspace.slug, "--json",
                 stdout=stdout)  # fmt: skip
    body = json.loads(stdout.getvalue())
    assert body["title"] == "Big 3" and body["tracks"] == 3
    assert Release.objects.get(pk=body["id"]).workspace == other_workspace
    stdout = io.StringIO()
    with pytest.raises(CommandError, match="already has tracks with these ISRCs"):
        call_command("import_ddex", str(out), "--workspace", other_workspace.slug, "--json",
                     stdout=stdout)  # fmt: skip
    assert "SELND2703001" in json.loads(stdout.getvalue())["error"]


# --- Cue sheet -------------------------------------------------------------------------------


def test_cue_sheet_indexes_follow_the_lengths_with_a_2_second_gap():
    from releases.ddex import cue

    description = _description(tracks=2)  # disc 1: 184.25 s and 185.25 s
    sheet = cue.cue_sheet(description, disc=1)
    lines = [line.strip() for line in sheet.splitlines()]
    assert "CATALOG 7350000000016" in lines and 'TITLE "Glasshouse (Deluxe)"' in lines
    assert 'PERFORMER "Maya Lind feat. Ravi Menon"' in lines and "ISRC SELND2700001" in lines
    assert lines.count("PREGAP 00:02:00") == 1
    # track 1 at 0; it lasts 184.25 s = 3:04 + 19 frames (18.75 rounds to 19); 2 s gap
    assert "INDEX 01 00:00:00" in lines
    assert "INDEX 00 03:04:19" in lines and "INDEX 01 03:06:19" in lines
    no_length = m.Release(title="X", release_type="Single", artists=description.artists,
                          tracks=(m.Track(disc=1, position=1, title="Mixing"),))  # fmt: skip
    with pytest.raises(DdexError) as err:
        cue.cue_sheet(no_length)
    assert "Mixing" in str(err.value)


# --- Pages and API ---------------------------------------------------------------------------


@needs_shared
def test_members_download_the_message_and_the_cue_sheet_guests_and_strangers_do_not(
    demo_releases, client, django_user_model
):
    from releases.models import ReleaseGuest

    single, album = demo_releases[1], demo_releases[0]
    assert single.created_by is not None  # the demo owner
    client.force_login(single.created_by)
    url = reverse("release-ddex", args=[single.workspace.slug, single.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    assert "attachment" in response["Content-Disposition"]
    assert schema.validation_errors(response.content, XSD) == []
    cue_response = client.get(reverse("release-cue", args=[single.workspace.slug, single.pk]))
    assert cue_response.status_code == 200 and b"ISRC " in cue_response.content
    # the album has tracks without a locked master: no guessing, the page says which
    cue_album = client.get(reverse("release-cue", args=[album.workspace.slug, album.pk]))
    assert cue_album.status_code == 302
    page = client.get(reverse("release-detail", args=[album.workspace.slug, album.pk]))
    assert "Salt and Static" in page.content.decode() and "Export ERN" in page.content.decode()
    guest = ReleaseGuest.objects.get(release=album).user
    client.force_login(guest)
    assert (
        client.get(reverse("release-cue", args=[album.workspace.slug, album.pk])).status_code == 404
    )
    api_url = f"/api/workspaces/{album.workspace.slug}/releases/{album.pk}/ddex/"
    assert client.get(api_url).status_code == 404
    assert (
        client.get(reverse("release-ddex", args=[album.workspace.slug, album.pk])).status_code
        == 404
    )
    client.force_login(django_user_model.objects.create_user(email="x@example.com", password="x"))
    assert client.get(url).status_code == 404


@needs_shared
def test_import_page_makes_the_release_or_says_why_not(workspace, owner, client):
    client.force_login(owner)
    url = reverse("releases-ddex-import", args=[workspace.slug])
    page = client.get(url)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    index = client.get(reverse("releases-index", args=[workspace.slug])).content.decode()
    assert url in index and "Import DDEX" in index
    bad = client.post(url, {"file": SimpleUploadedFile("lol.xml", BILLION_LAUGHS)})
    assert bad.status_code == 400 and "document type" in bad.content.decode()
    assert not Release.objects.exists()
    ok = client.post(url, {"file": SimpleUploadedFile("dj.xml", _sample("8-dj-mix.xml"))})
    release = Release.objects.get()
    assert ok.status_code == 302 and ok["Location"].endswith(f"/{release.pk}/")
    shown = client.get(ok["Location"]).content.decode()
    assert "MMix" in shown and "supplemental" in shown


@needs_shared
def test_api_exports_xml_and_imports_with_errors_in_the_error_shape(
    workspace, owner, outsider, api
):
    from tests.conftest import assert_error_shape

    client = api(owner)
    url = f"/api/workspaces/{workspace.slug}/releases/import-ddex/"
    made = client.post(url, {"file": SimpleUploadedFile("a.xml", _sample("1-audio.xml"))},
                       format="multipart")  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["tracks"] == 21 and body["upc"] == "0094631432057"
    again = client.post(url, {"file": SimpleUploadedFile("a.xml", _sample("1-audio.xml"))},
                        format="multipart")  # fmt: skip
    assert "already has a release" in assert_error_shape(again, 400)["detail"]
    hostile = client.post(url, {"file": SimpleUploadedFile("x.xml", EXTERNAL_ENTITY)},
                          format="multipart")  # fmt: skip
    assert "document type" in assert_error_shape(hostile, 400)["detail"]
    assert Release.objects.count() == 1
    got = client.get(
        f"/api/workspaces/{workspace.slug}/releases/{body['id']}/ddex/",
        HTTP_ACCEPT="application/xml",
    )
    assert got.status_code == 200 and got["Content-Type"].startswith("application/xml")
    assert schema.validation_errors(got.content, XSD) == []
    stranger = api(outsider).get(f"/api/workspaces/{workspace.slug}/releases/{body['id']}/ddex/")
    assert_error_shape(stranger, 404)


def test_too_large_uploads_are_refused_before_reading(workspace, owner, client, api, settings):
    from tests.conftest import assert_error_shape

    big = SimpleUploadedFile("big.xml", b"<a/>" + b" " * (parse.MAX_BYTES + 10))
    client.force_login(owner)
    page = client.post(reverse("releases-ddex-import", args=[workspace.slug]), {"file": big})
    assert page.status_code == 400 and "larger than 10 MB" in page.content.decode()
    big.seek(0)
    url = f"/api/workspaces/{workspace.slug}/releases/import-ddex/"
    refused = api(owner).post(url, {"file": big}, format="multipart")
    assert_error_shape(refused, 413)
    assert not Release.objects.exists()


def test_a_release_the_message_cannot_describe_yet_says_what_it_lacks(
    workspace, owner, client, api
):
    from tests.conftest import assert_error_shape

    maya = PersonFactory(workspace=workspace, name="Maya Lind")
    release = catalogue.release_create(workspace=workspace, artists=[maya], title="Sketch")
    catalogue.track_create(release=release, title="Idea")
    client.force_login(owner)
    page = client.get(reverse("release-ddex", args=[workspace.slug, release.pk]), follow=True)
    assert page.redirect_chain and "needs a genre" in page.content.decode()
    refused = api(owner).get(f"/api/workspaces/{workspace.slug}/releases/{release.pk}/ddex/")
    assert "needs a genre" in assert_error_shape(refused, 400)["detail"]
