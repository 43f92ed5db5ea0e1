"""Bus compression and true-peak limiting, computed as gain envelopes at a control rate.

Both stages decide a gain for every run of `STEP` samples (0.18 ms at 44.1 kHz, far finer
than any attack time used here) and the gain is interpolated linearly back to the sample
rate. Working on envelopes keeps every operation vectorised: attack and release are built
from running maxima, box filters and one-pole filters rather than a per-sample loop.

The limiter guarantees its ceiling by construction: the required reduction is held over the
look-ahead window, released from there, and smoothed by filters no longer than the
look-ahead, so every control step's gain is at or below what the loudest oversampled point
near it allows (see `limiter_reduction`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import ndimage, signal

STEP = 8  # samples per control step


@dataclass(frozen=True)
class CompressorSettings:
    threshold_re_program_db: float  # threshold relative to the programme's RMS level
    ratio: float
    knee_db: float
    attack_ms: float
    release_ms: float
    detector_ms: float = 10.0  # RMS averaging time of the level detector


@dataclass(frozen=True)
class LimiterSettings:
    lookahead_ms: float  # also the attack: the gain ramps down over this time
    release_ms: float  # fast release, for short peaks
    slow_release_ms: float  # for the part of the reduction that persists
    hold_ms: float = 0.0  # a peak's reduction is held this long before it is released
    sustain_ms: float = 80.0  # averaging time that decides what "persists"


def control_rate(sample_rate: int) -> float:
    return sample_rate / STEP


def one_pole(x: np.ndarray, time_ms: float, rate: float, initial: float | None = None):
    """Exponential smoothing with time constant ``time_ms`` (a linear, order-one low-pass)."""
    a = math.exp(-1000.0 / (max(time_ms, 1e-3) * rate))
    start = x[0] if initial is None else initial
    y, _ = signal.lfilter([1.0 - a], [1.0, -a], x, zi=[a * start])
    return y


def mean_square(planar: np.ndarray) -> np.ndarray:
    """Mean of x² over channels and over each control step, float64."""
    channels, n = planar.shape
    whole = n - n % STEP
    out = np.zeros(-(-n // STEP))
    for c in range(channels):
        x = planar[c]
        out[: whole // STEP] += np.einsum("ij,ij->i", *(x[:whole].reshape(-1, STEP),) * 2)
        if whole < n:
            out[-1] += float(np.dot(x[whole:], x[whole:]))
    return out / (channels * STEP)


def programme_level_db(ms: np.ndarray, rate: float) -> float:
    """RMS level of the programme in dB, gated like BS.1770 integrated loudness (400 ms
    blocks, -70 dB absolute and -10 dB relative gates) but unweighted: the reference the
    compressor threshold is set against, so the same settings act alike on quiet and loud
    mixes."""
    block = max(int(round(0.4 * rate)), 1)
    hop = max(block // 4, 1)
    csum = np.concatenate([[0.0], np.cumsum(ms)])
    starts = np.arange(0, max(ms.shape[0] - block, 0) + 1, hop)
    power = (csum[np.minimum(starts + block, ms.shape[0])] - csum[starts]) / block
    with np.errstate(divide="ignore"):
        level = 10 * np.log10(power)
    above = level > -70.0
    if not above.any():
        return -math.inf
    gate = 10 * math.log10(power[above].mean()) - 10.0
    kept = power[above & (level > gate)]
    return 10 * math.log10(kept.mean())


def compressor_reduction(
    ms: np.ndarray, rate: float, settings: CompressorSettings, threshold_db: float
) -> np.ndarray:
    """Gain reduction (dB, ≥ 0) per control step for a stereo-linked RMS compressor.

    The static curve has a quadratic soft knee. Attack and release: the static reduction is
    smoothed twice, with the attack and with the release time, and the larger result wins, so
    a rise follows the attack time and a fall the release time; a short burst barely charges
    the slow path and lets go quickly, which is the program-dependent release bus compressors
    are liked for.
    """
    s = settings
    detected = one_pole(ms, s.detector_ms, rate)
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(np.maximum(detected, 1e-20))
    over = level - threshold_db
    slope = 1.0 - 1.0 / s.ratio
    half = s.knee_db / 2.0
    static = np.where(
        over <= -half,
        0.0,
        np.where(over >= half, slope * over, slope * (over + half) ** 2 / (2.0 * s.knee_db)),
    )
    attack = one_pole(static, s.attack_ms, rate, initial=0.0)
    release = one_pole(static, s.release_ms, rate, initial=0.0)
    return np.maximum(attack, release)


def limiter_reduction(
    required_db: np.ndarray, rate: float, settings: LimiterSettings, out: np.ndarray | None = None
) -> np.ndarray:
    """Gain reduction (dB) per control step that is at least ``required_db`` everywhere,
    with look-ahead attack and a two-speed release.

    1. Hold: each step takes the largest requirement from ``hold_ms`` (at least one step)
       before it to ``look`` steps after it. Holding for about half a bass period keeps the
       gain from following the bass waveform, which would distort it.
    2. Release: the held reduction decays exponentially (in dB) with the fast release time;
       the part that lasts (its average over ``sustain_ms``) decays with the slow one; the
       larger of the two applies. Both only ever raise the reduction.
    3. Attack: two trailing box filters whose spans add up to at most ``look`` steps turn the
       steps into an S-shaped ramp that starts before the peak and is complete on it.

    Why it holds: a box output is an average of released values, each at least the
    requirement of every step in its hold window, and every window averaged into step j (or
    j±1, between which the sample-rate gain is interpolated) contains step j.
    """
    look = max(int(round(settings.lookahead_ms * rate / 1000.0)), 2)
    back = max(int(round(settings.hold_ms * rate / 1000.0)), 1)
    size = back + 1 + look  # window [j - back, j + look]
    held = ndimage.maximum_filter1d(
        required_db, size, mode="constant", cval=0.0, origin=back - size // 2
    )
    released = _release(held, settings.release_ms, rate)
    if settings.slow_release_ms > settings.release_ms:
        sustained = one_pole(held, settings.sustain_ms, rate, initial=0.0)
        np.maximum(released, _release(sustained, settings.slow_release_ms, rate), out=released)
    first = look // 2
    second = look - first + 1  # spans first + second - 1 = look
    for width in (first, second):
        if width > 1:
            released = ndimage.uniform_filter1d(
                released, width, mode="nearest", origin=(width - 1) // 2
            )
    if out is not None:
        out[:] = released
        return out
    return released


def _release(held: np.ndarray, release_ms: float, rate: float) -> np.ndarray:
    """r[j] = max over k ≤ j of held[k]·exp(-(j-k)/τ), without a loop: in logs this is a
    running maximum of log(held[k]) + k/τ, less j/τ."""
    per_step = 1000.0 / (release_ms * rate)
    ramp = np.arange(held.shape[0], dtype=np.float64) * per_step
    with np.errstate(divide="ignore"):
        logs = np.log(held)
    logs += ramp
    np.maximum.accumulate(logs, out=logs)
    logs -= ramp
    return np.exp(logs)


def apply_gain(planar: np.ndarray, gain_db: np.ndarray, *, offset_db: float = 0.0) -> None:
    """Multiply ``planar`` in place by the per-step gain, interpolated linearly between the
    centres of the control steps (in linear gain, so a sample never gets more gain than both
    neighbouring steps allow)."""
    channels, n = planar.shape
    linear = np.power(10.0, (gain_db + offset_db) / 20.0).astype(np.float32)
    centres = np.arange(linear.shape[0], dtype=np.float64) * STEP + (STEP - 1) / 2.0
    chunk = 1 << 18
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        g = np.interp(np.arange(start, stop, dtype=np.float64), centres, linear).astype(np.float32)
        planar[:, start:stop] *= g
