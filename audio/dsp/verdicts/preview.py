"""The one-line preview of how a track will play on a platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..profiles import Profile
from .limits import LIMITING_NOTE_DB
from .values import _clean, _finite
from .words import _n


def _preview(profile: Profile, a: Mapping[str, Any], gain: float | None) -> str:
    name, target = profile.name, profile.target_lufs
    loudness = _finite(a.get("integrated_lufs"))
    if loudness is None:
        return f"Liner has no loudness reading for this file, so it can't preview {name}."
    measured = f"{_n(loudness)} LUFS"
    if profile.tolerance_lu is not None and target is not None:
        off = _clean(loudness - target, 1)
        window = f"{_n(target)} LUFS ± {profile.tolerance_lu:g} LU"
        if abs(off) <= profile.tolerance_lu:
            return f"At {measured} this is inside the {window} window for {name}."
        way = "loud" if off > 0 else "quiet"
        return f"At {measured} this is {abs(off):.1f} LU too {way} for {name} ({window})."
    if profile.normalisation == "none" or target is None:
        return f"{name} has no loudness normalisation: this plays at {measured}, as mastered."
    if gain is None:
        return (
            f"{name} plays tracks at {_n(target)} LUFS; without a true-peak reading Liner can't "
            f"tell how far it will turn this one up."
        )
    if gain <= -0.05:
        line = f"{name} will turn this down by {abs(gain):.1f} dB"
        if -gain >= LIMITING_NOTE_DB:
            return line + "; your limiting buys no loudness there."
        return line + "."
    shortfall = (target - loudness) - max(gain, 0.0)
    if gain >= 0.05:
        line = f"{name} will turn this up by {gain:.1f} dB"
        if shortfall >= 0.05:
            return line + f", and it will still play {shortfall:.1f} dB quieter than other tracks."
        return line + "."
    if shortfall >= 0.05:
        return (
            f"{name} won't turn this up, so it plays {shortfall:.1f} dB quieter than other tracks."
        )
    return f"{name} will play this as it is: it already sits at {_n(target)} LUFS."
