"""`master`: bring a mix to a target loudness and true-peak ceiling with a real chain.

High-pass → corrective (or reference-matching) EQ → stereo-linked bus compression → dry/wet
mix → gain to target → 4× oversampled true-peak limiter → TPDF dither → 24- or 16-bit file.

The gain into the limiter is searched for, not guessed: the limiter's gain envelope is cheap
to recompute at the control rate, and the K-weighted energy of its input is kept per control
step, so each candidate gain's output loudness is predicted without filtering the track
again. The result is then measured for real (loudness and 4× true peak) and corrected until
it is on target; those figures are what the report gives.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from ..errors import AudioError
from ..io import iter_planar, probe
from . import eq, meter
from .dynamics import (
    STEP,
    CompressorSettings,
    LimiterSettings,
    apply_gain,
    compressor_reduction,
    control_rate,
    limiter_reduction,
    mean_square,
    programme_level_db,
)
from .pcm import container_for, staged_output, write_pcm

Intensity = Literal["gentle", "balanced", "loud"]
Progress = Callable[[int, str], None]

LOUDNESS_TOLERANCE_LU = 0.1  # corrected until this close; the promise to callers is ±0.3 LU
SEARCH_TOLERANCE_LU = 0.01
CEILING_MARGIN_DB = 0.1  # the limiter aims this far under the ceiling: room for the
# difference between our 4× interpolator and any other meter's, and for the dither
CHECK_MARGIN_DB = 0.02  # a measured true peak above ceiling - this triggers another pass
MAX_SEARCH_STEPS = 12
MAX_CORRECTIONS = 3
MAX_LIMITING_DB = 20.0  # the search gives up pushing past this much peak reduction
TARGET_RANGE_LUFS = (-40.0, -3.0)
CEILING_RANGE_DBTP = (-9.0, 0.0)
READ_BLOCK = 1 << 18


@dataclass(frozen=True)
class Preset:
    compressor: CompressorSettings
    limiter: LimiterSettings
    corrective_depth: float  # share of a build-up's excess that the corrective EQ cuts


# Glue, not squash: thresholds sit relative to the programme's own RMS level, so a quiet and
# a loud mix get the same treatment; "loud" compresses the body of the track too.
PRESETS: dict[str, Preset] = {
    "gentle": Preset(
        CompressorSettings(threshold_re_program_db=4.0, ratio=1.5, knee_db=6.0,
                           attack_ms=30.0, release_ms=300.0),
        LimiterSettings(lookahead_ms=2.0, release_ms=80.0, slow_release_ms=600.0),
        corrective_depth=0.35,
    ),
    "balanced": Preset(
        CompressorSettings(threshold_re_program_db=2.0, ratio=2.0, knee_db=6.0,
                           attack_ms=20.0, release_ms=200.0),
        LimiterSettings(lookahead_ms=2.0, release_ms=50.0, slow_release_ms=400.0),
        corrective_depth=0.5,
    ),
    "loud": Preset(
        CompressorSettings(threshold_re_program_db=-2.0, ratio=3.0, knee_db=6.0,
                           attack_ms=10.0, release_ms=150.0),
        LimiterSettings(lookahead_ms=1.5, release_ms=30.0, slow_release_ms=250.0),
        corrective_depth=0.5,
    ),
}  # fmt: skip


def master(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    *,
    target_lufs: float,
    ceiling_dbtp: float,
    intensity: Intensity = "balanced",
    mix: float = 1.0,
    reference_path: str | os.PathLike[str] | None = None,
    match_reference_loudness: bool = True,
    bit_depth: int = 24,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Master ``in_path`` into ``out_path`` (.wav or .flac, by extension) and report.

    The output has the input's sample rate, channel count and length, integrated loudness
    within ±0.3 LU of the target (BS.1770-4) and a 4× oversampled true peak at or below
    ``ceiling_dbtp``. ``mix`` blends the EQ and compression with the (high-passed) input;
    gain and limiting always apply. With ``reference_path`` the EQ moves the tonal balance
    toward that track's and, if ``match_reference_loudness``, the target loudness becomes
    the reference's (the ceiling still holds). The output file appears only when complete.

    Raises AudioError (message fit for the musician) for unreadable or silent input, and
    ValueError for arguments out of range.
    """
    started = time.perf_counter()
    _check_arguments(target_lufs, ceiling_dbtp, intensity, mix, bit_depth)
    container = container_for(out_path)
    preset = PRESETS[intensity]

    def report(percent: int, stage: str) -> None:
        if progress is not None:
            progress(percent, stage)

    report(0, "Reading the mix")
    x, rate = _read_planar(in_path)
    channels, frames = x.shape
    input_lufs = meter.integrated_lufs(x, rate)
    if not math.isfinite(input_lufs):
        raise AudioError(f"“{_name(in_path)}” is silent or nearly so: there is nothing to master.")
    input_tp = meter.true_peak_dbtp(x)

    reference = None
    freqs, power = eq.long_term_spectrum(x, rate)
    if reference_path is not None:
        report(10, "Reading the reference")
        reference = _reference(reference_path)
        if match_reference_loudness:
            target_lufs = reference["integrated_lufs"]

    report(20, "Equalising")
    if reference is not None:
        high = min(16_000.0, 0.45 * rate, 0.45 * reference["sample_rate"])
        grid, curve = eq.match_curve(freqs, power, reference["freqs"], reference["power"], high)
        bands = eq.fit_bands(grid, curve, rate, eq.MATCH_LIMIT_DB)
    else:
        grid, curve = eq.corrective_curve(freqs, power, rate, preset.corrective_depth)
        bands = eq.fit_bands(grid, curve, rate, eq.CORRECTIVE_LIMIT_DB)
    highpass = eq.Band("highpass", eq.HIGHPASS_HZ, 0.0, math.sqrt(0.5))
    if mix >= 1.0:
        eq.filter_in_place(x, eq.bands_sos([highpass, *bands], rate))
        wet = x
    else:
        eq.filter_in_place(x, eq.bands_sos([highpass], rate))
        wet = np.empty_like(x)
        eq.filter_in_place(x, eq.bands_sos(bands, rate), out=wet)

    report(35, "Compressing")
    comp = _compress(wet, rate, preset.compressor)
    if wet is not x:
        # x ← (1 - mix)·dry + mix·wet, in place.
        x *= np.float32(1.0 - mix)
        wet *= np.float32(mix)
        x += wet
        del wet

    report(50, "Limiting")
    ceiling_internal = ceiling_dbtp - CEILING_MARGIN_DB
    search = _limit_to_target(x, rate, target_lufs, ceiling_internal, preset.limiter)
    iterations = search["iterations"]
    limiter_max = search["max_reduction_db"]
    gain_db = search["gain_db"]

    report(75, "Checking loudness and true peak")
    corrections = 0
    while True:
        out_lufs = meter.integrated_lufs(x, rate)
        out_tp = meter.true_peak_dbtp(x)
        off = target_lufs - out_lufs
        too_hot = out_tp > ceiling_dbtp - CHECK_MARGIN_DB
        if (abs(off) <= LOUDNESS_TOLERANCE_LU and not too_hot) or corrections >= MAX_CORRECTIONS:
            break
        # Another, small pass over the output itself: its own peaks, the loudness error as
        # gain, and a ceiling lowered by however much the last pass overshot.
        corrections += 1
        overshoot = max(out_tp - (ceiling_dbtp - CHECK_MARGIN_DB), 0.0)
        ceiling_internal -= overshoot
        fix = _limit_to_target(
            x, rate, target_lufs, ceiling_internal, preset.limiter, start_gain_db=off
        )
        gain_db += fix["gain_db"]
        limiter_max = max(limiter_max, fix["max_reduction_db"])
        iterations += fix["iterations"]

    report(90, "Writing the master")
    with staged_output(out_path) as tmp:
        write_pcm(tmp, x, rate, container=container, bits=bit_depth, dither=True)

    report(100, "Done")
    on_target = abs(target_lufs - out_lufs) <= 0.3 and out_tp <= ceiling_dbtp
    return {
        "settings": {
            "target_lufs": round(target_lufs, 2),
            "ceiling_dbtp": ceiling_dbtp,
            "intensity": intensity,
            "mix": mix,
            "reference": _name(reference_path) if reference_path is not None else None,
            "match_reference_loudness": bool(reference_path) and match_reference_loudness,
            "eq": [b.as_dict() for b in (highpass, *bands)],
            "compressor": {**asdict(preset.compressor),
                           "threshold_db": round(comp["threshold_db"], 2)},
            "limiter": {**asdict(preset.limiter), "oversampling": meter.OVERSAMPLING,
                        "ceiling_margin_db": CEILING_MARGIN_DB},
            "format": container,
            "bit_depth": bit_depth,
            "dither": "tpdf-highpass",
        },
        "input": {
            "integrated_lufs": _r(input_lufs),
            "true_peak_dbtp": _r(input_tp),
            "sample_rate": rate,
            "channels": channels,
            "frames": frames,
        },
        "reference": (
            {"integrated_lufs": _r(reference["integrated_lufs"]),
             "sample_rate": reference["sample_rate"]}
            if reference else None
        ),
        "gain_db": _r(gain_db),
        "compressor_max_reduction_db": _r(comp["max_reduction_db"]),
        "compressor_makeup_db": _r(comp["makeup_db"]),
        "limiter_max_reduction_db": _r(limiter_max),
        "iterations": iterations,
        "corrections": corrections,
        "output": {"integrated_lufs": _r(out_lufs), "true_peak_dbtp": _r(out_tp)},
        "on_target": on_target,
        "elapsed_s": round(time.perf_counter() - started, 3),
    }  # fmt: skip


