"""Tags for delivery files: checked from a plain dict, written with mutagen, read back equal.

Keys (all optional): title, artists (list), album, album_artist, track_number, track_total,
disc_number, disc_total, year, isrc, copyright_p (the ℗ line), genre, artwork (JPEG or PNG
bytes). `validate_tags` returns the canonical form of a dict; `read_tags(write_tags(d))`
gives that same dict back.

Where each goes:

=============  =======================================  ===================================
key            ID3v2.4 (MP3, and the "id3 " chunk       Vorbis comments (FLAC)
               of a WAV)
=============  =======================================  ===================================
title          TIT2                                     TITLE
artists        TPE1 (one text per artist)               ARTIST (repeated)
album          TALB                                     ALBUM
album_artist   TPE2                                     ALBUMARTIST
track n/total  TRCK "n/total"                           TRACKNUMBER, TRACKTOTAL
disc n/total   TPOS "n/total"                           DISCNUMBER, DISCTOTAL
year           TDRC                                     DATE
isrc           TSRC                                     ISRC
copyright_p    TPRO, the "produced notice" (ID3v2.4     COPYRIGHT
               §4.2.4: the ℗ line, year first)
genre          TCON                                     GENRE
artwork        APIC, type 3 (front cover)               METADATA_BLOCK_PICTURE, type 3
=============  =======================================  ===================================

The ℗ line goes in TPRO rather than TCOP: ID3v2.4 defines TCOP as the © (copyright) message
and TPRO for the sound recording's ℗; both hold "year, space, holder", so the "℗ " is left
out in the frame and put back on reading. TPRO exists only in v2.4, which is why every ID3
tag here is v2.4 (readers limited to v2.3 show the other frames and skip it). Vorbis comments
have no ℗ field of their own; COPYRIGHT carries the whole line, "℗" included.
"""

from __future__ import annotations

import io
import os
import re
from typing import Any

from mutagen import MutagenError
from mutagen.flac import FLAC, Picture
from mutagen.id3 import APIC, ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TPRO, TRCK, TSRC
from mutagen.wave import WAVE

TEXT_KEYS = ("title", "album", "album_artist", "genre")
NUMBER_KEYS = ("track_number", "track_total", "disc_number", "disc_total")
KEYS = (*TEXT_KEYS, "artists", *NUMBER_KEYS, "year", "isrc", "copyright_p", "artwork")
TEXT_MAX = 500
ARTWORK_MAX_BYTES = 10 * 1024 * 1024
ARTWORK_MAX_PX = 6000
# ISO 3901: country code, registrant code, year of reference, designation code.
ISRC_RE = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{2}[0-9]{5}$")
P_LINE_RE = re.compile(r"^(?:℗|\(P\)|P)?\s*((?:19|20)\d{2})\s+(\S.*)$", re.IGNORECASE)
FRONT_COVER = 3
MIME = {"JPEG": "image/jpeg", "PNG": "image/png"}


class TagError(ValueError):
    """A tag value that cannot be written; the message says which and why."""


def validate_tags(tags: dict[str, Any] | None) -> dict[str, Any]:
    """The canonical form of ``tags``, or TagError naming the first bad value."""
    if tags is None:
        return {}
    if not isinstance(tags, dict):
        raise TagError("Tags must be given as a set of names and values.")
    unknown = sorted(set(tags) - set(KEYS))
    if unknown:
        raise TagError(f"Unknown tag “{unknown[0]}”; the tags are: {', '.join(KEYS)}.")
    out: dict[str, Any] = {}
    for key in TEXT_KEYS:
        if tags.get(key) not in (None, ""):
            out[key] = _text(key, tags[key])
    if tags.get("artists") not in (None, "", []):
        artists = tags["artists"]
        if isinstance(artists, str):
            artists = [artists]
        if not isinstance(artists, list | tuple):
            raise TagError("Artists must be a list of names.")
        names = [_text("artists", a) for a in artists if not (isinstance(a, str) and not a.strip())]
        if names:
            out["artists"] = names
    for key in NUMBER_KEYS:
        if tags.get(key) not in (None, ""):
            out[key] = _number(key, tags[key], 1, 999)
    for number, total in (("track_number", "track_total"), ("disc_number", "disc_total")):
        if total in out and number not in out:
            # ID3 writes the pair as "n/total": a total alone has nowhere to go.
            raise TagError(f"{_label(total)} is given without a {_label(number).lower()}.")
        if number in out and total in out and out[number] > out[total]:
            raise TagError(f"{_label(number)} {out[number]} is past the total of {out[total]}.")
    if tags.get("year") not in (None, ""):
        out["year"] = _number("year", tags["year"], 1900, 2100)
    if tags.get("isrc") not in (None, ""):
        out["isrc"] = canonical_isrc(tags["isrc"])
    if tags.get("copyright_p") not in (None, ""):
        out["copyright_p"] = _p_line(tags["copyright_p"])
    if tags.get("artwork") not in (None, b""):
        out["artwork"] = _artwork(tags["artwork"])
    return out


