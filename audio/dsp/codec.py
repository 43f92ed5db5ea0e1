"""Codec safety: what a master's peaks become after the lossy encode a store will make.

An encoder removes and reshapes high-frequency content, so a master that peaks at -0.3 dBTP can
decode to samples over 0 dBFS that clip on playback. We encode to MP3 at 320 kbps with LAME
(lameenc), decode with libsndfile (floating point, so overs are kept), and meter the result.
AAC (what Apple Music delivers) is checked the same way when an ``ffmpeg`` with its AAC encoder
is installed on the machine; Liner does not ship one. Encoder delay shifts the decoded audio by
a few hundred samples; peaks do not care.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

import lameenc
import numpy as np
import soundfile as sf

from .errors import AudioError
from .faults import FULL_SCALE
from .io import BlockReader
from .peaks import TruePeakMeter, to_db

MP3_BITRATE_KBPS = 320
MP3_RATES = (32_000, 44_100, 48_000)  # MPEG-1 Layer III, the only rates 320 kbps exists at
LAME_QUALITY = 2  # LAME's "high quality" algorithm choice (0 best/slowest .. 9 worst/fastest)
AAC_BITRATE_KBPS = 256  # Apple Music's AAC
_BLOCK_SECONDS = 4.0

Progress = Callable[[int, str], None]


def codec_check(
    path: str | os.PathLike[str], *, progress: Progress | None = None
) -> dict[str, Any]:
    """Peaks after an MP3 320 kbps round trip of the file at ``path``.

    Returns ``{"codec": "mp3-320", "true_peak_dbtp", "sample_peak_dbfs", "clipped_samples",
    "encoder_rate", "aac": {...} or None, "notes": [...]}``; ``clipped_samples`` counts decoded
    samples at or over full scale (each clips when played back in fixed point). ``aac`` has the
    same peak fields for AAC 256 kbps when an AAC encoder is available, else a note says why not.
    """
    path = os.fspath(path)
    report = progress or (lambda _pct, _stage: None)
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="liner-codec-") as tmp:
        aac_job = _start_aac(path, tmp, notes)
        mp3 = _mp3_round_trip(path, tmp, notes, report)
        report(80, "Checking the AAC encode")
        aac = _finish_aac(aac_job, notes) if aac_job else None
    report(100, "Done")
    return {"codec": "mp3-320", **mp3, "aac": aac, "notes": notes}


# --- MP3 (lameenc) --------------------------------------------------------------------------


def _mp3_round_trip(path: str, tmp: str, notes: list[str], report: Progress) -> dict[str, Any]:
    with BlockReader(path) as reader:
        rate, channels = reader.sample_rate, reader.channels
        if channels > 2:
            notes.append(f"MP3 carries one or two channels; this file has {channels}.")
            return {
                "true_peak_dbtp": None,
                "sample_peak_dbfs": None,
                "clipped_samples": None,
                "encoder_rate": None,
            }
        out_rate = _mp3_rate(rate)
        if out_rate != rate:
            notes.append(f"Resampled to {out_rate} Hz by the MP3 encoder, as MP3 requires.")
        encoder = lameenc.Encoder()
        encoder.set_bit_rate(MP3_BITRATE_KBPS)
        encoder.set_in_sample_rate(rate)
        encoder.set_out_sample_rate(out_rate)
        encoder.set_channels(channels)
        encoder.set_quality(LAME_QUALITY)
        total = max(reader.frames_hint, 1)
        mp3_path = os.path.join(tmp, "check.mp3")
        with open(mp3_path, "wb") as out:
            while True:
                block = reader.read(int(_BLOCK_SECONDS * rate))
                if block.shape[1] == 0:
                    break
                out.write(encoder.encode(_to_pcm16(block)))
                report(int(60 * reader.position / total), "Encoding MP3")
            out.write(encoder.flush())
    report(60, "Decoding MP3")
    try:
        handle = sf.SoundFile(mp3_path)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError("The MP3 test encode could not be decoded.") from exc
    with handle:
        size = int(_BLOCK_SECONDS * handle.samplerate)
        blocks = (
            np.ascontiguousarray(b.T)
            for b in handle.blocks(blocksize=size, dtype="float32", always_2d=True)
        )
        return {**_meter(blocks, handle.channels), "encoder_rate": out_rate}


def _mp3_rate(rate: int) -> int:
    if rate in MP3_RATES:
        return rate
    return 44_100 if rate % 11_025 == 0 else 48_000


def _to_pcm16(block: np.ndarray) -> bytes:
    """Interleaved 16-bit little-endian PCM, what lameenc takes; the master's own overs clip
    here exactly as a 16-bit delivery would."""
    scaled = np.clip(np.rint(block.T * 32768.0), -32768, 32767)
    return scaled.astype("<i2").tobytes()


def _meter(blocks, channels: int) -> dict[str, Any]:
    """Peaks and overs of decoded planar blocks."""
    meter = TruePeakMeter(channels)
    over = 0
    for planar in blocks:
        meter.process(planar)
        over += int(np.count_nonzero(np.abs(planar) >= FULL_SCALE))
    meter.flush()
    sample, true = meter.peaks()
    true_db, sample_db = to_db(float(true.max())), to_db(float(sample.max()))
    return {
        "true_peak_dbtp": None if true_db is None else round(true_db, 2),
        "sample_peak_dbfs": None if sample_db is None else round(sample_db, 2),
        "clipped_samples": over,
    }


# --- AAC (a system ffmpeg, when there is one) -----------------------------------------------


@functools.cache
def _ffmpeg_with_aac() -> str | None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    try:
        listing = subprocess.run(
            [ffmpeg, "-hide_banner", "-encoders"], capture_output=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    has_aac = any(line.split()[1:2] == [b"aac"] for line in listing.splitlines())
    return ffmpeg if has_aac else None


def _start_aac(path: str, tmp: str, notes: list[str]) -> tuple | None:
    """Start the AAC encode in the background (ffmpeg is its own process, so it runs on the
    other core while we encode the MP3)."""
    ffmpeg = _ffmpeg_with_aac()
    if ffmpeg is None:
        notes.append("AAC not checked: no AAC encoder is installed (ffmpeg).")
        return None
    info = sf.info(path)
    if info.channels > 2:
        notes.append(f"AAC not checked for {info.channels} channels.")
        return None
    out = os.path.join(tmp, "check.m4a")
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", path, "-vn",
               "-c:a", "aac", "-b:a", f"{AAC_BITRATE_KBPS}k", "-y", out]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    timeout = 120 + 2 * info.duration
    return ffmpeg, process, out, info.channels, timeout


def _finish_aac(job: tuple, notes: list[str]) -> dict[str, Any] | None:
    ffmpeg, process, out, channels, timeout = job
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        notes.append("AAC not checked: the encoder took too long.")
        return None
    if process.returncode != 0:
        notes.append("AAC not checked: the encoder failed (" + _first_line(err) + ").")
        return None
    # Decode to raw 32-bit float (overs kept) and meter it as it streams in.
    command = [ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-i", out,
               "-f", "f32le", "-ac", str(channels), "-"]  # fmt: skip
    decoder = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    frame_bytes = 4 * channels
    chunk = 65_536 * frame_bytes

    def blocks():
        pending = b""
        while True:
            data = decoder.stdout.read(chunk)
            if not data:
                break
            data = pending + data
            whole = len(data) // frame_bytes * frame_bytes
            pending = data[whole:]
            samples = np.frombuffer(data[:whole], dtype="<f4").reshape(-1, channels)
            yield np.ascontiguousarray(samples.T)

    try:
        result = _meter(blocks(), channels)
    finally:
        decoder.stdout.close()
        decoder.wait(timeout=timeout)
    if decoder.returncode != 0:
        notes.append("AAC not checked: the decoder failed.")
        return None
    return {"codec": f"aac-{AAC_BITRATE_KBPS}", **result}


def _first_line(err: bytes) -> str:
    lines = err.decode(errors="replace").strip().splitlines()
    return lines[0][:200] if lines else "no message"
