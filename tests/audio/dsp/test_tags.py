"""Tags: checked, written per container, and read back equal."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
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
    "artists": ["Maya Lind", "Ines Duarte"],
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


@pytest.mark.parametrize("fmt, ext", [("wav24", "wav"), ("flac", "flac"), ("mp3", "mp3")])
@pytest.mark.parametrize("art", ["PNG", "JPEG"])
def test_tags_round_trip_in_every_format(source, tmp_path, fmt, ext, art):
    tags = {**FULL, "artwork": cover(art)}
    out = tmp_path / f"song.{ext}"
    render(source, out, fmt, tags=tags)
    assert read_tags(out) == validate_tags(tags)
    assert read_tags(out)["artwork"] == tags["artwork"]


def test_rewriting_replaces_the_old_tags(source, tmp_path):
    out = tmp_path / "song.flac"
    render(source, out, "flac", tags=FULL)
    write_tags(out, {"title": "New name"})
    assert read_tags(out) == {"title": "New name"}
    assert sf.info(out).frames > 0  # the audio is untouched


@pytest.mark.parametrize(
    "given, canonical",
    [("GB-ABC-26-00001", "GBABC2600001"), ("gbabc2600001", "GBABC2600001"),
     (" US-S1Z-99-00001 ", "USS1Z9900001")],
)  # fmt: skip
def test_isrc_forms_are_accepted(given, canonical):
    assert validate_tags({"isrc": given})["isrc"] == canonical


@pytest.mark.parametrize(
    "tags, words",
    [
        ({"isrc": "GB-ABC-26-0001"}, "not an ISRC"),
        ({"isrc": "G1ABC2600001"}, "not an ISRC"),
        ({"year": "twenty"}, "whole number"),
        ({"year": 1066}, "between 1900 and 2100"),
        ({"track_number": 12, "track_total": 11}, "past the total"),
        ({"track_number": 0}, "between 1 and 999"),
        ({"copyright_p": "North Pier Records"}, "starts with the year"),
        ({"artwork": b"GIF89a not really"}, "not a JPEG or PNG"),
        ({"artwork": "cover.png"}, "JPEG or PNG image file"),
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


def test_a_gif_is_refused_even_when_valid():
    buf = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buf, format="GIF")
    with pytest.raises(TagError, match="GIF"):
        validate_tags({"artwork": buf.getvalue()})


def test_p_line_forms():
    for given in (
        "(P) 2026 North Pier Records",
        "℗2026 North Pier Records",
        "2026 North Pier Records",
    ):
        assert validate_tags({"copyright_p": given})["copyright_p"] == "℗ 2026 North Pier Records"


def test_bad_tags_write_nothing(source, tmp_path):
    out = tmp_path / "song.mp3"
    out.write_bytes(b"the previous render")
    with pytest.raises(TagError):
        render(source, out, "mp3", tags={"isrc": "nope"})
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mp3"]


def test_empty_values_are_dropped():
    assert validate_tags({"title": "", "artists": [], "isrc": None, "year": ""}) == {}
    assert validate_tags({"artists": "Solo Name"}) == {"artists": ["Solo Name"]}
    assert np.isscalar(validate_tags({"year": "2026"})["year"])
