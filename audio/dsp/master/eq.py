"""Equalisation: the clean-up high-pass, gentle corrective cuts, and matching the tonal
balance of a reference track.

Every curve is realised as a short cascade of second-order sections (minimum phase, no
latency, no pre-ringing) whose gains are fitted to the wanted curve by least squares. Few,
broad bands make the result smooth by construction; the page can draw it from the list.
Peaking and shelving biquads follow R. Bristow-Johnson's "Audio EQ Cookbook".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import signal

from .meter import CHUNK

HIGHPASS_HZ = 25.0  # below the lowest note of a five-string bass (B0, 31 Hz)
HIGHPASS_ORDER = 2  # 12 dB/octave: removes DC and rumble, leaves the kick's body alone
MATCH_LIMIT_DB = 6.0  # most the reference match may boost or cut anywhere
CORRECTIVE_LIMIT_DB = 3.0  # most a corrective cut may take
LTAS_SEGMENT = 8192  # FFT size for the long-term spectrum (5.4 Hz bins at 44.1 kHz)
LTAS_MAX_SEGMENTS = 240  # spread over the track: enough for a stable average, cheap
GRID_PER_OCTAVE = 12
BAND_CENTRES_HZ = tuple(1000.0 * 2.0 ** (k / 2.0) for k in range(-10, 9))  # 31 Hz .. 16 kHz
BAND_Q = 1.41  # one octave wide, on half-octave centres: neighbours overlap into smooth sums


@dataclass(frozen=True)
class Band:
    kind: str  # "highpass" or "peak"
    freq_hz: float
    gain_db: float
    q: float

    def as_dict(self) -> dict[str, object]:
        return {
            "type": self.kind,
            "freq_hz": round(self.freq_hz, 1),
            "gain_db": round(self.gain_db, 2),
            "q": round(self.q, 3),
        }


def peaking_sos(freq_hz: float, gain_db: float, q: float, rate: float) -> np.ndarray:
    """A peaking biquad (Cookbook 'peakingEQ'), one sos row."""
    amp = 10.0 ** (gain_db / 40.0)
    w0 = 2.0 * math.pi * freq_hz / rate
    alpha = math.sin(w0) / (2.0 * q)
    cos = math.cos(w0)
    b = [1.0 + alpha * amp, -2.0 * cos, 1.0 - alpha * amp]
    a = [1.0 + alpha / amp, -2.0 * cos, 1.0 - alpha / amp]
    return np.array([*(v / a[0] for v in b), 1.0, a[1] / a[0], a[2] / a[0]])


def highpass_sos(rate: float) -> np.ndarray:
    return signal.butter(HIGHPASS_ORDER, HIGHPASS_HZ, "highpass", fs=rate, output="sos")


def bands_sos(bands: list[Band], rate: float) -> np.ndarray:
    rows = []
    for band in bands:
        if band.kind == "highpass":
            rows.append(highpass_sos(rate))
        elif band.freq_hz < 0.45 * rate:
            rows.append(peaking_sos(band.freq_hz, band.gain_db, band.q, rate)[None, :])
    if not rows:
        return np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]])
    return np.vstack(rows)


def filter_in_place(planar: np.ndarray, sos: np.ndarray, out: np.ndarray | None = None) -> None:
    """Run ``sos`` over every channel of ``planar`` (float32), writing the result into ``out``
    (default: in place). The recursion runs in float64, one chunk at a time, so a 25 Hz
    high-pass keeps its precision without a float64 copy of the whole track."""
    target = planar if out is None else out
    channels, n = planar.shape
    state = np.zeros((sos.shape[0], channels, 2))
    for start in range(0, n, CHUNK):
        block = planar[:, start : start + CHUNK]
        filtered, state = signal.sosfilt(sos, block, axis=1, zi=state)
        target[:, start : start + CHUNK] = filtered


# --- Long-term spectrum -----------------------------------------------------------------------


def long_term_spectrum(planar: np.ndarray, rate: float) -> tuple[np.ndarray, np.ndarray]:
    """Average power spectrum of the mid signal over the track's audible parts:
    (frequencies, power). Segments are spread evenly over the whole track; those more than
    30 dB below the loudest are left out so that silence and fades do not tilt the average."""
    n = planar.shape[1]
    size = min(LTAS_SEGMENT, 1 << int(math.log2(max(n, 2))))
    count = max(min(LTAS_MAX_SEGMENTS, n // size), 1)
    starts = np.linspace(0, n - size, count).astype(np.int64) if n > size else np.array([0])
    window = signal.windows.hann(size, sym=False).astype(np.float32)
    frames = np.zeros((starts.shape[0], size), dtype=np.float32)
    for i, s in enumerate(starts):
        seg = planar[:, s : s + size].mean(axis=0)
        frames[i, : seg.shape[0]] = seg
    frames *= window
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    energy = power.sum(axis=1)
    loud = energy >= energy.max() * 10 ** (-30 / 10) if energy.max() > 0 else energy >= 0
    freqs = np.fft.rfftfreq(size, 1.0 / rate)
    return freqs, power[loud].mean(axis=0)


def smooth_db(freqs: np.ndarray, power: np.ndarray, grid: np.ndarray, octaves: float) -> np.ndarray:
    """Power averaged over a band ``octaves`` wide around each grid frequency, in dB."""
    csum = np.concatenate([[0.0], np.cumsum(power)])
    lo = np.searchsorted(freqs, grid * 2.0 ** (-octaves / 2.0))
    hi = np.searchsorted(freqs, grid * 2.0 ** (octaves / 2.0), side="right")
    hi = np.maximum(hi, lo + 1)
    hi = np.minimum(hi, power.shape[0])
    mean = (csum[hi] - csum[lo]) / (hi - lo)
    return 10.0 * np.log10(np.maximum(mean, 1e-30))


def log_grid(low_hz: float, high_hz: float) -> np.ndarray:
    count = int(math.log2(high_hz / low_hz) * GRID_PER_OCTAVE) + 1
    return low_hz * 2.0 ** (np.arange(count) / GRID_PER_OCTAVE)


# --- Curves -----------------------------------------------------------------------------------


def corrective_curve(freqs: np.ndarray, power: np.ndarray, rate: float, depth: float):
    """Gentle cuts where the track has a build-up: a third-octave band that stands more than
    3 dB above its surroundings (the spectrum smoothed over an octave and a half) is cut by
    ``depth`` times the excess, at most `CORRECTIVE_LIMIT_DB`. Only 60 Hz–10 kHz, only cuts:
    this fixes resonances and boominess; it imposes no taste of its own."""
    grid = log_grid(40.0, min(12_000.0, 0.45 * rate))
    fine = smooth_db(freqs, power, grid, 1.0 / 3.0)
    broad = smooth_db(freqs, power, grid, 1.5)
    excess = fine - broad - 3.0
    cut = -np.clip(excess * depth, 0.0, CORRECTIVE_LIMIT_DB)
    cut[(grid < 60.0) | (grid > 10_000.0)] = 0.0
    return grid, cut


def match_curve(
    freqs: np.ndarray,
    power: np.ndarray,
    ref_freqs: np.ndarray,
    ref_power: np.ndarray,
    high_hz: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The correction (dB) that moves the track's smoothed long-term spectrum toward the
    reference's: their difference, third-octave smoothed, with its mean over 100 Hz–8 kHz
    removed (the level is set later by loudness), limited to ±`MATCH_LIMIT_DB`."""
    grid = log_grid(30.0, high_hz)
    mine = smooth_db(freqs, power, grid, 1.0 / 3.0)
    theirs = smooth_db(ref_freqs, ref_power, grid, 1.0 / 3.0)
    diff = theirs - mine
    core = (grid >= 100.0) & (grid <= 8_000.0)
    diff -= diff[core].mean() if core.any() else diff.mean()
    return grid, np.clip(diff, -MATCH_LIMIT_DB, MATCH_LIMIT_DB)