def _check_arguments(
    target_lufs: float, ceiling_dbtp: float, intensity: str, mix: float, bit_depth: int
) -> None:
    low, high = TARGET_RANGE_LUFS
    if not low <= target_lufs <= high:
        raise ValueError(f"target_lufs must be between {low} and {high} LUFS")
    low, high = CEILING_RANGE_DBTP
    if not low <= ceiling_dbtp <= high:
        raise ValueError(f"ceiling_dbtp must be between {low} and {high} dBTP")
    if intensity not in PRESETS:
        raise ValueError(f"intensity must be one of {', '.join(PRESETS)}")
    if not 0.0 <= mix <= 1.0:
        raise ValueError("mix must be between 0 and 1")
    if bit_depth not in (16, 24):
        raise ValueError("bit_depth must be 16 or 24")


def _read_planar(path: str | os.PathLike[str]) -> tuple[np.ndarray, int]:
    """The whole file as one planar float32 array, filled block by block (no second copy)."""
    info = probe(path)
    out = np.empty((info.channels, info.frames), dtype=np.float32)
    filled = 0
    extra = []
    for block in iter_planar(path, READ_BLOCK):
        m = block.shape[1]
        room = max(info.frames - filled, 0)
        take = min(room, m)
        out[:, filled : filled + take] = block[:, :take]
        filled += take
        if take < m:  # MP3 frame counts are estimates: keep what decodes beyond them
            extra.append(block[:, take:])
    if extra:
        return np.concatenate([out, *extra], axis=1), info.sample_rate
    return out[:, :filled], info.sample_rate


