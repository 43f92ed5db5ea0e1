"""Mastering lands on the profile's loudness and under its ceiling, for quiet, normal and
already-clipped mixes, as measured by Liner's meter and by pyloudnorm (an independent
BS.1770 implementation) with independent 4× and 8× polyphase-oversampled peaks."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

from audio.dsp.analysis import analyze
from audio.dsp.errors import AudioError
from audio.dsp.master import master
from audio.dsp.profiles import get_profile

from . import signals
from .test_libebur128 import libebur128

RATE = 44_100
SECONDS = 12.0
KINDS = ("quiet", "normal", "loud")
INTENSITIES = ("gentle", "balanced", "loud")
# CD sets no loudness of its own; the mastering service then asks for -14 LUFS.
PROFILES = ("spotify", "apple-music", "amazon-music", "podcast", "broadcast-ebu", "cd")
UNSET_TARGET_LUFS = -14.0


def lufs(x: np.ndarray, rate: int = RATE) -> float:
    return pyloudnorm.Meter(rate).integrated_loudness(x)


def at_lufs(x: np.ndarray, target: float) -> np.ndarray:
    return x * 10 ** ((target - lufs(x)) / 20)


def punchy(seconds: float, *, seed: int) -> np.ndarray:
    """A dynamic, unmastered-sounding mix: `signals.music` with kick and snare hits that stand
    about 18 dB above its loudness, so reaching a streaming target needs real limiting."""
    rng = np.random.default_rng(seed)
    x = signals.music(seconds, rate=RATE, seed=seed, level_dbfs=-12.0)
    t = np.arange(x.shape[0]) / RATE
    since_kick = t % 0.5
    sweep = 1 + 2 * np.exp(-since_kick / 0.01)  # the kick's pitch falls into 50 Hz
    kick = np.sin(2 * np.pi * 50 * since_kick * sweep) * np.exp(-since_kick / 0.12)
    since_snare = (t + 0.25) % 1.0
    snare = rng.standard_normal(t.shape[0]) * np.exp(-since_snare / 0.04) * (since_snare < 0.3)
    drums = 0.6 * kick + 0.5 * np.convolve(snare, [0.5, 0.5], mode="same")
    return x + np.stack([drums, 0.95 * drums], axis=1)


def mix_of(kind: str) -> np.ndarray:
    if kind == "quiet":
        return at_lufs(punchy(SECONDS, seed=7), -30.0)
    if kind == "normal":
        return at_lufs(signals.music(SECONDS, rate=RATE, seed=5), -18.0)
    # Pushed 3 dB into a hard clip, as an over-eager bus limiter leaves a mix: about -7 LUFS,
    # flat tops, inter-sample peaks above 0 dBTP.
    x = signals.music(SECONDS, rate=RATE, seed=5, level_dbfs=0.0)
    return np.clip(x * 10 ** (3 / 20), -1.0, 1.0)


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("master")
    return {k: signals.write(folder / f"{k}.wav", mix_of(k), rate=RATE) for k in KINDS}


def test_the_sources_are_what_they_claim(sources):
    levels = {k: analyze(path) for k, path in sources.items()}
    assert abs(levels["quiet"]["integrated_lufs"] + 30.0) <= 0.2
    assert levels["quiet"]["plr_db"] >= 16.0  # peaks far above the body
    assert abs(levels["normal"]["integrated_lufs"] + 18.0) <= 0.2
    assert abs(levels["loud"]["integrated_lufs"] + 7.0) <= 0.5
    assert levels["loud"]["true_peak_dbtp"] > 0.0
    x, _ = sf.read(sources["loud"])
    assert (np.abs(x) > 0.999).mean() > 0.001  # flat tops: clipped, not just loud


def oversampled_peak_dbtp(x: np.ndarray, factor: int) -> float:
    """The largest magnitude of ``x`` upsampled by scipy's polyphase resampler: a peak
    meter that shares no code with Liner's."""
    return float(20 * np.log10(np.abs(resample_poly(x, factor, 1, axis=0)).max()))


def target_of(slug: str) -> tuple[float, float]:
    profile = get_profile(slug)
    target = profile.target_lufs if profile.target_lufs is not None else UNSET_TARGET_LUFS
    return target, profile.true_peak_ceiling_dbtp


# Every mix for every profile; the intensity turns with both, so that each mix meets each
# intensity twice and each profile meets each intensity once (a Latin square, 18 masters).
CASES = [
    (kind, slug, INTENSITIES[(k + p) % 3])
    for k, kind in enumerate(KINDS)
    for p, slug in enumerate(PROFILES)
]


