"""Delivery files from a master: WAV 24-bit, WAV 16-bit 44.1 kHz, FLAC, MP3 320 kbps CBR.

Streaming, block by block: memory does not grow with the track. Resampling is soxr's very
high quality setting; word-length reduction gets the same TPDF dither as mastering (`pcm`);
encoders are libsndfile (WAV, FLAC, via soundfile) and LAME (via lameenc). The file appears
under its name only complete and tagged; on any failure nothing is left and a file already
there is untouched.

=======  ===========================  =========================================================
format   rate                         samples
=======  ===========================  =========================================================
wav24    the source's                 24-bit PCM
wav16    44.1 kHz (CD)                16-bit PCM
flac     the source's                 24-bit, or 16-bit when the source has 16 bits or fewer
                                      (storing zeros below them gains nothing)
mp3      32/44.1/48 kHz as the source, CBR 320 kbps, LAME quality 2, joint stereo or mono,
         else 44.1 kHz                from 16-bit PCM (what LAME takes); a LAME "Info" frame
                                      so players know it is CBR and trim LAME's delay and
                                      padding (gapless: decoded length = source length)
=======  ===========================  =========================================================

Dither is added only where it does something: when the source has more bits than the output
(float, 32-bit, or 24-bit going to 16), when it is resampled (the new samples have no word
length), or when its word length is unknown (a lossy source). A source that already fits
(16-bit into wav16 at 44.1 kHz, 24-bit into wav24 or FLAC) is copied sample for sample.
"""

from __future__ import annotations

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from typing import IO, Any

import lameenc
import numpy as np
import soundfile as sf
import soxr

from .errors import AudioError
from .io import iter_planar, probe
from .master.pcm import SUBTYPES, Quantizer, staged_output
from .tags import artwork_mime, validate_tags, write_tags

FORMATS = ("wav24", "wav16", "flac", "mp3")
MP3_RATES = (32_000, 44_100, 48_000)
MP3_BITRATE_KBPS = 320
LAME_QUALITY = 2
# Samples LAME puts before the music (the encoder delay, as LAME reports it; decoders add
# their own 529). Measured for the bundled LAME 3.100; a test checks the decoded alignment.
LAME_DELAY = 576
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
        return rate, 16 if bits is not None and bits <= 16 else 24, "FLAC"
    if fmt == "mp3":
        return (rate if rate in MP3_RATES else 44_100), 16, "MP3"
    raise ValueError(f"The format must be one of {', '.join(FORMATS)}, not “{fmt}”.")


