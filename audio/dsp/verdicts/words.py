"""Numbers, lists and names as the verdicts' messages spell them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..profiles import Profile
from .limits import LISTED_LIMIT
from .values import _clean


def _n(value: float) -> str:
    """-14.0 style: one decimal, never "-0.0"."""
    return f"{_clean(value, 1):.1f}"


def _s(value: float) -> str:
    """Signed, for peak levels: +0.4, -1.0, 0.0."""
    shown = _clean(value, 1)
    return "0.0" if shown == 0 else f"{shown:+.1f}"


def _khz(rate: int) -> str:
    return f"{rate / 1000:g} kHz"


def _amount(n: int) -> str:
    """A count read off a list the analysis caps at LISTED_LIMIT entries."""
    return f"{LISTED_LIMIT} or more" if n >= LISTED_LIMIT else str(n)


def _or_list(items: Iterable[str]) -> str:
    words = list(items)
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " or " + words[-1]


def _a(word: str) -> str:
    """The article for a format name or bit depth as it is spoken: "an MP3", "a FLAC",
    "an 8-bit", "a 16-bit"."""
    spoken_vowel = word[:1].upper() in "AEIOUM" or word.startswith(("8", "11", "18"))
    return "an" if spoken_vowel else "a"


def _channel_word(n: int) -> str:
    return {1: "mono", 2: "stereo"}.get(n, f"{n}-channel audio")


def _wants(profile: Profile) -> str:
    depths = profile.bit_depths
    bits = ""
    if depths:
        bits = _or_list([f"{d}-" for d in depths[:-1]] + [f"{depths[-1]}-bit"]) + " audio"
    if profile.sample_rates:
        rates = _or_list(_khz(r) for r in profile.sample_rates)
    elif profile.min_sample_rate and profile.max_sample_rate:
        rates = f"{profile.min_sample_rate / 1000:g} to {_khz(profile.max_sample_rate)}"
    elif profile.min_sample_rate:
        rates = f"at least {_khz(profile.min_sample_rate)}"
    else:
        rates = ""
    channels = "stereo " if profile.channels == (2,) else ""
    if bits and rates:
        return f"{channels}{bits} at {rates}"
    return f"{channels}{bits or 'audio'}" + (f" at {rates}" if rates else "")


def _resolution_words(bits: int | None, rate: int | None) -> str:
    """Like "24-bit 48 kHz", or whichever half is known."""
    return " ".join(w for w in (f"{bits}-bit" if bits else "", _khz(rate) if rate else "") if w)


def _codec_label(codec: Any) -> str:
    """Turns "mp3-320" into "MP3 320 kbps"; anything else is shown as given."""
    if not codec:
        return "lossy"
    name, _, rate = str(codec).partition("-")
    return f"{name.upper()} {rate} kbps" if rate.isdigit() else str(codec).upper()
