"""Faults found sample by sample, streamed: clipping, clicks, leading and trailing silence.

Each detector sees planar blocks (channels, n) in order and keeps only what it needs across
block edges, so memory does not grow with the file. Each looks at a block sample by sample only
when the block's peak says it might hold something.
"""

from __future__ import annotations

import math

import numpy as np

FULL_SCALE = 10 ** (-0.01 / 20)  # at or above -0.01 dBFS counts as full scale (16-bit 32767)
CLIP_MIN_RUN = 3  # the mastering rule of thumb: three consecutive samples at the ceiling
PEAK_PLATEAU_DB = 0.05  # flat tops this close to a channel's own peak are clipping too
PLATEAU_FLOOR = 0.25  # flat tops below -12 dBFS are never treated as clipping
PLATEAU_EDGE = 2e-4  # a clipped flat top is entered and left by a step; a slow crest is not
RUN_LIMIT = 100  # runs and clicks listed in a report (all are counted)
SILENCE_DBFS = -60.0


def keep_earliest(items: list, item: tuple) -> None:
    """Append, keeping only the RUN_LIMIT earliest. Items arrive in time order per channel but
    channels interleave block by block, so trimming sorts first; anything trimmed already has
    RUN_LIMIT earlier items, so the survivors do not depend on the block size."""
    items.append(item)
    if len(items) > 2 * RUN_LIMIT:
        items.sort()
        del items[RUN_LIMIT:]


def block_peaks(block: np.ndarray) -> np.ndarray:
    """max |x| per channel of a planar block (two fast passes, no |x| temporary)."""
    return np.maximum(block.max(axis=1), -block.min(axis=1))


