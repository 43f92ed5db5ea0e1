"""Tags: checked, written per container, and read back equal."""

from __future__ import annotations

import io

import pytest
import soundfile as sf
from mutagen.flac import FLAC
from mutagen.id3 import ID3
from mutagen.wave import WAVE
from PIL import Image

from audio.dsp.render import render
from audio.dsp.tags import TagError, read_tags, validate_tags, write_tags

from . import signals


def cover(fmt: str = "PNG", size: int = 64) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (30, 120, 200)).save(buf, format=fmt)
    return buf.getvalue()


FULL = {
    "title": "Ça va — 東京 (Radio Edit)",
    "artists": ["Maya Lind", "Ines Duarte", "坂本 美雨"],
    "album": "Glasshouse",
    "album_artist": "Maya Lind",
    "track_number": 3,
    "track_total": 11,
    "disc_number": 1,
    "disc_total": 2,
    "year": 2026,
    "isrc": "GBABC2600001",
    "copyright_p": "℗ 2026 North Pier Records",
    "genre": "Indie Pop",
}


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    path = tmp_path_factory.mktemp("tags") / "src.wav"
    return signals.write(path, signals.music(3.0, rate=44_100), rate=44_100)


@pytest.mark.parametrize(
    "fmt, ext", [("wav24", "wav"), ("wav16", "wav"), ("flac", "flac"), ("mp3", "mp3")]
)
@pytest.mark.parametrize("art", ["PNG", "JPEG"])
def test_tags_round_trip_in_every_format(source, tmp_path, fmt, ext, art):
    tags = {**FULL, "artwork": cover(art)}
    out = tmp_path / f"song.{ext}"
    report = render(source, out, fmt, tags=tags)
    back = read_tags(out)
    assert back == validate_tags(tags) == {**FULL, "artwork": tags["artwork"]}
    assert back["artwork"] == tags["artwork"]
    assert report["tags"] == FULL and report["artwork_mime"] == f"image/{art.lower()}"
    assert sf.info(out).frames == 3 * 44_100  # the tags do not get in the audio's way


def test_where_the_tags_go(source, tmp_path):
    """The frames and fields other software looks for (see the table in tags.py)."""
    tags = {**FULL, "artwork": cover("JPEG")}
    render(source, tmp_path / "s.mp3", "mp3", tags=tags)
    render(source, tmp_path / "s.wav", "wav24", tags=tags)
    render(source, tmp_path / "s.flac", "flac", tags=tags)
    for id3 in (ID3(tmp_path / "s.mp3"), WAVE(tmp_path / "s.wav").tags):
        assert id3.version[:2] == (2, 4)
        assert id3["TPE1"].text == FULL["artists"]
        assert (str(id3["TRCK"]), str(id3["TPOS"]), str(id3["TDRC"])) == ("3/11", "1/2", "2026")
        assert str(id3["TSRC"]) == "GBABC2600001"
        assert str(id3["TPRO"]) == "2026 North Pier Records" and "TCOP" not in id3
        (apic,) = id3.getall("APIC")
        assert (apic.type, apic.mime, apic.data) == (3, "image/jpeg", tags["artwork"])
    flac = FLAC(tmp_path / "s.flac")
    assert flac["ARTIST"] == FULL["artists"]
    assert (flac["TRACKNUMBER"], flac["TRACKTOTAL"]) == (["3"], ["11"])
    assert (flac["DATE"], flac["ISRC"]) == (["2026"], ["GBABC2600001"])
    assert flac["COPYRIGHT"] == ["℗ 2026 North Pier Records"]
    assert (flac.pictures[0].type, flac.pictures[0].mime) == (3, "image/jpeg")


def test_a_few_tags_round_trip_alone(source, tmp_path):
    for fmt, ext in (("mp3", "mp3"), ("flac", "flac"), ("wav24", "wav")):
        out = tmp_path / f"few.{ext}"
        render(source, out, fmt, tags={"title": "Sólo", "track_number": 7})
        assert read_tags(out) == {"title": "Sólo", "track_number": 7}


def test_an_untagged_render_reads_back_empty(source, tmp_path):
    for fmt, ext in (("mp3", "mp3"), ("flac", "flac"), ("wav24", "wav")):
        render(source, tmp_path / f"bare.{ext}", fmt)
        assert read_tags(tmp_path / f"bare.{ext}") == {}


