"""Demo tracks for ``seed_demo``: short mixes synthesised on the fly, uploaded, analysed and
one of them mastered, so a new user sees real reports the moment they log in.

The music is generated, not shipped: a bass line, chords, a kick-and-hat pattern, in three
states a mastering engineer meets every week: a quiet mix, a healthy one, and a mix already
squashed and clipped by a limiter on the bus.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile

from collaborators.models import Workspace

RATE = 44_100


@dataclass(frozen=True)
class DemoTrack:
    name: str
    seed: int
    peak_dbfs: float
    drive: float  # > 1 pushes the mix into a hard clip, like a bus limiter set too hot
    master_for: str | None  # profile slug to master it for, or None


TRACKS = (
    DemoTrack("Low Tide (mix 4).wav", 11, -9.0, 1.0, "spotify"),
    DemoTrack("Glasshouse (rough mix).wav", 23, -1.0, 1.0, None),
    DemoTrack("Northern Line (club edit).wav", 37, -0.1, 2.0, "apple-music"),
)


def synthesise(seed: int, *, seconds: float = 30.0, peak_dbfs: float = -3.0, drive: float = 1.0):
    """A stereo mix as float32 (frames, 2): 120 bpm, bass, chords, kick, hats, some width."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    beat = 0.5
    roots = 55.0 * 2 ** (rng.choice([0, 3, 5, 7, 10], size=int(seconds / (4 * beat)) + 2) / 12)
    bar = (t / (4 * beat)).astype(int)
    bass_phase = 2 * np.pi * np.cumsum(roots[bar]) / RATE
    bass = np.tanh(1.5 * np.sin(bass_phase)) * 0.5
    chord = sum(
        0.08 * np.sin(2 * np.pi * roots[bar] * 4 * ratio * t + k)
        for k, ratio in enumerate((1.0, 1.26, 1.5, 2.0))
    )
    pos = t % beat
    kick = np.sin(2 * np.pi * (50 + 80 * np.exp(-pos / 0.03)) * pos) * np.exp(-pos / 0.15)
    hat_pos = (t + beat / 2) % beat
    hats = rng.standard_normal(n) * np.exp(-hat_pos / 0.02) * 0.15
    hats = np.diff(hats, prepend=0.0)  # brighter
    swell = 0.75 + 0.25 * np.sin(2 * np.pi * t / 16.0)
    mid = (bass + kick * 0.9 + chord * swell + hats).astype(np.float64)
    side = 0.3 * np.roll(chord, 441) + 0.5 * hats * rng.choice([-1.0, 1.0])
    mix = np.stack([mid + side, mid - side], axis=1)
    mix /= np.abs(mix).max()
    if drive > 1.0:
        mix = np.clip(mix * drive, -1.0, 1.0)
    fade = np.minimum(1.0, np.minimum(t / 0.5, (seconds - t) / 2.0))
    mix *= fade[:, None]
    return (mix * 10 ** (peak_dbfs / 20)).astype(np.float32)


def wav_bytes(x: np.ndarray) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, RATE, subtype="PCM_24", format="WAV")
    return buf.getvalue()


def seed_audio(*, workspace: Workspace, user: Any, seconds: float = 30.0) -> list[Any]:
    """Upload, analyse and master the demo tracks; again later, nothing changes."""
    from audio.services import mastering, uploads

    files = []
    for track in TRACKS:
        data = wav_bytes(synthesise(track.seed, seconds=seconds, peak_dbfs=track.peak_dbfs,
                                    drive=track.drive))  # fmt: skip
        audio, _ = uploads.audio_upload(
            workspace=workspace, upload=SimpleUploadedFile(track.name, data), user=user
        )
        if track.master_for:
            mastering.master_request(audio_file=audio, profile=track.master_for, user=user)
        files.append(audio)
    return files
