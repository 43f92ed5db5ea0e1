"""A CD cue sheet for one disc of a release (``releases.ddex.model``), for the CD plant or a
burner: CD-TEXT ``TITLE`` and ``PERFORMER`` for the disc and every track, ``ISRC`` per track,
the barcode as ``CATALOG``, and each track's ``INDEX 01``.

The convention, stated in the sheet's first lines too: the audio is one image file
(``FILE "…" WAVE``) holding the disc's tracks back to back with 2 seconds of silence between
them, the Red Book's usual pause. So track N's ``INDEX 00`` (start of its pregap) is where
track N-1 ends, and its ``INDEX 01`` 2 seconds later. Track 1's 2-second pregap is not in
the file: ``PREGAP 00:02:00`` asks the burner to make it, and track 1 starts at 00:00:00.
Times are minutes:seconds:frames, 75 frames a second, each track's length rounded to the
nearest frame.
"""

from __future__ import annotations

from .model import DdexError, Release, Track

FRAMES = 75
PREGAP_S = 2
MAX_TRACKS = 99
CD_TEXT_MAX = 80  # characters per CD-TEXT field that players show


def msf(frames: int) -> str:
    minutes, rest = divmod(frames, 60 * FRAMES)
    seconds, frame = divmod(rest, FRAMES)
    return f"{minutes:02d}:{seconds:02d}:{frame:02d}"


def _quoted(text: str) -> str:
    # A cue sheet string cannot hold a double quote; CD-TEXT is short.
    clean = " ".join(text.replace('"', "'").split())
    return f'"{clean[:CD_TEXT_MAX]}"'


def _performer(artists: tuple, fallback: str = "") -> str:
    main = [a.party.name for a in artists if a.role != "FeaturedArtist"]
    feat = [a.party.name for a in artists if a.role == "FeaturedArtist"]
    name = " & ".join(main) + (" feat. " + " & ".join(feat) if feat else "")
    return name or fallback


def cue_sheet(release: Release, *, disc: int = 1, file_name: str = "") -> str:
    """The cue sheet of ``disc``; DdexError when a track has no known duration (no master)."""
    tracks: list[Track] = [t for t in release.tracks if t.disc == disc]
    if not tracks:
        raise DdexError(f"Disc {disc} of this release has no tracks.")
    if len(tracks) > MAX_TRACKS:
        raise DdexError(f"A CD holds at most {MAX_TRACKS} tracks; disc {disc} has {len(tracks)}.")
    unknown = [t.display_title for t in tracks if not t.duration_s]
    if unknown:
        raise DdexError(
            "A cue sheet needs every track's length; lock a master for: " + ", ".join(unknown)
        )
    performer = _performer(release.artists)
    lines = [
        "REM Liner cue sheet: one image file, the tracks back to back with 2 s of silence",
        "REM between them; track 1's 2 s pregap is made by the burner (PREGAP).",
    ]
    if release.genre:
        lines.append(f"REM GENRE {_quoted(release.genre)}")
    if release.release_date:
        lines.append(f"REM DATE {release.release_date.year}")
    if release.icpn:
        lines.append(f"CATALOG {release.icpn.zfill(13)}")  # 13 digits: a UPC-A gets its 0
    lines += [f"PERFORMER {_quoted(performer)}", f"TITLE {_quoted(release.display_title)}"]
    name = file_name or f"{release.icpn or release.title}_{disc:02d}.wav"
    lines.append(f"FILE {_quoted(name)} WAVE")
    at = 0  # frames into the file
    for n, track in enumerate(sorted(tracks, key=lambda t: t.position), start=1):
        lines.append(f"  TRACK {n:02d} AUDIO")
        lines.append(f"    TITLE {_quoted(track.display_title)}")
        lines.append(f"    PERFORMER {_quoted(_performer(track.artists, performer))}")
        if track.isrc:
            lines.append(f"    ISRC {track.isrc}")
        if n == 1:
            lines.append(f"    PREGAP {msf(PREGAP_S * FRAMES)}")
        else:
            lines.append(f"    INDEX 00 {msf(at)}")
            at += PREGAP_S * FRAMES
        lines.append(f"    INDEX 01 {msf(at)}")
        at += round(float(track.duration_s or 0) * FRAMES)
    return "\r\n".join(lines) + "\r\n"