def _reference(path: str | os.PathLike[str]) -> dict[str, Any]:
    ref, rate = _read_planar(path)
    lufs = meter.integrated_lufs(ref, rate)
    if not math.isfinite(lufs):
        raise AudioError(f"The reference “{_name(path)}” is silent.")
    freqs, power = eq.long_term_spectrum(ref, rate)
    return {"integrated_lufs": lufs, "sample_rate": rate, "freqs": freqs, "power": power}


def _compress(planar: np.ndarray, rate: int, settings: CompressorSettings) -> dict[str, float]:
    """Apply the bus compressor in place, with make-up gain that restores the programme
    level, so ``mix`` blends like with like."""
    crate = control_rate(rate)
    ms = mean_square(planar)
    level = programme_level_db(ms, crate)
    threshold = level + settings.threshold_re_program_db
    reduction = compressor_reduction(ms, crate, settings, threshold)
    after = programme_level_db(ms * np.power(10.0, -reduction / 10.0), crate)
    makeup = level - after if math.isfinite(after) else 0.0
    apply_gain(planar, -reduction, offset_db=makeup)
    return {"threshold_db": threshold, "max_reduction_db": float(reduction.max(initial=0.0)),
            "makeup_db": makeup}  # fmt: skip


def _limit_to_target(
    x: np.ndarray,
    rate: int,
    target_lufs: float,
    ceiling_db: float,
    settings: LimiterSettings,
    *,
    start_gain_db: float | None = None,
) -> dict[str, Any]:
    """Find the gain that, followed by the limiter, puts ``x`` at ``target_lufs``; apply both
    to ``x`` in place.

    The search works on control-step figures only: per-step 4× peaks (for the limiter) and
    per-step K-weighted energy (for the loudness, re-weighted by each candidate's gain
    envelope). Loudness rises monotonically with gain, so a secant search converges in a
    few steps; each costs a few vector passes over n/8 values.
    """
    crate = control_rate(rate)
    peaks = meter.PeakDetector(STEP).envelope(x).astype(np.float64)
    with np.errstate(divide="ignore"):
        peak_db = 20.0 * np.log10(peaks)
    energy = meter.kweighted_power(x, rate, step=STEP)
    starts = meter.tick_starts(energy.shape[0], rate, STEP)
    sums, lengths = meter.tick_sums(energy, starts, STEP)
    base = meter.gated_loudness(sums, lengths)
    if not math.isfinite(base):
        raise AudioError("The processed audio is silent; there is nothing to bring to target.")
    top = float(peak_db.max())

    required = np.empty_like(peak_db)

    def reduction_for(gain: float) -> np.ndarray:
        np.add(peak_db, gain - ceiling_db, out=required)
        np.maximum(required, 0.0, out=required)
        if gain + top <= ceiling_db:
            return np.zeros_like(required)
        return limiter_reduction(required, crate, settings)

    def loudness_for(gain: float) -> tuple[float, np.ndarray]:
        reduction = reduction_for(gain)
        weight = np.power(10.0, (gain - reduction) / 10.0)
        np.multiply(weight, energy, out=weight)
        sums = np.add.reduceat(weight, starts)
        return meter.gated_loudness(sums, lengths), reduction

    gain = target_lufs - base if start_gain_db is None else start_gain_db
    loud, reduction = loudness_for(gain)
    iterations = 1
    prev: tuple[float, float] | None = None
    while abs(loud - target_lufs) > SEARCH_TOLERANCE_LU and iterations < MAX_SEARCH_STEPS:
        error = target_lufs - loud
        slope = 1.0
        if prev is not None and abs(gain - prev[0]) > 1e-6:
            slope = max((loud - prev[1]) / (gain - prev[0]), 0.05)
        step = error / slope
        if float(reduction.max(initial=0.0)) > MAX_LIMITING_DB and step > 0:
            break  # the target is out of reach under this ceiling; stop where we are
        prev = (gain, loud)
        gain += step
        loud, reduction = loudness_for(gain)
        iterations += 1
    apply_gain(x, gain - reduction)
    return {"gain_db": gain, "max_reduction_db": float(reduction.max(initial=0.0)),
            "iterations": iterations, "predicted_lufs": loud}  # fmt: skip


def _name(path: str | os.PathLike[str] | None) -> str:
    return os.path.basename(os.fspath(path)) if path is not None else ""


def _r(value: float) -> float | None:
    return round(float(value), 2) if math.isfinite(value) else None
