"""Benchmark: the audio QC report (audio.dsp.analysis.analyze) against its neighbours.

    .venv/bin/python bench/audio_qc.py [--runs 5] [--minutes 4 60] [--keep DIR]

Writes 44.1 kHz stereo 24-bit WAV files of a mastered-sounding synthetic mix into a temporary
folder, then runs each tool in a fresh process ``--runs`` times and prints the median wall time
and peak memory (the child's max RSS from wait4). For the Python tools it also prints the time
of the call itself, without interpreter start-up and imports. The 60-minute file shows whether
memory stays flat with duration. Timings are noisy on a shared machine; nothing here passes or
fails a build.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RATE = 44_100
CHUNK_S = 10

TOOLS = {
    "python + numpy + soundfile": """
import numpy, soundfile
print(0.0)
""",
    "liner analyze()": """
import sys, time
sys.path.insert(0, ROOT)
from audio.dsp.analysis import analyze
t = time.perf_counter(); analyze(PATH); print(time.perf_counter() - t)
""",
    "liner analyze() + waveform": """
import sys, time
sys.path.insert(0, ROOT)
from audio.dsp.analysis import analyze
t = time.perf_counter(); analyze(PATH, waveform_columns=(512, 2048, 8192))
print(time.perf_counter() - t)
""",
    "pyloudnorm integrated": """
import time
import pyloudnorm, soundfile
t = time.perf_counter()
data, rate = soundfile.read(PATH)
pyloudnorm.Meter(rate).integrated_loudness(data)
print(time.perf_counter() - t)
""",
    "decode: libsndfile blocks": """
import time, soundfile
t = time.perf_counter()
for _ in soundfile.blocks(PATH, blocksize=44100, dtype="float32"): pass
print(time.perf_counter() - t)
""",
    "decode: liner iter_blocks": """
