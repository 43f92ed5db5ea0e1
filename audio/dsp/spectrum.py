"""Spectral checks, streamed: a lossy codec's low-pass wall, mains hum and the stereo of the low
end (sibilance is in `sibilance`).

The cut-off, hum and low-end checks look at a thin sample of the audio (a few windows per
second, or a decimated copy). All cost little next to the loudness and peak work.
"""

from __future__ import annotations

import math

import numpy as np


class _Framer:
    """Cuts a stream of mono blocks into consecutive frames of ``size`` samples, whatever the
    block size: a frame begun in one block is completed from the next."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._carry = np.zeros(0, dtype=np.float32)

    def split(self, mono: np.ndarray) -> list[np.ndarray]:
        """The frames completed by this block, as arrays of shape (frames, size)."""
        out = []
        at = 0
        if self._carry.size:
            at = min(self.size - self._carry.size, mono.shape[0])
            self._carry = np.concatenate([self._carry, mono[:at]])
            if self._carry.size < self.size:
                return out
            out.append(self._carry[None, :])
        whole = (mono.shape[0] - at) // self.size * self.size
        if whole:
            out.append(mono[at : at + whole].reshape(-1, self.size))
        self._carry = mono[at + whole :].copy()
        return out


# --- Lossy cut-off --------------------------------------------------------------------------

CUTOFF_RANGE_HZ = (15_000.0, 20_500.0)  # where MP3/AAC/Vorbis encoders put their low-pass
CUTOFF_DROP_DB = 25.0  # a codec's wall; natural roll-off loses a few dB over the same span
CUTOFF_BAND_HZ = 1_000.0  # compared bands below and above a candidate edge
CUTOFF_GUARD_HZ = 250.0  # the edge itself takes a few hundred hertz
WINDOW = 4096
WINDOWS_PER_SECOND = 2


class CutoffDetector:
    """The average power spectrum of a sample of windows, and a search for a sharp wall."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.hop = max(WINDOW, sample_rate // WINDOWS_PER_SECOND)
        self._taper = np.hanning(WINDOW).astype(np.float32)
        self._power = np.zeros(WINDOW // 2 + 1)
        self._windows = 0
        self._position = 0  # of the next sample to arrive
        self._next = 0  # where the next window starts

    def process(self, mono: np.ndarray) -> None:
        n = mono.shape[0]
        starts = []
        # A window that would straddle two blocks moves to the start of the next one, so any
        # block size yields about the same windows.
        self._next = max(self._next, self._position)
        while self._next + WINDOW <= self._position + n:
            starts.append(self._next - self._position)
            self._next += self.hop
        self._position += n
        if not starts:
            return
        frames = np.stack([mono[s : s + WINDOW] for s in starts]) * self._taper
        spectra = np.fft.rfft(frames, axis=1)
        self._power += (spectra.real**2 + spectra.imag**2).sum(axis=0)
        self._windows += len(starts)

    def result(self) -> float | None:
        """The frequency of a codec-like wall, or None."""
        if self._windows == 0:
            return None
        return find_cutoff(self._power / self._windows, self.sample_rate)


def find_cutoff(power: np.ndarray, sample_rate: int) -> float | None:
    """Where the spectrum drops by at least CUTOFF_DROP_DB within a few hundred hertz and stays
    down to Nyquist, between 15 and 20.5 kHz; None if it nowhere does."""
    bins = power.shape[0]
    freqs = np.linspace(0.0, sample_rate / 2, bins)
    nyquist = sample_rate / 2
    db = 10.0 * np.log10(power + 1e-30)
    floor = float(np.percentile(db, 1))
    step = freqs[1]
    band, guard = int(CUTOFF_BAND_HZ / step), int(CUTOFF_GUARD_HZ / step)
    low, high = CUTOFF_RANGE_HZ
    best, best_drop = None, CUTOFF_DROP_DB
    for i in range(int(low / step), min(int(high / step), bins - guard - 2) + 1):
        above_end = min(i + guard + band, bins - 1)
        if above_end - (i + guard) < band // 4 or freqs[i] + CUTOFF_GUARD_HZ >= nyquist:
            break
        below = float(np.median(db[max(i - guard - band, 0) : i - guard]))
        above_band = db[i + guard : above_end]
        above = float(np.median(above_band))
        drop = below - above
        if drop <= best_drop or below - floor < CUTOFF_DROP_DB:
            continue
        # Nothing may come back up above the wall (a dip is not a cut-off).
        if float(np.percentile(db[i + guard :], 90)) > above + CUTOFF_DROP_DB / 2:
            continue
        best, best_drop = i, drop
    if best is None:
        return None
    # The edge: where the level first falls below halfway between the two plateaus.
    lo = max(best - guard - band, 0)
    below = float(np.median(db[lo : best - guard]))
    above = float(np.median(db[best + guard : best + guard + band]))
    half = (below + above) / 2
    region = db[best - guard : best + guard + 1]
    crossing = np.flatnonzero(region < half)
    index = best - guard + (int(crossing[0]) if crossing.size else guard)
    return round(float(freqs[index]), -1)


# --- Mains hum --------------------------------------------------------------------------------

HUM_WINDOW_S = 8.0  # 0.125 Hz resolution: hum at 50.0 Hz stands apart from a G1 at 49.0 Hz
HUM_MIN_WINDOW_S = 2.0
HUM_HARMONICS = 4
HUM_LINE_DB = 15.0  # the main line this far above its neighbourhood (±0.75..3 Hz)
HUM_HARMONIC_DB = 8.0  # and another harmonic at least this far
HUM_REFERENCE_HZ = (0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0)  # neighbours each side of a harmonic
HUM_SHARE = 0.5  # of the non-silent windows
# Frequencies that are no mains harmonic: a tone whose own harmonics happen to fall on 50/60 Hz
# multiples (a 20 Hz sawtooth, a comb of aliases) shows lines here too; hum does not.
HUM_PROBES_HZ = {50: (30.0, 40.0, 70.0, 75.0), 60: (40.0, 45.0, 80.0, 90.0)}


class HumDetector:
    """Mains hum: narrow lines at 50 or 60 Hz and their harmonics, in most windows.

    The mono sum is decimated by a plain average to about 1 kHz (enough for 240 Hz), then each
    8 s window's spectrum is checked for lines standing above their neighbourhood.
    """

    def __init__(self, sample_rate: int) -> None:
        self.factor = max(1, sample_rate // 1000)
        self.rate = sample_rate / self.factor
        self.window = int(HUM_WINDOW_S * self.rate)
        self._average = np.full(self.factor, 1.0 / self.factor, dtype=np.float32)
        self._groups = _Framer(self.factor)
        self._pending: list[np.ndarray] = []
        self._pending_len = 0
        self._votes = {50: 0, 60: 0}
        self._windows = 0
        self._layouts: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def process(self, mono: np.ndarray) -> None:
        # Average whole groups with a matrix-vector product (far faster than a mean over a
        # short axis).
        parts = [groups @ self._average for groups in self._groups.split(mono)]
        if not parts:
            return
        small = np.concatenate(parts)
        self._pending.append(small)
        self._pending_len += small.shape[0]
        if self._pending_len >= self.window:
            joined = np.concatenate(self._pending)
            whole = joined.shape[0] // self.window * self.window
            for begin in range(0, whole, self.window):
                self._judge(joined[begin : begin + self.window])
            self._pending = [joined[whole:]]
            self._pending_len = joined.shape[0] - whole

    def _judge(self, chunk: np.ndarray) -> None:
        if float(np.abs(chunk).max()) < 1e-4:
            return  # silence says nothing about hum
        n = chunk.shape[0]
        size = 1 << (2 * n - 1).bit_length()  # zero-padded to at least twice the length
        taper, peaks, refs = self._layout(n, size)
        spectrum = np.fft.rfft((chunk - chunk.mean()) * taper, size)
        power = spectrum.real**2 + spectrum.imag**2
        self._windows += 1
        # Per mains frequency, for each harmonic and probe: the line (the largest of 5 bins
        # around it) over the median of its neighbourhood.
        ratios = 10 * np.log10(
            power[peaks].max(axis=-1) / (np.median(power[refs], axis=-1) + 1e-30) + 1e-30
        )
        for mains, line in zip((50, 60), ratios, strict=True):
            # A strong line at the mains frequency with at least one more harmonic showing (a
            # note that happens to sit at 50 Hz has no reason to bring 100 or 150 Hz at exactly
            # those frequencies), and no lines where a finer comb would put them.
            harmonics, probes = line[1:HUM_HARMONICS], line[HUM_HARMONICS:]
            if (
                line[0] >= HUM_LINE_DB
                and harmonics.max() >= HUM_HARMONIC_DB
                and probes.max() < HUM_HARMONIC_DB
            ):
                self._votes[mains] += 1

    def _layout(self, n: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The taper and the bin indices of each line and its neighbours, per window size."""
        if (n, size) not in self._layouts:
            self._layouts[n, size] = self._make_layout(n, size)
        return self._layouts[n, size]

    def _make_layout(self, n: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        resolution = self.rate / size
        f = np.array(
            [
                [m * h for h in range(1, HUM_HARMONICS + 1)] + list(HUM_PROBES_HZ[m])
                for m in (50, 60)
            ]
        )
        centre = np.rint(f / resolution).astype(int)
        peaks = centre[..., None] + np.arange(-2, 3)
        offsets = np.concatenate([-np.array(HUM_REFERENCE_HZ), np.array(HUM_REFERENCE_HZ)])
        refs = np.rint((f[..., None] + offsets) / resolution).astype(int)
        return np.hanning(n), peaks, refs

    def result(self) -> int | None:
        if self._pending_len >= HUM_MIN_WINDOW_S * self.rate and self._windows == 0:
            self._judge(np.concatenate(self._pending))
        if self._windows == 0:
            return None
        mains = max(self._votes, key=self._votes.get)
        return mains if self._votes[mains] >= max(1, HUM_SHARE * self._windows) else None


# --- The low end's stereo (for a cutting master) -----------------------------------------------

# A cutting master wants bass and kick centred in mono below about 150 Hz: out-of-phase lows cut
# a groove that moves up and down, which the lathe and the stylus handle badly (16 Kilohertz,
# "How to prepare a suitable cutting master"; Wolfpack, "correlation never negative").
LOW_END_HZ = (20.0, 150.0)
LOW_END_WINDOW_S = 0.18  # about 5 Hz a bin: some twenty bins below 150 Hz
LOW_END_WINDOWS_PER_SECOND = 2
LOW_END_MIN_LEVEL = 1e-7  # mean square in the band; below -70 dBFS there is no low end to judge


class LowEndMeter:
    """Correlation of left and right below 150 Hz, from spectra of a sample of windows:
    Σ Re(L·R*) / √(Σ|L|² Σ|R|²) over the band's bins, read as a correlation meter is (+1 mono,
    0 unrelated, -1 out of phase).

    Only the twenty-odd bins of the band are needed, so each window's are one matrix product
    with a tapered cosine/sine basis rather than a whole FFT.
    """

    def __init__(self, sample_rate: int) -> None:
        self.window = 1 << math.ceil(math.log2(sample_rate * LOW_END_WINDOW_S))
        self.hop = max(self.window, sample_rate // LOW_END_WINDOWS_PER_SECOND)
        freqs = np.fft.rfftfreq(self.window, 1.0 / sample_rate)
        low, high = LOW_END_HZ
        bins = np.flatnonzero((freqs >= low) & (freqs <= high))
        taper = np.hanning(self.window)
        angle = 2.0 * np.pi * np.outer(np.arange(self.window), bins) / self.window
        basis = np.hstack([np.cos(angle), np.sin(angle)]) * taper[:, None]
        self._basis = basis.astype(np.float32)  # (window, 2 × bins): real and imaginary parts
        self._power_scale = 2.0 / (self.window * float(np.sum(taper**2)))
        self._sums = np.zeros(3)  # Σ|L|², Σ|R|², Σ Re(L·R*)
        self._windows = 0
        self._position = 0  # of the next sample to arrive
        self._next = 0  # windows start at fixed positions, whatever the block size
        self._carry = np.zeros((2, 0), dtype=np.float32)  # from _next on, when it has begun

    def process(self, block: np.ndarray) -> None:
        pair = block[:2]
        start, end = self._position, self._position + pair.shape[1]
        self._position = end
        frames = []
        while self._next + self.window <= end:
            at = self._next - start
            if at >= 0:
                frames.append(pair[:, at : at + self.window])
            else:  # began in an earlier block, kept in the carry
                frames.append(np.concatenate([self._carry, pair[:, : self.window + at]], axis=1))
            self._next += self.hop
        at = self._next - start
        if self._next >= end:
            self._carry = self._carry[:, :0]
        elif at >= 0:
            self._carry = pair[:, at:].copy()
        else:
            self._carry = np.concatenate([self._carry, pair], axis=1)
        if frames:
            self._add(np.stack(frames, axis=1))

    def _add(self, frames: np.ndarray) -> None:
        """frames: (2, windows, window)."""
        count = frames.shape[1]
        parts = frames.reshape(2 * count, self.window) @ self._basis
        left, right = parts[:count].astype(np.float64), parts[count:].astype(np.float64)
        self._sums += (
            float(np.sum(left * left)),
            float(np.sum(right * right)),
            float(np.sum(left * right)),  # Re(L·R*) = Lr·Rr + Li·Ri
        )
        self._windows += count

    def result(self) -> float | None:
        """The correlation below 150 Hz, or None when there is (almost) nothing down there."""
        if self._windows == 0:
            return None
        left, right, cross = self._sums
        mean_square = (left + right) / 2 * self._power_scale / self._windows
        if mean_square < LOW_END_MIN_LEVEL or left <= 0.0 or right <= 0.0:
            return None
        return max(-1.0, min(1.0, cross / math.sqrt(left * right)))
