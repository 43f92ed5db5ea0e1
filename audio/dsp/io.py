"""Reading audio: what a file is (probe) and its samples in blocks (streaming).

The content decides, never the name: libsndfile (through soundfile) identifies the container
from its header. Nothing here reads a whole file into memory.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import soundfile as sf

from .errors import AudioError

# Containers Liner accepts, as libsndfile names them, with the name shown to people.
ACCEPTED = {"WAV": "WAV", "WAVEX": "WAV", "RF64": "WAV", "W64": "WAV", "AIFF": "AIFF",
            "FLAC": "FLAC", "MP3": "MP3", "OGG": "OGG"}  # fmt: skip
# Bits per sample of the PCM subtypes; lossy subtypes have no bit depth.
_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32,
         "FLOAT": 32, "DOUBLE": 64}  # fmt: skip

MIN_RATE, MAX_RATE = 8_000, 384_000
MAX_CHANNELS = 32
MAX_DURATION_S = 6 * 60 * 60  # longer than any release track or DJ mix Liner expects


@dataclass(frozen=True)
class AudioInfo:
    format: str
    subtype: str
    sample_rate: int
    bit_depth: int | None
    channels: int
    frames: int
    duration_s: float
    size_bytes: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def probe(path: str | os.PathLike[str], *, max_bytes: int | None = None) -> AudioInfo:
    """Describe an audio file, or raise AudioError saying in plain words why it is unusable.

    Checks: it exists and is not empty or over ``max_bytes``; libsndfile recognises it as one
    of the accepted formats; its header is sane (rate, channels, length); and its last block
    can actually be read, which catches files cut short in transfer.
    """
    name = os.path.basename(os.fspath(path))
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise AudioError(f"“{name}” could not be opened.") from exc
    if size == 0:
        raise AudioError(f"“{name}” is empty.")
    if max_bytes is not None and size > max_bytes:
        raise AudioError(f"“{name}” is {size / 1e9:.2f} GB; the limit is {max_bytes / 1e9:.2f} GB.")
    try:
        info = sf.info(path)
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(
            f"“{name}” is not an audio file Liner can read. Upload WAV, AIFF, FLAC, MP3 or OGG."
        ) from exc
    fmt = ACCEPTED.get(info.format)
    if fmt is None:
        raise AudioError(
            f"“{name}” is {info.format_info or info.format} audio, which Liner does not take. "
            "Upload WAV, AIFF, FLAC, MP3 or OGG."
        )
    if info.channels < 1:
        raise AudioError(f"“{name}” has no audio channels.")
    if info.channels > MAX_CHANNELS:
        raise AudioError(f"“{name}” claims {info.channels} channels; the header looks damaged.")
    if not MIN_RATE <= info.samplerate <= MAX_RATE:
        raise AudioError(
            f"“{name}” claims a sample rate of {info.samplerate} Hz; Liner takes 8 kHz to 384 kHz."
        )
    frames = int(info.frames)
    if frames <= 0:
        raise AudioError(f"“{name}” contains no audio.")
    duration = frames / info.samplerate
    if duration > MAX_DURATION_S:
        raise AudioError(f"“{name}” claims to last {duration / 3600:.1f} hours; that is too long.")
    declared_end = _declared_data_end(path, info.format)
    if declared_end is not None and declared_end > size + 1:
        raise AudioError(
            f"“{name}” is cut short: it says it holds {declared_end} bytes but has {size}. "
            "Upload it again."
        )
    _check_readable_to_the_end(path, frames, name)
    return AudioInfo(
        format=fmt,
        subtype=info.subtype,
        sample_rate=int(info.samplerate),
        bit_depth=_BITS.get(info.subtype),
        channels=int(info.channels),
        frames=frames,
        duration_s=duration,
        size_bytes=size,
    )


def _declared_data_end(path: str | os.PathLike[str], fmt: str) -> int | None:
    """Where a WAV or AIFF file says its sample data ends, from its own chunk headers.

    libsndfile quietly plays what is there when a file is shorter than its header says; a
    cut-short upload must be refused instead, so the promise is checked here. None when the
    format has no such promise or the writer left the size open (0 or 0xFFFFFFFF, as
    streaming recorders do).
    """
    if fmt in ("WAV", "WAVEX"):
        riff, little, data_id = b"RIFF", True, b"data"
    elif fmt == "AIFF":
        riff, little, data_id = b"FORM", False, b"SSND"
    else:
        return None
    size_fmt = "<I" if little else ">I"
    with open(path, "rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != riff:
            return None
        offset = 12
        for _ in range(64):  # real files have a handful of chunks before their data
            f.seek(offset)
            chunk = f.read(8)
            if len(chunk) < 8:
                return None
            (length,) = struct.unpack(size_fmt, chunk[4:])
            if chunk[:4] == data_id:
                return None if length in (0, 0xFFFFFFFF) else offset + 8 + length
            offset += 8 + length + (length & 1)
    return None


def _check_readable_to_the_end(path: str | os.PathLike[str], frames: int, name: str) -> None:
    # A header that promises more than the file holds is the usual sign of a cut-short
    # upload: seeking near the end and reading must return the promised frames.
    tail = min(frames, 4096)
    try:
        with sf.SoundFile(path) as f:
            if f.seekable():
                f.seek(frames - tail)
            got = f.read(tail, dtype="float32", always_2d=True) if f.seekable() else None
    except (sf.LibsndfileError, RuntimeError, OSError) as exc:
        raise AudioError(f"“{name}” is damaged or cut short: its end cannot be read.") from exc
    if got is not None and len(got) < tail:
        raise AudioError(
            f"“{name}” is cut short: the header promises {frames} frames but the file holds fewer."
        )


def iter_blocks(
    path: str | os.PathLike[str], block_frames: int, *, dtype: str = "float32"
) -> Iterator[np.ndarray]:
    """Yield (frames, channels) blocks of samples in [-1, 1]; memory does not grow with length."""
    name = os.path.basename(os.fspath(path))
    try:
        with sf.SoundFile(path) as f:
            yield from f.blocks(blocksize=block_frames, dtype=dtype, always_2d=True)
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"“{name}” could not be read to the end: {exc}") from exc
