"""Gain to the target: the gain into the true-peak limiter that lands the output on a loudness.

The search works on control-step figures only: per-step 8× peaks (for the limiter) and
per-step K-weighted energy (for the loudness, re-weighted by each candidate's gain envelope),
so a candidate costs a few vector passes over n/8 values and the track is filtered once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import AudioError
from . import meter
from .dynamics import STEP, LimiterSettings, apply_gain, control_rate, limiter_reduction

TOLERANCE_LU = 0.01
MAX_STEPS = 16


@dataclass(frozen=True)
class Landing:
    gain_db: float  # gain before the limiter
    max_reduction_db: float  # the limiter's deepest reduction
    predicted_lufs: float
    reachable: bool  # False: the target needs more limiting than allowed; stopped short
    steps: int


def limit_to_target(
    x: np.ndarray,
    rate: int,
    *,
    target_lufs: float,
    ceiling_db: float,
    settings: LimiterSettings,
    max_reduction_db: float,
) -> Landing:
    """Apply to ``x`` (planar float32, in place) the gain and limiting that put it at
    ``target_lufs`` with 8× peaks at or under ``ceiling_db``, limiting by at most
    ``max_reduction_db`` anywhere. When that is not enough, stop at that much limiting: more
    gain would only raise the quiet passages (and the noise in them), not the peaks.

    Loudness never falls as the gain rises (the limiter takes back at most what is added), so
    the answer lies between the gain that reaches the target unlimited (the limiter can only
    make it quieter) and the most gain the limiting budget allows; regula falsi (Illinois)
    closes the bracket in a few steps.
    """
    crate = control_rate(rate)
    detector = meter.PeakDetector(STEP, factor=meter.STEERING_OVERSAMPLING)
    peaks = detector.envelope(x).astype(np.float64)
    # Also what short interpolators see (see meter.CROSS_CHECK_TAPS), so that no common meter
    # finds the peaks this one lets through.
    np.maximum(peaks, meter.cross_check_detector(STEP).envelope(x), out=peaks)
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
    weight = np.empty_like(energy)

    def reduction_for(gain: float) -> np.ndarray:
        if gain + top <= ceiling_db:
            return np.zeros_like(required)
        np.add(peak_db, gain - ceiling_db, out=required)
        np.maximum(required, 0.0, out=required)
        return limiter_reduction(required, crate, settings)

    def loudness_for(gain: float) -> tuple[float, np.ndarray]:
        reduction = reduction_for(gain)
        # 10^((gain - reduction)/10) · energy, without temporaries
        np.subtract(gain, reduction, out=weight)
        np.multiply(weight, math.log(10.0) / 10.0, out=weight)
        np.exp(weight, out=weight)
        np.multiply(weight, energy, out=weight)
        return meter.gated_loudness(np.add.reduceat(weight, starts), lengths), reduction

    low = target_lufs - base
    high = ceiling_db - top + max_reduction_db
    gain = min(low, high)
    loud, reduction = loudness_for(gain)
    steps = 1
    reachable = high >= low
    if reachable and loud < target_lufs - TOLERANCE_LU:
        lo, f_lo = low, loud - target_lufs
        gain = hi = high
        loud, reduction = loudness_for(hi)
        steps += 1
        f_hi = loud - target_lufs
        reachable = f_hi >= -TOLERANCE_LU
        side = 0
        while reachable and abs(loud - target_lufs) > TOLERANCE_LU and steps < MAX_STEPS:
            gain = hi - f_hi * (hi - lo) / (f_hi - f_lo)
            loud, reduction = loudness_for(gain)
            steps += 1
            f = loud - target_lufs
            if f > 0:
                hi, f_hi = gain, f
                if side == 1:
                    f_lo /= 2.0  # Illinois: keep the far end from stalling the bracket
                side = 1
            else:
                lo, f_lo = gain, f
                if side == -1:
                    f_hi /= 2.0
                side = -1
    apply_gain(x, gain - reduction)
    return Landing(gain, float(reduction.max(initial=0.0)), loud, reachable, steps)
