"""Instrumental parts and a synthetic voice, made with numpy, for the sibilance tests.

Each part is mono float64 of ``seconds`` at ``rate``, at 120 BPM (a beat is 0.5 s) unless told
otherwise; `mix` sums parts into stereo (frames, 2) as the other generators in `signals` return.
Levels are what the parts are scaled to: ``band_dbfs`` is the RMS in the 5-10 kHz band at the
loudest moment (what the sibilance check measures), ``peak_dbfs`` the sample peak.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import signal

RATE = 44_100
BEAT = 0.5


def db(level_dbfs: float) -> float:
    return 10 ** (level_dbfs / 20)


def mix(*parts: np.ndarray, peak_dbfs: float = -1.0) -> np.ndarray:
    """The parts summed, on both channels, at a sample peak of ``peak_dbfs``."""
    mono = np.sum(parts, axis=0)
    mono *= db(peak_dbfs) / np.abs(mono).max()
    return np.stack([mono, mono], axis=1)


def sections(x: np.ndarray, gains: Sequence[float], *, rate: int = RATE, every_s: float = 8.0):
    """``x`` with a gain per section of ``every_s`` (four bars), as an arrangement brings parts
    in and out; 20 ms ramps between sections."""
    t = np.arange(x.shape[0]) / rate
    index = np.minimum((t / every_s).astype(int), len(gains) - 1)
    gain = np.asarray(gains, dtype=float)[index]
    ramp = int(0.02 * rate)
    gain = np.convolve(np.pad(gain, ramp, mode="edge"), np.ones(ramp) / ramp, mode="same")
    return x * gain[ramp : ramp + x.shape[0]]


def _time(seconds: float, rate: int) -> np.ndarray:
    return np.arange(int(round(seconds * rate))) / rate


def _filtered_noise(n: int, rng, rate: int, *, high_pass: float | None, low_pass=None, order=4):
    x = rng.standard_normal(n)
    if high_pass:
        x = signal.sosfilt(signal.butter(order, high_pass, "high", fs=rate, output="sos"), x)
    if low_pass and low_pass < rate / 2:
        x = signal.sosfilt(signal.butter(order, low_pass, "low", fs=rate, output="sos"), x)
    return x


def band_rms_dbfs(x: np.ndarray, rate: int, *, window_s: float = 0.023) -> float:
    """The loudest 23 ms RMS of ``x`` in 5-10 kHz, in dBFS: the level a part is scaled by."""
    sos = signal.butter(6, (5_000, 10_000), "bandpass", fs=rate, output="sos")
    band = signal.sosfilt(sos, x)
    n = max(1, int(window_s * rate))
    total = np.concatenate([[0.0], np.cumsum(band**2)])
    power = (total[n:] - total[:-n]) / n
    return 10 * np.log10(power.max() + 1e-30)


def _scaled(x: np.ndarray, rate: int, band_dbfs: float) -> np.ndarray:
    return x * db(band_dbfs - band_rms_dbfs(x, rate))


def _hits(
    seconds: float,
    every_s: float,
    make_hit,
    *,
    rate: int,
    offset_s: float = 0.0,
    accents: Sequence[float] = (1.0,),
) -> np.ndarray:
    """A part of identical-length hits, one each ``every_s`` from ``offset_s``, cycling through
    ``accents`` (gains)."""
    n = int(round(seconds * rate))
    out = np.zeros(n)
    starts = np.arange(offset_s, seconds, every_s)
    for i, start in enumerate(starts):
        at = int(round(start * rate))
        hit = make_hit(i) * accents[i % len(accents)]
        end = min(n, at + hit.shape[0])
        out[at:end] += hit[: end - at]
    return out


def _decay(seconds: float, decay_s: float, rate: int, attack_s: float = 0.0005) -> np.ndarray:
    t = _time(seconds, rate)
    return np.minimum(t / attack_s, 1.0) * np.exp(-t / decay_s)


# --- Drums ----------------------------------------------------------------------------------------


def hats(
    seconds: float,
    *,
    per_beat: int = 2,
    decay_s: float = 0.03,
    band_dbfs: float = -26.0,
    bright: str = "high-pass",
    offset_s: float = 0.0,
    rate: int = RATE,
    seed: int = 1,
) -> np.ndarray:
    """Closed hi-hats on every 8th (``per_beat=2``) or 16th (4): bright noise (high-passed at
    6 kHz, or ``bright="differenced"`` noise rising to Nyquist, as the demo mix's), decaying
    with ``decay_s``; 16ths accent the 8ths."""
    rng = np.random.default_rng(seed)
    length = min(8 * decay_s, BEAT / per_beat)

    def hit(_: int) -> np.ndarray:
        if bright == "differenced":
            noise = np.diff(rng.standard_normal(int(length * rate) + 1))
        else:
            noise = _filtered_noise(int(length * rate), rng, rate, high_pass=6_000)
        return noise * _decay(length, decay_s, rate)

    accents = (1.0, 0.6) if per_beat == 4 else (1.0,)
    x = _hits(seconds, BEAT / per_beat, hit, rate=rate, offset_s=offset_s, accents=accents)
    return _scaled(x, rate, band_dbfs)


def open_hats(seconds: float, *, band_dbfs: float = -24.0, rate: int = RATE, seed: int = 2):
    """Open hi-hats on the off-beats, decaying over about 150 ms."""
    return hats(
        seconds, per_beat=1, decay_s=0.12, band_dbfs=band_dbfs, offset_s=BEAT / 2, rate=rate,
        seed=seed,
    )  # fmt: skip


def _metal(seconds: float, rng, rate: int, partials: int, low: float, high: float, decay_s):
    """Inharmonic partials, each decaying: the ring of a cymbal."""
    t = _time(seconds, rate)
    freqs = np.exp(rng.uniform(np.log(low), np.log(high), partials))
    return sum(
        np.sin(2 * np.pi * f * t + rng.uniform(0, 6.3))
        * np.exp(-t / (decay_s * rng.uniform(0.5, 1)))
        for f in freqs
    ) / np.sqrt(partials)


def crashes(
    seconds: float,
    *,
    every_s: float = 4.0,
    decay_s: float = 1.2,
    band_dbfs: float = -14.0,
    rate: int = RATE,
    seed: int = 3,
) -> np.ndarray:
    """Crash cymbals every ``every_s`` (two bars): broadband noise from 2.5 kHz up with a
    metallic ring, decaying over a second or more."""
    rng = np.random.default_rng(seed)
    length = min(every_s, 5 * decay_s)

    ring = 0.5 * _metal(length, rng, rate, 40, 3_000, 14_000, decay_s)
    env = _decay(length, decay_s, rate, attack_s=0.002)

    def hit(_: int) -> np.ndarray:
        wash = _filtered_noise(ring.size, rng, rate, high_pass=2_500, order=2)
        return (wash + ring) * env

    return _scaled(_hits(seconds, every_s, hit, rate=rate, offset_s=1.0), rate, band_dbfs)


def ride(seconds: float, *, band_dbfs: float = -22.0, rate: int = RATE, seed: int = 4):
    """A ride on every quarter: a ping of bell partials (tonal, 2.6-8 kHz) over a noisy wash
    that decays over about 400 ms, so the band never quite empties."""
    rng = np.random.default_rng(seed)
    bell = (2_650.0, 5_340.0, 7_030.0, 8_130.0)

    def hit(_: int) -> np.ndarray:
        n = int(BEAT * rate)
        t = _time(BEAT, rate)
        wash = _filtered_noise(n, rng, rate, high_pass=4_000, order=2) * np.exp(-t / 0.4)
        ping = sum(np.sin(2 * np.pi * f * t) for f in bell) * np.exp(-t / 0.25)
        return (wash + 0.4 * ping) * np.minimum(t / 0.001, 1.0)

    return _scaled(_hits(seconds, BEAT, hit, rate=rate), rate, band_dbfs)


def shaker(seconds: float, *, band_dbfs: float = -20.0, rate: int = RATE, seed: int = 5):
    """A shaker on every 16th: noise from 4 to 11 kHz (the sibilant band), rising over 15 ms
    and falling over about 60: sibilant in shape and length, but on the grid."""
    rng = np.random.default_rng(seed)
    length = BEAT / 4

    def hit(_: int) -> np.ndarray:
        n = int(length * rate)
        t = _time(length, rate)
        noise = _filtered_noise(n, rng, rate, high_pass=4_000, low_pass=11_000)
        return noise * np.minimum(t / 0.015, 1.0) * np.exp(-np.maximum(t - 0.015, 0) / 0.03)

    x = _hits(seconds, length, hit, rate=rate, accents=(1.0, 0.5, 0.8, 0.5))
    return _scaled(x, rate, band_dbfs)


def kit(
    seconds: float,
    *,
    peak_dbfs: float = -6.0,
    snare_band_dbfs: float | None = None,
    rate: int = RATE,
    seed: int = 6,
) -> np.ndarray:
    """Kick on every beat, snare on 2 and 4 (noise falling from 1 kHz and a 185 Hz body): the
    drums under every test mix, at a sample peak of ``peak_dbfs``, or with the snare's
    5-10 kHz level at ``snare_band_dbfs`` (a bright snare) when given."""
    rng = np.random.default_rng(seed)
    t = _time(BEAT, rate)

    def kick(_: int) -> np.ndarray:
        phase = 2 * np.pi * (45.0 * t + 105.0 * 0.03 * (1 - np.exp(-t / 0.03)))
        return np.sin(phase) * _decay(BEAT, 0.15, rate, attack_s=0.001)

    def snare(_: int) -> np.ndarray:
        # Snare wires: noise from 200 Hz, falling 3 dB an octave above 1 kHz, to 12 kHz.
        noise = _filtered_noise(t.size, rng, rate, high_pass=200, low_pass=12_000, order=2)
        noise = noise - 0.7 * signal.sosfilt(
            signal.butter(1, 1_000, "high", fs=rate, output="sos"), noise
        )
        body = np.sin(2 * np.pi * 185.0 * t)
        return (0.5 * noise + 0.8 * body) * _decay(BEAT, 0.08, rate, attack_s=0.001)

    kicks = _hits(seconds, BEAT, kick, rate=rate)
    snares = _hits(seconds, 2 * BEAT, snare, rate=rate, offset_s=BEAT)
    if snare_band_dbfs is None:
        x = kicks + 0.6 * snares
        return x * (db(peak_dbfs) / np.abs(x).max())
    return kicks * (db(peak_dbfs) / np.abs(kicks).max()) + _scaled(snares, rate, snare_band_dbfs)


# --- Tonal parts ----------------------------------------------------------------------------------


def _saw(freq: float, t: np.ndarray, rate: int, top_hz: float = 18_000.0) -> np.ndarray:
    """A band-limited sawtooth (harmonics up to ``top_hz``), at a fixed frequency."""
    harmonics = np.arange(1, int(min(top_hz, 0.45 * rate) // freq) + 1)
    return np.sin(2 * np.pi * freq * np.outer(t, harmonics)) @ (1.0 / harmonics)


def bed(seconds: float, *, peak_dbfs: float = -10.0, rate: int = RATE, seed: int = 7):
    """Bass (five harmonics, a note a beat) and keys (a triad, each note rich in harmonics up
    to 3.5 kHz, changing every bar): the harmonic content of a mix, as harmonic as a voice to
    the sibilance check's voice test, with nothing in the sibilant band."""
    rng = np.random.default_rng(seed)
    t = _time(seconds, rate)
    bar = 4 * BEAT
    steps = rng.choice([0, 3, 5, 7, 10], size=int(seconds / bar) + 2)
    root = (55.0 * 2 ** (steps / 12))[(t / bar).astype(int)]
    pos = t % BEAT
    env = np.minimum(pos / 0.005, 1.0) * np.exp(-pos / 0.35)
    bass = env * sum(np.sin(2 * np.pi * h * root * t) / h for h in range(1, 6))
    keys = np.zeros_like(t)
    tb = _time(bar, rate)
    swell = np.minimum(tb / 0.02, 1.0) * np.clip((bar - tb) / 0.02, 0.0, 1.0)
    for i, step in enumerate(steps[: int(np.ceil(seconds / bar))]):
        chord = sum(_saw(220.0 * 2 ** ((step + k) / 12), tb, rate, 3_500.0) for k in (0, 4, 7))
        at = int(round(i * bar * rate))
        keys[at : at + tb.size] += (chord * swell)[: keys.size - at]
    x = bass + 0.25 * keys
    return x * (db(peak_dbfs) / np.abs(x).max())


def saw_stabs(
    seconds: float,
    *,
    band_dbfs: float = -22.0,
    gate_s: float = 0.16,
    every_bars: int = 0,
    rate: int = RATE,
    seed: int = 8,
) -> np.ndarray:
    """A bright, unfiltered sawtooth chord (root 130-260 Hz, major triad) stabbing on an
    off-beat pattern, ``gate_s`` long with a 3 ms attack and 30 ms release: harmonic and loud in
    5-10 kHz, as long as a sibilant. With ``every_bars`` a single stab every so many bars
    instead (sparse, so it stands far out of the band's usual level)."""
    rng = np.random.default_rng(seed)
    t = _time(gate_s + 0.03, rate)
    env = np.minimum(t / 0.003, 1.0) * np.clip((gate_s + 0.03 - t) / 0.03, 0.0, 1.0)

    roots = [130.8 * 2 ** (k / 12) for k in (0, 3, 5, 7, 10, 12)]
    chords = [sum(_saw(r * 2 ** (s / 12), t, rate) for s in (0, 4, 7)) * env for r in roots]

    def stab(_: int) -> np.ndarray:
        return chords[rng.integers(len(chords))]

    pattern = np.array([0.75, 1.5, 2.25, 3.5] if not every_bars else [1.5])  # beats in a bar
    x = np.zeros(int(round(seconds * rate)))
    for bar_start in np.arange(0, seconds, 4 * BEAT * max(every_bars, 1)):
        for k, beat in enumerate(pattern):
            at = int(round((bar_start + beat * BEAT) * rate))
            if at >= x.size:
                break
            hit = stab(k)
            x[at : at + hit.size] += hit[: x.size - at]
    return _scaled(x, rate, band_dbfs)


def saw_lead(seconds: float, *, band_dbfs: float = -26.0, rate: int = RATE, seed: int = 9):
    """A sustained bright sawtooth line, a note a beat (260-520 Hz), legato."""
    rng = np.random.default_rng(seed)
    t = _time(BEAT, rate)
    env = np.minimum(t / 0.01, 1.0) * np.clip((BEAT - t) / 0.01, 0.0, 1.0)

    notes = [_saw(261.6 * 2 ** (k / 12), t, rate) * env for k in (0, 2, 4, 7, 9, 12)]

    def note(_: int) -> np.ndarray:
        return notes[rng.integers(len(notes))]

    return _scaled(_hits(seconds, BEAT, note, rate=rate), rate, band_dbfs)


# --- Noise sweeps ---------------------------------------------------------------------------------


def _swept(noise: np.ndarray, gain_of, rate: int) -> np.ndarray:
    """``noise`` through a time-varying filter: each 23 ms STFT frame scaled by
    ``gain_of(time_s, freqs)``."""
    nper = 1024
    freqs, times, z = signal.stft(noise, rate, nperseg=nper)
    z *= gain_of(times[None, :], freqs[:, None])
    return signal.istft(z, rate, nperseg=nper)[1][: noise.size]


def sweeps(
    seconds: float,
    *,
    band_dbfs: float = -14.0,
    rate: int = RATE,
    seed: int = 10,
) -> np.ndarray:
    """Noise effects, loud: band-pass risers (half an octave wide, from 300 Hz to 16 kHz in 2 s)
    every 8 s, fast whooshes up and down (the band crosses 5-10 kHz in about 100 ms), and a
    low-pass riser opening over 3 s, cut dead at the downbeat."""
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal(int(round(seconds * rate)))

    def band(centre, width_oct=0.5):
        return lambda f: np.exp(-0.5 * (np.log2(np.maximum(f, 1.0) / centre) / width_oct) ** 2)

    def gain(t, f):
        out = np.zeros(np.broadcast_shapes(t.shape, f.shape))
        for start in np.arange(1.0, seconds - 2.5, 8.0):  # risers
            u = (t - start) / 2.0
            live = (u >= 0) & (u <= 1)
            centre = 300.0 * (16_000.0 / 300.0) ** np.clip(u, 0, 1)
            out += np.where(live, (0.3 + 0.7 * np.clip(u, 0, 1)) * band(centre)(f), 0.0)
        for start, up in ((3.5, True), (5.2, False), (11.3, True), (13.6, False)):  # whooshes
            u = (t - start) / 0.6
            live = (u >= 0) & (u <= 1)
            v = np.clip(u if up else 1 - u, 0, 1)
            centre = 1_000.0 * 16.0**v
            out += np.where(live, np.sin(np.pi * np.clip(u, 0, 1)) * band(centre, 0.4)(f), 0.0)
        for stop in np.arange(8.0, seconds, 8.0):  # low-pass risers, cut at the downbeat
            u = (t - (stop - 3.0)) / 3.0
            live = (u >= 0) & (u < 1)
            cutoff = 200.0 * (18_000.0 / 200.0) ** np.clip(u, 0, 1)
            out += np.where(live, 0.25 / (1 + (f / cutoff) ** 8), 0.0)
        return out

    return _scaled(_swept(noise, gain, rate), rate, band_dbfs)


# --- A voice --------------------------------------------------------------------------------------

VOWELS = (  # formants (Hz) of a, e, i, o, u
    (730.0, 1090.0, 2440.0),
    (530.0, 1840.0, 2480.0),
    (270.0, 2290.0, 3010.0),
    (570.0, 840.0, 2410.0),
    (300.0, 870.0, 2240.0),
)
FORMANT_WIDTHS = (90.0, 110.0, 170.0)


def _formants(freqs: np.ndarray, vowel: Sequence[float]) -> np.ndarray:
    """A vowel's spectral envelope: three resonances over a glottal source falling 6 dB/octave
    above 200 Hz."""
    env = sum(
        1.0 / np.sqrt(1.0 + ((freqs - f) / (w / 2)) ** 2)
        for f, w in zip(vowel, FORMANT_WIDTHS, strict=True)
    )
    return env * np.minimum(1.0, 200.0 / freqs)


def sibilant(seconds: float, *, rate: int = RATE, seed: int = 0) -> np.ndarray:
    """An 's': noise from 4 to 9 kHz, strongest around 6-7 kHz, rising and falling over 20 ms
    at each end."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    spectrum = np.fft.rfft(rng.standard_normal(n))
    f = np.fft.rfftfreq(n, 1 / rate)
    shape = np.exp(-0.5 * (np.log2(np.maximum(f, 1.0) / 6_500.0) / 0.35) ** 2)
    shape[(f < 4_000) | (f > 9_000)] = 0.0
    x = np.fft.irfft(spectrum * shape, n)
    edge = min(int(0.02 * rate), n // 2)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(edge) / edge)
    x[:edge] *= ramp
    x[n - edge :] *= ramp[::-1]
    return x / np.sqrt(np.mean(x[edge : n - edge] ** 2))


def voice(
    seconds: float,
    sibilants: Sequence[tuple[float, float]] = (),
    *,
    f0: tuple[float, float] = (110.0, 220.0),
    peak_dbfs: float = -8.0,
    sibilant_band_dbfs: float = -16.0,
    rate: int = RATE,
    seed: int = 11,
) -> np.ndarray:
    """A singer: phrases of vowels (syllables of 200-400 ms, a pitch each in ``f0`` with 5.5 Hz
    vibrato and three formants), a breath of 300-600 ms between phrases, and 's' sounds
    (`sibilant`) centred at the given ``(time_s, length_s)``, the voicing stopped around each as
    an unvoiced consonant stops it. The vowels peak at ``peak_dbfs``; the sibilants are set to
    ``sibilant_band_dbfs`` in 5-10 kHz: harsh, a de-esser's job."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    out = np.zeros(n)
    at = 0.5
    while at < seconds - 0.5:
        phrase_end = min(at + rng.uniform(1.8, 3.2), seconds - 0.3)
        while at < phrase_end:
            length = rng.uniform(0.2, 0.4)
            start, stop = int(at * rate), min(int((at + length) * rate), n)
            t = np.arange(stop - start) / rate
            pitch = np.exp(rng.uniform(np.log(f0[0]), np.log(f0[1])))
            vowel = VOWELS[rng.integers(len(VOWELS))]
            freq = pitch * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))
            phase = 2 * np.pi * np.cumsum(freq) / rate
            harmonics = np.arange(1, int(5_000 // pitch) + 1)
            amps = _formants(harmonics * pitch, vowel)
            tone = np.sin(np.outer(phase, harmonics) + rng.uniform(0, 6.3, harmonics.size)) @ amps
            edge = min(int(0.02 * rate), t.size // 2)
            env = np.ones(t.size)
            env[:edge] = np.linspace(0, 1, edge)
            env[t.size - edge :] = np.linspace(1, 0, edge)
            out[start:stop] += tone * env
            at += length
        at += rng.uniform(0.3, 0.6)
    out *= db(peak_dbfs) / np.abs(out).max()
    # Unvoiced consonants: the vowel stops (with 10 ms fades) while the 's' sounds.
    stopped = np.zeros(n)
    for centre, length in sibilants:
        stopped[int((centre - length / 2) * rate) : int((centre + length / 2) * rate)] = 1.0
    fade = np.hanning(int(0.02 * rate) + 1)
    gate = 1.0 - np.clip(np.convolve(stopped, fade / fade.sum(), mode="same"), 0.0, 1.0)
    out *= gate
    for k, (centre, length) in enumerate(sibilants):
        s = sibilant(length, rate=rate, seed=seed * 100 + k)
        lo = int(round((centre - length / 2) * rate))
        s = s * db(sibilant_band_dbfs - band_rms_dbfs(s, rate, window_s=min(0.023, length / 3)))
        out[lo : lo + s.size] += s[: n - lo]
    return out


# Where the test voice's 's' sounds are in 24 s: irregular (as words fall), 80-200 ms long.
SIBILANTS = (
    (1.32, 0.12), (2.95, 0.09), (4.47, 0.16), (5.81, 0.2), (7.64, 0.08), (9.55, 0.14),
    (10.9, 0.11), (12.36, 0.18), (14.07, 0.1), (15.55, 0.15), (17.8, 0.12), (19.92, 0.12),
    (21.55, 0.09), (23.07, 0.16),
)  # fmt: skip