@pytest.mark.parametrize(("kind", "slug", "intensity"), CASES)
def test_on_target_and_under_the_ceiling(sources, tmp_path, kind, slug, intensity):
    target, ceiling = target_of(slug)
    out = tmp_path / "master.wav"
    report = master(
        sources[kind], out, target_lufs=target, ceiling_dbtp=ceiling, intensity=intensity
    )

    ours = analyze(out)
    x, rate = sf.read(out)
    assert abs(ours["integrated_lufs"] - target) <= 0.3
    assert abs(lufs(x, rate) - target) <= 0.3
    assert ours["true_peak_dbtp"] <= ceiling
    assert oversampled_peak_dbtp(x, 4) <= ceiling
    assert oversampled_peak_dbtp(x, 8) <= ceiling
    # libebur128 (ffmpeg's meter family) interpolates with a short filter that sees more of
    # the top octave than Liner's: the limiter steers by that view too, so it holds as well.
    assert libebur128(x, rate)[2] <= ceiling
    # The report gives what the file measures.
    assert report["on_target"]
    assert abs(report["output"]["integrated_lufs"] - ours["integrated_lufs"]) <= 0.02
    assert abs(report["output"]["true_peak_dbtp"] - ours["true_peak_dbtp"]) <= 0.02
    src, made = sf.info(sources[kind]), sf.info(out)
    assert (made.samplerate, made.channels, made.frames) == (
        src.samplerate,
        src.channels,
        src.frames,
    )
    assert made.subtype == "PCM_24"


@pytest.mark.parametrize("freq", [17_000.0, 20_500.0])
def test_peaks_made_of_the_top_octave_stay_under_the_ceiling(tmp_path, freq):
    """Cymbal-like bursts near 20 kHz make peaks a 4× grid reads up to half a dB low; the
    limiter steers by 8× peaks, so an 8× reading of the master holds the ceiling too."""
    x = signals.music(8.0, rate=RATE, seed=3, level_dbfs=-12.0)
    t = np.arange(x.shape[0]) / RATE
    bursts = 0.25 * np.sin(2 * np.pi * freq * t) * np.exp(-(t % 0.5) / 0.03)
    src = signals.write(tmp_path / "hats.wav", x + bursts[:, None], rate=RATE)
    out = tmp_path / "m.wav"
    report = master(src, out, target_lufs=-14.0, ceiling_dbtp=-1.0)
    assert report["limiter_max_reduction_db"] > 1.0 and report["on_target"]
    y, _ = sf.read(out)
    assert analyze(out)["true_peak_dbtp"] <= -1.0
    assert oversampled_peak_dbtp(y, 8) <= -1.0


def test_the_quiet_mix_is_limited_not_just_turned_up(sources, tmp_path):
    """The dynamic mix cannot reach -14 LUFS under -1 dBTP by gain alone: the limiter must
    take its drum peaks down, and the loudness still lands."""
    report = master(sources["quiet"], tmp_path / "m.wav", target_lufs=-14.0, ceiling_dbtp=-1.0)
    assert report["limiter_max_reduction_db"] >= 3.0
    assert report["on_target"]


def test_a_loud_cd_master_at_16_bits(sources, tmp_path):
    out = tmp_path / "cd.wav"
    master(sources["loud"], out, target_lufs=-9.0, ceiling_dbtp=-0.3, bit_depth=16)
    ours = analyze(out)
    x, _ = sf.read(out)
    assert abs(ours["integrated_lufs"] + 9.0) <= 0.3 and abs(lufs(x) + 9.0) <= 0.3
    assert ours["true_peak_dbtp"] <= -0.3 and oversampled_peak_dbtp(x, 8) <= -0.3
    assert sf.info(out).subtype == "PCM_16"


def test_word_length_reduction_is_tpdf_dithered(sources, tmp_path):
    """The 16-bit file differs from the 24-bit one (same chain) by the dither and rounding:
    triangular dither two LSB wide plus rounding has an RMS of half an LSB (plain rounding:
    0.29), never more than 1.5 LSB, and this dither is high-passed, so most of it sits in
    the upper half of the band."""
    a, b = tmp_path / "24.wav", tmp_path / "16.wav"
    master(sources["normal"], a, target_lufs=-14.0, ceiling_dbtp=-1.0, bit_depth=24)
    master(sources["normal"], b, target_lufs=-14.0, ceiling_dbtp=-1.0, bit_depth=16)
    x24, _ = sf.read(a)
    x16, _ = sf.read(b)
    error = (x16 - x24)[:, 0] * 2**15
    assert 0.45 <= np.sqrt(np.mean(error**2)) <= 0.55
    assert np.abs(error).max() <= 1.5 + 1e-3
    power = np.abs(np.fft.rfft(error)) ** 2
    half = power.shape[0] // 2
    assert power[half:].sum() > 2 * power[:half].sum()


