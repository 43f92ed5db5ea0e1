"""Reading audio: what a file is (`probe`) and its samples in blocks (`iter_blocks`).

The content decides, never the name: libsndfile (through soundfile) identifies the container
from its header. Nothing here reads a whole file into memory. Everything that can go wrong
with an upload becomes an `AudioError` whose message can be shown to the musician as it is.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import numpy as np
import soundfile as sf

from .containers import Layout, read_layout
from .errors import AudioError
from .timecode import clock as _clock

# Containers Liner accepts, as libsndfile names them, with the name shown to people.
ACCEPTED = {"WAV": "WAV", "WAVEX": "WAV", "RF64": "WAV", "W64": "WAV", "AIFF": "AIFF",
            "FLAC": "FLAC", "MP3": "MP3", "OGG": "OGG"}  # fmt: skip
# Bits per sample of the PCM subtypes; lossy subtypes have no bit depth.
_BITS = {"PCM_S8": 8, "PCM_U8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32,
         "FLOAT": 32, "DOUBLE": 64}  # fmt: skip
_FLOAT_SUBTYPES = ("FLOAT", "DOUBLE")

MIN_RATE, MAX_RATE = 8_000, 384_000
MAX_CHANNELS = 32
MAX_DURATION_S = 6 * 60 * 60  # longer than any release track or DJ mix Liner expects
_CHECK_FRAMES = 4096  # decoded at each end of the file by probe(), to catch damage cheaply
_READ_ERRORS = (sf.LibsndfileError, RuntimeError, OSError, ValueError, TypeError)
_SUPPORTED = "Upload WAV, AIFF, FLAC, MP3 or OGG."

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class AudioInfo:
    format: str  # "WAV", "AIFF", "FLAC", "MP3" or "OGG"
    subtype: str  # libsndfile's encoding name: "PCM_24", "FLOAT", "MPEG_LAYER_III", ...
    sample_rate: int
    bit_depth: int | None  # None for lossy encodings
    channels: int
    frames: int  # for MP3 an estimate from the stream; the decoded count differs slightly
    duration_s: float
    size_bytes: int

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def bit_depth(subtype: str | None) -> int | None:
    """Bits per sample of a libsndfile subtype; None for lossy encodings."""
    return _BITS.get(subtype or "")


def probe(path: PathLike, *, max_bytes: int | None = None, name: str | None = None) -> AudioInfo:
    """Describe an audio file, or raise AudioError saying in plain words why it is unusable.

    Checks: it exists and is not empty or over ``max_bytes``; libsndfile recognises it as one
    of the accepted formats; its header is sane (rate, channels, length); a WAV or AIFF holds
    the data its header promises; and its first and last blocks decode, which catches
    compressed files cut short in transfer. Cheap on any size of file. Messages call the file
    ``name`` (the name the user knows it by), else the path's own name.
    """
    name = name or os.path.basename(os.fspath(path))
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise AudioError(f"“{name}” could not be opened.") from exc
    if size == 0:
        raise AudioError(f"“{name}” is empty.")
    if max_bytes is not None and size > max_bytes:
        raise AudioError(f"“{name}” is {_size(size)}; the limit is {_size(max_bytes)}.")
    try:
        handle = sf.SoundFile(path)
    except _READ_ERRORS as exc:
        raise AudioError(_not_audio_message(path, name)) from exc
    with handle:
        fmt = ACCEPTED.get(handle.format)
        if fmt is None:
            kind = sf.available_formats().get(handle.format, handle.format)
            raise AudioError(f"“{name}” is {kind} audio, which Liner does not take. {_SUPPORTED}")
        rate, channels, frames = int(handle.samplerate), int(handle.channels), int(handle.frames)
        _check_header(name, rate, channels, frames)
        layout = read_layout(path)
        if layout is not None and layout.missing_frames > 0:
            have = layout.frames / rate
            promised = have + layout.missing_frames / rate
            raise AudioError(
                f"“{name}” is cut short: its header promises {_clock(promised)} of audio but "
                f"only {_clock(have)} is there. Upload it again."
            )
        _check_decodes(handle, name, frames, exact_length=fmt != "MP3")
    return AudioInfo(
        format=fmt,
        subtype=handle.subtype or "",
        sample_rate=rate,
        bit_depth=_BITS.get(handle.subtype or ""),
        channels=channels,
        frames=frames,
        duration_s=frames / rate,
        size_bytes=size,
    )


def _check_header(name: str, rate: int, channels: int, frames: int) -> None:
    if channels < 1:
        raise AudioError(f"“{name}” has no audio channels.")
    if channels > MAX_CHANNELS:
        raise AudioError(f"“{name}” claims {channels} channels; the header looks damaged.")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(
            f"“{name}” claims a sample rate of {rate} Hz; Liner takes 8 kHz to 384 kHz."
        )
    if frames <= 0:
        raise AudioError(f"“{name}” contains no audio.")
    if frames / rate > MAX_DURATION_S:
        hours = frames / rate / 3600
        raise AudioError(f"“{name}” claims to last {hours:.1f} hours; that is too long.")


def _check_decodes(handle: sf.SoundFile, name: str, frames: int, *, exact_length: bool) -> None:
    """Decode the first and last few thousand frames: a cut-short or damaged FLAC or Ogg file
    fails here even though its header looked fine. (MP3 lengths are estimates, so a short
    tail there is normal.)"""
    damaged = AudioError(f"“{name}” is damaged or cut short: its end cannot be read.")
    tail = None
    try:
        head = handle.read(min(frames, _CHECK_FRAMES), dtype="float32", always_2d=True)
        if len(head) == 0:
            raise damaged
        if handle.seekable() and frames > _CHECK_FRAMES:
            handle.seek(frames - _CHECK_FRAMES)
            tail = handle.read(_CHECK_FRAMES, dtype="float32", always_2d=True)
    except _READ_ERRORS as exc:
        raise damaged from exc
    if not np.isfinite(head).all() or (tail is not None and not np.isfinite(tail).all()):
        raise AudioError(f"“{name}” is damaged: it holds samples that are not numbers.")
    if exact_length and tail is not None and len(tail) < _CHECK_FRAMES:
        raise AudioError(
            f"“{name}” is cut short: the header promises {frames} frames but the file holds fewer."
        )


def _not_audio_message(path: PathLike, name: str) -> str:
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
    except OSError:
        head = b""
    what = _sniff(head)
    looks = f" It looks like {what}." if what else ""
    return f"“{name}” is not an audio file Liner can read.{looks} {_SUPPORTED}"


def _sniff(head: bytes) -> str | None:
    """A plain name for common things people upload by mistake, for the error message."""
    if head[4:8] == b"ftyp":
        return "an MP4/M4A file (AAC or ALAC audio, or video)"
    signatures = {
        b"%PDF": "a PDF document",
        b"PK\x03\x04": "a ZIP archive (or a document saved as one)",
        b"\x89PNG": "a PNG image",
        b"\xff\xd8\xff": "a JPEG image",
        b"GIF8": "a GIF image",
        b"\x1aE\xdf\xa3": "a Matroska or WebM file",
    }
    for magic, what in signatures.items():
        if head.startswith(magic):
            return what
    if head and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "a text file"
    return None


def _size(n: int) -> str:
    if n >= 1_000_000_000:
        return f"{n / 1e9:.2f} GB"
    if n >= 1_000_000:
        return f"{n / 1e6:.1f} MB"
    return f"{n / 1e3:.0f} kB"


# --- Reading samples --------------------------------------------------------------------------


class BlockReader:
    """Reads a file's samples as planar blocks, shape (channels, frames), each channel
    contiguous. The caller owns every block returned (no buffer is reused), so blocks may be
    handed to other threads."""

    def __init__(self, path: PathLike, *, dtype: str = "float32") -> None:
        self.name = os.path.basename(os.fspath(path))
        self.dtype = np.dtype(dtype)
        if not os.path.isfile(path):
            raise AudioError(f"“{self.name}” could not be opened.")
        try:
            self._sf = sf.SoundFile(path)
        except _READ_ERRORS as exc:
            raise AudioError(_not_audio_message(path, self.name)) from exc
        self.sample_rate = int(self._sf.samplerate)
        self.channels = int(self._sf.channels)
        self.frames_hint = int(self._sf.frames)
        self.format = ACCEPTED.get(self._sf.format, self._sf.format)
        self.subtype = self._sf.subtype or None
        # Only floating-point files can hold NaN or infinity; integer PCM and decoders can't.
        self._floating = self.subtype in _FLOAT_SUBTYPES
        self.position = 0
        self._fast: _WavPcm | None = None
        layout = read_layout(path)
        if layout is not None and _WavPcm.handles(layout, self.channels, self.frames_hint):
            self._sf.close()
            self._fast = _WavPcm(path, layout)

    @property
    def channel_mask(self) -> int | None:
        return self._fast.layout.channel_mask if self._fast is not None else None

    def read(self, frames: int) -> np.ndarray:
        """Up to ``frames`` frames from the current position; an empty block at the end."""
        try:
            if self._fast is not None:
                block = self._fast.read(frames, self.dtype)
            else:
                interleaved = self._sf.read(frames, dtype=self.dtype.name, always_2d=True)
                block = np.ascontiguousarray(interleaved.T)
        except _READ_ERRORS as exc:
            at = _clock(self.position / self.sample_rate)
            raise AudioError(
                f"“{self.name}” is damaged at about {at}: the audio can't be read past there."
            ) from exc
        if self._floating and not np.isfinite(block).all():
            bad = int(np.flatnonzero(~np.isfinite(block).all(axis=0))[0])
            at = _clock((self.position + bad) / self.sample_rate)
            raise AudioError(
                f"“{self.name}” is damaged at about {at}: it holds samples that are not numbers "
                "(NaN or infinity)."
            )
        self.position += block.shape[1]
        return block

    def close(self) -> None:
        if self._fast is not None:
            self._fast.close()
        else:
            self._sf.close()

    def __enter__(self) -> BlockReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def iter_planar(
    path: PathLike, block_frames: int, *, dtype: str = "float32"
) -> Iterator[np.ndarray]:
    """Blocks of shape (channels, frames), each channel contiguous."""
    if block_frames <= 0:
        raise ValueError("block_frames must be positive")
    with BlockReader(path, dtype=dtype) as reader:
        while True:
            block = reader.read(block_frames)
            if block.shape[1] == 0:
                return
            yield block


def iter_blocks(
    path: PathLike, block_frames: int, *, dtype: str = "float32"
) -> Iterator[np.ndarray]:
    """The file's samples in blocks of shape (frames, channels), scaled to ±1.0 full scale.

    Memory depends on ``block_frames``, never on the file's length. Each block is the
    transpose of a planar array, so ``block[:, c]`` is contiguous.
    """
    for block in iter_planar(path, block_frames, dtype=dtype):
        yield block.T


class _WavPcm:
    """Plain little-endian PCM/float WAV data decoded straight from the bytes with numpy.

    libsndfile spends most of an analysis' read time converting 24-bit samples one by one;
    this reads the same values (bit-identical; the tests compare them) several times faster.
    """

    _KINDS = {("int", 16), ("int", 24), ("int", 32), ("float", 32)}

    @classmethod
    def handles(cls, layout: Layout, channels: int, frames: int) -> bool:
        return (
            layout.container == "WAV"
            and layout.little_endian
            and (layout.sample_format, layout.bits) in cls._KINDS
            and layout.channels == channels
            and layout.block_align == channels * layout.bits // 8
            and layout.frames == frames
        )

    def __init__(self, path: PathLike, layout: Layout) -> None:
        self.layout = layout
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by close()
        self._fh.seek(layout.data_offset)
        self._left = layout.frames
        self._raw = bytearray()

    def read(self, frames: int, dtype: np.dtype) -> np.ndarray:
        layout = self.layout
        ch, width = layout.channels, layout.bits // 8
        want = min(frames, self._left)
        nbytes = want * layout.block_align
        if len(self._raw) < nbytes + 1:
            self._raw = bytearray(nbytes + 1)
        view = memoryview(self._raw)
        # 24-bit samples are read as overlapping 32-bit words starting one byte early, so
        # the buffer keeps one spare byte in front of the data.
        got = self._fh.readinto(view[1 : 1 + nbytes]) if nbytes else 0
        m = got // layout.block_align
        self._left -= m
        out = np.empty((ch, m), dtype=dtype)
        if m == 0:
            return out
        count = m * ch
        if layout.sample_format == "float":
            samples = np.frombuffer(self._raw, dtype="<f4", count=count, offset=1)
            for c in range(ch):
                out[c] = samples[c::ch]
        elif width == 2:
            samples = np.frombuffer(self._raw, dtype="<i2", count=count, offset=1)
            for c in range(ch):
                np.multiply(samples[c::ch], dtype.type(2.0**-15), out=out[c], dtype=dtype)
        elif width == 4:
            samples = np.frombuffer(self._raw, dtype="<i4", count=count, offset=1)
            for c in range(ch):
                np.multiply(
                    samples[c::ch], dtype.type(2.0**-31), out=out[c], dtype=dtype, casting="unsafe"
                )
        else:
            # Word i spans bytes 3i..3i+3 of the buffer: the spare or previous byte, then the
            # sample's three bytes, so masking the low byte leaves the sample scaled by 2**8.
            words = np.ndarray((count,), dtype="<i4", buffer=self._raw, offset=0, strides=(3,))
            scratch = np.empty(m, dtype=np.int32)
            for c in range(ch):
                np.bitwise_and(words[c::ch], -256, out=scratch)
                np.multiply(
                    scratch, dtype.type(2.0**-31), out=out[c], dtype=dtype, casting="unsafe"
                )
        return out

    def close(self) -> None:
        self._fh.close()
