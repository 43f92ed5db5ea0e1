"""Loudness per ITU-R BS.1770-4 and EBU R 128 (Tech 3341 "EBU mode", Tech 3342 loudness range).

One streaming pass: each block is K-weighted and its energy summed per 100 ms "tick"; every
figure (momentary 400 ms, short-term 3 s, gated integrated loudness, LRA) is then built from
the ticks, which take a few bytes per channel per 100 ms however long the file is.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .iir import BlockIIR

# BS.1770-4 Table 1 and 2: the two K-weighting stages, as published for 48 kHz only.
_SHELF_48K = ([1.53512485958697, -2.69169618940638, 1.19839281085285],
              [1.0, -1.69065929318241, 0.73248077421585])  # fmt: skip
_HIGHPASS_48K = ([1.0, -2.0, 1.0], [1.0, -1.99004745483398, 0.99007225036621])  # fmt: skip

ABSOLUTE_GATE_LUFS = -70.0  # BS.1770-4 §2.8 and Tech 3342
RELATIVE_GATE_LU = -10.0  # BS.1770-4 (integrated loudness)
LRA_RELATIVE_GATE_LU = -20.0  # Tech 3342
LRA_PERCENTILES = (10.0, 95.0)  # Tech 3342
TICKS_PER_SECOND = 10  # 100 ms hop: momentary 75 % overlap (BS.1770), short-term ≥ 10 Hz (3342)
MOMENTARY_TICKS = 4  # 400 ms
SHORT_TERM_TICKS = 30  # 3 s
_OFFSET = -0.691  # BS.1770-4 eq. 2: puts a 997 Hz sine at 0 dBFS on one channel at -3.01 LKFS

# BS.1770-4 Table 3 channel weights (Ls/Rs at ±110° get +1.5 dB; the LFE is left out), for
# the usual channel orders by count. More than 5.1 weights every channel 1.0.
_WEIGHTS_BY_COUNT = {
    1: (1.0,),
    2: (1.0, 1.0),
    3: (1.0, 1.0, 1.0),
    4: (1.0, 1.0, 1.41, 1.41),  # L R Ls Rs (quad)
    5: (1.0, 1.0, 1.0, 1.41, 1.41),  # L R C Ls Rs (the order of EBU test file 3341-6)
    6: (1.0, 1.0, 1.0, 0.0, 1.41, 1.41),  # L R C LFE Ls Rs (WAV/SMPTE order)
}
# WAVE_FORMAT_EXTENSIBLE speaker bits.
_LFE_BIT = 0x8
_BACK_BITS = 0x10 | 0x20
_SIDE_BITS = 0x200 | 0x400


def channel_weights(channels: int, channel_mask: int | None = None) -> np.ndarray:
    """BS.1770-4 weights G_i for each channel, from the WAV speaker mask when there is one."""
    if channel_mask:
        speakers = [1 << b for b in range(32) if channel_mask & (1 << b)][:channels]
        if len(speakers) == channels:
            weights = []
            sides = bool(channel_mask & _SIDE_BITS)
            for bit in speakers:
                if bit == _LFE_BIT:
                    weights.append(0.0)
                elif bit & _SIDE_BITS or (bit & _BACK_BITS and not sides):
                    # Surrounds near ±110°: sides when there are any, else the "back" pair
                    # that 5.1 files use for them. Rears of a 7.1 stay at 1.0.
                    weights.append(1.41)
                else:
                    weights.append(1.0)
            return np.array(weights)
    return np.array(_WEIGHTS_BY_COUNT.get(channels, (1.0,) * channels))


def _analog_prototype(b: list[float], a: list[float]) -> tuple[float, float, float, float, float]:
    """Undo the bilinear transform of a 48 kHz biquad.

    A second-order analog section H(s) = (vh s² + vb s/Q + v0) / (s² + s/Q + 1), s normalised
    to its corner frequency, becomes a biquad under the bilinear transform with K = tan(π f0/fs).
    From the published coefficients we solve for f0, Q and the three numerator gains, so the
    same filter can be rebuilt at any sample rate (and reproduces the table at 48 kHz).
    """
    b0, b1, b2 = b
    _, a1, a2 = a
    a0 = 4.0 / (1.0 - a1 + a2)  # the denominator's normalisation, 1 + K/Q + K²
    k = math.sqrt((1.0 + a1 + a2) / (1.0 - a1 + a2))
    k_over_q = (1.0 - a2) * a0 / 2.0
    f0 = 48_000.0 * math.atan(k) / math.pi
    q = k / k_over_q
    vh = (b0 - b1 + b2) * a0 / 4.0
    v0 = (b0 + b1 + b2) * a0 / (4.0 * k * k)
    vb = (b0 - b2) * a0 / (2.0 * k_over_q)
    return f0, q, vh, vb, v0


def _biquad(prototype: tuple[float, float, float, float, float], rate: float):
    f0, q, vh, vb, v0 = prototype
    k = math.tan(math.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    b = [(vh + vb * k / q + v0 * k * k) / a0, 2.0 * (v0 * k * k - vh) / a0,
         (vh - vb * k / q + v0 * k * k) / a0]  # fmt: skip
    a = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array(b), np.array(a)


_SHELF = _analog_prototype(*_SHELF_48K)
_HIGHPASS = _analog_prototype(*_HIGHPASS_48K)
_FIT_BELOW_HZ = 44_100  # where the bilinear transform starts to bend the shelf audibly


@functools.cache
def _shelf_for(sample_rate: float) -> tuple[float, float, float, float, float]:
    """The shelf's prototype for ``sample_rate``.

    The bilinear transform maps the corner frequency exactly but squeezes the rest of the
    shelf towards Nyquist: at 8 kHz a 1 kHz tone would read 0.2 dB low. Below 44.1 kHz the
    prototype's parameters are refitted so the filter's magnitude matches the 48 kHz one from
    20 Hz to 0.45·fs (within 0.012 dB at 8 kHz, 0.001 dB at 16 kHz).
    """
    if sample_rate >= _FIT_BELOW_HZ:
        return _SHELF
    from scipy import optimize, signal  # only these rare rates pay for importing scipy

    freqs = np.geomspace(20.0, 0.45 * sample_rate, 200)
    b, a = _biquad(_SHELF, 48_000.0)
    target = 20 * np.log10(np.abs(signal.freqz(b, a, worN=freqs, fs=48_000.0)[1]))

    def error(p: np.ndarray) -> np.ndarray:
        proto = (math.exp(p[0]), math.exp(p[1]), p[2], p[3], _SHELF[4])
        b, a = _biquad(proto, sample_rate)
        return 20 * np.log10(np.abs(signal.freqz(b, a, worN=freqs, fs=sample_rate)[1])) - target

    start = np.array([math.log(_SHELF[0]), math.log(_SHELF[1]), _SHELF[2], _SHELF[3]])
    p = optimize.least_squares(error, start).x
    return (math.exp(p[0]), math.exp(p[1]), float(p[2]), float(p[3]), _SHELF[4])


def k_weighting_sos(sample_rate: float) -> np.ndarray:
    """The K-weighting filter at ``sample_rate`` as two second-order sections."""
    sections = [
        _biquad(_shelf_for(float(sample_rate)), sample_rate),
        _biquad(_HIGHPASS, sample_rate),
    ]
    return np.array([np.concatenate([b, a]) for b, a in sections])


def k_weighting(sample_rate: float) -> tuple[np.ndarray, np.ndarray]:
    """The K-weighting filter at ``sample_rate`` as one fourth-order (b, a) pair (for use with
    ``scipy.signal.lfilter``; accurate in float64 from 8 kHz to 384 kHz, the tests check)."""
    sos = k_weighting_sos(sample_rate)
    return np.convolve(sos[0, :3], sos[1, :3]), np.convolve(sos[0, 3:], sos[1, 3:])


def tick_bounds(sample_rate: int, first: int, last: int) -> np.ndarray:
    """Sample index where each tick ``first..last`` begins (tick k starts at ⌊k·fs/10⌋)."""
    k = np.arange(first, last + 1, dtype=np.int64)
    return (k * sample_rate) // TICKS_PER_SECOND


class TickSums:
    """Sums per-sample values into 100 ms ticks across blocks, carrying the unfinished tick."""

    def __init__(self, sample_rate: int, rows: int) -> None:
        self.sample_rate = sample_rate
        self.rows = rows
        self.position = 0
        self._partial = np.zeros(rows)
        self._done: list[np.ndarray] = []

    def add(self, values: np.ndarray) -> None:
        """``values``: shape (rows, n), the next n samples' values to sum."""
        n = values.shape[1]
        if n == 0:
            return
        start, end = self.position, self.position + n
        self.position = end
        rate = self.sample_rate
        # Ticks k whose first sample ⌊k·fs/10⌋ lies in (start, end].
        first = (TICKS_PER_SECOND * (start + 1) + rate - 1) // rate
        last = (TICKS_PER_SECOND * (end + 1) - 1) // rate
        if last < first:
            self._partial += values.sum(axis=1)
            return
        cuts = tick_bounds(rate, first, last) - start
        ends_on_tick = bool(cuts[-1] == n)
        edges = np.concatenate(([0], cuts[cuts < n]))
        sums = np.add.reduceat(values, edges, axis=1)
        sums[:, 0] += self._partial
        if ends_on_tick:
            self._done.append(sums)
            self._partial = np.zeros(self.rows)
        else:
            self._done.append(sums[:, :-1])
            self._partial = sums[:, -1].copy()

    def finished(self) -> np.ndarray:
        """Sums of the complete ticks so far, shape (rows, ticks); a last partial tick is left
        out, as BS.1770 gating uses whole blocks only."""
        if not self._done:
            return np.zeros((self.rows, 0))
        merged = np.concatenate(self._done, axis=1)
        self._done = [merged]
        return merged

    def tick_lengths(self, count: int) -> np.ndarray:
        bounds = tick_bounds(self.sample_rate, 0, count)
        return np.diff(bounds).astype(np.float64)


