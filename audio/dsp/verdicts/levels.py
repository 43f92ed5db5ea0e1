"""Checks on level: silence of the whole file, loudness, true peak, clipping, codec clipping."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..profiles import Profile
from .findings import _Findings
from .limits import LIMITING_NOTE_DB, PLAYS_QUIETER_WARN_DB
from .values import _clean, _finite, _int
from .words import _amount, _codec_label, _n, _s


def _silent_file(a: Mapping[str, Any], found: _Findings) -> None:
    duration = _finite(a.get("duration_s"))
    head = _finite(a.get("silence_head_s"))
    if duration and head is not None and head >= duration * 0.99:
        found.fail("silent_file", "This file is silent: nothing in it rises above -60 dBFS.")


def _loudness(profile: Profile, a: Mapping[str, Any], gain: float | None, found: _Findings) -> None:
    loudness = _finite(a.get("integrated_lufs"))
    name, target = profile.name, profile.target_lufs
    if loudness is None:
        found.info(
            "loudness_unknown",
            "Liner has no loudness reading for this file, so the loudness checks were skipped.",
        )
        return
    measured = f"{_n(loudness)} LUFS"

    if profile.tolerance_lu is not None and target is not None:
        off = _clean(loudness - target, 1)
        window = f"{_n(target)} LUFS ± {profile.tolerance_lu:g} LU"
        if abs(off) <= profile.tolerance_lu:
            found.info("loudness_on_target", f"Loudness is {measured}, inside {window}.")
            return
        way, turn = ("loud", "down") if off > 0 else ("quiet", "up")
        message = (
            f"Loudness is {measured}, {abs(off):.1f} LU too {way}: {name} asks for {window}. "
            f"Turn it {turn} by {abs(off):.1f} dB."
        )
        live = profile.tolerance_live_lu
        if live is not None and abs(off) <= live:
            message += f" (± {live:g} LU is allowed only for live programmes.)"
        found.add(profile.tolerance_severity, "loudness_off_target", message)
        return

    if profile.normalisation == "none" or target is None:
        message = f"{name} has no loudness normalisation, so this plays at {measured}, as mastered."
        if profile.recommended_lufs is not None:
            message += (
                f" Liner suggests about {_n(profile.recommended_lufs)} LUFS there, with true "
                f"peaks at or below {_s(profile.true_peak_ceiling_dbtp)} dBTP."
            )
        found.info("loudness_as_mastered", message)
        return

    if gain is None:
        found.info(
            "loudness_raise_unknown",
            f"At {measured} this is quieter than {name}'s {_n(target)} LUFS playback level; "
            f"without a true-peak reading Liner can't tell how far {name} will turn it up.",
        )
        return
    if gain <= -0.05:
        message = (
            f"{name} will turn this down by {abs(gain):.1f} dB, from {measured} to "
            f"{_n(target)} LUFS."
        )
        if -gain >= LIMITING_NOTE_DB:
            message += (
                " Limiting it that hard buys no extra loudness there; it only costs dynamics."
            )
        found.info("turned_down", message)
        return
    deficit = target - loudness
    shortfall = deficit - max(gain, 0.0)
    if deficit < 0.05:
        found.info(
            "loudness_on_target",
            f"At {measured} this already sits at {name}'s {_n(target)} LUFS playback level.",
        )
        return
    if shortfall < 0.05:
        found.info(
            "turned_up",
            f"{name} will turn this up by {gain:.1f} dB, to its {_n(target)} LUFS playback level.",
        )
        return
    if profile.normalisation == "down_only":
        why = f"{name} never turns tracks up"
    else:
        limit = profile.raise_peak_limit_dbtp
        limit = profile.true_peak_ceiling_dbtp if limit is None else limit
        why = (
            f"{name} turns quiet tracks up only while their true peaks stay at or below "
            f"{_s(limit)} dBTP"
        )
        peak = _finite(a.get("true_peak_dbtp"))
        if gain >= 0.05:
            why += f", so it will raise this one by just {gain:.1f} dB"
        elif peak is not None:
            why += f", and this one already peaks at {_s(peak)} dBTP"
    message = (
        f"At {measured} this is quieter than {name}'s {_n(target)} LUFS playback level. {why}; "
        f"it will play {shortfall:.1f} dB quieter than other tracks. To match them, master to "
        f"about {_n(target)} LUFS with true peaks at or below "
        f"{_s(profile.true_peak_ceiling_dbtp)} dBTP."
    )
    if shortfall >= PLAYS_QUIETER_WARN_DB:
        found.warn("plays_quieter", message)
    else:
        found.info("plays_quieter", message)


def _true_peak(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    peak = _finite(a.get("true_peak_dbtp"))
    if peak is None:
        return
    shown = _clean(peak, 1)
    name, ceiling, hard = profile.name, profile.true_peak_ceiling_dbtp, profile.true_peak_fail_dbtp
    if hard is not None and shown > hard:
        found.fail(
            "true_peak_over",
            f"True peak reaches {_s(peak)} dBTP; {name} allows at most {_s(hard)} dBTP. "
            f"Bring the true-peak limiter's ceiling down by at least {shown - hard:.1f} dB.",
        )
    elif shown > ceiling:
        if profile.lossy_playback:
            why = f"{name}'s lossy encoder can push peaks like these over full scale and distort"
        elif "no_brickwall" in profile.extra_checks:
            why = "a cutting master needs headroom, or the engineer turns it down before the lathe"
        else:
            why = "many players' converters clip on inter-sample peaks this close to full scale"
        found.warn(
            "true_peak_high",
            f"True peak reaches {_s(peak)} dBTP, above the {_s(ceiling)} dBTP ceiling for {name}: "
            f"{why}. Set a true-peak limiter's ceiling to {_s(ceiling)} dBTP.",
        )
    elif profile.loud_master_peak_dbtp is not None and profile.target_lufs is not None:
        loudness = _finite(a.get("integrated_lufs"))
        limit = profile.loud_master_peak_dbtp
        if loudness is not None and loudness > profile.target_lufs + 0.05 and shown > limit:
            found.warn(
                "loud_master_peaks",
                f"This master is louder than {_n(profile.target_lufs)} LUFS and its true peak "
                f"reaches {_s(peak)} dBTP; {name} advises keeping loud masters below "
                f"{_s(limit)} dBTP, because encoding can make them distort.",
            )


def _clipping(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    runs = a.get("clip_runs")
    count = len(runs) if isinstance(runs, list | tuple) else _int(runs)
    samples = _int(a.get("clipped_samples")) or 0
    if not count and not samples:
        return
    if count:
        where = f"{_amount(count)} clipped passage{'' if count == 1 else 's'}"
        if samples:
            where += f" ({samples} samples flattened at the ceiling)"
    else:
        where = f"{samples} clipped samples"
    message = (
        f"Liner found {where}. Clipping is distortion that no platform or player can take out; "
        f"go back to the mix or master and lower the level into the limiter or clipper."
    )
    if "no_brickwall" in profile.extra_checks:
        message += " Cutting engineers may refuse, or charge to recut, clipped masters."
    found.warn("clipping", message)


def _codec(profile: Profile, a: Mapping[str, Any], found: _Findings) -> None:
    codec = a.get("codec")
    if not isinstance(codec, Mapping) or not profile.lossy_playback:
        return
    peak = _finite(codec.get("true_peak_dbtp"))
    clipped = _int(codec.get("clipped_samples")) or 0
    if not ((peak is not None and _clean(peak, 1) > 0.0) or clipped):
        return
    details = []
    if peak is not None:
        details.append(f"true peak {_s(peak)} dBTP after the codec")
    if clipped:
        details.append(f"{clipped} clipped samples")
    found.warn(
        "codec_clips",
        f"This master clips after {_codec_label(codec.get('codec'))} encoding "
        f"({', '.join(details)}). Lower the true-peak limiter's ceiling until the encoded file "
        f"stays below 0 dBTP.",
    )
