"""A release as a DDEX message describes it, in DDEX's own vocabulary.

Values are DDEX allowed values where DDEX has a list (``DisplayArtistRole``,
``ContributorRole``, ``InstrumentType``, ``ParentalWarningType``, ``ReleaseType``): mapping
from and to Liner's choices is the adapter's job, so building and parsing never guess.
Everything is frozen and compared by value, so "export, then parse" can be checked with ``==``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Party:
    """Someone named in the message: a person, a band, a label. Matched by name on import."""

    name: str
    isni: str = ""
    ipi: str = ""


@dataclass(frozen=True)
class Artist:
    party: Party
    role: str = "MainArtist"  # DisplayArtistRole


@dataclass(frozen=True)
class Contributor:
    party: Party
    role: str  # ContributorRole
    instrument: str = ""  # InstrumentType, for a Musician


@dataclass(frozen=True)
class AudioFile:
    """The delivered file of a sound recording (what the delivery bundle carries)."""

    uri: str
    codec: str = ""  # AudioCodecType: PCM, FLAC, MP3 …
    channels: int | None = None
    sample_rate: int | None = None  # Hz
    bits_per_sample: int | None = None
    sha256: str = ""


@dataclass(frozen=True)
class Artwork:
    uri: str
    codec: str = "JPEG"  # ImageCodecType
    width: int | None = None
    height: int | None = None
    sha256: str = ""


@dataclass(frozen=True)
class Track:
    disc: int
    position: int
    title: str
    version: str = ""
    isrc: str = ""
    duration_s: float | None = None
    parental_warning: str = "Unknown"  # ParentalWarningType
    language: str = ""  # ISO 639, LanguageOfPerformance
    artists: tuple[Artist, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    preview_start_s: int | None = None
    file: AudioFile | None = None
    proprietary_id: str = ""  # when there is no ISRC yet

    @property
    def display_title(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title


@dataclass(frozen=True)
class Release:
    title: str
    release_type: str  # ReleaseType: Album, EP, Single, DjMix …
    artists: tuple[Artist, ...]
    tracks: tuple[Track, ...]
    version: str = ""
    icpn: str = ""  # UPC or EAN
    catalogue_number: str = ""
    label: str = ""
    genre: str = ""
    subgenre: str = ""
    language: str = ""  # ISO 639: the language of the metadata
    parental_warning: str = "Unknown"
    release_date: dt.date | None = None
    original_release_date: dt.date | None = None
    p_year: int | None = None
    p_owner: str = ""
    c_year: int | None = None
    c_owner: str = ""
    territory_mode: str = "worldwide"  # worldwide | include | exclude
    territories: tuple[str, ...] = ()  # ISO 3166-1 alpha-2
    is_compilation: bool = False
    keywords: tuple[str, ...] = ()
    artwork: Artwork | None = None
    proprietary_id: str = ""

    @property
    def display_title(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title


@dataclass(frozen=True)
class Header:
    message_id: str
    created_at: dt.datetime  # aware; passed in so the same input builds the same bytes
    sender_dpid: str
    sender_name: str
    recipient_dpid: str
    recipient_name: str = ""
    thread_id: str = ""
    test_message: bool = False


@dataclass(frozen=True)
class Message:
    header: Header
    release: Release
    # What a reader should know: what an import left out, or what an export had to fill in.
    warnings: tuple[str, ...] = field(default=(), compare=False)


class DdexError(ValueError):
    """A message cannot be built or read; the text says why, for a person."""
