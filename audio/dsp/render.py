"""Delivery files from a master: WAV 24-bit, WAV 16-bit 44.1 kHz, FLAC, MP3 320 kbps CBR.

Streaming, block by block: memory does not grow with the track. Resampling is soxr's very
high quality setting; word-length reduction gets the same TPDF dither as mastering (`pcm`);
encoders are libsndfile (WAV, FLAC, via soundfile) and LAME (via lameenc). The file appears
under its name only complete and tagged; on any failure nothing is left and a file already
there is untouched.

=======  ===========================  =========================================================
format   rate                         samples
=======  ===========================  =========================================================
wav24    the source's                 24-bit PCM, dithered from the float decode
wav16    44.1 kHz (CD)                16-bit PCM, dithered
flac     the source's                 24-bit, or 16-bit when the source is 16-bit (no gain in
                                      storing zeros)
mp3      32/44.1/48 kHz as the source, CBR 320 kbps, LAME quality 2, joint stereo; from 16-bit
         else 44.1 kHz                dithered PCM, the encoder's input
=======  ===========================  =========================================================
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import lameenc
import numpy as np
import soundfile as sf
import soxr

from .errors import AudioError
from .io import iter_planar, probe
from .master.pcm import SUBTYPES, Quantizer, staged_output
from .tags import validate_tags, write_tags

FORMATS = ("wav24", "wav16", "flac", "mp3")
MP3_RATES = (32_000, 44_100, 48_000)
MP3_BITRATE_KBPS = 320
LAME_QUALITY = 2
BLOCK_FRAMES = 1 << 16
RESAMPLE_QUALITY = "VHQ"

Progress = Callable[[int, str], None]


def plan(fmt: str, rate: int, bits: int | None) -> tuple[int, int, str]:
    """(output rate, bits, container) for ``fmt`` from a source at ``rate`` and ``bits``."""
    if fmt == "wav24":
        return rate, 24, "WAV"
    if fmt == "wav16":
        return 44_100, 16, "WAV"
    if fmt == "flac":
        return rate, 16 if bits == 16 else 24, "FLAC"
    if fmt == "mp3":
        return (rate if rate in MP3_RATES else 44_100), 16, "MP3"
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")


def render(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    fmt: str,
    *,
    tags: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write ``in_path`` as ``fmt`` to ``out_path`` with ``tags``; return what was written.

    Raises AudioError for an unreadable input, TagError (a ValueError) for bad tags, and
    ValueError for an unknown format; in every case nothing is written.
    """
    report = progress or (lambda _pct, _stage: None)
    clean_tags = validate_tags(tags)  # before any work: bad tags cost nothing
    info = probe(in_path)
    out_rate, bits, container = plan(fmt, info.sample_rate, info.bit_depth)
    if container == "MP3" and info.channels > 2:
        raise AudioError(f"MP3 holds one or two channels; this file has {info.channels}.")
    total = max(info.frames, 1)
    frames = 0
    with staged_output(out_path) as tmp:
        blocks = _resampled(iter_planar(in_path, BLOCK_FRAMES), info.sample_rate, out_rate,
                            info.channels)  # fmt: skip
        quantize = Quantizer(bits, info.channels, dither=True)
        if container == "MP3":
            frames = _write_mp3(tmp, blocks, quantize, out_rate, info.channels, total, report)
        else:
            frames = _write_pcm(tmp, blocks, quantize, out_rate, info.channels, bits, container,
                                total, report)  # fmt: skip
        if clean_tags:
            report(98, "Writing tags")
            write_tags(tmp, clean_tags)
        digest, size = _digest(tmp)
    report(100, "Done")
    return {
        "format": fmt,
        "container": container,
        "sample_rate": out_rate,
        "bit_depth": None if container == "MP3" else bits,
        "bitrate_kbps": MP3_BITRATE_KBPS if container == "MP3" else None,
        "channels": info.channels,
        "frames": frames,
        "duration_s": round(frames / out_rate, 3),
        "resampled_from": info.sample_rate if out_rate != info.sample_rate else None,
        "dither": "tpdf-highpass",
        "bytes": size,
        "sha256": digest,
        "tags": {k: v for k, v in clean_tags.items() if k != "artwork"},
        "artwork_bytes": len(clean_tags["artwork"]) if "artwork" in clean_tags else 0,
    }


def _resampled(
    blocks: Iterator[np.ndarray], in_rate: int, out_rate: int, channels: int
) -> Iterator[tuple[np.ndarray, int]]:
    """(planar block, input frames consumed so far) at ``out_rate``."""
    consumed = 0
    if in_rate == out_rate:
        for block in blocks:
            consumed += block.shape[1]
            yield block, consumed
        return
    stream = soxr.ResampleStream(in_rate, out_rate, channels, dtype="float32",
                                 quality=RESAMPLE_QUALITY)  # fmt: skip
    for block in blocks:
        consumed += block.shape[1]
        out = stream.resample_chunk(np.ascontiguousarray(block.T))
        if out.shape[0]:
            yield np.ascontiguousarray(out.T), consumed
    tail = stream.resample_chunk(np.zeros((0, channels), dtype=np.float32), last=True)
    if tail.shape[0]:
        yield np.ascontiguousarray(tail.T), consumed


def _write_pcm(tmp: str, blocks, quantize: Quantizer, rate: int, channels: int, bits: int,
               container: str, total: int, report: Progress) -> int:  # fmt: skip
    frames = 0
    try:
        with sf.SoundFile(tmp, "w", rate, channels, SUBTYPES[bits], format=container) as out:
            for block, consumed in blocks:
                out.write(quantize(block))
                frames += block.shape[1]
                report(int(95 * consumed / total), f"Writing {container}")
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"The {container} file could not be written: {exc}") from exc
    return frames


def _write_mp3(tmp: str, blocks, quantize: Quantizer, rate: int, channels: int, total: int,
               report: Progress) -> int:  # fmt: skip
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(channels)
    encoder.set_quality(LAME_QUALITY)
    frames = 0
    with open(tmp, "wb") as out:
        for block, consumed in blocks:
            out.write(encoder.encode(quantize(block).astype("<i2").tobytes()))
            frames += block.shape[1]
            report(int(95 * consumed / total), "Encoding MP3")
        out.write(encoder.flush())
    return frames


def _digest(path: str) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size