class ClipDetector:
    """Runs of samples at full scale, and flat tops at a channel's own peak level (a master
    clipped or hard-limited, then turned down, keeps its flat tops below 0 dBFS).

    Only rows near the running peak are looked at sample by sample. A run still open at the
    end of a block is carried into the next.
    """

    def __init__(self, channels: int, sample_rate: int) -> None:
        self.channels = channels
        self.sample_rate = sample_rate
        self.position = 0
        self.peak = np.zeros(channels)
        self._full_count = 0
        self._full_runs: list[tuple[int, int, int]] = []  # (start, length, channel)
        # Flat-top candidates by (channel, value): [samples, first runs].
        self._plateaus: dict[tuple[int, float], list] = {}
        self._open: dict[tuple[int, bool], dict] = {}  # (channel, full) -> run at block end
        self._last = np.zeros(channels, dtype=np.float32)  # previous block's last sample
        self.recent_runs: list[tuple[int, int, int]] = []  # runs closed in this block

    def process(self, block: np.ndarray, peak: np.ndarray) -> None:
        """``peak``: the block's max |x| per channel (`block_peaks`)."""
        ch, n = block.shape
        self.recent_runs = []
        if n == 0:
            return
        self.peak = np.maximum(self.peak, peak)
        for c in range(ch):
            self._channel(c, block[c], float(peak[c]))
        self._last = block[:, -1].copy()
        self.position += n

    def _channel(self, c: int, x: np.ndarray, block_peak: float) -> None:
        continued = {full: self._continue(c, x, full) for full in (True, False)}
        level = max(PLATEAU_FLOOR, self.peak[c] * 10 ** (-PEAK_PLATEAU_DB / 20))
        level = min(level, FULL_SCALE)
        if block_peak < level:
            return
        pos = np.flatnonzero(np.abs(x) >= level)
        v = x[pos]
        step = np.diff(pos) == 1
        full = np.abs(v) >= FULL_SCALE
        self._runs(c, x, pos, v, full, step & full[1:] & full[:-1], True, continued[True])
        loud = np.ones(v.shape, dtype=bool)
        link = step & (v[1:] == v[:-1])
        self._runs(c, x, pos, v, loud, link, False, continued[False])

    def _continue(self, c: int, x: np.ndarray, full: bool) -> float | None:
        """Extend the run left open at the previous block's end; returns the value it had
        (so the same samples are not found again as a new run), or None."""
        run = self._open.pop((c, full), None)
        if run is None:
            return None
        same = (np.abs(x) >= FULL_SCALE) if full else (x == run["value"])
        stop = x.shape[0] if same.all() else int(np.argmin(same))
        run["length"] += stop
        if stop == x.shape[0]:
            self._open[(c, full)] = run
        else:
            run["after"] = float(x[stop])
            self._close(c, run)
        return run["value"] if stop else None

    def _runs(
        self,
        c: int,
        x: np.ndarray,
        pos: np.ndarray,
        v: np.ndarray,
        member: np.ndarray,
        link: np.ndarray,
        full: bool,
        continued: float | None,
    ) -> None:
        """Record the runs among the loud samples ``pos`` (values ``v``): members linked to
        their neighbours. Vectorised: a hard-clipped master has thousands of runs a block."""
        n = x.shape[0]
        # A run starts at a member sample not linked to the one before it, and ends at one not
        # linked to the one after.
        starts_mask = member.copy()
        starts_mask[1:] &= ~link
        ends_mask = member.copy()
        ends_mask[:-1] &= ~link
        starts, ends = np.flatnonzero(starts_mask), np.flatnonzero(ends_mask)
        if starts.size == 0:
            return
        first, last, lengths, values = pos[starts], pos[ends], ends - starts + 1, v[starts]
        keep = np.ones(starts.size, dtype=bool)
        if continued is not None and first[0] == 0 and (full or values[0] == continued):
            keep[0] = False  # the open run from the previous block, already extended
        if last[-1] == n - 1 and keep[-1]:
            keep[-1] = False  # may continue into the next block
            self._open[(c, full)] = {
                "start": self.position + int(first[-1]),
                "length": int(lengths[-1]),
                "value": float(values[-1]),
                "full": full,
                "before": float(x[first[-1] - 1]) if first[-1] > 0 else float(self._last[c]),
            }
        keep &= lengths >= CLIP_MIN_RUN
        if not keep.any():
            return
        first, last, lengths, values = first[keep], last[keep], lengths[keep], values[keep]
        before = x[np.maximum(first - 1, 0)].astype(np.float64)
        before[first == 0] = self._last[c]
        after = x[last + 1].astype(np.float64)
        self._record(c, full, self.position + first, lengths, values, before, after)

    def _close(self, c: int, run: dict) -> None:
        """Record a run that was carried across block edges."""
        if run["length"] < CLIP_MIN_RUN:
            return
        self._record(
            c,
            run["full"],
            np.array([run["start"]]),
            np.array([run["length"]]),
            np.array([run["value"]]),
            np.array([run["before"]]),
            np.array([run["after"]]),
        )

    def _record(
        self,
        c: int,
        full: bool,
        starts: np.ndarray,
        lengths: np.ndarray,
        values: np.ndarray,
        before: np.ndarray,
        after: np.ndarray,
    ) -> None:
        runs = list(zip(starts.tolist(), lengths.tolist(), strict=True))
        self.recent_runs.extend((start, length, c) for start, length in runs)
        if full:
            self._full_count += int(lengths.sum())
            for start, length in runs[:RUN_LIMIT]:
                keep_earliest(self._full_runs, (start, length, c))
            return
        # A clipped flat top is entered and left by a step; a slow crest (a 16-bit bass note
        # repeating its top value) is not. Full-scale tops were counted above.
        edges = np.minimum(np.abs(values - before), np.abs(values - after))
        sharp = (edges >= PLATEAU_EDGE) & (np.abs(values) < FULL_SCALE)
        for value in np.unique(values[sharp]).tolist():
            mine = sharp & (values == value)
            entry = self._plateaus.setdefault((c, value), [0, []])
            entry[0] += int(lengths[mine].sum())
            for index in np.flatnonzero(mine)[:RUN_LIMIT].tolist():
                keep_earliest(entry[1], (*runs[index], c))
        if len(self._plateaus) > 1024:
            # Keep the loudest candidates; quiet ones can no longer be at the final peak.
            for key in sorted(self._plateaus, key=lambda k: abs(k[1]))[:512]:
                del self._plateaus[key]

    def finish(self) -> None:
        for (c, _full), run in list(self._open.items()):
            run["after"] = 0.0  # the file ends: silence follows
            self._close(c, run)
        self._open.clear()

    def result(self) -> tuple[int, list[dict], float | None]:
        """(clipped samples, first runs as dicts, level of the clipping in dBFS or None)."""
        count = self._full_count
        runs = list(self._full_runs)
        level = 0.0 if count else None
        for (c, value), (samples, first_runs) in self._plateaus.items():
            if abs(value) >= self.peak[c] * 10 ** (-PEAK_PLATEAU_DB / 20):
                count += samples
                runs.extend(first_runs)
                db = 20 * math.log10(abs(value))
                level = db if level is None else max(level, db)
        runs.sort()
        listed = [
            {
                "start_s": round(start / self.sample_rate, 4),
                "length_samples": length,
                "channel": channel,
            }
            for start, length, channel in runs[:RUN_LIMIT]
        ]
        return count, listed, (round(level, 2) if level is not None else None)


