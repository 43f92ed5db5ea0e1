"""Sibilance, streamed: loud bursts in the 5-10 kHz band of the mono sum.

It takes every other 23 ms frame of the mono sum, one short float32 FFT each, which costs little
next to the loudness and peak work.
"""

from __future__ import annotations

import math

import numpy as np

from .spectrum import _Framer

# --- Sibilance ----------------------------------------------------------------------------------

# Sibilants ('s', 'sh', 't') put short bursts of energy where de-essers work, about 5-10 kHz. They
# are harsh on any system and distort on vinyl, where high frequencies at high level are what a
# cutter head and a stylus handle worst. Liner looks for short bursts in that band that stand well
# above the band's usual level (hi-hats and cymbals set that level, so a steady bright mix is not
# flagged) and are loud in absolute terms. A heuristic, not a vocal detector: it gives the times,
# so the user can listen there.
SIBILANCE_HZ = (5_000.0, 10_000.0)
SIBILANCE_FRAME_S = 0.023  # 1024 samples at 44.1/48 kHz
SIBILANCE_STRIDE = 2  # every other frame: a sibilant (50 ms or more) still spans one or more
SIBILANCE_REFERENCE_PERCENTILE = 90.0  # of the band's frame levels, ignoring digital silence
SIBILANCE_RISE_DB = 6.0  # above that reference
SIBILANCE_FLOOR_DBFS = -30.0  # mean square in the band; quieter bursts harm nothing
SIBILANCE_MERGE_S = 0.1  # bursts this close together are one event
SIBILANCE_LISTED = 20


class SibilanceDetector:
    """Level of the 5-10 kHz band of the mono sum in 23 ms frames (every other one: the
    analysis's costliest thread pays for this), and the bursts that stand out of it."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.frame = 1 << round(math.log2(sample_rate * SIBILANCE_FRAME_S))
        freqs = np.fft.rfftfreq(self.frame, 1.0 / sample_rate)
        low, high = SIBILANCE_HZ
        band = np.flatnonzero((freqs >= low) & (freqs <= min(high, sample_rate / 2)))
        self._bins = slice(int(band[0]), int(band[-1]) + 1) if band.size else slice(0, 0)
        self._taper = np.hanning(self.frame).astype(np.float32)
        self._scale = 2.0 / (self.frame * float(np.sum(self._taper.astype(np.float64) ** 2)))
        self._framer = _Framer(self.frame)
        self._frames = 0  # whole frames seen so far, measured or not
        self._levels: list[np.ndarray] = []  # of frames 0, STRIDE, 2·STRIDE, ...

    def process(self, mono: np.ndarray) -> None:
        for frames in self._framer.split(mono):
            self._add(frames)

    def _add(self, frames: np.ndarray) -> None:
        first = -self._frames % SIBILANCE_STRIDE  # the first of these on the stride
        self._frames += frames.shape[0]
        frames = frames[first::SIBILANCE_STRIDE]
        if frames.shape[0] == 0:
            return
        band = np.fft.rfft(frames * self._taper, axis=1)[:, self._bins]
        power = np.einsum("ij,ij->i", band.real, band.real) + np.einsum(
            "ij,ij->i", band.imag, band.imag
        )
        self._levels.append(power.astype(np.float64) * self._scale)

    def result(self) -> tuple[int, list[dict[str, float]]]:
        """(how many bursts, the first SIBILANCE_LISTED as {"time_s", "level_dbfs"})."""
        if not self._levels:
            return 0, []
        mean_square = np.concatenate(self._levels)
        audible = mean_square[mean_square > 1e-12]
        if audible.size == 0:
            return 0, []
        with np.errstate(divide="ignore"):
            level = 10.0 * np.log10(mean_square)
        reference = 10.0 * math.log10(np.percentile(audible, SIBILANCE_REFERENCE_PERCENTILE))
        threshold = max(reference + SIBILANCE_RISE_DB, SIBILANCE_FLOOR_DBFS)
        hot = np.flatnonzero(level >= threshold)
        if hot.size == 0:
            return 0, []
        # Runs of hot frames, merging those less than SIBILANCE_MERGE_S apart.
        step_s = SIBILANCE_STRIDE * self.frame / self.sample_rate
        breaks = np.flatnonzero(np.diff(hot) * step_s > SIBILANCE_MERGE_S)
        starts = np.concatenate([[0], breaks + 1])
        ends = np.concatenate([breaks + 1, [hot.size]])
        listed = []
        for s, e in zip(starts[:SIBILANCE_LISTED], ends[:SIBILANCE_LISTED], strict=True):
            frames = hot[s:e]
            loudest = int(frames[np.argmax(level[frames])])
            listed.append(
                {
                    "time_s": round(loudest * step_s, 2),
                    "level_dbfs": round(float(level[loudest]), 1),
                }
            )
        return int(starts.size), listed
