"""The QC report of one audio file, from a single streaming pass.

The main thread decodes blocks; three stage threads take every block in order. One measures
loudness (K-weighting, as block matrix products) and the statistics that need no sample-exact
look (unweighted level per 100 ms, DC, the spectrum for a codec wall and mains hum); the second
computes true peak and the faults found sample by sample (clipping, clicks, silence, the
waveform); the third looks for sibilance (the spectra of 23 ms frames, about a sixth of the
work). numpy and BLAS release the GIL in their loops, so the four overlap on two cores, and a
third stage lets them share the work more evenly than two unequal ones did.
Memory is a few blocks, whatever the length of the file.

The report (`analyze`), one flat JSON-able dict; None where a figure does not exist (digital
silence has no loudness, a mono file no stereo correlation):

    engine_version         int; changes when a figure's definition changes
    format, subtype        "WAV"/"AIFF"/"FLAC"/"MP3"/"OGG"; libsndfile's encoding name
    sample_rate, channels, bit_depth (None for lossy), duration_s (decoded length)
    integrated_lufs        BS.1770-4 gated programme loudness
    loudness_range_lu      EBU Tech 3342 LRA
    momentary_max_lufs, short_term_max_lufs   EBU Tech 3341 (400 ms / 3 s windows, 10 Hz)
    true_peak_dbtp         BS.1770-4 Annex 2, 4× oversampled; true_peak_per_channel_dbtp
    sample_peak_dbfs
    plr_db                 true peak minus integrated loudness (peak-to-loudness ratio)
    clipped_samples        samples in runs of 3+ at full scale (-0.01 dBFS) or in flat tops
                           at the file's own peak level (clipped, then turned down)
    clip_runs              the first 100: {"start_s", "length_samples", "channel"}
    clip_level_dbfs        level of the flat tops (0.0 for full scale), or None
    dc_offset              mean per channel, fraction of full scale
    silence_head_s, silence_tail_s   before the first / after the last sample above -60 dBFS
    stereo_correlation     Σ L·R / √(Σ L² Σ R²): +1 mono, 0 unrelated, -1 inverted
    mono_loss_db           loudness lost when folded to mono, (L+R)/2, over the gated blocks
    phase_inverted         correlation <= -0.2 and mono loss >= 3 dB
    low_end_correlation    the same correlation below 150 Hz (what a cutting master needs
                           near +1); None for mono files or with nothing down there
    lossy_cutoff_hz        frequency of a codec-like low-pass wall in 15-20.5 kHz, or None
    noise_floor_dbfs       RMS of the quietest 400 ms stretches (5th percentile, not counting
                           digital silence); dB re full-scale DC/square (a full-scale sine
                           is -3.01)
    hum_hz                 50 or 60 when mains hum and its harmonics run through the file
    clicks                 the first 100 isolated discontinuities: {"time_s", "channel"}
    click_count            all of them
    sibilance              the first 20 loud sibilants ('s', 'sh' in a voice; hi-hats, cymbals,
                           shakers, snares, bright synths and noise sweeps are not counted; see
                           `sibilance`): {"time_s" (the burst's centre), "level_dbfs"}
    sibilance_count        all of them
    short_term_curve       [[time_s, lufs or None], ...], the 3 s loudness once a second
    waveform               only with waveform_columns: as `waveform_peaks` returns it
"""

from __future__ import annotations

import math
import os
import queue
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .codec import codec_check
from .errors import AudioError
from .faults import ClickDetector, ClipDetector, SilenceTracker, block_peaks
from .io import BlockReader, bit_depth
from .loudness import MOMENTARY_TICKS, TICKS_PER_SECOND, LoudnessMeter, TickSums
from .peaks import TAPS, TruePeakMeter, to_db
from .sibilance import SibilanceDetector
from .spectrum import CutoffDetector, HumDetector, LowEndMeter
from .threads import single_threaded_blas_here
from .waveform import DEFAULT_COLUMNS, WaveformAccumulator

__all__ = ["ENGINE_VERSION", "analyze", "codec_check", "waveform_peaks"]

# Bump when a figure's definition changes, so stored reports can be redone. 3: sibilance counts
# only what has a sibilant's signature (engine 2 counted any loud burst in 5-10 kHz).
ENGINE_VERSION = 3
Progress = Callable[[int, str], None]