def test_flac_output(sources, tmp_path):
    out = tmp_path / "master.flac"
    master(sources["normal"], out, target_lufs=-16.0, ceiling_dbtp=-1.0)
    info = sf.info(out)
    assert (info.format, info.subtype, info.frames) == ("FLAC", "PCM_24", int(SECONDS * RATE))
    assert abs(analyze(out)["integrated_lufs"] + 16.0) <= 0.3


def test_other_rates_and_mono_keep_their_shape(tmp_path):
    x = at_lufs(signals.music(8.0, rate=48_000, seed=2)[:, :1], -20.0)
    src = signals.write(tmp_path / "mono48.wav", x, rate=48_000)
    out = tmp_path / "master.wav"
    master(src, out, target_lufs=-16.0, ceiling_dbtp=-1.0)
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.frames) == (48_000, 1, x.shape[0])
    y, _ = sf.read(out)
    assert abs(lufs(y, 48_000) + 16.0) <= 0.3
    assert oversampled_peak_dbtp(y, 8) <= -1.0


def test_an_unreachable_target_keeps_the_ceiling_and_says_so(sources, tmp_path):
    out = tmp_path / "m.wav"
    report = master(sources["quiet"], out, target_lufs=-3.0, ceiling_dbtp=-9.0)
    ours = analyze(out)
    assert not report["on_target"]
    assert ours["true_peak_dbtp"] <= -9.0
    assert ours["integrated_lufs"] < -3.0
    # It stops at its limiting budget rather than turning the quiet passages up for ever.
    assert report["limiter_max_reduction_db"] <= 24.0


@pytest.mark.parametrize("intensity", ["gentle", "balanced"])
def test_a_bass_note_held_by_the_limiter_is_not_distorted(tmp_path, intensity):
    """A limiter whose gain follows each half-cycle of a bass note distorts it (-35 dB of
    harmonics here without a hold); this one holds its gain through the cycle. A 45 Hz note
    steps up 6 dB halfway; the louder half is limited by about 5 dB, and its harmonics stay
    60 dB under the note."""
    freq = 45.0
    x = signals.steps([(4.0, -20.0), (4.0, -14.0)], rate=RATE, freq=freq)
    src = signals.write(tmp_path / "bass.wav", x, rate=RATE)
    out = tmp_path / "m.wav"
    report = master(src, out, target_lufs=-7.0, ceiling_dbtp=-1.0, intensity=intensity)
    assert report["limiter_max_reduction_db"] >= 4.0 and report["on_target"]
    y, _ = sf.read(out)
    steady = y[int(5.5 * RATE) : int(7.5 * RATE), 0]
    spectrum = np.abs(np.fft.rfft(steady * np.hanning(steady.shape[0])))
    freqs = np.fft.rfftfreq(steady.shape[0], 1 / RATE)

    def amplitude(f: float) -> float:
        i = int(np.argmin(np.abs(freqs - f)))
        return float(np.sqrt((spectrum[i - 3 : i + 4] ** 2).sum()))

    harmonics = np.sqrt(sum(amplitude(k * freq) ** 2 for k in range(2, 10)))
    assert 20 * np.log10(harmonics / amplitude(freq)) < -60.0


def test_dry_wet(sources, tmp_path):
    """mix=0 is the high-passed mix, only turned up or down to the target: no EQ, no
    compression; mix=1 is the whole chain. Both are on target."""
    dry, wet = tmp_path / "dry.wav", tmp_path / "wet.wav"
    common = {"target_lufs": -16.0, "ceiling_dbtp": -1.0, "intensity": "loud"}
    report = master(sources["normal"], dry, mix=0.0, **common)
    master(sources["normal"], wet, mix=1.0, **common)
    source, _ = sf.read(sources["normal"])
    x, _ = sf.read(dry)
    y, _ = sf.read(wet)
    assert report["limiter_max_reduction_db"] == 0.0
    highpassed = sosfilt(butter(2, 25.0, "highpass", fs=RATE, output="sos"), source, axis=0)
    gain = np.sum(x * highpassed) / np.sum(highpassed**2)
    assert abs(20 * np.log10(gain) - report["gain_db"]) <= 0.01
    assert np.abs(x - gain * highpassed).max() < 1e-5  # the dither and nothing else
    assert np.abs(y - gain * highpassed).max() > 0.01
    for path in (dry, wet):
        assert abs(analyze(path)["integrated_lufs"] + 16.0) <= 0.3


def tilted(x: np.ndarray, db_per_octave: float) -> np.ndarray:
    """``x`` with its spectrum tilted about 1 kHz."""
    spectrum = np.fft.rfft(x, axis=0)
    freqs = np.maximum(np.fft.rfftfreq(x.shape[0], 1 / RATE), 20.0)
    gain = 10 ** (db_per_octave * np.log2(freqs / 1000.0) / 20)
    return np.fft.irfft(spectrum * gain[:, None], x.shape[0], axis=0)


