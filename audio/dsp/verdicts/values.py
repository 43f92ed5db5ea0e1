"""Reading values out of an analysis that may hold anything, or nothing, under a key."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..profiles import LOSSLESS_FORMATS, LOSSY_FORMATS, Profile, get_profile


def _profile(profile: Profile | str) -> Profile:
    return profile if isinstance(profile, Profile) else get_profile(profile)


def _finite(value: Any) -> float | None:
    """A float, or None for missing, non-numeric, NaN and infinite values."""
    if value is None or isinstance(value, str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    number = _finite(value)
    return None if number is None else int(number)


def _clean(value: float, digits: int) -> float:
    return round(value, digits) + 0.0  # + 0.0 turns -0.0 into 0.0


def _click_time(click: Any) -> float | None:
    if isinstance(click, Mapping):
        for key in ("time_s", "start_s", "t", "at_s"):
            if key in click:
                return _finite(click[key])
        return None
    return _finite(click)


def _format(a: Mapping[str, Any]) -> str | None:
    fmt = a.get("format")
    return str(fmt).upper() if fmt else None


def _is_lossy(a: Mapping[str, Any]) -> bool:
    fmt = _format(a)
    if fmt in LOSSY_FORMATS:
        return True
    # The analysis reports bit_depth None for lossy codecs it doesn't name.
    return (
        fmt is not None
        and fmt not in LOSSLESS_FORMATS
        and "bit_depth" in a
        and a.get("bit_depth") is None
    )


def _is_lossless(a: Mapping[str, Any]) -> bool:
    fmt = _format(a)
    return fmt in LOSSLESS_FORMATS or (not _is_lossy(a) and _int(a.get("bit_depth")) is not None)
