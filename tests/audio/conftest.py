"""Audio files made on the fly for the Django-side audio tests, and a private media folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from .dsp import signals


@pytest.fixture(autouse=True)
def _private_media(request, settings, tmp_path):
    # A real worker reads the media folder of the data dir, so worker tests keep it.
    if request.node.get_closest_marker("worker") is None:
        settings.MEDIA_ROOT = str(tmp_path / "media")
        settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")


def make_mix(
    path: Path,
    *,
    seconds: float = 8.0,
    rate: int = 44_100,
    seed: int = 1,
    level_dbfs: float = -3.0,
    subtype: str = "PCM_24",
    fmt: str | None = None,
) -> Path:
    x = signals.music(seconds, rate=rate, seed=seed, level_dbfs=level_dbfs)
    sf.write(path, x, rate, subtype=subtype, format=fmt)
    return path  # fmt: skip


@pytest.fixture
def mix_wav(tmp_path) -> Path:
    return make_mix(tmp_path / "Night Drive (mix 3).wav")


@pytest.fixture
def other_wav(tmp_path) -> Path:
    return make_mix(tmp_path / "Second Song.wav", seed=7, level_dbfs=-6.0)


@pytest.fixture
def hostile_files(tmp_path) -> dict[str, Path]:
    """Files that must be refused before storage, each with why."""
    good = make_mix(tmp_path / "good.wav", seconds=2.0)
    data = good.read_bytes()
    files = {
        "pdf": (tmp_path / "notes.wav", b"%PDF-1.7\n" + b"x" * 4000),
        "empty": (tmp_path / "empty.wav", b""),
        "truncated": (tmp_path / "cut.wav", data[: len(data) // 3]),
        "text": (tmp_path / "lyrics.mp3", "Ça va — 東京\n".encode() * 200),
        "zero_channels": (tmp_path / "zero.wav", _zero_channel_wav(data)),
        "random": (tmp_path / "noise.flac", np.random.default_rng(3).bytes(20_000)),
    }
    for path, content in files.values():
        path.write_bytes(content)
    return {k: p for k, (p, _) in files.items()}


def _zero_channel_wav(data: bytes) -> bytes:
    # The fmt chunk's channel count sits at byte 22 of a canonical WAV header.
    b = bytearray(data)
    assert b[12:16] == b"fmt "
    b[22:24] = (0).to_bytes(2, "little")
    return bytes(b)