def fit_bands(grid: np.ndarray, curve: np.ndarray, rate: float, limit_db: float) -> list[Band]:
    """Peaking bands (fixed half-octave centres) whose summed response follows ``curve``.

    Regularised least squares on the bands' dB responses, refined three times against the
    exact response of the cascade (a biquad's dB shape changes a little with its gain).
    Bands under 0.1 dB are dropped; if overlaps still push the total past ``limit_db``, all
    gains are scaled down together.
    """
    if not np.any(np.abs(curve) > 0.05):
        return []
    centres = [f for f in BAND_CENTRES_HZ if f < 0.42 * rate]
    unit = np.stack(
        [_response_db([peaking_sos(f, 1.0, BAND_Q, rate)], grid, rate) for f in centres], axis=1
    )
    # Smoothness: penalise differences between neighbouring bands, and size a little.
    k = len(centres)
    diff = np.diff(np.eye(k), axis=0)
    reg = np.vstack([0.5 * diff, 0.05 * np.eye(k)])
    system = np.vstack([unit, reg])
    gains = np.zeros(k)
    for _ in range(3):
        current = _bank_response_db(centres, gains, grid, rate)
        residual = curve - current
        rhs = np.concatenate([residual, -reg @ gains])
        step, *_ = np.linalg.lstsq(system, rhs, rcond=None)
        gains = np.clip(gains + step, -limit_db, limit_db)
    total = _bank_response_db(centres, gains, grid, rate)
    peak = float(np.abs(total).max())
    if peak > limit_db:
        gains *= limit_db / peak
    return [
        Band("peak", f, float(g), BAND_Q)
        for f, g in zip(centres, gains, strict=True)
        if abs(g) >= 0.1
    ]


def _response_db(rows: list[np.ndarray], grid: np.ndarray, rate: float) -> np.ndarray:
    sos = np.vstack(rows)
    _, h = signal.sosfreqz(sos, worN=grid, fs=rate)
    return 20.0 * np.log10(np.maximum(np.abs(h), 1e-12))


def response_db(bands: list[Band], grid: np.ndarray, rate: float) -> np.ndarray:
    """The cascade's magnitude response in dB at ``grid`` (for tests and the page)."""
    return _response_db([bands_sos(bands, rate)], grid, rate)


def _bank_response_db(centres, gains, grid: np.ndarray, rate: int) -> np.ndarray:
    """The response of a bank of peaking bands at ``centres`` with ``gains``."""
    sections = [peaking_sos(f, g, BAND_Q, rate) for f, g in zip(centres, gains, strict=True)]
    return _response_db(sections, grid, rate)