import sys, time
sys.path.insert(0, ROOT)
from audio.dsp.io import iter_blocks
t = time.perf_counter()
for _ in iter_blocks(PATH, 44100): pass
print(time.perf_counter() - t)
""",
}


def make_mix(path: Path, minutes: float, seed: int = 7) -> None:
    """A loud, limited, mostly-centred mix written chunk by chunk (memory stays small): bass and
    chord tones changing every beat, drum-like noise bursts, pink-ish noise, soft-clipped the
    way a limiter leaves a master, peaking near -1 dBFS."""
    import numpy as np
    import soundfile as sf
    from scipy import signal

    rng = np.random.default_rng(seed)
    pink = signal.butter(1, 1000, fs=RATE, output="sos")
    state = [np.zeros((pink.shape[0], 2, 2)) for _ in range(3)]
    frames = int(minutes * 60 * RATE)
    beat = int(0.5 * RATE)
    with sf.SoundFile(path, "w", RATE, 2, format="WAV", subtype="PCM_24") as out:
        for start in range(0, frames, CHUNK_S * RATE):
            n = min(CHUNK_S * RATE, frames - start)
            t = (start + np.arange(n)) / RATE
            beats = (start + np.arange(n)) // beat
            notes = 55.0 * 2 ** (((beats * 7919) % 13) / 12)
            tone = sum(0.4 / h * np.sin(2 * np.pi * h * notes * t) for h in range(1, 6))
            chord = sum(0.12 * np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6, 440.0))
            noise = []
            for k in range(3):
                white = rng.standard_normal((n, 2))
                filtered, state[k] = signal.sosfilt(pink, white, axis=0, zi=state[k])
                noise.append(filtered)
            decay = np.exp(-((start + np.arange(n)) % beat) / (0.06 * RATE))[:, None]
            common = (tone + chord)[:, None] + 0.8 * decay * noise[0] + 0.1 * noise[1]
            mix = 0.85 * common + 0.15 * noise[2]
            envelope = (0.75 + 0.25 * np.sin(2 * np.pi * t / 20.0) ** 2)[:, None]
            master = 0.89 * np.tanh(1.6 * mix * envelope)  # about -1 dBFS at the top
            out.write(master)


def run(code: str, path: Path) -> tuple[float, float | None, float]:
    """Wall seconds of the whole process, seconds the process reported for its own call, and
    peak RSS in MB, for one fresh process."""
    script = f"ROOT = {str(ROOT)!r}\nPATH = {str(path)!r}\n{code}"
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark process failed:\n{err.decode()[-2000:]}")
    inner = float(out.split()[-1]) if out.strip() else None
    return wall, inner, usage.ru_maxrss / 1024


def ffmpeg_run(path: Path) -> tuple[float, float | None, float]:
    command = ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
               "-af", "ebur128=peak=true", "-f", "null", "-"]  # fmt: skip
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("ffmpeg failed")
    return wall, None, usage.ru_maxrss / 1024


def median_of(runs: int, measure) -> tuple[float, float | None, float]:
    results = [measure() for _ in range(runs)]
    inner = [r[1] for r in results if r[1] is not None]
    return (
        statistics.median(r[0] for r in results),
        statistics.median(inner) if inner else None,
        statistics.median(r[2] for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--minutes", type=float, nargs="+", default=[4.0, 60.0])
    parser.add_argument("--keep", type=Path, help="write the test files here and keep them")
    parser.add_argument("--make", nargs=2, metavar=("PATH", "MINUTES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_mix(Path(args.make[0]), float(args.make[1]))
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="liner-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    has_ffmpeg = shutil.which("ffmpeg") is not None
    rows = []
    try:
        for minutes in args.minutes:
            path = folder / f"mix-{minutes:g}min.wav"
            if not path.exists():
                print(f"writing {path.name} ...", file=sys.stderr, flush=True)
                partial = path.with_suffix(".partial")
                # In a child process: this process must stay small, because a child's peak
                # RSS as wait4 reports it starts from its parent's size at fork.
                maker = [sys.executable, __file__, "--make", str(partial), str(minutes)]
                subprocess.run(maker, check=True)
                partial.rename(path)  # an interrupted run never leaves a half file behind
            size_mb = path.stat().st_size / 1e6
            for name, code in TOOLS.items():
                print(f"{name} on {minutes:g} min ...", file=sys.stderr, flush=True)
                rows.append(
                    (
                        minutes,
                        size_mb,
                        name,
                        *median_of(args.runs, lambda c=code, p=path: run(c, p)),
                    )
                )
            if has_ffmpeg:
                print(f"ffmpeg on {minutes:g} min ...", file=sys.stderr, flush=True)
                rows.append(
                    (
                        minutes,
                        size_mb,
                        "ffmpeg ebur128=peak=true",
                        *median_of(args.runs, lambda p=path: ffmpeg_run(p)),
                    )
                )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)

    print(f"\nmedian of {args.runs} fresh processes each, {os.cpu_count()} CPUs, "
          f"44.1 kHz stereo 24-bit WAV")  # fmt: skip
    header = f"{'file':>14}  {'tool':<28} {'process wall s':>14} {'call s':>8} {'peak RSS MB':>12}"
    print(header)
    print("-" * len(header))
    for minutes, size_mb, name, wall, inner, rss in rows:
        call = f"{inner:8.3f}" if inner is not None else f"{'-':>8}"
        label = f"{minutes:g} min {size_mb:.0f} MB"
        print(f"{label:>14}  {name:<28} {wall:14.3f} {call} {rss:12.1f}")
    if not has_ffmpeg:
        print("ffmpeg not installed (apt-get install ffmpeg)")
    liner = {m: rss for m, _, name, _, _, rss in rows if name == "liner analyze()"}
    if len(liner) >= 2:
        short, long = min(liner), max(liner)
        ratio = liner[long] / liner[short]
        verdict = "flat" if ratio <= 1.5 else "GROWS with duration"
        print(f"\nliner analyze() peak RSS, {long:g} min / {short:g} min: {ratio:.2f}x ({verdict})")


if __name__ == "__main__":
    main()
