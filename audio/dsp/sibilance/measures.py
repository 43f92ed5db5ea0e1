"""The sibilance detector's parts: its tape of recent audio, the taper, and the tone and voice
measures."""

from __future__ import annotations

import heapq
import math

import numpy as np

from .thresholds import (
    PITCH_HZ,
    SIBILANCE_HZ,
    TONE_WINDOW_S,
    VOICE_FLOOR_DBFS,
    VOICE_HZ,
    VOICE_WINDOW_S,
)


class _Tape:
    """The recent blocks of a stream, readable by absolute sample position."""

    def __init__(self) -> None:
        self._blocks: list[tuple[int, np.ndarray]] = []  # (start, samples)
        self._end = 0

    @property
    def end(self) -> int:
        return self._end

    def add(self, samples: np.ndarray) -> None:
        self._blocks.append((self._end, samples))
        self._end += samples.shape[0]

    def forget(self, before: int) -> None:
        while len(self._blocks) > 1 and self._blocks[1][0] <= before:
            self._blocks.pop(0)

    def read(self, lo: int, hi: int, dtype=np.float64) -> np.ndarray:
        """Samples lo..hi-1, zero where the stream has none (before its start, after its
        end, or forgotten)."""
        out = np.empty(hi - lo, dtype=dtype)
        filled = lo
        for start, samples in self._blocks:
            a, b = max(lo, start), min(hi, start + samples.shape[0])
            if a < b:
                out[filled - lo : a - lo] = 0.0
                out[a - lo : b - lo] = samples[a - start : b - start]
                filled = b
        out[filled - lo :] = 0.0
        return out


def _windows(x: np.ndarray, size: int, step: int = 1) -> np.ndarray:
    """Read-only view of ``x`` (1-D, contiguous) as windows of ``size`` every ``step``: what
    sliding_window_view(x, size)[::step] gives, without its checks (a good part of the cost on
    the short arrays here)."""
    count = max((x.shape[0] - size) // step + 1, 0)
    item = x.strides[0]
    return np.lib.stride_tricks.as_strided(
        x, (count, size), (item * step, item), subok=False, writeable=False
    )


def _median(x: np.ndarray) -> np.ndarray:
    """np.median along the first axis, by a sort: the same values, without np.median's
    overhead, which on the few dozen values of a burst is most of its cost."""
    ordered = np.sort(x, axis=0)
    n = ordered.shape[0]
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


def _power(db: float) -> float:
    return 10.0 ** (db / 10.0)


def _tukey(size: int, ramp: int) -> np.ndarray:
    """Flat, with raised-cosine ends of ``ramp`` samples, as float32."""
    taper = np.ones(size)
    rise = 0.5 - 0.5 * np.cos(np.pi * (np.arange(ramp) + 0.5) / ramp)
    taper[:ramp], taper[size - ramp :] = rise, rise[::-1]
    return taper.astype(np.float32)


def _keep(listed: list[tuple[float, float]], n: int) -> list[tuple[float, float]]:
    """Drop the bursts that can never be among the first ``n`` to pass the final level: those
    with ``n`` earlier bursts at least as loud (which would pass before them)."""
    kept, loudest = [], []  # loudest: a min-heap of the n loudest levels so far
    for t, level in listed:
        if len(loudest) < n or level > loudest[0]:
            kept.append((t, level))
        if len(loudest) < n:
            heapq.heappush(loudest, level)
        elif level > loudest[0]:
            heapq.heapreplace(loudest, level)
    return kept


def _tone_layout(rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Taper and the bin indices of each 500 Hz slice of the band, for `_flatness`."""
    size = 1 << round(math.log2(rate * TONE_WINDOW_S))
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    edges = np.arange(SIBILANCE_HZ[0], min(SIBILANCE_HZ[1], 0.95 * rate / 2) - 1.0, 500.0)
    width = int(500.0 // freqs[1])
    first = np.searchsorted(freqs, edges)
    return np.hanning(size), first[:, None] + np.arange(width)


# --- The voice test -------------------------------------------------------------------------------


def _voice_layout(rate: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, slice, int]:
    """Taper, band mask, the taper's own autocorrelation, the lag range and the whitening
    width for `_harmonicity` on audio at ``rate``."""
    size = 1 << round(math.log2(rate * VOICE_WINDOW_S))
    taper = np.hanning(size)
    freqs = np.fft.rfftfreq(2 * size, 1.0 / rate)
    band = (freqs >= VOICE_HZ[0]) & (freqs <= VOICE_HZ[1])
    own = np.fft.irfft(np.abs(np.fft.rfft(taper, 2 * size)) ** 2)[:size]
    lags = slice(int(rate / PITCH_HZ[1]), int(rate / PITCH_HZ[0]) + 1)
    width = max(2, int(round(75.0 / freqs[1])))  # about 75 Hz each side
    return taper, band, own / own[0], lags, width


def _harmonicity(windows: np.ndarray, layout) -> np.ndarray:
    """Per window, how harmonic 80 Hz-3 kHz is, 0 (noise, a lone sine) to 1 (a voice).

    The spectrum is whitened (each bin over the mean of its ±75 Hz neighbourhood, square-rooted)
    so that a comb of many harmonics counts, not a loud single partial or a spectral tilt; its
    autocorrelation at the best lag for a pitch of 80-1000 Hz, corrected for the taper, is the
    measure (a sung vowel reads about 0.8, noise and drums about 0.1, sine chords below 0.1).
    Windows quieter than VOICE_FLOOR_DBFS in the band read 0."""
    taper, band, own, lags, width = layout
    size = windows.shape[1]
    spectrum = np.fft.rfft(windows * taper, 2 * size, axis=1)
    power = np.where(band, spectrum.real**2 + spectrum.imag**2, 0.0)
    total = np.cumsum(np.pad(power, ((0, 0), (width + 1, width))), axis=1)
    mean = (total[:, 2 * width + 1 :] - total[:, : -2 * width - 1]) / (2 * width + 1)
    white = np.where(band, np.sqrt(power / (mean + 1e-30)), 0.0)
    corr = np.fft.irfft(white, axis=1)[:, :size]
    measure = (corr[:, lags] / (corr[:, :1] + 1e-30) / own[lags]).max(axis=1)
    scale = 2.0 / (2 * size * float(np.sum(taper**2)))
    level = power.sum(axis=1) * scale
    return np.where(level >= 10 ** (VOICE_FLOOR_DBFS / 10), np.minimum(measure, 1.0), 0.0)
