"""Writing audio: TPDF dither on word-length reduction, and files that appear only complete.

Shared by mastering and renders. Samples are quantised here, not by libsndfile, so the dither
is ours and the written integers are exactly the ones measured.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator

import numpy as np
import soundfile as sf

from ..errors import AudioError

SUBTYPES = {16: "PCM_16", 24: "PCM_24"}
CONTAINERS = {".wav": "WAV", ".flac": "FLAC"}
DITHER_SEED = 0x11AE  # fixed: the same input always gives the same bytes (tasks can re-run)


class Quantizer:
    """Float samples to integers of ``bits`` bits, with high-pass TPDF dither when ``dither``.

    The dither is the difference of consecutive uniform values, r[n] - r[n-1], each one LSB
    wide: triangular in distribution (two LSB peak to peak, what TPDF dither needs to make
    the error independent of the signal) and rising with frequency, so its noise sits where
    hearing is least sensitive. One random number per sample instead of two.
    """

    def __init__(self, bits: int, channels: int, *, dither: bool = True) -> None:
        if bits not in SUBTYPES:
            raise ValueError(f"bit depth must be 16 or 24, not {bits}")
        self.bits = bits
        self.dither = dither
        self.scale = float(2 ** (bits - 1))
        self._rng = np.random.default_rng(DITHER_SEED)
        self._last = np.zeros((channels, 1), dtype=np.float32)

    def __call__(self, planar: np.ndarray) -> np.ndarray:
        """Planar float block (channels, n) → interleaved int array (n, channels) for
        soundfile: int16 for 16-bit, int32 holding the 24-bit value in its top bits."""
        channels, n = planar.shape
        x = planar.astype(np.float64) * self.scale
        if self.dither and n:
            r = self._rng.random((channels, n), dtype=np.float32) - np.float32(0.5)
            x += r
            x[:, 0] -= self._last[:, 0]
            x[:, 1:] -= r[:, :-1]
            self._last = r[:, -1:].copy()
        np.floor(x + 0.5, out=x)
        np.clip(x, -self.scale, self.scale - 1.0, out=x)
        if self.bits == 16:
            return np.ascontiguousarray(x.T.astype(np.int16))
        return np.ascontiguousarray(x.T.astype(np.int32) << 8)


@contextlib.contextmanager
def staged_output(out_path: str | os.PathLike[str]) -> Iterator[str]:
    """A temporary path beside ``out_path`` to write to; moved onto ``out_path`` with
    `os.replace` only when the block finishes, removed if it raises. Nothing half-written is
    ever visible under the final name."""
    final = os.fspath(out_path)
    folder = os.path.dirname(os.path.abspath(final))
    if not os.path.isdir(folder):
        raise ValueError(f"the folder for {final!r} does not exist")
    stem, ext = os.path.splitext(os.path.basename(final))
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.", suffix=f".part{ext}", dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def container_for(path: str | os.PathLike[str]) -> str:
    ext = os.path.splitext(os.fspath(path))[1].lower()
    if ext not in CONTAINERS:
        raise ValueError(f"cannot write {ext or 'files without an extension'}: use .wav or .flac")
    return CONTAINERS[ext]


def write_pcm(
    path: str,
    planar: np.ndarray,
    sample_rate: int,
    *,
    container: str,
    bits: int,
    dither: bool = True,
    block: int = 1 << 17,
) -> None:
    """Quantise and write a planar float signal, block by block (no interleaved copy of the
    whole track)."""
    channels, n = planar.shape
    quantize = Quantizer(bits, channels, dither=dither)
    try:
        with sf.SoundFile(path, "w", sample_rate, channels, SUBTYPES[bits], format=container) as f:
            for start in range(0, n, block):
                f.write(quantize(planar[:, start : start + block]))
    except (sf.LibsndfileError, RuntimeError) as exc:
        raise AudioError(f"The output file could not be written: {exc}") from exc