@dataclass
class LoudnessResult:
    integrated_lufs: float | None
    loudness_range_lu: float | None
    momentary_max_lufs: float | None
    short_term_max_lufs: float | None
    short_term: np.ndarray  # short-term loudness at every tick (-inf before data/quiet)
    gated_fraction: float
    mono_loss_db: float | None = None


def _lufs(power: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return _OFFSET + 10.0 * np.log10(power)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


class LoudnessMeter:
    """BS.1770-4 loudness of a stream of planar blocks (shape (channels, n), any float type).

    Besides the channel energies it keeps the K-weighted L×R product per tick, which gives the
    loudness of the mono fold-down without a second filter pass.
    """

    def __init__(self, sample_rate: int, channels: int, *, channel_mask: int | None = None) -> None:
        self.sample_rate = sample_rate
        self.channels = channels
        self.weights = channel_weights(channels, channel_mask)
        self._filter = BlockIIR(k_weighting_sos(sample_rate), channels)
        self._pair = channels >= 2
        self._ticks = TickSums(sample_rate, channels + (1 if self._pair else 0))
        self._rows = np.zeros((self._ticks.rows, 0))
        self._flushed = False

    def process(self, block: np.ndarray) -> None:
        """Feed planar samples, shape (channels, n)."""
        if block.shape[1]:
            self._add(self._filter.process(block))

    def _add(self, weighted: np.ndarray) -> None:
        n = weighted.shape[1]
        if n == 0:
            return
        if self._rows.shape[1] < n:
            self._rows = np.empty((self._ticks.rows, n))  # reused: see BlockIIR._reserve
        rows = self._rows[:, :n]
        if self._pair:
            np.multiply(weighted[0], weighted[1], out=rows[self.channels])
        np.multiply(weighted, weighted, out=rows[: self.channels])
        self._ticks.add(rows)

    def result(self) -> LoudnessResult:
        """The figures for everything fed so far (call once, at the end)."""
        if not self._flushed:
            self._add(self._filter.flush())
            self._flushed = True
        sums = self._ticks.finished()
        count = sums.shape[1]
        lengths = self._ticks.tick_lengths(count)
        energy = sums[: self.channels]
        weighted = self.weights @ energy  # Σ G_i · (sum of squares), per tick
        momentary = _window_power(weighted, lengths, MOMENTARY_TICKS)
        short = _window_power(weighted, lengths, SHORT_TERM_TICKS)
        full_m = momentary[MOMENTARY_TICKS - 1 :]
        full_s = short[SHORT_TERM_TICKS - 1 :]
        integrated, selected = _gated_integrated(full_m)
        lra = _loudness_range(full_s)
        mono_loss = None
        if self._pair and selected.any():
            mono_loss = self._mono_loss(energy, sums[self.channels], lengths, selected)
        return LoudnessResult(
            integrated_lufs=_finite(integrated),
            loudness_range_lu=lra,
            momentary_max_lufs=_finite(_lufs(momentary.max())) if count else None,
            short_term_max_lufs=_finite(_lufs(short.max())) if count else None,
            short_term=_lufs(short),
            gated_fraction=float(selected.mean()) if selected.size else 0.0,
            mono_loss_db=mono_loss,
        )

    def _mono_loss(
        self, energy: np.ndarray, cross: np.ndarray, lengths: np.ndarray, selected: np.ndarray
    ) -> float:
        """How much quieter the programme gets folded to mono, M = (L+R)/2 on both speakers,
        over the same gated blocks as the integrated loudness.

        K-weighting is linear, so the mono signal's energy is (E_L + E_R + 2 E_LR) / 4 from the
        sums already kept. 0 dB for a centred mono mix, about 3 dB for unrelated channels,
        large when one channel is the other inverted.
        """
        left, right = energy[0], energy[1]
        mono = (left + right + 2.0 * cross) / 4.0
        stereo_w = self.weights[0] * left + self.weights[1] * right
        mono_w = (self.weights[0] + self.weights[1]) * mono
        s = _window_power(stereo_w, lengths, MOMENTARY_TICKS)[MOMENTARY_TICKS - 1 :][selected]
        m = _window_power(mono_w, lengths, MOMENTARY_TICKS)[MOMENTARY_TICKS - 1 :][selected]
        stereo_power, mono_power = float(s.sum()), float(max(m.sum(), 0.0))
        if stereo_power <= 0.0:
            return 0.0
        if mono_power <= stereo_power * 1e-6:
            return 60.0  # everything cancels; "60 dB or more"
        return round(10.0 * math.log10(stereo_power / mono_power), 2)


def _window_power(per_tick: np.ndarray, lengths: np.ndarray, ticks: int) -> np.ndarray:
    """Mean square over windows of ``ticks`` ticks ending at each tick. The first windows reach
    back before the start, where a meter that starts at zero sees silence."""
    if per_tick.shape[-1] == 0:
        return np.zeros(0)
    pad = np.zeros(ticks - 1)
    # Summing each window directly (not as differences of a running total) keeps quiet
    # windows after loud passages exact.
    totals = sliding_window_view(np.concatenate([pad, per_tick]), ticks).sum(axis=-1)
    # Ticks hold ⌊fs/10⌋ or ⌈fs/10⌉ samples; the true count matters only at rates that are
    # not a multiple of 10 Hz.
    spans = sliding_window_view(np.concatenate([pad + lengths[0], lengths]), ticks).sum(axis=-1)
    return totals / spans


def _gated_integrated(block_power: np.ndarray) -> tuple[float, np.ndarray]:
    """BS.1770-4 §2.8: absolute gate at -70 LKFS, then a relative gate 10 LU below the loudness
    of what passed; returns the loudness and which blocks counted."""
    if block_power.size == 0:
        return -math.inf, np.zeros(0, dtype=bool)
    loudness = _lufs(block_power)
    above = loudness > ABSOLUTE_GATE_LUFS
    if not above.any():
        return -math.inf, above
    relative = float(_lufs(block_power[above].mean())) + RELATIVE_GATE_LU
    selected = above & (loudness > relative)
    if not selected.any():
        return -math.inf, selected
    return float(_lufs(block_power[selected].mean())), selected


def _loudness_range(short_term_power: np.ndarray) -> float | None:
    """EBU Tech 3342: short-term values gated at -70 LUFS and 20 LU below their power mean;
    the spread between the 10th and 95th percentiles."""
    loudness = _lufs(short_term_power)
    kept = loudness[loudness > ABSOLUTE_GATE_LUFS]
    if kept.size == 0:
        return None
    gate = float(_lufs(short_term_power[loudness > ABSOLUTE_GATE_LUFS].mean()))
    kept = kept[kept > gate + LRA_RELATIVE_GATE_LU]
    if kept.size < 2:
        return 0.0
    low, high = np.percentile(kept, LRA_PERCENTILES)
    return float(high - low)


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float | None:
    """BS.1770-4 integrated loudness of an in-memory signal, shape (n,) or (n, channels)."""
    return measure(samples, sample_rate).integrated_lufs


def measure(samples: np.ndarray, sample_rate: int) -> LoudnessResult:
    """All loudness figures of an in-memory signal, shape (n,) or (n, channels)."""
    planar = np.atleast_2d(np.asarray(samples).T) if samples.ndim == 2 else samples[None, :]
    meter = LoudnessMeter(sample_rate, planar.shape[0])
    meter.process(planar)
    return meter.result()