def canonical_isrc(value: Any) -> str:
    code = re.sub(r"[\s-]", "", str(value)).upper()
    if not ISRC_RE.match(code):
        raise TagError(
            f"“{value}” is not an ISRC. An ISRC has 12 characters, like GB-ABC-26-00001: "
            "country, registrant, year, number."
        )
    return code


def artwork_mime(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


def write_tags(path: str | os.PathLike[str], tags: dict[str, Any]) -> None:
    """Write ``tags`` (validated first) into the file at ``path``: MP3, FLAC or WAV, by its
    content. Existing tags are replaced."""
    tags = validate_tags(tags)
    kind = _kind(path)
    try:
        if kind == "FLAC":
            _write_flac(path, tags)
        else:
            _write_id3(path, tags, kind)
    except MutagenError as exc:
        raise TagError(f"The tags could not be written: {exc}") from exc


def read_tags(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The tags of an MP3, FLAC or WAV file, in the form `validate_tags` gives."""
    kind = _kind(path)
    if kind == "FLAC":
        return _read_flac(path)
    tags = WAVE(path).tags if kind == "WAV" else _id3_or_none(path)
    return _from_id3(tags) if tags is not None else {}


# --- checks ---------------------------------------------------------------------------------


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _text(key: str, value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise TagError(f"{_label(key)} must be text.")
    text = " ".join(str(value).split())
    if not text:
        raise TagError(f"{_label(key)} is empty.")
    if any(not ch.isprintable() for ch in text):
        raise TagError(f"{_label(key)} contains control characters.")
    if len(text) > TEXT_MAX:
        raise TagError(f"{_label(key)} is longer than {TEXT_MAX} characters.")
    return text


def _number(key: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise TagError(f"{_label(key)} must be a whole number.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise TagError(f"{_label(key)} must be a whole number, not “{value}”.") from None
    if not low <= number <= high:
        raise TagError(f"{_label(key)} must be between {low} and {high}.")
    return number


def _p_line(value: Any) -> str:
    text = _text("copyright_p", value)
    match = P_LINE_RE.match(text)
    if not match:
        raise TagError(
            f"“{text}” is not a ℗ line; it starts with the year, e.g. “℗ 2026 North Pier Records”."
        )
    return f"℗ {match.group(1)} {match.group(2)}"


def _artwork(value: Any) -> bytes:
    from PIL import Image, UnidentifiedImageError

    if not isinstance(value, bytes | bytearray):
        raise TagError("The artwork must be a JPEG or PNG image file.")
    data = bytes(value)
    if len(data) > ARTWORK_MAX_BYTES:
        raise TagError("The artwork is over 10 MB.")
    unreadable = "The artwork is not a JPEG or PNG image Liner can read, or it is damaged."
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, size = image.format, image.size
            image.verify()  # a PNG's every chunk checksum, up to its end marker
        if fmt == "JPEG" and max(size) <= ARTWORK_MAX_PX:
            # verify() reads nothing of a JPEG's picture data: decode it (at an eighth of the
            # size, which still reads every byte) so a file cut short is caught here.
            with Image.open(io.BytesIO(data)) as image:
                image.draft("RGB", (max(1, size[0] // 8), max(1, size[1] // 8)))
                image.load()
    except Image.DecompressionBombError as exc:
        raise TagError("The artwork's dimensions are absurd.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise TagError(unreadable) from exc
    if fmt not in MIME:
        raise TagError(f"The artwork is {fmt}; use a JPEG or PNG image.")
    if max(size) > ARTWORK_MAX_PX:
        raise TagError(f"The artwork is {size[0]}×{size[1]} px; the limit is {ARTWORK_MAX_PX} px.")
    return data


# --- containers -----------------------------------------------------------------------------


def _kind(path: str | os.PathLike[str]) -> str:
    with open(path, "rb") as handle:
        head = handle.read(12)
    if head.startswith(b"fLaC"):
        return "FLAC"
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return "WAV"
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "MP3"
    raise TagError(f"“{os.path.basename(os.fspath(path))}” is not an MP3, FLAC or WAV file.")


def _pair(number: int | None, total: int | None) -> str | None:
    if number is None:
        return None
    return f"{number}/{total}" if total else str(number)


def _write_id3(path: str | os.PathLike[str], tags: dict[str, Any], kind: str) -> None:
    if kind == "WAV":
        wave = WAVE(path)
        if wave.tags is None:
            wave.add_tags()
        frames = wave.tags
    else:
        frames = ID3()
    frames.clear()
    text = {"title": TIT2, "album": TALB, "album_artist": TPE2, "genre": TCON, "isrc": TSRC}
    for key, frame in text.items():
        if key in tags:
            frames.add(frame(encoding=3, text=[tags[key]]))
    if "artists" in tags:
        frames.add(TPE1(encoding=3, text=tags["artists"]))
    track = _pair(tags.get("track_number"), tags.get("track_total"))
    if track:
        frames.add(TRCK(encoding=3, text=[track]))
    disc = _pair(tags.get("disc_number"), tags.get("disc_total"))
    if disc:
        frames.add(TPOS(encoding=3, text=[disc]))
    if "year" in tags:
        frames.add(TDRC(encoding=3, text=[str(tags["year"])]))
    if "copyright_p" in tags:
        frames.add(TPRO(encoding=3, text=[tags["copyright_p"].removeprefix("℗ ")]))
    if "artwork" in tags:
        data = tags["artwork"]
        frames.add(APIC(encoding=3, mime=artwork_mime(data), type=FRONT_COVER, desc="Cover",
                        data=data))  # fmt: skip
    if kind == "WAV":
        wave.save(v2_version=4)
    else:
        frames.save(path, v2_version=4)


def _id3_or_none(path: str | os.PathLike[str]) -> ID3 | None:
    from mutagen.id3 import ID3NoHeaderError

    try:
        return ID3(path)
    except ID3NoHeaderError:
        return None


def _split_pair(value: str) -> tuple[int | None, int | None]:
    number, _, total = value.partition("/")
    try:
        return int(number), (int(total) if total else None)
    except ValueError:
        return None, None


def _from_id3(frames: ID3) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, frame_id in (("title", "TIT2"), ("album", "TALB"), ("album_artist", "TPE2"),
                          ("genre", "TCON"), ("isrc", "TSRC")):  # fmt: skip
        frame = frames.get(frame_id)
        if frame is not None and frame.text:
            out[key] = str(frame.text[0])
    if "TPE1" in frames:
        out["artists"] = [str(t) for t in frames["TPE1"].text]
    for frame_id, number, total in (("TRCK", "track_number", "track_total"),
                                    ("TPOS", "disc_number", "disc_total")):  # fmt: skip
        if frame_id in frames:
            n, t = _split_pair(str(frames[frame_id].text[0]))
            if n is not None:
                out[number] = n
            if t is not None:
                out[total] = t
    if "TDRC" in frames:
        out["year"] = int(str(frames["TDRC"].text[0])[:4])
    if "TPRO" in frames:
        out["copyright_p"] = f"℗ {frames['TPRO'].text[0]}"
    covers = frames.getall("APIC")
    if covers:
        out["artwork"] = bytes(covers[0].data)
    return validate_tags(out)


def _write_flac(path: str | os.PathLike[str], tags: dict[str, Any]) -> None:
    flac = FLAC(path)
    flac.delete()
    flac.clear_pictures()
    names = {"title": "TITLE", "album": "ALBUM", "album_artist": "ALBUMARTIST",
             "genre": "GENRE", "isrc": "ISRC", "copyright_p": "COPYRIGHT",
             "track_number": "TRACKNUMBER", "track_total": "TRACKTOTAL",
             "disc_number": "DISCNUMBER", "disc_total": "DISCTOTAL", "year": "DATE"}  # fmt: skip
    for key, name in names.items():
        if key in tags:
            flac[name] = [str(tags[key])]
    if "artists" in tags:
        flac["ARTIST"] = list(tags["artists"])
    if "artwork" in tags:
        picture = Picture()
        picture.type = FRONT_COVER
        picture.mime = artwork_mime(tags["artwork"])
        picture.desc = "Cover"
        picture.data = tags["artwork"]
        flac.add_picture(picture)
    flac.save()


def _read_flac(path: str | os.PathLike[str]) -> dict[str, Any]:
    flac = FLAC(path)
    comments = flac.tags or {}

    def first(name: str) -> str | None:
        values = comments.get(name) if comments else None
        return values[0] if values else None

    out: dict[str, Any] = {}
    for key, name in (("title", "TITLE"), ("album", "ALBUM"), ("album_artist", "ALBUMARTIST"),
                      ("genre", "GENRE"), ("isrc", "ISRC"), ("copyright_p", "COPYRIGHT"),
                      ("track_number", "TRACKNUMBER"), ("track_total", "TRACKTOTAL"),
                      ("disc_number", "DISCNUMBER"), ("disc_total", "DISCTOTAL"),
                      ("year", "DATE")):  # fmt: skip
        value = first(name)
        if value is not None:
            out[key] = value[:4] if key == "year" else value
    artists = comments.get("ARTIST") if comments else None
    if artists:
        out["artists"] = list(artists)
    if flac.pictures:
        out["artwork"] = bytes(flac.pictures[0].data)
    return validate_tags(out)
