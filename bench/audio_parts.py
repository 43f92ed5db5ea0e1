"""The parts of `bench/audio.py`: the test mix, measuring a call or a fresh process, and
ffmpeg's meters. Run as ``python bench/audio_parts.py --child TOOL ARGS`` it is the fresh
process that `child` starts (moved here from bench/audio.py unchanged).
"""

from __future__ import annotations

import json
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE = 44_100
TARGET_LUFS, CEILING_DBTP = -14.0, -1.0
NO_FFMPEG = "ffmpeg not installed: run `apt-get install -y ffmpeg`"
MIX_LEVEL, MIX_DRIVE = 0.7, 0.8  # the test mix: about -17.5 LUFS, true peaks near -3 dBTP

# Targets from the issue, printed under the table.
QC_SHARE_OF_FFMPEG = 0.5  # the QC report (codec stage apart) in under half of ffmpeg's time
QC_PEAK_MB = 250.0
MASTER_SHARE_OF_FFMPEG = 1 / 3  # a finished master in under a third of ffmpeg's loudnorm
FLAT_RATIO = 1.25  # peak memory for the longest file within this factor of the 4-minute one
ON_TARGET_LU = 0.3  # the mastering promise: within ±0.3 LU, true peak at or under the ceiling
CODEC_RUNS = 3  # the codec stage takes seconds a run; fewer runs keep the whole bench short
PYTHON_METERS_UP_TO_MINUTES = 10  # pyloudnorm holds the whole file: 60 minutes would need GBs