def high_share(x: np.ndarray) -> float:
    """Share of the power above 4 kHz, in dB: the brightness the references differ in."""
    spectrum = np.abs(np.fft.rfft(x.mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(x.shape[0], 1 / RATE)
    return float(10 * np.log10(spectrum[freqs > 4000].sum() / spectrum.sum()))


@pytest.mark.parametrize(("tilt", "ref_lufs"), [(-3.0, -11.0), (3.0, -17.0)])
def test_a_reference_pulls_the_tone_and_gives_the_loudness(sources, tmp_path, tilt, ref_lufs):
    """A darker (brighter) reference makes the master darker (brighter), closer to the
    reference's balance than the plain master; its loudness becomes the target."""
    x = signals.music(SECONDS, rate=RATE, seed=9, level_dbfs=-3.0)
    ref = at_lufs(tilted(x, tilt), ref_lufs)
    ref_path = signals.write(tmp_path / "ref.wav", ref, rate=RATE)
    plain, matched = tmp_path / "plain.wav", tmp_path / "matched.wav"
    master(sources["normal"], plain, target_lufs=-14.0, ceiling_dbtp=-1.0)
    report = master(
        sources["normal"], matched, target_lufs=-14.0, ceiling_dbtp=-1.0, reference_path=ref_path
    )
    p, m = sf.read(plain)[0], sf.read(matched)[0]
    goal = high_share(ref)
    assert abs(high_share(m) - goal) < 0.5 * abs(high_share(p) - goal)
    assert (high_share(m) - high_share(p)) * tilt > 0

    measured = analyze(ref_path)["integrated_lufs"]
    assert abs(report["settings"]["target_lufs"] - measured) <= 0.05
    assert abs(analyze(matched)["integrated_lufs"] - measured) <= 0.3
    assert abs(lufs(m) - measured) <= 0.3
    assert analyze(matched)["true_peak_dbtp"] <= -1.0


def test_a_reference_without_its_loudness(sources, tmp_path):
    ref = signals.write(tmp_path / "ref.wav", mix_of("loud"), rate=RATE)
    out = tmp_path / "m.wav"
    report = master(
        sources["normal"],
        out,
        target_lufs=-16.0,
        ceiling_dbtp=-1.0,
        reference_path=ref,
        match_reference_loudness=False,
    )
    assert report["settings"]["target_lufs"] == -16.0
    assert abs(analyze(out)["integrated_lufs"] + 16.0) <= 0.3


def test_the_same_master_twice_is_the_same_bytes(sources, tmp_path):
    for name in ("a.wav", "b.wav"):
        master(sources["quiet"], tmp_path / name, target_lufs=-14.0, ceiling_dbtp=-1.0)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_progress_runs_from_0_to_100(sources, tmp_path):
    seen = []
    master(
        sources["normal"],
        tmp_path / "m.wav",
        target_lufs=-14.0,
        ceiling_dbtp=-1.0,
        progress=lambda percent, stage: seen.append(percent),
    )
    assert seen[0] == 0 and seen[-1] == 100 and seen == sorted(seen)


def test_silence_junk_and_a_silent_reference_are_refused_and_nothing_is_written(sources, tmp_path):
    silent = signals.write(tmp_path / "silent.wav", np.zeros((RATE * 2, 2)), rate=RATE)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    for path, reference in ((silent, None), (junk, None), (sources["normal"], silent)):
        with pytest.raises(AudioError):
            master(
                path,
                tmp_path / "out.wav",
                target_lufs=-14.0,
                ceiling_dbtp=-1.0,
                reference_path=reference,
            )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.wav", "silent.wav"]


@pytest.mark.parametrize(
    ("kwargs", "out_name"),
    [
        ({"target_lufs": 5.0}, "out.wav"),
        ({"target_lufs": -60.0}, "out.wav"),
        ({"ceiling_dbtp": 1.0}, "out.wav"),
        ({"intensity": "brutal"}, "out.wav"),
        ({"mix": 1.5}, "out.wav"),
        ({"mix": -0.1}, "out.wav"),
        ({"bit_depth": 8}, "out.wav"),
        ({}, "out.mp3"),
        ({}, "missing/out.wav"),
    ],
)
def test_bad_arguments(sources, tmp_path, kwargs, out_name):
    args = {"target_lufs": -14.0, "ceiling_dbtp": -1.0, **kwargs}
    with pytest.raises(ValueError):
        master(sources["normal"], tmp_path / out_name, **args)
    assert list(tmp_path.iterdir()) == []