@pytest.mark.parametrize("fmt, ext", [("flac", "flac"), ("mp3", "mp3"), ("wav24", "wav")])
def test_rewriting_replaces_the_old_tags(source, tmp_path, fmt, ext):
    out = tmp_path / f"song.{ext}"
    render(source, out, fmt, tags={**FULL, "artwork": cover()})
    write_tags(out, {"title": "New name"})
    assert read_tags(out) == {"title": "New name"}
    assert sf.info(out).frames == 3 * 44_100  # the audio is untouched


def test_tags_are_refused_for_a_file_that_is_not_audio(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(TagError, match="not an MP3, FLAC or WAV"):
        write_tags(path, {"title": "x"})
    assert path.read_text() == "hello"


@pytest.mark.parametrize(
    "given, canonical",
    [("GB-ABC-26-00001", "GBABC2600001"), ("gbabc2600001", "GBABC2600001"),
     (" US-S1Z-99-00001 ", "USS1Z9900001"), ("FR Z03 12 34567", "FRZ031234567")],
)  # fmt: skip
def test_isrc_forms_are_accepted(given, canonical):
    assert validate_tags({"isrc": given})["isrc"] == canonical


def truncated(fmt: str) -> bytes:
    data = cover(fmt, size=256)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    "tags, words",
    [
        ({"isrc": "GB-ABC-26-0001"}, "not an ISRC"),
        ({"isrc": "G1ABC2600001"}, "not an ISRC"),
        ({"isrc": "GBABC26000012"}, "not an ISRC"),
        ({"isrc": "GB-ABC-2X-00001"}, "not an ISRC"),
        ({"year": "twenty"}, "whole number"),
        ({"year": 26}, "between 1900 and 2100"),
        ({"year": 1066}, "between 1900 and 2100"),
        ({"track_number": 12, "track_total": 11}, "past the total"),
        ({"track_number": 0}, "between 1 and 999"),
        ({"disc_number": -1}, "between 1 and 999"),
        ({"track_number": True}, "whole number"),
        ({"track_total": 11}, "without a track number"),
        ({"copyright_p": "North Pier Records"}, "starts with the year"),
        ({"artwork": b"GIF89a not really"}, "not a JPEG or PNG"),
        ({"artwork": "cover.png"}, "JPEG or PNG image file"),
        ({"artwork": truncated("JPEG")}, "not a JPEG or PNG image Liner can read"),
        ({"artwork": truncated("PNG")}, "not a JPEG or PNG image Liner can read"),
        ({"title": "bad\x00title"}, "control characters"),
        ({"title": "x" * 600}, "longer than 500"),
        ({"lyrics": "la la"}, "Unknown tag"),
        ({"artists": {"name": "x"}}, "list of names"),
    ],
)
def test_bad_tags_are_refused_with_a_reason(tags, words):
    with pytest.raises(TagError) as caught:
        validate_tags(tags)
    assert words in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_other_image_kinds_and_huge_images_are_refused():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    with pytest.raises(TagError, match="GIF"):
        validate_tags({"artwork": buf.getvalue()})
    with pytest.raises(TagError, match="6001×10 px"):
        buf = io.BytesIO()
        Image.new("L", (6001, 10)).save(buf, format="PNG")
        validate_tags({"artwork": buf.getvalue()})


def test_p_line_forms():
    for given in (
        "(P) 2026 North Pier Records",
        "℗2026 North Pier Records",
        "2026 North Pier Records",
        "  ℗  2026   North Pier Records ",
    ):
        assert validate_tags({"copyright_p": given})["copyright_p"] == "℗ 2026 North Pier Records"


@pytest.mark.parametrize(
    "bad",
    [{"isrc": "nope"}, {"year": "2026a"}, {"artwork": b"\xff\xd8\xff\xe0 not a jpeg"},
     {"artwork": truncated("JPEG")}],
)  # fmt: skip
@pytest.mark.parametrize("fmt, ext", [("mp3", "mp3"), ("flac", "flac"), ("wav24", "wav")])
def test_bad_tags_write_nothing(source, tmp_path, bad, fmt, ext):
    out = tmp_path / f"song.{ext}"
    out.write_bytes(b"the previous render")
    with pytest.raises(TagError):
        render(source, out, fmt, tags={**FULL, **bad})
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"song.{ext}"]


def test_values_are_normalised():
    assert validate_tags({"title": "", "artists": [], "isrc": None, "year": ""}) == {}
    assert validate_tags({"artists": "Solo Name"}) == {"artists": ["Solo Name"]}
    assert validate_tags({"artists": [" A ", "", "B"]}) == {"artists": ["A", "B"]}
    assert validate_tags({"year": "2026", "track_number": " 4 "}) == {
        "year": 2026,
        "track_number": 4,
    }
    assert validate_tags({"title": "  Two   spaces "}) == {"title": "Two spaces"}