# Runs a command and reports its wall time and peak memory. It is a small process of its own
# because the kernel starts a child's ru_maxrss from the size of whatever exec'd it: measured
# straight from this (large) process, every child would look as big as the benchmark.
LAUNCHER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True)
wall = time.perf_counter() - start
print(json.dumps({
    "rc": done.returncode,
    "wall": wall,
    "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "out": done.stdout.decode(errors="replace")[-4000:],
    "err": done.stderr.decode(errors="replace")[-8000:],
}))
"""


# --- The test file -----------------------------------------------------------------------------


def write_mix(path: Path, minutes: float, seed: int = 1770) -> None:
    """A four-to-the-floor track at 120 BPM, written 8 bars at a time so memory stays small.

    Every note starts at phase zero under a short attack and ends under a short release, so
    the file has no clicks; sections of 8 bars change the arrangement and level the way a song
    does, with a fade in and a fade out. The bus goes through a gentle soft clipper.
    """
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(seed)
    beat = RATE // 2
    bar = 4 * beat
    chunk = 8 * bar
    frames = int(round(minutes * 60 * RATE))
    roots = np.array([0, -4, 3, -2])  # Am F C G, in semitones from A
    minor = np.array([True, False, False, False])
    energy = np.array([0.55, 0.8, 1.0, 0.7, 0.9, 1.0, 0.6, 0.85])
    scale = np.array([0, 3, 5, 7, 10, 12, 15, 17])  # A minor pentatonic, two octaves
    two_pi = 2 * np.pi

    def ramp(pos: np.ndarray, length: int, attack: float, release: float) -> np.ndarray:
        """0 → 1 over ``attack`` s from the note's start, 1 → 0 over ``release`` s to its end."""
        up = np.minimum(pos / (attack * RATE), 1.0)
        down = np.minimum((length - pos) / (release * RATE), 1.0)
        return up * down

    with sf.SoundFile(path, "w", RATE, 2, format="WAV", subtype="PCM_24") as out:
        for start in range(0, frames, chunk):
            n = np.arange(start, min(start + chunk, frames))
            t = n / RATE
            bar_i = n // bar
            chord = bar_i % 4
            section = energy[(bar_i // 8) % len(energy)]
            mix = np.zeros((n.size, 2))

            # Chords: a triad and its octave, each voice slightly detuned left against right.
            pos = n % bar
            tb = pos / RATE
            root = 220.0 * 2 ** (roots[chord] / 12)
            third = np.where(minor[chord], 3, 4)
            env = ramp(pos, bar, 0.08, 0.05) * (0.7 + 0.3 * np.exp(-tb / 0.8))
            for semis, level in ((0, 0.07), (third, 0.06), (7, 0.06), (12, 0.04)):
                f = root * 2 ** (semis / 12)
                mix[:, 0] += level * env * np.sin(two_pi * f * tb)
                mix[:, 1] += level * env * np.sin(two_pi * f * 1.003 * tb + 0.4)

            # Bass: a note a beat, root or octave, five harmonics, centred.
            pos = n % beat
            tb = pos / RATE
            octave = np.where((n // beat) % 4 == 3, 2.0, 1.0)
            f = 55.0 * 2 ** (roots[chord] / 12) * octave
            env = ramp(pos, beat, 0.005, 0.02) * np.exp(-tb / 0.35)
            bass = sum(np.sin(two_pi * h * f * tb) / h for h in range(1, 6))
            mix += (0.32 * env * bass)[:, None]

            # Kick on every beat: a falling sine.
            phase = two_pi * (48.0 * tb + 110.0 * 0.035 * (1 - np.exp(-tb / 0.035)))
            kick = 0.75 * ramp(pos, beat, 0.001, 0.02) * np.exp(-tb / 0.16) * np.sin(phase)
            mix += kick[:, None]

            # Snare on 2 and 4: a noise burst with a body tone, a little wide.
            backbeat = ((n // beat) % 2 == 1).astype(float)
            noise = rng.standard_normal((n.size, 2))
            snare_env = backbeat * ramp(pos, beat, 0.001, 0.02) * np.exp(-tb / 0.07)
            body = np.sin(two_pi * 185.0 * tb)[:, None]
            mix += (0.22 * snare_env)[:, None] * (noise + 0.8 * body)

            # Hats on every eighth: differenced noise (bright), alternating sides.
            eighth = beat // 2
            pos8 = n % eighth
            hat_env = ramp(pos8, eighth, 0.0005, 0.01) * np.exp(-pos8 / RATE / 0.025)
            side = ((n // eighth) % 2).astype(float)
            hats = np.diff(rng.standard_normal((n.size + 1, 2)), axis=0)
            pan = np.stack([0.6 + 0.4 * side, 1.0 - 0.4 * side], axis=1)
            mix += (0.07 * hat_env)[:, None] * pan * hats

            # Lead in the loud sections: a pentatonic eighth-note line with vibrato.
            step = (n // eighth) * 2654435761 % len(scale)
            f = 440.0 * 2 ** (scale[step] / 12) * (1 + 0.004 * np.sin(two_pi * 5.5 * t))
            tone = np.sin(two_pi * f * pos8 / RATE) + 0.3 * np.sin(2 * two_pi * f * pos8 / RATE)
            lead = np.where(section >= 0.85, 0.09, 0.0) * ramp(pos8, eighth, 0.01, 0.02) * tone
            mix[:, 0] += 0.8 * lead
            mix[:, 1] += 1.0 * lead

            fade = np.minimum(np.minimum(t / 4.0, (frames - n) / RATE / 6.0), 1.0)
            mix *= (section * fade)[:, None]
            out.write(MIX_LEVEL * np.tanh(MIX_DRIVE * mix))  # a soft bus clipper


# --- Measuring ---------------------------------------------------------------------------------


@dataclass
class Row:
    what: str
    runs: int = 0
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    result: str = ""
    versus: float | None = None  # the ffmpeg time this row is compared with

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def peak_mb(self) -> float | None:
        return statistics.median(self.rss_mb) if self.rss_mb else None


def warm_times(call: Callable[[], object], runs: int, warm_up: bool = True) -> tuple[list, object]:
    """Seconds of ``runs`` calls in this process (after one untimed call), and the last result."""
    result = call() if warm_up else None
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return times, result


def launch(command: list[str]) -> dict:
    """Run ``command`` from a small launcher process: wall seconds, peak RSS MB, its output."""
    done = subprocess.run(
        [sys.executable, "-S", "-c", LAUNCHER, *command], capture_output=True, check=True
    )
    report = json.loads(done.stdout)
    report["rss_mb"] = report["rss_kb"] / 1024
    if report["rc"] != 0:
        lines = [line for line in report["err"].splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"exit status {report['rc']}")
    return report


def in_children(row: Row, runs: int, tool: str, *args: str) -> None:
    """Fill ``row`` from ``runs`` fresh processes of a Python tool."""
    for _ in range(runs):
        measured = child(tool, *args)
        if measured["seconds"] is not None:
            row.seconds.append(measured["seconds"])
        row.rss_mb.append(measured["rss_mb"])
    row.runs, row.result = runs, measured["result"]


def child(tool: str, *args: str) -> dict:
    """Run one Python tool (see `child_main`) in a fresh process: its call's seconds, its peak
    RSS and what it measured."""
    report = launch([sys.executable, __file__, "--child", tool, *args])
    measured = json.loads(report["out"].strip().splitlines()[-1])
    return {**measured, "rss_mb": report["rss_mb"]}


def child_main(tool: str, args: list[str]) -> None:
    """The far side of `child`: import the tool, then time one call and print JSON."""
    sys.path.insert(0, str(ROOT))
    path = args[0]
    if tool == "imports":
        import numpy  # noqa: F401
        import soundfile  # noqa: F401

        seconds, result = None, "the floor under every Python row"
    elif tool == "qc":
        from audio.dsp.analysis import analyze
        from audio.dsp.waveform import DEFAULT_COLUMNS

        start = time.perf_counter()
        report = analyze(path, waveform_columns=DEFAULT_COLUMNS)
        seconds = time.perf_counter() - start
        result = _levels(report["integrated_lufs"], report["true_peak_dbtp"])
    elif tool == "master":
        from audio.dsp.master import master

        start = time.perf_counter()
        master(path, args[1], target_lufs=TARGET_LUFS, ceiling_dbtp=CEILING_DBTP)
        seconds = time.perf_counter() - start
        result = ""
    elif tool == "pyloudnorm":
        import pyloudnorm
        import soundfile as sf

        start = time.perf_counter()
        data, rate = sf.read(path)
        lufs = pyloudnorm.Meter(rate).integrated_loudness(data)
        seconds = time.perf_counter() - start
        result = f"{lufs:.1f} LUFS (no true peak)"
    elif tool == "pyebur128":
        import math

        import pyebur128
        import soundfile as sf

        modes = pyebur128.MeasurementMode
        start = time.perf_counter()
        info = sf.info(path)
        state = pyebur128.R128State(
            info.channels, info.samplerate, modes.MODE_I | modes.MODE_LRA | modes.MODE_TRUE_PEAK
        )
        for block in sf.blocks(path, blocksize=RATE, dtype="float32"):
            state.add_frames(block.reshape(-1), block.shape[0])
        lufs = pyebur128.get_loudness_global(state)
        pyebur128.get_loudness_range(state)
        peak = max(pyebur128.get_true_peak(state, c) for c in range(info.channels))
        seconds = time.perf_counter() - start
        result = _levels(lufs, 20 * math.log10(peak) if peak > 0 else None)
    else:
        raise SystemExit(f"unknown tool {tool!r}")
    print(json.dumps({"seconds": seconds, "result": result}))


def _levels(lufs: float | None, dbtp: float | None) -> str:
    shown = "-" if lufs is None else f"{lufs:.1f}"
    peak = "-" if dbtp is None else f"{dbtp:+.1f}"
    return f"{shown} LUFS, {peak} dBTP"


def _mastered(report: dict) -> str:
    """The output's loudness and true peak by Liner's meter, and whether that is on target."""
    lufs, peak = report["integrated_lufs"], report["true_peak_dbtp"]
    on_target = abs(lufs - TARGET_LUFS) <= ON_TARGET_LU and peak <= CEILING_DBTP
    return _levels(lufs, peak) + (" on target" if on_target else " OFF TARGET")


def _error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"error: {type(exc).__name__}: {text[-1] if text else ''}"[:70]


# --- ffmpeg ------------------------------------------------------------------------------------


def ffmpeg_ebur128(path: Path) -> tuple[float, float, str]:
    base = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)]
    report = launch([*base, "-af", "ebur128=peak=true", "-f", "null", "-"])
    summary = report["err"].rpartition("Summary:")[2]
    lufs = re.search(r"I:\s+(-?[\d.]+|-inf) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    result = _levels(
        float(lufs[1]) if lufs and lufs[1] != "-inf" else None,
        float(peak[1]) if peak and peak[1] != "-inf" else None,
    )
    return report["wall"], report["rss_mb"], result


def ffmpeg_loudnorm(path: Path, out: Path) -> tuple[float, float, str]:
    """Two-pass loudnorm to a 24-bit WAV at the input's rate: seconds of both passes, the
    larger peak RSS, and loudnorm's own normalisation type."""
    settings = f"I={TARGET_LUFS:g}:TP={CEILING_DBTP:g}:LRA=11"
    base = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-y", "-i", str(path)]
    first = launch([*base, "-af", f"loudnorm={settings}:print_format=json", "-f", "null", "-"])
    measured = _loudnorm_json(first["err"])
    second_filter = (
        f"loudnorm={settings}:measured_I={measured['input_i']}:measured_TP={measured['input_tp']}"
        f":measured_LRA={measured['input_lra']}:measured_thresh={measured['input_thresh']}"
        f":offset={measured['target_offset']}:linear=true:print_format=json"
    )
    second = launch([*base, "-af", second_filter, "-ar", str(RATE), "-c:a", "pcm_s24le", str(out)])
    kind = _loudnorm_json(second["err"]).get("normalization_type", "?")
    return first["wall"] + second["wall"], max(first["rss_mb"], second["rss_mb"]), kind


def _loudnorm_json(stderr: str) -> dict:
    start = stderr.rfind("{")
    return json.loads(stderr[start : stderr.index("}", start) + 1])


if __name__ == "__main__":
    child_main(sys.argv[2], sys.argv[3:])