def render(
    in_path: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    fmt: str,
    *,
    tags: dict[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write ``in_path`` as ``fmt`` to ``out_path`` with ``tags`` (see `tags.validate_tags`;
    artwork is the image's bytes under "artwork"); return what was written.

    Raises AudioError for an unreadable input, TagError (a ValueError) for bad tags, and
    ValueError for an unknown format; in every case nothing is written, and a file already
    at ``out_path`` is left as it was.
    """
    report = progress or (lambda _pct, _stage: None)
    if fmt not in FORMATS:
        plan(fmt, 0, None)  # raises, naming the formats
    clean_tags = validate_tags(tags)  # before any work: bad tags cost nothing
    info = probe(in_path)
    out_rate, bits, container = plan(fmt, info.sample_rate, info.bit_depth)
    if container == "MP3" and info.channels > 2:
        raise AudioError(f"MP3 holds one or two channels; this file has {info.channels}.")
    resampled = out_rate != info.sample_rate
    dither = resampled or info.bit_depth is None or info.bit_depth > bits
    total = max(info.frames, 1)
    with staged_output(out_path) as tmp:
        blocks = _resampled(iter_planar(in_path, BLOCK_FRAMES), info.sample_rate, out_rate,
                            info.channels)  # fmt: skip
        quantize = Quantizer(bits, info.channels, dither=dither)
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
    artwork = clean_tags.get("artwork")
    return {
        "format": fmt,
        "container": container,
        "sample_rate": out_rate,
        "bit_depth": None if container == "MP3" else bits,
        "bitrate_kbps": MP3_BITRATE_KBPS if container == "MP3" else None,
        "channels": info.channels,
        "frames": frames,
        "duration_s": round(frames / out_rate, 3),
        "resampled_from": info.sample_rate if resampled else None,
        "dither": "tpdf-highpass" if dither else None,
        "bytes": size,
        "sha256": digest,
        "tags": {k: v for k, v in clean_tags.items() if k != "artwork"},
        "artwork_bytes": len(artwork) if artwork else 0,
        "artwork_mime": artwork_mime(artwork) if artwork else None,
    }


def _resampled(
    blocks: Iterator[np.ndarray], in_rate: int, out_rate: int, channels: int
) -> Iterator[tuple[np.ndarray, int]]:
    """(planar block, input frames consumed so far) at ``out_rate``. soxr's stream keeps the
    total exact: n input frames give round(n * out_rate / in_rate) output frames."""
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


# --- MP3 ----------------------------------------------------------------------------------


def _write_mp3(tmp: str, blocks, quantize: Quantizer, rate: int, channels: int, total: int,
               report: Progress) -> int:  # fmt: skip
    """Encode to ``tmp``: room for the Info frame first, LAME's frames after it, then the
    Info frame written over the room once the counts are known."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(MP3_BITRATE_KBPS)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(channels)
    encoder.set_quality(LAME_QUALITY)
    info_size = _frame_bytes(rate)
    frames = 0
    with open(tmp, "w+b") as out:
        out.write(bytes(info_size))
        for block, consumed in blocks:
            out.write(encoder.encode(quantize(block).astype("<i2").tobytes()))
            frames += block.shape[1]
            report(int(95 * consumed / total), "Encoding MP3")
        out.write(encoder.flush())
        end = out.tell()
        first, count = _walk_frames(out, info_size, end)
        padding = count * 1152 - LAME_DELAY - frames
        if not 0 <= padding < 4096:
            raise AudioError("The MP3 encoder gave a stream of an unexpected length.")
        out.seek(0)
        out.write(_info_frame(first, channels, count, end, padding))
    return frames


def _frame_bytes(rate: int, padded: bool = False) -> int:
    """Size of an MPEG-1 Layer III frame at 320 kbps (1152 samples)."""
    return 144_000 * MP3_BITRATE_KBPS // rate + int(padded)


def _walk_frames(handle: IO[bytes], start: int, end: int) -> tuple[bytes, int]:
    """(first frame header, number of frames) of the stream from ``start`` to ``end``;
    checks that every frame is MPEG-1 Layer III at 320 kbps, so the Info frame's "CBR" is
    true."""
    rates = {0: 44_100, 1: 48_000, 2: 32_000}
    first, count, pos = b"", 0, start
    while pos < end:
        handle.seek(pos)
        head = handle.read(4)
        sane = len(head) == 4 and head[0] == 0xFF and head[1] & 0xFE == 0xFA
        if not sane or head[2] >> 4 != 14 or (head[2] >> 2) & 3 not in rates:
            raise AudioError("The MP3 encoder gave a stream that is not 320 kbps CBR.")
        first = first or head
        pos += _frame_bytes(rates[(head[2] >> 2) & 3], padded=bool(head[2] & 2))
        count += 1
    if pos != end or not count:
        raise AudioError("The MP3 encoder gave a stream that ends inside a frame.")
    return first, count


def _info_frame(first: bytes, channels: int, frames: int, stream_bytes: int, padding: int) -> bytes:
    """The LAME "Info" frame (Xing header for CBR, then the LAME extension): a silent frame
    with the same header as the music's, holding the frame and byte counts, a seek table,
    and the encoder delay and padding that players cut for gapless playback."""
    rate = {0: 44_100, 1: 48_000, 2: 32_000}[(first[2] >> 2) & 3]
    frame = bytearray(_frame_bytes(rate))
    frame[0:4] = bytes((first[0], first[1], first[2] & ~0x02, first[3]))  # unpadded
    at = 4 + (32 if channels == 2 else 17)  # after the (empty) side information
    flags = 0x0F  # frame count, byte count, seek table, quality
    frame[at : at + 4] = b"Info"
    struct.pack_into(">III", frame, at + 4, flags, frames, stream_bytes)
    frame[at + 16 : at + 116] = bytes(i * 256 // 100 for i in range(100))  # CBR: linear
    struct.pack_into(">I", frame, at + 116, 100 - 10 * 4 - LAME_QUALITY)  # LAME's formula
    lame = at + 120
    frame[lame : lame + 9] = b"LAME3.100"
    frame[lame + 9] = 0x01  # tag revision 0, constant bitrate
    frame[lame + 20] = min(MP3_BITRATE_KBPS, 255)
    delay = LAME_DELAY
    frame[lame + 21 : lame + 24] = bytes(
        (delay >> 4, (delay & 0x0F) << 4 | padding >> 8, padding & 0xFF)
    )
    frame[lame + 24] = {32_000: 0, 44_100: 1, 48_000: 2}[rate] << 6  # source rate
    struct.pack_into(">I", frame, lame + 28, stream_bytes)
    # The music CRC (lame + 32) stays 0: no decoder reads it, and it would cost a pass over
    # the whole file in Python. The tag's own CRC covers every byte before it.
    struct.pack_into(">H", frame, lame + 34, _crc16(frame[: lame + 34]))
    return bytes(frame)


def _crc16(data: bytes | bytearray) -> int:
    """CRC-16 (polynomial 0x8005, bit-reflected, initial 0), as the LAME tag uses."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _digest(path: str) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
            size += len(chunk)
    return sha.hexdigest(), size
