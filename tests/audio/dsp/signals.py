"""Test signals with known answers, made with numpy; shared by the audio tests.

Levels are peak dBFS of a sine (EBU Tech 3341's convention: a 1 kHz stereo sine at -23 dBFS
reads -23 LUFS). Every generator returns float64 samples shaped (frames, channels).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 48_000


def db(level_dbfs: float) -> float:
    return 10 ** (level_dbfs / 20)


def sine(
    seconds: float,
    *,
    rate: int = RATE,
    freq: float = 1000.0,
    dbfs: float = -20.0,
    channels: int = 2,
    phase_deg: float = 0.0,
) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    mono = db(dbfs) * np.sin(2 * np.pi * freq * t + np.deg2rad(phase_deg))
    return np.repeat(mono[:, None], channels, axis=1)


def steps(levels: Sequence[tuple[float, float]], *, rate: int = RATE, freq: float = 1000.0):
    """Consecutive stereo sine segments: [(seconds, dBFS), ...] (phase-continuous)."""
    parts, start = [], 0
    for seconds, level in levels:
        n = int(round(seconds * rate))
        t = (start + np.arange(n)) / rate
        parts.append(db(level) * np.sin(2 * np.pi * freq * t))
        start += n
    mono = np.concatenate(parts)
    return np.stack([mono, mono], axis=1)


def fade(x: np.ndarray, seconds: float = 0.05, *, rate: int = RATE) -> np.ndarray:
    """Raised-cosine fade in and out: keeps the step from silence (which an oversampling meter
    sees as an overshoot) out of true-peak tests."""
    n = min(int(seconds * rate), x.shape[0] // 2)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(n) / n)
    out = x.copy()
    out[:n] *= ramp[:, None]
    out[x.shape[0] - n :] *= ramp[::-1, None]
    return out


def pulse(offset: float, *, rate: int = RATE, seconds: float = 1.0, peak: float = 1.0):
    """A band-limited pulse (Kaiser-windowed sinc at 0.4·fs) whose continuous peak, `peak`,
    falls ``offset`` samples after a sample: the inter-sample peaks of Tech 3341 cases 20-23."""
    n = int(seconds * rate)
    t = np.arange(n) - n // 2 - offset
    half = 64
    window = np.i0(8.0 * np.sqrt(np.clip(1 - (t / half) ** 2, 0, None))) / np.i0(8.0)
    mono = peak * np.sinc(0.8 * t) * window
    return np.stack([mono, mono], axis=1)


def music(
    seconds: float,
    *,
    rate: int = RATE,
    channels: int = 2,
    seed: int = 1,
    level_dbfs: float = -14.0,
    width: float = 0.3,
) -> np.ndarray:
    """Something like a mix: a bass line and chords (harmonic tones that change every beat),
    shaped noise for drums and air, a slow envelope; the channels share most of it (``width``
    is the share that differs). Peak-normalised to ``level_dbfs``."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    beat = 0.5  # 120 bpm
    notes = 110.0 * 2 ** (rng.integers(-5, 8, size=int(seconds / beat) + 2) / 12)
    freq = notes[(t / beat).astype(int)]
    phase = 2 * np.pi * np.cumsum(freq) / rate
    tone = sum(0.5 / h * np.sin(h * phase) for h in range(1, 7))
    chord = sum(0.15 * np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0, 523.3))
    hits = np.exp(-((t % beat) / 0.05)) * _pinkish(n, rng)
    envelope = 0.7 + 0.3 * np.sin(2 * np.pi * t / 7.0) ** 2
    common = (tone + chord + 1.5 * hits + 0.1 * _pinkish(n, rng)) * envelope
    out = np.empty((n, channels))
    for c in range(channels):
        own = _pinkish(n, rng) * 0.3 + np.roll(tone, 37 * (c + 1)) * 0.3
        out[:, c] = (1 - width) * common + width * own
    return out * (db(level_dbfs) / np.abs(out).max())


def _pinkish(n: int, rng: np.random.Generator) -> np.ndarray:
    """Noise falling about 3 dB per octave, band-limited nowhere (full band to Nyquist)."""
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(spectrum.shape[0]) + 1.0
    spectrum[0] = 0.0  # no DC
    out = np.fft.irfft(spectrum / np.sqrt(f), n)
    return out / np.abs(out).max()


def brickwall(x: np.ndarray, cutoff_hz: float, *, rate: int = RATE) -> np.ndarray:
    """An ideal low-pass (what a lossy encoder's wall looks like in a spectrum)."""
    spectrum = np.fft.rfft(x, axis=0)
    freqs = np.fft.rfftfreq(x.shape[0], 1 / rate)
    spectrum[freqs > cutoff_hz] = 0
    return np.fft.irfft(spectrum, x.shape[0], axis=0)


def band_noise(
    seconds: float,
    low_hz: float,
    high_hz: float,
    *,
    rms_dbfs: float,
    seed: int = 5,
    rate: int = RATE,
) -> np.ndarray:
    """Mono white noise band-limited to low_hz..high_hz, at an RMS of ``rms_dbfs``."""
    n = int(round(seconds * rate))
    spectrum = np.fft.rfft(np.random.default_rng(seed).standard_normal(n))
    freqs = np.fft.rfftfreq(n, 1 / rate)
    spectrum[(freqs < low_hz) | (freqs > high_hz)] = 0
    x = np.fft.irfft(spectrum, n)
    return x * (db(rms_dbfs) / np.sqrt(np.mean(x**2)))


def hum(
    seconds: float,
    *,
    mains: float = 50.0,
    dbfs: float = -50.0,
    harmonics: int = 4,
    rate: int = RATE,
    channels: int = 2,
) -> np.ndarray:
    """Mains hum: the fundamental and falling harmonics."""
    t = np.arange(int(round(seconds * rate))) / rate
    mono = sum(
        db(dbfs) / h * np.sin(2 * np.pi * mains * h * t + h) for h in range(1, harmonics + 1)
    )
    return np.repeat(mono[:, None], channels, axis=1)


def write(path: Path, x: np.ndarray, *, rate: int = RATE, subtype: str = "PCM_24", **kw) -> Path:
    sf.write(path, x, rate, subtype=subtype, **kw)
    return path
