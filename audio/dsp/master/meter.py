"""The measurements mastering steers by: BS.1770 loudness and oversampled (4×, 8×) peaks.

Mastering holds the whole track in memory, so these work on planar (channels, n) float32
arrays in one go rather than streaming. The K-weighting filter and the gating follow ITU-R
BS.1770-4 (filter coefficients from `audio.dsp.loudness`, the project's meter); the loudness
of a signal is built from per-100 ms energy "ticks", so the gain search can re-weight the
same ticks under a new gain envelope without filtering again.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import signal

from ..loudness import channel_weights, k_weighting_sos
from ..peaks import KAISER_BETA, OVERSAMPLING, TAPS, interpolation_filters

TICKS_PER_SECOND = 10  # BS.1770-4: 400 ms gating blocks overlapping by 75 %, i.e. 100 ms steps
BLOCK_TICKS = 4
ABSOLUTE_GATE_LUFS = -70.0  # BS.1770-4 §2.8
RELATIVE_GATE_LU = -10.0
LUFS_OFFSET = -0.691  # BS.1770-4 eq. 2
CHUNK = 1 << 16  # samples per step of the chunked loops: a few MB of scratch, cache-friendly


def tick_starts(count: int, sample_rate: int, step: int = 1) -> np.ndarray:
    """Index of the first of ``count`` per-step values in each 100 ms tick (tick k starts at
    sample ⌊k·fs/10⌋; a step belongs to the tick its first sample falls in). Ticks that no
    step starts in are merged into their neighbour, which only happens when a step is longer
    than a tick."""
    n_samples = count * step
    ticks = -(-n_samples * TICKS_PER_SECOND // sample_rate)
    first_sample = (np.arange(ticks, dtype=np.int64) * sample_rate) // TICKS_PER_SECOND
    starts = np.unique(-(-first_sample // step))
    return starts[starts < count]


def kweighted_power(planar: np.ndarray, sample_rate: int, step: int = 1) -> np.ndarray:
    """Σ_c G_c·(K-weighted x_c)² summed over consecutive runs of ``step`` samples.

    With ``step`` 1 this is per sample; the limiter asks for one value per control step, which
    is all the gain search needs. The filter runs in float64, chunk by chunk.
    """
    channels, n = planar.shape
    weights = channel_weights(channels)
    sos = k_weighting_sos(sample_rate)
    state = np.zeros((channels, sos.shape[0], 2))
    # Shape the state for sosfilt: (sections, channels, 2).
    state = np.ascontiguousarray(state.transpose(1, 0, 2))
    out = np.zeros(-(-n // step))
    chunk = CHUNK - CHUNK % step if step > 1 else CHUNK
    for start in range(0, n, chunk):
        block = planar[:, start : start + chunk]
        filtered, state = signal.sosfilt(sos, block, axis=1, zi=state)
        np.square(filtered, out=filtered)
        power = weights @ filtered
        m = power.shape[0]
        whole = m - m % step
        first = start // step
        if whole:
            out[first : first + whole // step] = power[:whole].reshape(-1, step).sum(axis=1)
        if whole < m:
            out[first + whole // step] = power[whole:].sum()
    return out


def tick_sums(
    power: np.ndarray, starts: np.ndarray, step: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Per-step ``power`` summed into the ticks that begin at ``starts`` (see `tick_starts`);
    returns (sums, samples per tick)."""
    sums = np.add.reduceat(power, starts) if power.shape[0] else np.zeros(0)
    lengths = np.diff(np.append(starts, power.shape[0])).astype(np.float64) * step
    return sums, lengths