class ClickDetector:
    """Isolated discontinuities: a third difference (x[n] - 3x[n-1] + 3x[n-2] - x[n-3]) whose
    peak in a ~3 ms row jumps far above the same in the rows around it (~10 ms each side).

    The residual is blind to anything band-limited well below Nyquist and large for a step or
    a spike. It is computed alongside the true-peak filters (an extra filter of the
    `TruePeakMeter`), which hands it over scaled by 1/``scale``.
    """

    FILTER = (-1.0, 3.0, -3.0, 1.0)  # taps for x[n-3] .. x[n]
    ROW = 128
    CONTEXT = 4  # rows each side for the local level; the nearest row each side is skipped
    RATIO = 8.0  # a row's peak residual over the mean of its neighbours' (Gaussian noise ~3σ)
    FLOOR = 2e-3  # residual peak below this (a spike of about -64 dBFS) is not worth a report
    PERIODIC_MIN = 20  # clicks in a channel before their regularity is judged
    PERIODIC_SPREAD = 0.1  # gaps within 10 % of their median are an oscillator, not clicks

    def __init__(self, channels: int, sample_rate: int, *, scale: float = 1.0) -> None:
        self.channels = channels
        self.sample_rate = sample_rate
        self.floor = self.FLOOR / scale
        self._buf = np.zeros((channels, 0), dtype=np.float32)
        self._base = 0  # position of _buf[:, 0]
        self._judged = 0  # rows before this (absolute row index) have been judged
        self.count = 0
        self._counts = [0] * channels
        self.clicks: list[tuple[int, int]] = []  # (position, channel)
        self._skip: list[tuple[int, int, int]] = []  # around clip runs: (start, end, channel)

    @classmethod
    def filter_taps(cls, taps: int) -> np.ndarray:
        """The residual as a `FirBank` filter of ``taps`` taps (x[n] sits at taps/2 - 1)."""
        h = np.zeros(taps)
        centre = taps // 2 - 1
        h[centre - 3 : centre + 1] = cls.FILTER
        return h

    def exclude(self, runs: list[tuple[int, int, int]]) -> None:
        """Clip runs are reported as clipping; their corners are not clicks."""
        self._skip.extend((s - self.ROW, s + n + self.ROW, c) for s, n, c in runs)
        del self._skip[:-1000]  # only recent ones can still matter

    def process(self, residual: np.ndarray, *, final: bool = False) -> None:
        """``residual``: (channels, n) for the positions following the previous call's."""
        buf = np.concatenate([self._buf, residual], axis=1) if self._buf.size else residual
        rows = buf.shape[1] // self.ROW
        if final and buf.shape[1] > rows * self.ROW:
            pad = (rows + 1) * self.ROW - buf.shape[1]
            buf = np.concatenate([buf, np.zeros((self.channels, pad), np.float32)], axis=1)
            rows += 1
        if rows == 0:
            self._buf = buf
            return
        base_row = self._base // self.ROW
        whole = buf[:, : rows * self.ROW].reshape(self.channels, rows, self.ROW)
        amp = np.abs(whole).max(axis=2).astype(np.float64)
        w = self.CONTEXT
        last = rows if final else rows - w  # rows whose right-hand context has arrived
        first = self._judged - base_row
        if last > first:
            self._judge(amp, whole, base_row, first, last)
            self._judged = base_row + last
        keep_from = max(0, min(last, rows) - w)
        self._buf = buf[:, keep_from * self.ROW :].copy()
        self._base += keep_from * self.ROW

    def _judge(self, amp, whole, base_row: int, first: int, last: int) -> None:
        w = self.CONTEXT
        ch, rows = amp.shape
        total = np.concatenate([np.zeros((ch, 1)), np.cumsum(amp, axis=1)], axis=1)
        i = np.arange(first, last)
        lo, hi = np.maximum(i - w, 0), np.minimum(i + w + 1, rows)
        near_lo, near_hi = np.maximum(i - 1, 0), np.minimum(i + 2, rows)
        # The neighbourhood without the row and its nearest neighbours (a click's residual can
        # straddle two rows).
        sums = (total[:, hi] - total[:, lo]) - (total[:, near_hi] - total[:, near_lo])
        counts = (hi - lo) - (near_hi - near_lo)
        ref = sums / np.maximum(counts, 1)
        a = amp[:, first:last]
        left = amp[:, np.maximum(i - 1, 0)]
        right = amp[:, np.minimum(i + 1, rows - 1)]
        hit = (a > self.RATIO * ref) & (a >= self.floor) & (a >= left) & (a > right)
        hit &= counts >= w  # too little context (the first rows of a file)
        for c, k in zip(*np.nonzero(hit), strict=True):
            row = first + int(k)
            position = (base_row + row) * self.ROW + int(np.argmax(np.abs(whole[c, row])))
            if position < 4 or self._skipped(position, int(c)):
                continue  # the file's first samples step up from the silence before it
            self.count += 1
            self._counts[int(c)] += 1
            keep_earliest(self.clicks, (position, int(c)))

    def _skipped(self, position: int, channel: int) -> bool:
        return any(s <= position < e and c == channel for s, e, c in self._skip)

    def result(self) -> list[dict]:
        clicks = sorted(self.clicks)[:RUN_LIMIT]  # exactly the earliest (see keep_earliest)
        for channel in self._periodic(clicks):
            self.count -= self._counts[channel]
            clicks = [(p, c) for p, c in clicks if c != channel]
        return [
            {"time_s": round(p / self.sample_rate, 4), "channel": c} for p, c in clicks[:RUN_LIMIT]
        ]

    def _periodic(self, clicks: list[tuple[int, int]]) -> list[int]:
        """Channels whose "clicks" come like clockwork: the edges of a naive square or sawtooth
        oscillator are discontinuities too, but they are the sound, not damage. Crackle and
        edit clicks come at irregular times."""
        periodic = []
        for channel in range(self.channels):
            times = np.array([p for p, c in clicks if c == channel], dtype=np.float64)
            if times.size < self.PERIODIC_MIN:
                continue
            gaps = np.diff(times)
            typical = np.median(gaps)
            regular = np.abs(gaps - typical) <= self.PERIODIC_SPREAD * typical
            if regular.mean() >= 0.8:  # a few missed or extra edges do not break the rhythm
                periodic.append(channel)
        return periodic