NOISE_FLOOR_PERCENTILE = 5.0  # of the 400 ms RMS values that are not digital silence
PHASE_INVERTED_CORRELATION = -0.2
PHASE_INVERTED_MONO_LOSS_DB = 3.0
CURVE_STEP_TICKS = TICKS_PER_SECOND  # short-term curve: one point a second
MAX_BLOCK_SAMPLES = 1 << 18  # per block, all channels: 1 MB of float32, 3 s of 44.1 kHz stereo


def analyze(
    path: str | os.PathLike[str],
    *,
    block_seconds: float = 3.0,
    progress: Progress | None = None,
    waveform_columns: Sequence[int] | None = None,
) -> dict[str, Any]:
    """The full QC report of the file at ``path`` as one flat JSON-able dict.

    ``progress(percent, stage)`` is called a few times from the calling thread. With
    ``waveform_columns`` the report also carries ``"waveform"`` (as `waveform_peaks` gives it),
    so an upload is decoded only once. Raises AudioError for files that cannot be read.

    Blocks are ``block_seconds`` long but never over MAX_BLOCK_SAMPLES (all channels): fewer,
    larger blocks mean fewer hand-overs of the GIL between the three threads (3 s blocks ran
    about 15 % faster than 1 s ones on a 4-minute file), and the cap keeps a many-channel,
    high-rate file's blocks as small as a stereo one's.
    """

    def report(percent: int, stage: str) -> None:
        if progress is not None:
            progress(percent, stage)

    report(0, "Reading the audio")
    with BlockReader(path) as reader:
        rate, channels = reader.sample_rate, reader.channels
        block_frames = max(min(int(block_seconds * rate), MAX_BLOCK_SAMPLES // channels), 4096)
        loud = _LoudnessStage(rate, channels, reader.channel_mask)
        other = _PeakStage(rate, channels, reader.frames_hint, waveform_columns)
        sibilance = _SibilanceStage(rate)
        stages = [_Runner(loud), _Runner(other), _Runner(sibilance)]
        completed = False
        try:
            next_report = 10
            while True:
                block = reader.read(block_frames)
                if block.shape[1] == 0:
                    break
                for stage in stages:
                    stage.feed(block)
                done = 100 * reader.position / max(reader.frames_hint, 1)
                if done >= next_report and next_report <= 90:
                    report(int(min(done, 90) * 0.9), "Measuring loudness, peaks and faults")
                    next_report = 10 * (int(done) // 10 + 1)
            completed = True
        finally:
            for stage in stages:
                stage.close(abort=not completed)
        for stage in stages:
            stage.join()
        frames = reader.position
        fmt, subtype = reader.format, reader.subtype
    if frames == 0:
        raise AudioError(f"“{os.path.basename(os.fspath(path))}” contains no audio.")
    report(92, "Summing up")
    result = _report(loud, other, sibilance, rate, channels, frames, fmt, subtype)
    if waveform_columns:
        result["waveform"] = other.waveform.result(frames / rate)
    report(100, "Done")
    return result


def waveform_peaks(
    path: str | os.PathLike[str],
    columns: Sequence[int] = DEFAULT_COLUMNS,
    *,
    block_seconds: float = 2.0,
) -> dict[str, Any]:
    """Min and max per pixel column at each zoom level in ``columns``, all channels together:
    ``{"duration_s", "columns", "levels": {"512": {"min": [...], "max": [...]}, ...}}``."""
    with BlockReader(path) as reader:
        acc = WaveformAccumulator(reader.frames_hint, tuple(columns))
        block_frames = max(int(block_seconds * reader.sample_rate), 4096)
        while True:
            block = reader.read(block_frames)
            if block.shape[1] == 0:
                break
            acc.process(block)
        return acc.result(reader.position / reader.sample_rate)


# --- Stages -----------------------------------------------------------------------------------


class _Runner(threading.Thread):
    """Runs one stage's ``process(block)`` on its own thread, in block order."""

    def __init__(self, stage: Any) -> None:
        super().__init__(daemon=True, name=f"liner-{type(stage).__name__}")
        self.stage = stage
        self.error: BaseException | None = None
        self._abort = False
        self._queue: queue.Queue = queue.Queue(maxsize=4)  # bounds memory to a few blocks
        self.start()

    def run(self) -> None:
        single_threaded_blas_here()
        while True:
            block = self._queue.get()
            if block is None:
                break
            if self.error is not None or self._abort:
                continue  # drain so the reader never blocks on a dead stage
            try:
                self.stage.process(block)
            except BaseException as exc:  # re-raised in the calling thread by join()
                self.error = exc
        if self.error is None and not self._abort:
            try:
                self.stage.finish()
            except BaseException as exc:
                self.error = exc

    def feed(self, block: np.ndarray) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put(block)

    def close(self, *, abort: bool = False) -> None:
        """No more blocks; with ``abort`` (the reader failed) skip what is still queued."""
        self._abort = abort
        self._queue.put(None)

    def join(self, timeout: float | None = None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


class _LoudnessStage:
    """K-weighted loudness, plus the other per-tick and spectral statistics (which balance the
    two stages' work)."""

    def __init__(self, rate: int, channels: int, mask: int | None) -> None:
        self.channels = channels
        self.meter = LoudnessMeter(rate, channels, channel_mask=mask)
        self.pair = channels >= 2
        # Unweighted energy per 100 ms per channel, and L×R: noise floor and correlation.
        self.raw = TickSums(rate, channels + (1 if self.pair else 0))
        self._rows = np.zeros((self.raw.rows, 0), dtype=np.float32)
        self.sums = np.zeros(channels)
        self.cutoff = CutoffDetector(rate)
        self.hum = HumDetector(rate)
        self.low_end = LowEndMeter(rate) if self.pair else None

    def process(self, block: np.ndarray) -> None:
        self.meter.process(block)
        n = block.shape[1]
        if self._rows.shape[1] < n:
            self._rows = np.empty((self.raw.rows, n), dtype=np.float32)
        rows = self._rows[:, :n]
        np.multiply(block, block, out=rows[: self.channels])
        if self.pair:
            np.multiply(block[0], block[1], out=rows[self.channels])
        self.raw.add(rows)
        # float32 pairwise sums per block are exact to ~1e-7 of full scale; blocks add in float64.
        self.sums += block.sum(axis=1)
        mono = _mono(block)
        self.cutoff.process(mono)
        self.hum.process(mono)
        if self.low_end is not None:
            self.low_end.process(block)

    def finish(self) -> None:
        pass


class _PeakStage:
    """True peak, and the faults found sample by sample."""

    def __init__(
        self, rate: int, channels: int, frames_hint: int, columns: Sequence[int] | None
    ) -> None:
        self.rate, self.channels = rate, channels
        click_filter = ClickDetector.filter_taps(TAPS)
        self.peaks = TruePeakMeter(channels, extra_filters=click_filter)
        self.clips = ClipDetector(channels, rate)
        self.clicks = ClickDetector(channels, rate, scale=float(self.peaks.extra_scale[0]))
        self.silence = SilenceTracker(rate)
        self.waveform = WaveformAccumulator(frames_hint, tuple(columns)) if columns else None

    def process(self, block: np.ndarray) -> None:
        peak = block_peaks(block)
        residual = self.peaks.process(block, peak=peak)
        self.clips.process(block, peak)
        if self.clips.recent_runs:
            self.clicks.exclude(self.clips.recent_runs)
        self.clicks.process(residual[:, 0])
        self.silence.process(block, peak)
        if self.waveform is not None:
            self.waveform.process(block)

    def finish(self) -> None:
        residual = self.peaks.flush()
        self.clips.finish()
        if self.clips.recent_runs:
            self.clicks.exclude(self.clips.recent_runs)
        self.clicks.process(residual[:, 0], final=True)


class _SibilanceStage:
    """Sibilance, on a thread of its own."""

    def __init__(self, rate: int) -> None:
        self.detector = SibilanceDetector(rate)

    def process(self, block: np.ndarray) -> None:
        self.detector.process(_mono(block))

    def finish(self) -> None:
        pass


def _mono(block: np.ndarray) -> np.ndarray:
    """The mean of the channels (a new array, or the one channel of a mono block)."""
    channels = block.shape[0]
    if channels == 1:
        return block[0]
    mono = np.add(block[0], block[1])
    for c in range(2, channels):
        mono += block[c]
    mono *= np.float32(1.0 / channels)
    return mono


# --- The report -------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), digits)


def _report(
    loud: _LoudnessStage,
    other: _PeakStage,
    sibilance_stage: _SibilanceStage,
    rate: int,
    channels: int,
    frames: int,
    fmt: str,
    subtype: str | None,
) -> dict[str, Any]:
    level = loud.meter.result()
    sample_peaks, true_peaks = other.peaks.peaks()
    sample_peak = to_db(float(sample_peaks.max()))
    true_peak = to_db(float(true_peaks.max()))
    integrated = level.integrated_lufs
    clipped, clip_runs, clip_level = other.clips.result()
    head, tail = other.silence.result()
    raw = loud.raw.finished()
    correlation = _correlation(raw, channels)
    mono_loss = level.mono_loss_db
    inverted = bool(
        correlation is not None
        and mono_loss is not None
        and correlation <= PHASE_INVERTED_CORRELATION
        and mono_loss >= PHASE_INVERTED_MONO_LOSS_DB
    )
    sibilance_count, sibilance = sibilance_stage.detector.result()
    curve = level.short_term[CURVE_STEP_TICKS - 1 :: CURVE_STEP_TICKS]
    times = np.arange(1, curve.shape[0] + 1) * (CURVE_STEP_TICKS / TICKS_PER_SECOND)
    return {
        "engine_version": ENGINE_VERSION,
        "format": fmt,
        "subtype": subtype or "",
        "sample_rate": rate,
        "bit_depth": bit_depth(subtype),
        "channels": channels,
        "duration_s": round(frames / rate, 3),
        "integrated_lufs": _round(integrated),
        "loudness_range_lu": _round(level.loudness_range_lu),
        "momentary_max_lufs": _round(level.momentary_max_lufs),
        "short_term_max_lufs": _round(level.short_term_max_lufs),
        "true_peak_dbtp": _round(true_peak),
        "sample_peak_dbfs": _round(sample_peak),
        "true_peak_per_channel_dbtp": [_round(to_db(float(p))) for p in true_peaks],
        "plr_db": _round(true_peak - integrated)
        if true_peak is not None and integrated is not None
        else None,
        "clipped_samples": int(clipped),
        "clip_runs": clip_runs,
        "clip_level_dbfs": clip_level,
        "dc_offset": [round(float(s) / frames, 6) for s in loud.sums],
        "silence_head_s": round(head, 3),
        "silence_tail_s": round(tail, 3),
        "stereo_correlation": _round(correlation, 3),
        "mono_loss_db": _round(mono_loss),
        "phase_inverted": inverted,
        "low_end_correlation": _round(loud.low_end.result(), 3) if loud.low_end else None,
        "lossy_cutoff_hz": loud.cutoff.result(),
        "noise_floor_dbfs": _round(_noise_floor(raw, channels, rate)),
        "hum_hz": loud.hum.result(),
        "clicks": other.clicks.result(),
        "click_count": other.clicks.count,
        "sibilance": sibilance,
        "sibilance_count": sibilance_count,
        "short_term_curve": [
            [round(float(t), 1), _round(float(v), 1)] for t, v in zip(times, curve, strict=True)
        ],
    }


def _correlation(raw: np.ndarray, channels: int) -> float | None:
    """Pearson-style correlation of L and R over the whole file (no mean removal, as a
    correlation meter reads): +1 mono, 0 unrelated, -1 one side inverted."""
    if channels < 2 or raw.shape[1] == 0:
        return None
    left, right = float(raw[0].sum()), float(raw[1].sum())
    if left <= 0.0 or right <= 0.0:
        return None
    return float(raw[channels].sum()) / math.sqrt(left * right)


def _noise_floor(raw: np.ndarray, channels: int, rate: int) -> float | None:
    """RMS level of the quietest 400 ms stretches that are not digital silence: the level
    of hiss, hum or room tone under the music."""
    if raw.shape[1] < MOMENTARY_TICKS:
        return None
    energy = raw[:channels].sum(axis=0, dtype=np.float64) / channels
    windows = np.lib.stride_tricks.sliding_window_view(energy, MOMENTARY_TICKS).sum(axis=1)
    mean_square = windows / (MOMENTARY_TICKS * rate / TICKS_PER_SECOND)
    audible = mean_square[mean_square > 1e-18]  # below -180 dBFS is digital silence
    if audible.size == 0:
        return None
    return 10.0 * math.log10(float(np.percentile(audible, NOISE_FLOOR_PERCENTILE)))
