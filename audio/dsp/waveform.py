"""Waveform overviews: min and max per pixel column at a few zoom levels, streamed."""

from __future__ import annotations

import numpy as np

DEFAULT_COLUMNS = (512, 2048, 8192)
DECIMALS = 3  # a 1000-pixel-tall waveform cannot show more


class WaveformAccumulator:
    """Per-column extremes over all channels, for columns that split ``frames`` evenly.

    Column j of a level with C columns covers frames ⌊j·N/C⌋ .. ⌊(j+1)·N/C⌋; coarser levels are
    folded from the finest when its column count is a multiple of theirs, so the file is
    reduced once.
    """

    def __init__(self, frames: int, columns: tuple[int, ...] = DEFAULT_COLUMNS) -> None:
        self.frames = max(int(frames), 1)
        self.columns = tuple(sorted({int(c) for c in columns if c > 0}))
        self.finest = max(self.columns)
        self._top = np.full(self.finest, -np.inf, dtype=np.float32)
        self._bottom = np.full(self.finest, np.inf, dtype=np.float32)
        self._bounds = (np.arange(self.finest + 1, dtype=np.int64) * self.frames) // self.finest
        self.position = 0

    def process(self, block: np.ndarray) -> None:
        """``block``: planar (channels, n)."""
        n = block.shape[1]
        start, end = self.position, self.position + n
        self.position = end
        end = min(end, self.frames)  # a stream longer than announced (MP3 estimates)
        if end <= start:
            return
        first = int(np.searchsorted(self._bounds, start, side="right")) - 1
        last = int(np.searchsorted(self._bounds, end - 1, side="right")) - 1
        cuts = np.clip(self._bounds[first : last + 1] - start, 0, None)
        cuts[0] = 0
        # Empty columns (more columns than frames) would make reduceat repeat a sample.
        cuts, where = np.unique(cuts, return_index=True)
        part = block[:, : end - start]
        top = np.maximum.reduceat(part, cuts, axis=1).max(axis=0)
        bottom = np.minimum.reduceat(part, cuts, axis=1).min(axis=0)
        index = first + where
        np.maximum.at(self._top, index, top)
        np.minimum.at(self._bottom, index, bottom)

    def result(self, duration_s: float) -> dict:
        top, bottom = self._top.copy(), self._bottom.copy()
        empty = ~np.isfinite(top)
        top[empty], bottom[empty] = 0.0, 0.0
        levels = {}
        for count in self.columns:
            if self.finest % count == 0:
                group = self.finest // count
                t = top.reshape(count, group).max(axis=1)
                b = bottom.reshape(count, group).min(axis=1)
            else:
                # Not a divisor of the finest level: place each fine column by its centre.
                which = (np.arange(self.finest) * count) // self.finest
                t = np.full(count, -np.inf, dtype=np.float32)
                b = np.full(count, np.inf, dtype=np.float32)
                np.maximum.at(t, which, top)
                np.minimum.at(b, which, bottom)
            levels[str(count)] = {
                "min": np.round(b.astype(np.float64), DECIMALS).tolist(),
                "max": np.round(t.astype(np.float64), DECIMALS).tolist(),
            }
        return {"duration_s": round(duration_s, 3), "columns": list(self.columns), "levels": levels}