class SilenceTracker:
    """Where sound starts and stops: the first and last sample of any channel above -60 dBFS."""

    CHUNK = 4096

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = sample_rate
        self.threshold = 10 ** (SILENCE_DBFS / 20)
        self.position = 0
        self.first: int | None = None
        self.last: int | None = None

    def process(self, block: np.ndarray, peak: np.ndarray) -> None:
        n = block.shape[1]
        if float(peak.max()) > self.threshold:
            if self.first is None:
                self.first = self.position + self._edge(block, first=True)
            self.last = self.position + self._edge(block, first=False)
        self.position += n

    def _edge(self, block: np.ndarray, *, first: bool) -> int:
        """Index of the first or last loud sample of a block that has one; looks at one chunk
        at a time from that end, so a loud block costs one chunk."""
        n = block.shape[1]
        starts = (
            range(0, n, self.CHUNK)
            if first
            else range((n - 1) // self.CHUNK * self.CHUNK, -1, -self.CHUNK)
        )
        for start in starts:
            chunk = block[:, start : start + self.CHUNK]
            loud = np.flatnonzero((np.abs(chunk) > self.threshold).any(axis=0))
            if loud.size:
                return start + int(loud[0] if first else loud[-1])
        return 0 if first else n - 1

    def result(self) -> tuple[float, float]:
        """(leading, trailing) silence in seconds; all of it when nothing rises above."""
        total = self.position / self.sample_rate
        if self.first is None or self.last is None:
            return total, total
        return self.first / self.sample_rate, (self.position - 1 - self.last) / self.sample_rate