def gated_loudness(sums: np.ndarray, lengths: np.ndarray) -> float:
    """BS.1770-4 integrated loudness from per-tick weighted energy: 400 ms blocks every
    100 ms, absolute gate at -70 LUFS, relative gate 10 LU below. -inf when all is gated."""
    if sums.shape[0] < BLOCK_TICKS:
        # Shorter than one gating block: BS.1770 has no figure; use the whole signal.
        total = lengths.sum()
        return _lufs(sums.sum() / total) if total else -math.inf
    kernel = np.ones(BLOCK_TICKS)
    energy = np.convolve(sums, kernel, mode="valid")
    samples = np.convolve(lengths, kernel, mode="valid")
    keep = samples > 0
    power = energy[keep] / samples[keep]
    with np.errstate(divide="ignore"):
        loudness = LUFS_OFFSET + 10.0 * np.log10(power)
    above = loudness > ABSOLUTE_GATE_LUFS
    if not above.any():
        return -math.inf
    relative = _lufs(power[above].mean()) + RELATIVE_GATE_LU
    selected = above & (loudness > relative)
    return _lufs(power[selected].mean())


def integrated_lufs(planar: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS) of a planar signal. The one place mastering measures it."""
    power = kweighted_power(planar, sample_rate)
    return gated_loudness(*tick_sums(power, tick_starts(power.shape[0], sample_rate)))


def _lufs(power: float) -> float:
    return LUFS_OFFSET + 10.0 * math.log10(power) if power > 0 else -math.inf


# --- Oversampled peaks ------------------------------------------------------------------------

# The limiter steers by 8× peaks: a 4× grid can miss up to 0.5 dB of a peak made of content
# near 20 kHz (drum noise, clipped mixes) where 8× misses 0.14 dB, so an 8× (or analogue)
# reading of the master also stays under the ceiling. Reports give the 4× BS.1770 figure.
STEERING_OVERSAMPLING = 8

# Meters differ above about 20 kHz. Liner's interpolator (32 taps a phase) is flat to 19 kHz and
# falls off above; the short filters of BS.1770-4's Annex 2 example (48 taps in all, 12 a phase)
# and of libebur128 and ffmpeg pass more of the top octave. A limiter steered by one meter
# piles its leftover peaks where that meter looks away: masters held at -1.1 dBTP by Liner's
# reading read -0.91 to -0.95 in libebur128. So the result is also checked with a short filter
# of the same design, and corrected until both readings hold the ceiling.
CROSS_CHECK_TAPS = 12
CROSS_CHECK_BETA = 5.0


def interpolation_phases(factor: int, *, taps: int = TAPS, beta: float = KAISER_BETA) -> np.ndarray:
    """Fractional-delay filters for the points between samples at ``factor``× oversampling,
    shape (factor - 1, taps). At 4× with the default design these are `audio.dsp.peaks`'s own,
    so mastering measures true peak exactly as analysis does; other factors and designs use
    the same construction (Kaiser-windowed sinc, each phase at unity gain at DC)."""
    if factor == OVERSAMPLING and (taps, beta) == (TAPS, KAISER_BETA):
        return interpolation_filters()
    k = np.arange(-taps // 2 + 1, taps // 2 + 1, dtype=np.float64)
    rows = []
    for p in range(1, factor):
        t = k - p / factor
        window = np.i0(beta * np.sqrt(np.clip(1.0 - (t / (taps / 2)) ** 2, 0.0, None)))
        h = np.sinc(t) * window
        rows.append(h / h.sum())
    return np.array(rows)


class PeakDetector:
    """Largest |x| of the ``factor``× oversampled signal in every run of ``step`` samples,
    over all channels, including the points between a run's last sample and the next run's
    first.

    The phases for a stretch of ``rows`` outputs are one product of overlapping frames of the
    input with a banded matrix (each column one phase at one position), so the work is a few
    large BLAS products instead of per-sample filtering.
    """

    def __init__(
        self,
        step: int,
        *,
        factor: int = OVERSAMPLING,
        rows: int = 32,
        taps: int = TAPS,
        beta: float = KAISER_BETA,
    ) -> None:
        if rows % step:
            raise ValueError("rows must be a multiple of step")
        phases = interpolation_phases(factor, taps=taps, beta=beta)
        self.step = step
        self.rows = rows
        self.taps = phases.shape[1]
        self.width = rows + self.taps - 1
        count = phases.shape[0]
        matrix = np.zeros((self.width, count * rows), dtype=np.float32)
        for f in range(count):
            for r in range(rows):
                matrix[r : r + self.taps, f * rows + r] = phases[f]
        self._matrix = matrix
        self._count = count

    def envelope(self, planar: np.ndarray) -> np.ndarray:
        """Peak magnitude (linear) per run of ``step`` samples, shape (ceil(n/step),)."""
        channels, n = planar.shape
        step, rows, taps = self.step, self.rows, self.taps
        lead = taps // 2 - 1
        frames_total = -(-n // rows)
        per_frame = rows // step
        out = np.zeros(frames_total * per_frame, dtype=np.float32)
        chunk_frames = max(CHUNK // rows, 1)
        buf = np.zeros(chunk_frames * rows + taps - 1, dtype=np.float32)
        between = np.empty((chunk_frames, self._count * rows), dtype=np.float32)
        for c in range(channels):
            x = planar[c]
            for f0 in range(0, frames_total, chunk_frames):
                frames = min(chunk_frames, frames_total - f0)
                start = f0 * rows - lead
                span = frames * rows + taps - 1
                lo, hi = max(start, 0), min(start + span, n)
                if lo - start or hi - start < span:
                    buf[:span] = 0.0  # before the start or past the end: silence
                buf[lo - start : hi - start] = x[lo:hi]
                windows = np.lib.stride_tricks.as_strided(
                    buf, (frames, self.width), (rows * buf.strides[0], buf.strides[0])
                )
                b = between[:frames]
                np.matmul(windows, self._matrix, out=b)
                np.abs(b, out=b)
                peak = b[:, :rows]
                for f in range(1, self._count):
                    np.maximum(peak, b[:, f * rows : (f + 1) * rows], out=peak)
                # The samples themselves (phase 0).
                own = buf[lead : lead + frames * rows].reshape(frames, rows)
                np.maximum(peak, np.abs(own), out=peak)
                seg = out[f0 * per_frame : (f0 + frames) * per_frame].reshape(frames, per_frame)
                np.maximum(seg, _max_runs(peak, step), out=seg)
        return out[: -(-n // step)]


def _max_runs(a: np.ndarray, step: int) -> np.ndarray:
    """Maximum over consecutive runs of ``step`` columns of a 2-D array, by halving (a
    reduction along a short last axis is several times slower in numpy)."""
    while step > 1 and step % 2 == 0:
        a = a.reshape(a.shape[0], -1, 2)
        a = np.maximum(a[:, :, 0], a[:, :, 1])
        step //= 2
    if step > 1:
        a = a.reshape(a.shape[0], -1, step).max(axis=2)
    return a


def true_peak_dbtp(
    planar: np.ndarray, factor: int = OVERSAMPLING, *, taps: int = TAPS, beta: float = KAISER_BETA
) -> float:
    """Oversampled true peak (dBTP) over all channels; -inf for digital silence. At the
    default 4× this is BS.1770-4's true peak, as `audio.dsp.analysis` reports it."""
    return _dbtp(PeakDetector(1, factor=factor, taps=taps, beta=beta), planar)


def _dbtp(detector: PeakDetector, planar: np.ndarray) -> float:
    peak = float(detector.envelope(planar).max(initial=0.0))
    return 20.0 * math.log10(peak) if peak > 0 else -math.inf


def cross_check_detector(step: int) -> PeakDetector:
    """A 4× detector with a short interpolator like BS.1770-4 Annex 2's example filter (see
    CROSS_CHECK_TAPS): what other meters are likely to read."""
    return PeakDetector(step, factor=OVERSAMPLING, taps=CROSS_CHECK_TAPS, beta=CROSS_CHECK_BETA)


def cross_check_peak_dbtp(planar: np.ndarray) -> float:
    """True peak as `cross_check_detector` reads it; -inf for digital silence."""
    return _dbtp(cross_check_detector(1), planar)
