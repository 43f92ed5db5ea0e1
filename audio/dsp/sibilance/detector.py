"""The streaming detector; see the package's docstring for what it counts."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .measures import (
    _harmonicity,
    _keep,
    _median,
    _power,
    _Tape,
    _tone_layout,
    _tukey,
    _voice_layout,
    _windows,
)
from .thresholds import (
    _HISTOGRAM_DB,
    AIR_DB,
    AIR_HZ,
    CONTEXT_S,
    DRIFT_DB,
    EXTENT_DB,
    FILL_DB,
    FLATNESS,
    HOP,
    LONG_S,
    MAX_S,
    MIDS_DB,
    MIDS_HZ,
    MIN_S,
    PERIOD_S,
    PERIOD_SIMILAR_DB,
    PERIOD_TOLERANCE,
    PERIOD_TOLERANCE_S,
    SCREEN_AIR_DB,
    SIBILANCE_FLOOR_DBFS,
    SIBILANCE_FRAME_S,
    SIBILANCE_HZ,
    SIBILANCE_LISTED,
    SIBILANCE_REFERENCE_PERCENTILE,
    SIBILANCE_RISE_DB,
    SPLIT_HZ,
    STEP_S,
    VOICED,
)


@dataclass
class _Burst:
    peak: int  # frame index
    start: int
    end: int  # inclusive
    level_db: float
    time_s: float
    frame_levels: np.ndarray = field(repr=False)  # dB, of the burst's frames


class SibilanceDetector:
    """The sibilant bursts of a stream of mono blocks; `result` gives the count and the first
    SIBILANCE_LISTED."""

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = rate = sample_rate
        self.frame = 1 << round(math.log2(rate * SIBILANCE_FRAME_S))
        self.hop = int(self.frame * HOP)
        freqs = np.fft.rfftfreq(self.frame, 1.0 / rate)

        def bins(low: float, high: float) -> np.ndarray:
            return (freqs >= low) & (freqs < min(high, 0.95 * rate / 2))

        band, air = bins(*SIBILANCE_HZ), bins(*AIR_HZ)
        low, high = bins(SIBILANCE_HZ[0], SPLIT_HZ), bins(SPLIT_HZ, SIBILANCE_HZ[1])
        masks = np.stack([band, air, low, high, bins(*MIDS_HZ)], axis=1)
        used = np.flatnonzero(masks.any(axis=1))
        self._bins = slice(int(used.min(initial=0)), int(used.max(initial=-1)) + 1)
        self._has_air = bool(air.sum() * (freqs[1] or 1.0) >= 2_000.0)
        # A Tukey taper: flat, with raised-cosine ends as long as the overlap, so the frames'
        # weights add up to about one everywhere (a Hann frame would all but miss what falls
        # between two frames without overlapping by half, at twice the cost).
        self._taper = _tukey(self.frame, self.frame - self.hop)
        scale = 2.0 / (self.frame * float(np.sum(self._taper.astype(np.float64) ** 2)))
        # Power per band as the mean square of the band-passed signal.
        self._masks = (masks[self._bins] * scale).astype(np.float32)
        self._next = 0  # the first frame not yet measured (or, when odd, not yet decided)
        self._hop_s = self.hop / rate
        self._min = max(2, math.ceil(MIN_S / self._hop_s))
        self._max = int(MAX_S / self._hop_s)
        self._long = int(LONG_S / self._hop_s)
        self._context = int(round(CONTEXT_S / self._hop_s))
        self._local = 3  # a peak is the loudest frame within this many each side
        # Frames: levels (mean square) per band, from _base on.
        self._base = 0
        self._levels = np.zeros((0, masks.shape[1]))
        self._db = np.zeros(0)
        # The audio itself, for the tone and voice tests.
        self._tape = _Tape()
        self._tone_layout = _tone_layout(rate)
        self._cursor = 0  # frames before this have been looked at for bursts
        self._after_last = 0  # the frame after the last burst's end
        self._factor = max(1, rate // 11_025)  # the voice test decimates to about 11 kHz
        self._voice_layout = _voice_layout(rate / self._factor)
        # Bursts with a sibilant's shape, waiting for the pattern test; recent ones (the pattern).
        self._pending: list[_Burst] = []
        self._recent: list[tuple[float, float]] = []  # (time_s, level_db)
        self._horizon_s = 3 * PERIOD_S[1] + 0.1
        # What the reference, the count and the list need at the end, in fixed space.
        low, high, step = _HISTOGRAM_DB
        self._hist_bins = int((high - low) / step) + 1
        self._all = np.zeros(self._hist_bins, dtype=np.int64)  # every audible frame
        self._inside = np.zeros(self._hist_bins, dtype=np.int64)  # frames of sibilants
        self._peaks = np.zeros(self._hist_bins, dtype=np.int64)  # sibilants' peak levels
        self._listed: list[tuple[float, float]] = []  # (time_s, level_db), pruned; see _keep

    # --- Streaming ----------------------------------------------------------------------------

    def process(self, mono: np.ndarray) -> None:
        self._tape.add(mono)
        # Work on STEP_S of audio at a time, however short the blocks: each pass costs a few
        # dozen numpy calls whatever its length.
        if self._tape.end - self._next * self.hop >= STEP_S * self.sample_rate:
            self._measure(final=False)
            self._scan(final=False)

    def _measure(self, *, final: bool) -> None:
        """Band levels of the frames the stream now covers. Even frames are always measured
        (they alone make the reference level); an odd frame only when an even neighbour is
        within FILL_DB of mattering, for a burst long and loud enough to count always reaches
        into an even frame (a short tick between two quiet frames is no sibilant). An odd
        frame left out takes the mean of its neighbours. In most music the band is that loud
        a small part of the time, so this halves the work."""
        last = (self._tape.end - self.frame) // self.hop  # the last frame the audio covers
        first = self._next
        if last < first:
            return
        samples = self._tape.read(first * self.hop, last * self.hop + self.frame, np.float32)
        frames = _windows(samples, self.frame, self.hop)  # frames first..last
        count = last - first + 1
        # Row 0: the frame before ``first`` (already measured); then frames first..last.
        rows = np.full((count + 1, self._masks.shape[1]), np.nan)
        if self._levels.shape[0]:
            rows[0] = self._levels[-1]
        even = np.arange(first + first % 2, last + 1, 2) - first
        rows[even + 1] = self._levels_of(frames[first % 2 :: 2])
        # An odd frame is decided once its right neighbour is measured, or the stream ends.
        decided = count if (last % 2 == 0 or final) else count - 1
        odd = np.arange(first + 1 - first % 2, first + decided, 2) - first
        if odd.size:
            left = rows[odd]
            right = np.where((odd + 1 < count)[:, None], rows[np.minimum(odd + 2, count)], left)
            fill = np.fmax(left[:, 0], right[:, 0]) >= _power(FILL_DB)
            if fill.any():
                rows[odd[fill] + 1] = self._levels_of(frames[odd[fill]])
            rows[odd[~fill] + 1] = np.nan_to_num((left[~fill] + right[~fill]) / 2)
        levels = rows[1 : decided + 1]
        with np.errstate(divide="ignore"):
            db = 10.0 * np.log10(levels[:, 0])
        reference = db[even[even < decided]]
        self._all += np.bincount(
            self._bin(reference[reference > _HISTOGRAM_DB[0]]), minlength=self._hist_bins
        )
        self._levels = np.concatenate([self._levels, levels])
        self._db = np.concatenate([self._db, db])
        self._next = first + decided

    def _levels_of(self, frames: np.ndarray) -> np.ndarray:
        """Mean square per band of each frame."""
        levels = np.empty((frames.shape[0], self._masks.shape[1]))
        # Some sixty frames at a time: their spectra stay in cache, which makes the FFT,
        # the square and the sum over bands nearly twice as fast as one block-sized batch.
        for at in range(0, frames.shape[0], 64):
            chunk = frames[at : at + 64] * self._taper
            spectrum = np.fft.rfft(chunk, axis=1)[:, self._bins]
            power = spectrum.real**2
            power += spectrum.imag**2
            levels[at : at + 64] = power @ self._masks
        return levels

    def _scan(self, *, final: bool) -> None:
        """Look for bursts among the frames whose context has arrived (all of them when
        ``final``), then judge the bursts whose pattern context has."""
        end = self._base + self._db.shape[0]
        margin = self._long + self._context + self._local + 1
        limit = end if final else end - margin
        if limit > self._cursor:
            for peak in self._screen(self._cursor, limit, end):
                if peak < self._cursor:
                    continue
                burst, skip_to = self._burst(peak, end)
                self._cursor = skip_to
                if burst is not None:
                    self._pending.append(burst)
            self._cursor = max(self._cursor, limit)
        done_s = (self._cursor - self._context) * self._hop_s
        while self._pending and (final or self._pending[0].time_s + self._horizon_s < done_s):
            self._judge(self._pending.pop(0))
        self._trim()

    def _screen(self, first: int, limit: int, end: int) -> np.ndarray:
        """Frames in [first, limit) that may be a burst's peak, vectorised so that the frames of
        a busy mix cost little: loud enough to matter to the pattern test, the loudest within ±3
        frames, within 6 dB of it for two frames, and not brighter above 10 kHz than in the
        band by more than SCREEN_AIR_DB (a sibilant's peak frame is not, even over a cymbal's
        wash; hi-hats usually are)."""
        run = 2  # frames: a burst for the pattern test; _burst judges its length
        pad = max(self._local, run)
        lo = max(first - pad, self._base)
        hi = min(limit + pad, end)
        db = self._db[lo - self._base : hi - self._base]
        at = np.arange(max(first, lo), min(limit, hi))
        k = at - lo
        loud = db[k] >= SIBILANCE_FLOOR_DBFS - PERIOD_SIMILAR_DB
        if not loud.any():
            return at[:0]
        padded = np.concatenate([np.full(pad, -np.inf), db, np.full(pad, -np.inf)])
        local = _windows(padded, 2 * self._local + 1).max(axis=1)
        is_peak = db >= local[pad - self._local : pad - self._local + db.shape[0]]
        # Some run of frames through the peak stays within EXTENT_DB of it.
        runs = _windows(padded, run).min(axis=1)  # the run starting at each index
        best = _windows(runs, run).max(axis=1)  # the best run holding each index
        held = best[pad - run + 1 : pad - run + 1 + db.shape[0]] >= db - EXTENT_DB
        keep = loud & is_peak[k] & held[k]
        if self._has_air:
            levels = self._levels[at - self._base]
            keep &= levels[:, 1] <= 10 ** (SCREEN_AIR_DB / 10) * levels[:, 0]
        return at[keep]

    # --- One burst ---------------------------------------------------------------------------

    def _burst(self, peak: int, end: int) -> tuple[_Burst | None, int]:
        """The burst around ``peak`` if it has a sibilant's shape, and the frame to go on from."""
        db = self._db
        base = self._base
        first = max(self._after_last, base)
        level = db[peak - base]
        threshold = level - EXTENT_DB
        after = db[peak - base + 1 : min(peak + self._long + 1, end) - base]
        below = np.flatnonzero(after < threshold)
        right = after[: below[0]] if below.size else after
        before = db[max(peak - self._long, first) - base : peak - base][::-1]
        below = np.flatnonzero(before < threshold)
        left = before[: below[0]] if below.size else before
        if (right > level).any() or (left > level).any():
            return None, peak + 1  # the foothill of a louder burst, which comes next
        start, stop = peak - left.shape[0], peak + right.shape[0]
        length = stop - start + 1
        skip_to = stop + 1
        self._after_last = skip_to
        if length > self._max:  # a long event: skip its body, down to 6 dB under its peak
            return None, skip_to
        levels = self._levels[start - base : stop - base + 1, 0]
        centre_s = float(self._centre_s(np.arange(start, stop + 1)) @ levels / levels.sum())
        # Every burst, sibilant-shaped or not, may be a hit of a pattern.
        self._recent.append((centre_s, float(level)))
        # Bursts under the floor only ever count as a pattern's hits: no need to judge them.
        if level < SIBILANCE_FLOOR_DBFS or length < self._min:
            return None, skip_to
        if not self._shaped(centre_s, start, stop, end):
            return None, skip_to
        frame_levels = db[start - base : stop - base + 1].copy()
        return _Burst(peak, start, stop, float(level), centre_s, frame_levels), skip_to

    def _centre_s(self, frame):
        return (frame * self.hop + self.frame / 2) / self.sample_rate

    def _shaped(self, centre_s: float, start: int, stop: int, end: int) -> bool:
        """The spectral tests on what the burst adds to the level around it: little above
        10 kHz or in 2-4 kHz, steady in colour; then noise, not tone, at its peak."""
        base = self._base
        inside = self._levels[start - base : stop - base + 1]
        left = self._levels[max(start - self._context, base) - base : start - base]
        right = self._levels[stop + 1 - base : min(stop + 1 + self._context, end) - base]
        around = np.concatenate([left, right])
        background = _median(around) if around.shape[0] else np.zeros(inside.shape[1])
        band = np.maximum(inside[:, 0] - background[0], 1e-3 * inside[:, 0])
        # Each test takes the median over the burst's frames, so one hi-hat or snare hit inside
        # a sibilant does not spoil it. Where a band adds nothing, it reads 30 dB under.
        added = np.maximum(inside - background, 1e-3 * band[:, None]) / band[:, None]
        ratio = 10 * np.log10(added)
        if self._has_air and float(_median(ratio[:, 1])) > AIR_DB:
            return False
        if float(_median(ratio[:, 4])) > MIDS_DB:
            return False
        tilt = ratio[:, 3] - ratio[:, 2]
        half = tilt.shape[0] // 2
        if abs(float(tilt[half:].mean() - tilt[:half].mean())) > DRIFT_DB:
            return False
        return self._flatness(centre_s) >= FLATNESS

    def _flatness(self, centre_s: float) -> float:
        """Spectral flatness of the band in a TONE_WINDOW_S window at the burst's centre: the
        median over 500 Hz slices of geometric over arithmetic mean power. Noise reads about
        0.55 (e^-γ); resolved partials, as a bright synth's, under 0.2."""
        taper, slices = self._tone_layout
        at = int(round(centre_s * self.sample_rate)) - taper.shape[0] // 2
        window = self._tape.read(at, at + taper.shape[0])
        power = np.abs(np.fft.rfft(window * taper)) ** 2 + 1e-30
        parts = power[slices]  # (slices, bins)
        flatness = np.exp(np.log(parts).mean(axis=1)) / parts.mean(axis=1)
        return float(_median(flatness))

    def _judge(self, burst: _Burst) -> None:
        """The last tests, once the pattern's context has arrived: off the grid, in a voice."""
        if self._on_grid(burst):
            return
        if not self._voiced(burst):
            return
        # Its even frames leave the reference, as they are the ones that made it.
        even = burst.frame_levels[(burst.start + np.arange(burst.frame_levels.size)) % 2 == 0]
        self._inside += np.bincount(self._bin(even), minlength=self._hist_bins)
        self._peaks[self._bin(np.array([burst.level_db]))] += 1
        self._listed.append((round(burst.time_s, 2), round(burst.level_db, 1)))
        if len(self._listed) > 8 * SIBILANCE_LISTED:
            self._listed = _keep(self._listed, SIBILANCE_LISTED)

    def _on_grid(self, burst: _Burst) -> bool:
        """Bursts of similar level at some spacing P around it: at three of -2P, -P, +P and +2P,
        or at all of P, 2P and 3P on one side (the first and last hits of a pattern). A
        pattern, not a word."""
        t, level = burst.time_s, burst.level_db
        times = np.array(
            [s for s, lv in self._recent if s != t and abs(lv - level) <= PERIOD_SIMILAR_DB]
        )
        if times.size < 3:
            return False
        gaps = np.abs(times - t)
        periods = gaps[(gaps >= PERIOD_S[0]) & (gaps <= PERIOD_S[1])]
        if periods.size == 0:
            return False
        steps = np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0])
        spots = t + periods[:, None] * steps  # (periods, 6)
        tolerance = np.maximum(PERIOD_TOLERANCE_S, PERIOD_TOLERANCE * periods)[:, None]
        near = np.abs(spots[:, :, None] - times).min(axis=2) <= tolerance
        around = near[:, 1:5].sum(axis=1) >= 3
        one_side = near[:, :3].all(axis=1) | near[:, 3:].all(axis=1)
        return bool((around | one_side).any())

    def _voiced(self, burst: _Burst) -> bool:
        """Harmonic, pitched sound within CONTEXT_S of the burst: windows nearest the burst
        first, a few at a time, until one is voiced."""
        size, factor = self._voice_layout[0].shape[0], self._factor
        first = (burst.start * self.hop - int(CONTEXT_S * self.sample_rate)) // factor
        last = (burst.end * self.hop + self.frame + int(CONTEXT_S * self.sample_rate)) // factor
        if last - first < size:
            return False
        # Decimated by plain averages of ``factor`` samples (aligned to the file, so any block
        # size gives the same), enough below 3 kHz.
        audio = self._tape.read(first * factor, last * factor).reshape(-1, factor).mean(axis=1)
        centre = ((burst.start + burst.end) * self.hop + self.frame) / 2 / factor - first
        windows = _windows(audio, size, size // 2)
        order = np.argsort(np.abs(np.arange(windows.shape[0]) * (size // 2) + size / 2 - centre))
        for batch in range(0, order.shape[0], 8):
            if (
                _harmonicity(windows[order[batch : batch + 8]], self._voice_layout) >= VOICED
            ).any():
                return True
        return False

    def _trim(self) -> None:
        """Forget frames, audio and pattern bursts that no judgement can need again."""
        oldest = self._cursor - self._long - self._context - self._local - 2
        cut = oldest - self._base
        if cut > 256:
            self._base += cut
            self._levels = self._levels[cut:]
            self._db = self._db[cut:]
        first = min([oldest, self._next] + [b.start for b in self._pending])
        self._tape.forget(
            first * self.hop - self._tone_layout[0].shape[0] - int(CONTEXT_S * self.sample_rate)
        )
        keep_s = self._pending[0].time_s if self._pending else self._cursor * self._hop_s
        keep_s -= self._horizon_s
        if self._recent and self._recent[0][0] < keep_s:
            self._recent = [r for r in self._recent if r[0] >= keep_s]

    # --- The end -----------------------------------------------------------------------------

    def _bin(self, db: np.ndarray) -> np.ndarray:
        low, _, step = _HISTOGRAM_DB
        return np.clip(((db - low) / step).astype(int), 0, self._hist_bins - 1)

    def result(self) -> tuple[int, list[dict[str, float]]]:
        """(how many sibilant bursts, the first SIBILANCE_LISTED as {"time_s", "level_dbfs"})."""
        self._measure(final=True)
        self._scan(final=True)
        rest = self._all - self._inside
        if rest.sum() == 0 and self._peaks.sum() == 0:
            return 0, []
        low, _, step = _HISTOGRAM_DB
        if rest.sum():
            rank = np.searchsorted(
                np.cumsum(rest), SIBILANCE_REFERENCE_PERCENTILE / 100 * rest.sum()
            )
            reference = low + (rank + 0.5) * step
        else:
            reference = -math.inf
        threshold = max(reference + SIBILANCE_RISE_DB, SIBILANCE_FLOOR_DBFS)
        count = int(self._peaks[self._bin(np.array([threshold]))[0] :].sum())
        listed = [
            {"time_s": t, "level_dbfs": level}
            for t, level in self._listed
            if self._bin(np.array([level]))[0] >= self._bin(np.array([threshold]))[0]
        ]
        return count, listed[:SIBILANCE_LISTED]
