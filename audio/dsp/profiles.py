"""Delivery profiles: what each destination does with a master and what it accepts.

One table of frozen records, in display order. Every figure carries its source in `sources`.
Where a platform publishes nothing, the figure is the one measured and widely cited by
mastering engineers, and the source line says so ("no official figure"), so nobody mistakes
an estimate for a specification.

Terms used in the table:

- `target_lufs`: the integrated loudness (ITU-R BS.1770) the player normalises to, or the
  delivery spec's target (broadcast, podcast, the AES recommendation). None where nothing is
  normalised; `recommended_lufs` then holds what Liner suggests mastering to, if anything.
- `normalisation`: what the player does with the difference.
  "down_only" turns loud tracks down and never up; "both" turns either way;
  "both_with_headroom" turns up only as far as the true peak stays at or below
  `raise_peak_limit_dbtp`; "none" plays the file as it is.
- `tolerance_lu`: the ± window around the target in which a delivery is compliant, for specs
  that have one; `tolerance_severity` says whether leaving it is a failure or a warning.
- `true_peak_ceiling_dbtp`: above it is a warning; above `true_peak_fail_dbtp` (where the
  spec has a hard limit) it is a failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

Kind = Literal["streaming", "store", "physical", "broadcast", "podcast", "reference"]
Normalisation = Literal["down_only", "both", "both_with_headroom", "none"]
Severity = Literal["fail", "warn"]

NORMALISATIONS: tuple[str, ...] = ("down_only", "both", "both_with_headroom", "none")
KINDS: tuple[str, ...] = ("streaming", "store", "physical", "broadcast", "podcast", "reference")

LOSSLESS_FORMATS = frozenset({"WAV", "WAVEX", "RF64", "W64", "AIFF", "AIFC", "FLAC", "ALAC", "CAF"})
LOSSY_FORMATS = frozenset({"MP3", "OGG", "VORBIS", "OPUS", "AAC", "M4A", "MP4", "WMA"})

_DISTRIBUTOR_FORMATS = ("WAV", "FLAC", "AIFF")
_HI_RES = dict(min_sample_rate=44_100, max_sample_rate=192_000, bit_depths=(16, 24))


class UnknownProfile(KeyError):
    """No delivery profile has this slug. The message lists the ones that exist."""

    def __str__(self) -> str:  # KeyError would show the message in quotes
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Artwork:
    """Cover art a destination accepts: square images between `min_px` and `max_px` a side."""

    min_px: int
    max_px: int | None = None
    square: bool = True
    color_mode: str = "RGB"
    formats: tuple[str, ...] = ("JPEG", "PNG")


@dataclass(frozen=True)
class Profile:
    slug: str
    name: str
    kind: Kind
    target_lufs: float | None
    true_peak_ceiling_dbtp: float
    normalisation: Normalisation
    sources: tuple[str, ...]
    recommended_lufs: float | None = None
    tolerance_lu: float | None = None
    tolerance_live_lu: float | None = None
    tolerance_severity: Severity = "warn"
    true_peak_fail_dbtp: float | None = None
    raise_peak_limit_dbtp: float | None = None
    # Spotify asks for more headroom on masters louder than its target.
    loud_master_peak_dbtp: float | None = None
    formats: tuple[str, ...] = _DISTRIBUTOR_FORMATS
    lossless_required: bool = False
    sample_rates: tuple[int, ...] | None = None  # exactly these, when the medium fixes one
    min_sample_rate: int | None = None
    max_sample_rate: int | None = None
    bit_depths: tuple[int, ...] | None = None
    channels: tuple[int, ...] = (2,)
    artwork: Artwork | None = None
    max_head_silence_s: float | None = None
    max_tail_silence_s: float | None = None
    min_plr_db: float | None = None
    min_low_end_correlation: float | None = None  # left/right below 150 Hz
    # The destination encodes to a lossy codec on the way to listeners.
    lossy_playback: bool = True
    extra_checks: tuple[str, ...] = ()
    notes: str = ""

    @property
    def level_lufs(self) -> float | None:
        """The loudness to aim for: the target where there is one, else the recommendation."""
        return self.target_lufs if self.target_lufs is not None else self.recommended_lufs


_STREAMING_SILENCE = dict(max_head_silence_s=2.0, max_tail_silence_s=10.0)
_DISTRIBUTOR_ART = Artwork(min_px=3000)
_DISTRIBUTOR_ART_SOURCE = (
    "Distributor cover-art requirements (e.g. DistroKid, TuneCore, CD Baby): square RGB "
    "JPEG/PNG, at least 3000x3000 px (industry practice; the stores take art via distributors)"
)

_PROFILES: tuple[Profile, ...] = (
    Profile(
        slug="spotify",
        name="Spotify",
        kind="streaming",
        target_lufs=-14.0,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="both_with_headroom",
        raise_peak_limit_dbtp=-1.0,
        loud_master_peak_dbtp=-2.0,
        lossless_required=True,
        artwork=_DISTRIBUTOR_ART,
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes=(
            "Quiet tracks are raised only while 1 dB of true-peak headroom remains (Normal "
            "setting). The 'Loud' setting (-11 LUFS) adds a limiter; 'Quiet' is -19 LUFS. "
            "Albums are normalised as a whole when played in order."
        ),
        sources=(
            "Spotify for Artists - Loudness normalization (support.spotify.com/artists/article/"
            "loudness-normalization): -14 LUFS per ITU-R BS.1770; positive gain keeps 1 dB "
            "headroom; master below -1 dBTP",
            "Spotify for Artists - Track not as loud as others?: masters with true peaks above "
            "-2 dB can distort when encoded",
            _DISTRIBUTOR_ART_SOURCE,
        ),
    ),
    Profile(
        slug="apple-music",
        name="Apple Music",
        kind="streaming",
        target_lufs=-16.0,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="both_with_headroom",
        raise_peak_limit_dbtp=-1.0,
        lossless_required=True,
        artwork=Artwork(min_px=3000),
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes=(
            "Sound Check is on by default in current Apple Music apps. Apple publishes no "
            "loudness figure: -16 LUFS is the level measured by third parties. How far Sound "
            "Check raises quiet, peaky tracks is not published; Liner assumes it keeps the "
            "same 1 dB of true-peak headroom that Apple asks masters to leave for AAC."
        ),
        sources=(
            "Apple Digital Masters (Apple technology brief): lossless 24-bit masters, AAC "
            "encoding; leave headroom so the encode does not clip",
            "Apple Music Sound Check: about -16 LUFS (no official figure; measured, e.g. "
            "MeterPlugs, Production Advice)",
            "Apple Music style guide / iTunes Package Music Specification: cover art square, "
            "at least 3000x3000 px, RGB, JPEG or PNG",
        ),
    ),
    Profile(
        slug="youtube",
        name="YouTube",
        kind="streaming",
        target_lufs=-14.0,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="down_only",
        artwork=_DISTRIBUTOR_ART,
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes=(
            "The video site turns loud content down to about -14 LUFS and never turns quiet "
            "content up. YouTube Music (the audio app) has been measured turning down only "
            "above about -7 LUFS."
        ),
        sources=(
            "YouTube 'Stats for nerds' content loudness: about -14 LUFS, turned down only (no "
            "official figure; measured, e.g. Production Advice - YouTube Music loudness)",
            _DISTRIBUTOR_ART_SOURCE,
        ),
    ),
    Profile(
        slug="amazon-music",
        name="Amazon Music",
        kind="streaming",
        target_lufs=-14.0,
        true_peak_ceiling_dbtp=-2.0,
        normalisation="down_only",
        lossless_required=True,
        artwork=_DISTRIBUTOR_ART,
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes=(
            "Amazon publishes no loudness document. -14 LUFS and -2 dBTP are the measured, "
            "widely cited figures; Liner assumes quiet tracks are not raised."
        ),
        sources=(
            "Amazon Music loudness: -14 LUFS, true peak -2 dBTP (no official figure; measured "
            "and widely cited, e.g. Loudness Penalty, APU Software platform targets)",
            _DISTRIBUTOR_ART_SOURCE,
        ),
    ),
    Profile(
        slug="tidal",
        name="TIDAL",
        kind="streaming",
        target_lufs=-14.0,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="down_only",
        lossless_required=True,
        artwork=_DISTRIBUTOR_ART,
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes="Normalises to -14 LUFS (BS.1770-4), album-aware; never raises quiet tracks.",
        sources=(
            "TIDAL loudness normalisation as described by TIDAL to MeterPlugs ('Tidal adds "
            "loudness normalization', 2016): -14 LUFS, BS.1770-4, quieter music not raised",
            "Eelco Grimm - Recommendation for loudness normalization by music streaming "
            "services (study for TIDAL)",
            _DISTRIBUTOR_ART_SOURCE,
        ),
    ),
    Profile(
        slug="deezer",
        name="Deezer",
        kind="streaming",
        target_lufs=-15.0,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="down_only",
        lossless_required=True,
        artwork=_DISTRIBUTOR_ART,
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes=(
            "Deezer publishes no loudness document; -15 LUFS is the measured, widely cited "
            "figure. Liner assumes quiet tracks are not raised."
        ),
        sources=(
            "Deezer loudness: about -15 LUFS (no official figure; measured and widely cited, "
            "e.g. APU Software platform targets)",
            _DISTRIBUTOR_ART_SOURCE,
        ),
    ),
    Profile(
        slug="soundcloud",
        name="SoundCloud",
        kind="streaming",
        target_lufs=None,
        recommended_lufs=-14.0,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="none",
        formats=("WAV", "FLAC", "AIFF", "ALAC", "MP3", "OGG", "AAC"),
        min_sample_rate=44_100,
        max_sample_rate=192_000,
        artwork=Artwork(min_px=800),
        **_STREAMING_SILENCE,
        notes=(
            "No loudness normalisation: tracks play as loud as they were mastered, from a "
            "lossy stream (128 kbps MP3 / 64 kbps Opus for free listeners), so true-peak "
            "headroom matters more than elsewhere. Some third-party pages now claim a -14 LUFS "
            "normalisation; SoundCloud has published nothing that confirms it."
        ),
        sources=(
            "SoundCloud Help - Supported file types and sizes (lossless upload recommended; "
            "artwork at least 800x800 px)",
            "iZotope - Optimal mastering for SoundCloud and compressed audio formats (Ian "
            "Stewart, 2020): no normalisation, encoder headroom",
        ),
    ),
    Profile(
        slug="bandcamp",
        name="Bandcamp",
        kind="store",
        target_lufs=None,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="none",
        formats=("WAV", "AIFF", "FLAC"),
        lossless_required=True,
        **_HI_RES,
        artwork=Artwork(min_px=1400, formats=("JPEG", "PNG", "GIF")),
        **_STREAMING_SILENCE,
        notes=(
            "No loudness normalisation. Fans download the lossless file you upload (and MP3/"
            "AAC made from it), so it must really be lossless."
        ),
        sources=(
            "Bandcamp Help - Uploading tracks: lossless WAV, AIFF or FLAC, 16-bit or 24-bit",
            "Bandcamp Help - Album artwork: square, at least 1400 px wide",
        ),
    ),
    Profile(
        slug="cd",
        name="CD",
        kind="physical",
        target_lufs=None,
        true_peak_ceiling_dbtp=-0.3,
        true_peak_fail_dbtp=0.0,
        normalisation="none",
        formats=("WAV", "AIFF", "FLAC"),
        lossless_required=True,
        sample_rates=(44_100,),
        bit_depths=(16,),
        lossy_playback=False,
        notes=(
            "Red Book audio is 16-bit 44.1 kHz stereo PCM; Liner renders that from a "
            "higher-resolution master with dither. Peaks at or below -0.3 dBFS is the usual "
            "replication-plant practice; inter-sample overs above 0 dBTP clip in many players."
        ),
        sources=(
            "IEC 60908 (Red Book) - Compact disc digital audio system: 2-channel 16-bit PCM "
            "at 44.1 kHz",
            "Replication-plant and mastering practice: peaks at or below -0.3 dBFS for CD "
            "masters (e.g. rock-mastering.de, Oasis CD upload guidelines)",
        ),
    ),
    Profile(
        slug="vinyl",
        name="Vinyl",
        kind="physical",
        target_lufs=None,
        true_peak_ceiling_dbtp=-1.0,
        normalisation="none",
        formats=("WAV", "AIFF", "FLAC"),
        lossless_required=True,
        **_HI_RES,
        min_plr_db=10.0,
        min_low_end_correlation=0.7,
        lossy_playback=False,
        extra_checks=("no_brickwall", "mono_low_end", "sibilance"),
        notes=(
            "A cutting master wants dynamics (no brick-wall limiting or clipping), low end "
            "centred in mono below about 150 Hz, and tamed sibilance. Liner measures the "
            "stereo correlation below 150 Hz (a warning under 0.7, a failure when negative) "
            "and looks for loud bursts in the 5-10 kHz band."
        ),
        sources=(
            "16 Kilohertz - How to prepare a suitable cutting master: bass centred below "
            "150 Hz, tame sibilance, no clipping, avoid brick-wall limiting",
            "Wolfpack - Audio specifications for lacquer cutting: correlation never negative, "
            "low frequencies in phase",
            "Mighty Media - What is a 'vinyl ready' master: no brick-wall limiters, centred "
            "bass, de-essed vocals",
        ),
    ),
    Profile(
        slug="podcast",
        name="Apple Podcasts",
        kind="podcast",
        target_lufs=-16.0,
        tolerance_lu=1.0,
        tolerance_severity="warn",
        true_peak_ceiling_dbtp=-1.0,
        true_peak_fail_dbtp=-1.0,
        normalisation="none",
        formats=("WAV", "FLAC", "MP3", "AAC", "M4A"),
        min_sample_rate=44_100,
        max_sample_rate=192_000,
        bit_depths=(16, 24),
        channels=(1, 2),
        artwork=Artwork(min_px=1400, max_px=3000),
        notes=(
            "Apple asks for -16 LKFS ± 1 dB and true peaks no higher than -1 dBFS. WAV and "
            "FLAC uploads must be stereo (a mono source goes on both channels); MP3 may be "
            "mono."
        ),
        sources=(
            "Apple Podcasts for Creators - Audio requirements (podcasters.apple.com/support/"
            "893-audio-requirements): -16 LKFS +/- 1 dB, true peak not above -1 dBFS; WAV/"
            "FLAC 44.1 kHz 16- or 24-bit stereo, MP3",
            "Apple Podcasts for Creators - Artwork requirements: square, 1400 to 3000 px, RGB, "
            "JPEG or PNG",
        ),
    ),
    Profile(
        slug="broadcast-ebu",
        name="EBU R 128 broadcast",
        kind="broadcast",
        target_lufs=-23.0,
        tolerance_lu=0.5,
        tolerance_live_lu=1.0,
        tolerance_severity="fail",
        true_peak_ceiling_dbtp=-1.0,
        true_peak_fail_dbtp=-1.0,
        normalisation="none",
        formats=("WAV",),
        sample_rates=(48_000,),
        bit_depths=(24,),
        notes=(
            "Programme loudness -23.0 LUFS; Liner holds file-based delivery to ± 0.5 LU "
            "(± 1 LU is for live programmes, where exact normalisation is not achievable). "
            "Maximum true peak -1 dBTP. File delivery at 48 kHz 24-bit is broadcasters' "
            "usual practice, not part of R 128."
        ),
        sources=(
            "EBU R 128 v4.0 (2020) - Loudness normalisation and permitted maximum level of "
            "audio signals: -23 LUFS, maximum true peak -1 dBTP",
            "EBU R 128 v3.0 (2014): target tolerance restricted to +/- 0.5 LU, +/- 1 LU for "
            "live programmes",
            "EBU Tech 3341 - Loudness metering: 'EBU Mode'",
        ),
    ),
    Profile(
        slug="broadcast-atsc",
        name="ATSC A/85 broadcast (US)",
        kind="broadcast",
        target_lufs=-24.0,
        tolerance_lu=2.0,
        tolerance_severity="fail",
        true_peak_ceiling_dbtp=-2.0,
        true_peak_fail_dbtp=-2.0,
        normalisation="none",
        formats=("WAV",),
        sample_rates=(48_000,),
        bit_depths=(24,),
        notes=(
            "Target -24 LKFS ± 2 dB; -2 dBTP leaves room for the AC-3 emission encoder. "
            "Made law for US commercials by the CALM Act."
        ),
        sources=(
            "ATSC A/85:2013 - Techniques for establishing and maintaining audio loudness for "
            "digital television: -24 LKFS +/- 2 dB, true peak -2 dBTP",
            "US CALM Act (2010) and FCC rules adopting A/85",
        ),
    ),
    Profile(
        slug="aes-td1008",
        name="AES TD1008",
        kind="reference",
        target_lufs=-16.0,
        tolerance_lu=1.0,
        tolerance_severity="warn",
        true_peak_ceiling_dbtp=-1.0,
        normalisation="none",
        **_HI_RES,
        **_STREAMING_SILENCE,
        notes=(
            "Not a platform: the Audio Engineering Society's guidance to streaming services. "
            "Music normalised per track to no more than -16 LUFS (album-normalised loudest "
            "track up to -14), speech anchored at -18 LUFS, peaks at or below -1 dBTP. The "
            "± 1 LU window is Liner's, for a useful pass/warn."
        ),
        sources=(
            "AES TD1008.1.21-9 (2021) - Recommendations for loudness of internet audio "
            "streaming and on-demand distribution",
            "AES TD1004.1.15-10 (2015) - Recommendation for loudness of audio streaming and "
            "network file playback (its predecessor: target no louder than -16 LUFS)",
        ),
    ),
)

PROFILES: Mapping[str, Profile] = MappingProxyType({p.slug: p for p in _PROFILES})


def all_profiles() -> list[Profile]:
    """Every profile, in display order (streaming, store, physical, podcast, broadcast,
    reference)."""
    return list(_PROFILES)


def get_profile(slug: str) -> Profile:
    """The profile with this slug; `UnknownProfile` (a KeyError) naming the valid ones if none."""
    try:
        return PROFILES[slug]
    except (KeyError, TypeError):
        valid = ", ".join(PROFILES)
        raise UnknownProfile(
            f"No delivery profile called {slug!r}. Valid profiles: {valid}."
        ) from None


__all__ = [
    "KINDS",
    "LOSSLESS_FORMATS",
    "LOSSY_FORMATS",
    "NORMALISATIONS",
    "PROFILES",
    "Artwork",
    "Profile",
    "UnknownProfile",
    "all_profiles",
    "get_profile",
]
