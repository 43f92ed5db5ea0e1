"""Which delivery profiles a release goes to: every store a distributor reaches, Bandcamp and
SoundCloud, and a physical profile per format it has an edition in."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from audio.dsp.profiles import PROFILES

# Stores reached through a distributor: they need a UPC and ISRCs and refuse what breaks their
# style guides. Bandcamp and SoundCloud take uploads from the artist directly.
DISTRIBUTED = ("spotify", "apple-music", "youtube", "amazon-music", "tidal", "deezer")
DIRECT = ("soundcloud", "bandcamp")
DIGITAL = DISTRIBUTED + DIRECT
PHYSICAL = ("cd", "vinyl", "cassette")
# Cassette has no audio profile in audio/ (a tape is dubbed from the lossless master).
NAMES = {**{slug: p.name for slug, p in PROFILES.items()}, "cassette": "Cassette"}


def release_profiles(editions: Iterable[Any]) -> list[str]:
    formats = {e.format for e in editions}
    return [*DIGITAL, *(slug for slug in PHYSICAL if slug in formats)]


def profile_name(slug: str) -> str:
    return NAMES.get(slug, slug)
