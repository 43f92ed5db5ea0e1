"""Just enough of the WAV (RIFF, RF64) and AIFF containers to say where the audio bytes are and
whether the file holds as many of them as its header promises.

libsndfile quietly accepts a WAV or AIFF whose data stops early (an interrupted export or
upload) and reports the shorter length; a musician should hear that the file is cut short
instead. The WAV layout also lets `io` decode plain PCM faster than libsndfile does.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass
from pathlib import Path

# WAVE_FORMAT_* tags (Microsoft RIFF spec); EXTENSIBLE carries the real tag in its SubFormat GUID.
_WAVE_PCM = 0x0001
_WAVE_FLOAT = 0x0003
_WAVE_EXTENSIBLE = 0xFFFE
# A streaming writer that never went back to fill in the size leaves one of these.
_UNKNOWN_SIZES = (0, 0xFFFFFFFF)
_MAX_CHUNKS = 4096  # a header walk that never reaches the data is a damaged file, not a loop


@dataclass(frozen=True)
class Layout:
    container: str  # "WAV" or "AIFF"
    data_offset: int  # byte offset of the first audio byte
    declared_bytes: int | None  # what the header promises; None when it does not say
    available_bytes: int  # what the file actually holds from data_offset on
    block_align: int  # bytes per frame (0 when the encoding is compressed)
    channels: int
    bits: int
    sample_format: str  # "int", "float" or "other"
    little_endian: bool
    channel_mask: int | None = None  # WAVE_FORMAT_EXTENSIBLE speaker positions

    @property
    def missing_frames(self) -> int:
        """Whole frames the header promises that are not in the file (0 when complete)."""
        if self.declared_bytes is None or self.block_align <= 0:
            return 0
        return max(0, (self.declared_bytes - self.available_bytes) // self.block_align)

    @property
    def frames(self) -> int:
        """Frames actually present (bounded by the header when it states a size)."""
        if self.block_align <= 0:
            return 0
        usable = self.available_bytes
        if self.declared_bytes is not None:
            usable = min(usable, self.declared_bytes)
        return usable // self.block_align


def read_layout(path: str | Path) -> Layout | None:
    """The layout of a WAV/RF64 or AIFF/AIFC file, or None for any other (or unparseable) file;
    None means "let libsndfile decide", never "this is bad"."""
    try:
        with open(path, "rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(0)
            head = fh.read(12)
            if len(head) < 12:
                return None
            if head[:4] in (b"RIFF", b"RF64") and head[8:12] == b"WAVE":
                return _wav_layout(fh, size, rf64=head[:4] == b"RF64")
            if head[:4] == b"FORM" and head[8:12] in (b"AIFF", b"AIFC"):
                return _aiff_layout(fh, size)
    except (OSError, struct.error, ValueError, OverflowError):
        return None
    return None


def _wav_layout(fh, size: int, *, rf64: bool) -> Layout | None:
    fmt: bytes | None = None
    ds64_data_size: int | None = None
    pos = 12
    for _ in range(_MAX_CHUNKS):
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            return None
        chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
        body = pos + 8
        if chunk_id == b"ds64":
            # RF64 keeps the real 64-bit sizes here: riff size, data size, sample count.
            ds64_data_size = struct.unpack("<Q", fh.read(16)[8:16])[0]
        elif chunk_id == b"fmt ":
            fmt = fh.read(min(chunk_size, 64))
        elif chunk_id == b"data":
            if fmt is None or len(fmt) < 16:
                return None
            declared: int | None = chunk_size
            if rf64 and chunk_size == 0xFFFFFFFF and ds64_data_size is not None:
                declared = ds64_data_size
            elif chunk_size in _UNKNOWN_SIZES:
                declared = None
            return _wav_from_fmt(fmt, body, declared, size - body)
        pos = body + chunk_size + (chunk_size & 1)  # chunks are padded to an even length
        if pos >= size:
            return None
    return None


def _wav_from_fmt(fmt: bytes, offset: int, declared: int | None, available: int) -> Layout:
    tag, channels, _rate, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", fmt[:16])
    mask = None
    if tag == _WAVE_EXTENSIBLE and len(fmt) >= 40:
        # cbSize, wValidBitsPerSample, dwChannelMask, then the SubFormat GUID whose first two
        # bytes are the ordinary format tag.
        mask = struct.unpack("<I", fmt[20:24])[0]
        tag = struct.unpack("<H", fmt[24:26])[0]
    kind = {_WAVE_PCM: "int", _WAVE_FLOAT: "float"}.get(tag, "other")
    if kind == "int" and bits <= 8:
        kind = "other"  # 8-bit WAV is unsigned; rare enough to leave to libsndfile
    return Layout(
        container="WAV",
        data_offset=offset,
        declared_bytes=declared,
        available_bytes=max(0, available),
        block_align=block_align,
        channels=channels,
        bits=bits,
        sample_format=kind,
        little_endian=True,
        channel_mask=mask,
    )


def _aiff_layout(fh, size: int) -> Layout | None:
    comm: bytes | None = None
    fh.seek(8)
    aifc = fh.read(4) == b"AIFC"
    pos = 12
    for _ in range(_MAX_CHUNKS):
        fh.seek(pos)
        header = fh.read(8)
        if len(header) < 8:
            return None
        chunk_id, chunk_size = header[:4], struct.unpack(">I", header[4:])[0]
        body = pos + 8
        if chunk_id == b"COMM":
            comm = fh.read(min(chunk_size, 64))
        elif chunk_id == b"SSND":
            if comm is None or len(comm) < 18:
                return None
            data_offset = struct.unpack(">I", fh.read(4))[0]
            start = body + 8 + data_offset
            return _aiff_from_comm(comm, aifc, start, size - start)
        pos = body + chunk_size + (chunk_size & 1)
        if pos >= size:
            return None
    return None


def _aiff_from_comm(comm: bytes, aifc: bool, offset: int, available: int) -> Layout:
    channels, frames, bits = struct.unpack(">hIh", comm[:8])
    compression = comm[18:22] if aifc and len(comm) >= 22 else b"NONE"
    kinds = {b"NONE": "int", b"twos": "int", b"sowt": "int", b"fl32": "float", b"FL32": "float"}
    kind = kinds.get(compression, "other")
    block_align = channels * math.ceil(bits / 8) if kind != "other" and channels > 0 else 0
    return Layout(
        container="AIFF",
        data_offset=offset,
        declared_bytes=frames * block_align if block_align else None,
        available_bytes=max(0, available),
        block_align=block_align,
        channels=channels,
        bits=bits,
        sample_format=kind,
        little_endian=compression == b"sowt",
    )
