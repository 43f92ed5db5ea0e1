"""The figures physical formats are judged by, with where they come from. Plain Python.

CD (IEC 60908, the "Red Book")
    At most 99 tracks on a disc; every track at least 4 seconds long. Liner holds a disc to
    79:57 of programme in all, the figure replication plants give for 80-minute CD-R masters
    (the last seconds of an 80-minute blank are lead-out, and many plants refuse a master
    that fills them). Audio is 16-bit 44.1 kHz stereo PCM; Liner renders that from a
    higher-resolution master with dither.

Vinyl (cutting-engineer recommendations, not a standard)
    How much fits on a side depends on level and bass: a cutting engineer narrows the groove
    pitch for longer sides, which costs level and low end. The maxima below are what mastering
    and cutting houses commonly recommend for a full-level cut; past them the cut gets
    quieter and noisier, and a loud or bass-heavy side should stay well under them (the
    ``comfortable`` figure, from which Liner warns). Ask your cutting engineer before going
    near the maximum.

    12" at 33⅓ rpm: about 22 minutes a side (18 for loud, bass-heavy masters)
    12" at 45 rpm:  about 15 minutes a side (12 for loud, bass-heavy masters)
    7" at 45 rpm:   about 5 minutes a side (4 for loud, bass-heavy masters)

    Sources: Gotta Groove Records, Record Industry and Optimal Media lacquer-cutting guides
    (12" 33 up to 22 min a side at full level, 12" 45 up to 12-15 min, 7" 45 about 4-5 min);
    16 Kilohertz, "How to prepare a suitable cutting master".

Cassette
    A C-length is both sides together (C60: 30 minutes a side). Liner keeps each side within
    half the tape; duplicators add a few seconds of leader, so leave a little room.
"""

from __future__ import annotations

from dataclasses import dataclass

CD_MAX_TRACKS = 99
CD_MAX_S = 79 * 60 + 57
CD_MIN_TRACK_S = 4.0
CD_RATE = 44_100
CD_BITS = 16


@dataclass(frozen=True)
class SideLimit:
    key: str
    label: str
    max_s: float  # recommended maximum per side at full level
    comfortable_s: float  # above this a loud or bass-heavy side suffers: a warning
    sides: str  # the side letters this medium can have


VINYL_LIMITS: dict[str, SideLimit] = {
    "12-33": SideLimit("12-33", '12" at 33⅓ rpm', 22 * 60, 18 * 60, "ABCDEFGH"),
    "12-45": SideLimit("12-45", '12" at 45 rpm', 15 * 60, 12 * 60, "ABCDEFGH"),
    "7-45": SideLimit("7-45", '7" at 45 rpm', 5 * 60, 4 * 60, "ABCDEFGH"),
}


def cassette_limit(tape_minutes: int) -> SideLimit:
    half = tape_minutes * 60 / 2
    return SideLimit(f"C{tape_minutes}", f"a C{tape_minutes} cassette", half, half, "AB")


def clock(seconds: float) -> str:
    """22:00, and 80:00 past the hour: discs and sides are measured in minutes."""
    minutes, secs = divmod(int(round(seconds)), 60)
    return f"{minutes}:{secs:02d}"
