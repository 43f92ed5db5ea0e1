"""Verdicts: what one analysed master means for each delivery profile, in plain words.

`verdict(profile, analysis)` reads the dict that `audio.dsp.analysis` produces and returns a
status (pass, warn or fail), findings a musician can act on, the gain the platform's player
will apply, and a one-line preview of how the track will play there. Any key of the analysis
may be missing or None (an older analysis, a stage that failed): its checks are skipped.

Numbers in messages are rounded to 0.1, and limits are compared at that same precision, so a
message never says "-23.0 LUFS is outside -23.0 ± 0.5".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..profiles import Profile, all_profiles, get_profile
from .faults import _dc_offset, _noise, _silence, _stereo, _vinyl
from .findings import _Findings
from .formats import _resolution, _source_format
from .levels import _clipping, _codec, _loudness, _silent_file, _true_peak
from .limits import (
    DC_OFFSET_WARN,
    FULL_BAND_RATE,
    LIMITING_NOTE_DB,
    LISTED_LIMIT,
    MONO_LOSS_WARN_DB,
    NOISE_BELOW_PROGRAMME_DB,
    NOISE_FLOOR_INFO_DBFS,
    NOISE_FLOOR_WARN_DBFS,
    PLAYS_QUIETER_WARN_DB,
)
from .preview import _preview
from .values import _clean, _finite, _profile

__all__ = [
    "DC_OFFSET_WARN",
    "FULL_BAND_RATE",
    "LIMITING_NOTE_DB",
    "LISTED_LIMIT",
    "MONO_LOSS_WARN_DB",
    "NOISE_BELOW_PROGRAMME_DB",
    "NOISE_FLOOR_INFO_DBFS",
    "NOISE_FLOOR_WARN_DBFS",
    "PLAYS_QUIETER_WARN_DB",
    "normalisation_gain",
    "verdict",
    "verdicts",
]


def normalisation_gain(
    profile: Profile | str, integrated_lufs: float | None, true_peak_dbtp: float | None = None
) -> float | None:
    """The gain in dB the platform's player applies to this track, or None.

    None when the profile does not normalise, when the loudness is unknown, or when a platform
    that raises quiet tracks only within a true-peak limit would raise this one but its true
    peak is unknown.
    """
    profile = _profile(profile)
    if profile.normalisation == "none" or profile.target_lufs is None:
        return None
    loudness = _finite(integrated_lufs)
    if loudness is None:
        return None
    gain = profile.target_lufs - loudness
    if gain <= 0 or profile.normalisation == "both":
        return _clean(gain, 2)
    if profile.normalisation == "down_only":
        return 0.0
    peak = _finite(true_peak_dbtp)
    if peak is None:
        return None
    limit = profile.raise_peak_limit_dbtp
    if limit is None:
        limit = profile.true_peak_ceiling_dbtp
    return _clean(max(0.0, min(gain, limit - peak)), 2)


def verdict(profile: Profile | str, analysis: Mapping[str, Any] | None) -> dict:
    """The verdict for one profile: status, findings, the player's gain and a preview line."""
    profile = _profile(profile)
    a: Mapping[str, Any] = analysis or {}
    gain = normalisation_gain(profile, a.get("integrated_lufs"), a.get("true_peak_dbtp"))
    found = _Findings()
    _silent_file(a, found)
    _loudness(profile, a, gain, found)
    _true_peak(profile, a, found)
    _clipping(profile, a, found)
    _codec(profile, a, found)
    _source_format(profile, a, found)
    _resolution(profile, a, found)
    _dc_offset(a, found)
    _silence(profile, a, found)
    _stereo(profile, a, found)
    _noise(a, found)
    _vinyl(profile, a, found)
    return {
        "profile": profile.slug,
        "name": profile.name,
        "status": found.status(),
        "findings": found.items,
        "normalisation_gain_db": None if gain is None else _clean(gain, 1),
        "preview": _preview(profile, a, gain),
    }


def verdicts(analysis: Mapping[str, Any] | None, slugs: Iterable[str] | None = None) -> list[dict]:
    """Verdicts for the given profile slugs (all profiles, in display order, when None)."""
    profiles = all_profiles() if slugs is None else [get_profile(s) for s in slugs]
    return [verdict(p, analysis) for p in profiles]
