"""Benchmark: Liner's audio QC and mastering side by side with ffmpeg, libebur128, pyloudnorm.

    .venv/bin/python bench/audio.py [--runs 5] [--long-runs 3] [--long-minutes 10 60] [--keep DIR]

Writes music-like 44.1 kHz stereo 24-bit WAVs of 4 minutes and of each ``--long-minutes``
(drums, bass, chords and a lead: a mix at about -17.5 LUFS with true peaks near -3 dBTP, so
mastering it needs gain and limiting; the same samples on every run), then measures, in one
run, each tool beside ffmpeg on the same file:

- time, "warm worker": the call itself in this process, imports done and a first call made,
  as in a Celery worker that has already analysed a file. Median, min and max of the runs.
- peak memory: a fresh process per run, its peak resident set as the kernel counts it
  (ru_maxrss, whole process: interpreter, libraries and data). External tools (ffmpeg) and
  the Python comparisons (pyloudnorm, pyebur128) run the same way; for the Python ones the
  time is their call without start-up and imports. pyebur128 is not a dependency: its row
  says so unless it is importable (e.g. installed with ``pip install --target`` and put on
  PYTHONPATH for the run).

Nothing here passes or fails: timings on a shared machine are noisy, and the figures are for
people to read. The targets the figures are compared with are printed under the table.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from audio_parts import (
    CEILING_DBTP,
    CODEC_RUNS,
    FLAT_RATIO,
    MASTER_SHARE_OF_FFMPEG,
    NO_FFMPEG,
    PYTHON_METERS_UP_TO_MINUTES,
    QC_PEAK_MB,
    QC_SHARE_OF_FFMPEG,
    RATE,
    ROOT,
    TARGET_LUFS,
    Row,
    _error,
    _levels,
    _mastered,
    child,
    ffmpeg_ebur128,
    ffmpeg_loudnorm,
    in_children,
    warm_times,
    write_mix,
)

# --- The benchmark -----------------------------------------------------------------------------


class Bench:
    def __init__(self, folder: Path, runs: int, long_runs: int) -> None:
        self.folder = folder
        self.runs = runs
        self.long_runs = long_runs
        self.has_ffmpeg = shutil.which("ffmpeg") is not None
        self.sections: list[tuple[str, list[Row]]] = []
        self.qc_rss: dict[float, float] = {}
        self.qc_time: dict[float, float] = {}
        self.ffmpeg_time: dict[float, float] = {}
        self.loudnorm_time: float | None = None
        self.master_row: Row | None = None

    def file(self, minutes: float) -> Path:
        path = self.folder / f"mix-{minutes:g}min.wav"
        if not path.exists():
            _say(f"writing a {minutes:g}-minute WAV")
            partial = path.with_suffix(".partial")
            write_mix(partial, minutes)
            partial.rename(path)  # an interrupted run never leaves a half-written file behind
        return path

    def row(self, rows: list[Row], what: str, measure: Callable[[Row], None]) -> Row:
        _say(what)
        row = Row(what)
        try:
            measure(row)
        except Exception as exc:  # a broken tool is a row that says so, not a lost run
            row.result = _error(exc)
        rows.append(row)
        return row

    def qc_file(self, minutes: float, runs: int, *, every_row: bool) -> None:
        """The QC rows for a file of ``minutes``; ``every_row`` adds the breakdown (decode,
        waveform, codec stage, a cold process) that the 4-minute file shows."""
        from audio.dsp.analysis import analyze, waveform_peaks
        from audio.dsp.codec import codec_check
        from audio.dsp.io import iter_planar
        from audio.dsp.waveform import DEFAULT_COLUMNS

        path = self.file(minutes)
        size = path.stat().st_size / 1e6
        rows: list[Row] = []
        self.sections.append((f"QC, {minutes:g}-minute WAV ({size:.0f} MB)", rows))

        def ffmpeg(row: Row) -> None:
            if not self.has_ffmpeg:
                row.result = NO_FFMPEG
                return
            for _ in range(runs):
                seconds, rss, row.result = ffmpeg_ebur128(path)
                row.seconds.append(seconds)
                row.rss_mb.append(rss)
            row.runs = runs
            self.ffmpeg_time[minutes] = row.median

        def decode(row: Row) -> None:
            import soundfile as sf

            def read() -> int:
                return sum(b.shape[0] for b in sf.blocks(path, blocksize=RATE, dtype="float32"))

            row.seconds, frames = warm_times(read, runs)
            row.runs, row.result = runs, f"{frames / RATE:.0f} s of audio"

        def decode_liner(row: Row) -> None:
            def read() -> int:
                return sum(b.shape[1] for b in iter_planar(path, RATE))

            row.seconds, frames = warm_times(read, runs)
            row.runs, row.result = runs, f"{frames / RATE:.0f} s of audio"

        def imports_only(row: Row) -> None:
            in_children(row, runs, "imports", str(path))

        def qc_warm(row: Row) -> None:
            def call() -> dict:
                return analyze(path, waveform_columns=DEFAULT_COLUMNS)

            # The long files come after the 4-minute one: this process is warm by then.
            row.seconds, report = warm_times(call, runs, warm_up=every_row)
            for _ in range(runs):
                row.rss_mb.append(child("qc", str(path))["rss_mb"])
            row.runs = runs
            row.result = _levels(report["integrated_lufs"], report["true_peak_dbtp"])
            self.qc_time[minutes] = row.median
            self.qc_rss[minutes] = row.peak_mb

        def qc_cold(row: Row) -> None:
            in_children(row, runs, "qc", str(path))

        def waveform(row: Row) -> None:
            row.seconds, peaks = warm_times(lambda: waveform_peaks(path), runs)
            row.runs, row.result = runs, f"{len(peaks['levels'])} zoom levels"

        def codec(row: Row) -> None:
            row.runs = min(runs, CODEC_RUNS)
            row.seconds, report = warm_times(lambda: codec_check(path), row.runs)
            row.result = f"MP3 320 {report['true_peak_dbtp']:+.1f} dBTP"
            aac = report.get("aac")
            row.result += f", AAC {aac['true_peak_dbtp']:+.1f}" if aac else ", no AAC encoder"

        def pyebur128(row: Row) -> None:
            if importlib.util.find_spec("pyebur128") is None:
                row.result = "pyebur128 not installed (not a dependency)"
                return
            in_children(row, runs, "pyebur128", str(path))

        def pyloudnorm(row: Row) -> None:
            in_children(row, runs, "pyloudnorm", str(path))

        # ffmpeg first, so every other row can be set beside it.
        reference = self.row(rows, "ffmpeg -af ebur128=peak=true", ffmpeg)
        if every_row:
            self.row(rows, "decode only: soundfile.blocks, 1 s", decode)
            self.row(rows, "decode only: Liner BlockReader, 1 s", decode_liner)
            self.row(rows, "python + numpy + soundfile, imports only", imports_only)
        self.row(rows, "Liner QC report (all but codec), warm", qc_warm)
        if every_row:
            self.row(rows, "Liner QC, first call in a fresh process", qc_cold)
            self.row(rows, "Liner waveform peaks alone", waveform)
            self.row(rows, "Liner codec stage alone (MP3 + AAC)", codec)
        if minutes <= PYTHON_METERS_UP_TO_MINUTES:
            self.row(rows, "libebur128 (pyebur128): I, LRA, true peak", pyebur128)
            self.row(rows, "pyloudnorm: read + integrated loudness", pyloudnorm)
        for row in rows:
            row.versus = reference.median

    def mastering(self) -> None:
        from audio.dsp.analysis import analyze

        path = self.file(4)
        rows: list[Row] = []
        title = f"Mastering the 4-minute WAV to {TARGET_LUFS:g} LUFS, {CEILING_DBTP:g} dBTP"
        self.sections.append((f"{title}, 24-bit WAV out", rows))

        def ffmpeg(row: Row) -> None:
            if not self.has_ffmpeg:
                row.result = NO_FFMPEG
                return
            out = self.folder / "loudnorm.wav"
            for _ in range(self.runs):
                seconds, rss, kind = ffmpeg_loudnorm(path, out)
                row.seconds.append(seconds)
                row.rss_mb.append(rss)
            report = analyze(out)
            out.unlink()
            row.runs = self.runs
            row.result = _mastered(report) + f" ({kind})"
            self.loudnorm_time = row.median

        def liner(row: Row) -> None:
            from audio.dsp.master import master

            out = self.folder / "master.wav"

            def call() -> dict:
                return master(path, out, target_lufs=TARGET_LUFS, ceiling_dbtp=CEILING_DBTP)

            row.seconds, _ = warm_times(call, self.runs)
            report = analyze(out)
            out.unlink()
            for _ in range(self.runs):
                row.rss_mb.append(child("master", str(path), str(out))["rss_mb"])
                out.unlink(missing_ok=True)
            row.runs = self.runs
            row.result = _mastered(report)

        reference = self.row(rows, "ffmpeg loudnorm, two passes, linear=true", ffmpeg)
        self.master_row = self.row(rows, "Liner master(), warm", liner)
        for row in rows:
            row.versus = reference.median

    def flatness(self) -> None:
        measured = {m: mb for m, mb in self.qc_rss.items() if mb is not None}
        if len(measured) < 2:
            return
        rows: list[Row] = []
        shortest = min(measured)
        for minutes in sorted(measured)[1:]:
            ratio = measured[minutes] / measured[shortest]
            row = Row(f"Liner QC peak RSS, {minutes:g} min ÷ {shortest:g} min")
            row.result = f"{ratio:.2f}× ({'flat' if ratio <= FLAT_RATIO else 'GROWS'})"
            rows.append(row)
        self.sections.append(("Memory with duration", rows))


def print_table(bench: Bench, started: datetime.datetime, load: tuple) -> None:
    import numpy as np
    import scipy
    import soundfile as sf

    ffmpeg = "not installed"
    if bench.has_ffmpeg:
        line = subprocess.run(["ffmpeg", "-version"], capture_output=True, text=True).stdout
        ffmpeg = line.split("\n", 1)[0].split(" Copyright")[0].removeprefix("ffmpeg version ")
    took = time.time() - started.timestamp()
    cpu = platform.processor() or platform.machine()
    print()
    print(f"Liner audio benchmark, {started:%Y-%m-%d %H:%M} UTC, took {took:.0f} s")
    print(
        f"machine: {os.cpu_count()} CPUs ({cpu}), load average {load[0]:.2f} at start and "
        f"{os.getloadavg()[0]:.2f} at end; Python {platform.python_version()}, numpy "
        f"{np.__version__}, scipy {scipy.__version__}, soundfile {sf.__version__} (libsndfile "
        f"{sf.__libsndfile_version__}), ffmpeg {ffmpeg}"
    )
    print(
        "s: median and range of n runs; 'warm' rows time the call in this process after a "
        "first call, the others the tool's own call in a fresh process (ffmpeg: the whole "
        "process). peak RSS: median over n fresh processes, the whole process."
    )
    header = (
        f"{'what':<44} {'n':>2} {'median s':>9} {'min–max s':>13} {'peak RSS MB':>11}  "
        f"{'result':<42} {'× ffmpeg':>8}"
    )
    for title, rows in bench.sections:
        print()
        print(title)
        print(header)
        print("-" * len(header))
        for row in rows:
            print(_line(row))
    print()
    print("Targets")
    for line in targets(bench):
        print(f"- {line}")


def _line(row: Row) -> str:
    runs = str(row.runs) if row.runs else "-"
    median = spread = rss = ratio = "-"
    if row.seconds:
        median = f"{row.median:.3f}"
        spread = f"{min(row.seconds):.3f}–{max(row.seconds):.3f}"
        if row.versus:
            ratio = f"{row.median / row.versus:.2f}×"
    if row.rss_mb:
        rss = f"{row.peak_mb:.0f}"
    return (
        f"{row.what:<44} {runs:>2} {median:>9} {spread:>13} {rss:>11}  {row.result:<42} {ratio:>8}"
    )


def targets(bench: Bench) -> list[str]:
    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    lines = []
    qc, ffmpeg = bench.qc_time.get(4.0), bench.ffmpeg_time.get(4.0)
    if qc is not None and ffmpeg:
        goal = QC_SHARE_OF_FFMPEG * ffmpeg
        lines.append(
            f"QC report (all but codec) in under half of ffmpeg's time: {qc:.2f} s, "
            f"{goal:.2f} s allowed ({qc / ffmpeg:.2f}× ffmpeg): {verdict(qc < goal)}"
        )
    measured = {m: mb for m, mb in bench.qc_rss.items() if mb is not None}
    if 4.0 in measured:
        worst = max(measured.values())
        lines.append(
            f"QC peak memory under {QC_PEAK_MB:.0f} MB: {measured[4.0]:.0f} MB at 4 minutes, "
            f"{worst:.0f} MB at most: {verdict(worst < QC_PEAK_MB)}"
        )
        longest = max(measured)
        if longest != 4.0:
            ratio = measured[longest] / measured[4.0]
            lines.append(
                f"QC memory flat with duration: {longest:g} minutes take {ratio:.2f}× the "
                f"4-minute peak (≤ {FLAT_RATIO:g}× counts as flat): {verdict(ratio <= FLAT_RATIO)}"
            )
    row = bench.master_row
    if row is not None and row.seconds and bench.loudnorm_time:
        goal = MASTER_SHARE_OF_FFMPEG * bench.loudnorm_time
        on_target = " on target" in row.result
        lines.append(
            f"a finished master in under a third of ffmpeg loudnorm's time, on target: "
            f"{row.median:.2f} s, {goal:.2f} s allowed ({row.median / bench.loudnorm_time:.2f}× "
            f"ffmpeg), {'on' if on_target else 'OFF'} target: "
            f"{verdict(row.median < goal and on_target)}"
        )
    if not bench.has_ffmpeg:
        lines.append(f"{NO_FFMPEG}; nothing is compared with it")
    return lines


def _say(what: str) -> None:
    print(f"… {what}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each 4-minute row")
    parser.add_argument("--long-runs", type=int, default=3, help="runs of each long-file row")
    parser.add_argument("--long-minutes", type=float, nargs="*", default=[10.0, 60.0])
    parser.add_argument("--keep", type=Path, help="write the WAV files here and keep them")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    started = datetime.datetime.now(datetime.UTC)
    load = os.getloadavg()
    if args.keep:
        folder = args.keep
        folder.mkdir(parents=True, exist_ok=True)
    else:
        data = Path(os.environ.get("LINER_DATA_DIR", ROOT / "var")) / "tmp"
        data.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="bench-audio-", dir=data))
    bench = Bench(folder, args.runs, args.long_runs)
    try:
        bench.qc_file(4.0, args.runs, every_row=True)
        bench.mastering()
        for minutes in args.long_minutes:
            bench.qc_file(minutes, args.long_runs, every_row=False)
        bench.flatness()
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print_table(bench, started, load)


if __name__ == "__main__":
    main()
