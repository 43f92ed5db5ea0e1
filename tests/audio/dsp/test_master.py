"""Mastering lands on the profile's loudness and under its ceiling, for quiet, normal and
already-limited mixes, as measured by Liner's meter and by pyloudnorm (an independent
BS.1770 implementation) with an independent 4x oversampled peak."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf
from scipy.signal import resample_poly

from audio.dsp.analysis import analyze
from audio.dsp.errors import AudioError
from audio.dsp.master import master
from audio.dsp.profiles import get_profile

from . import signals

RATE = 44_100
SECONDS = 12.0


def mix_at(kind: str) -> np.ndarray:
    x = signals.music(SECONDS, rate=RATE, seed=5, level_dbfs=-1.0)
    if kind == "quiet":
        return x * 10 ** (-18 / 20)  # around -30 LUFS
    if kind == "normal":
        return x * 10 ** (-6 / 20)
    # Already limited and clipped, as a hot bus limiter leaves it: about -7 LUFS, flat tops.
    return np.clip(x * 10 ** (14 / 20), -1.0, 1.0) * 0.999


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("master")
    return {k: signals.write(folder / f"{k}.wav", mix_at(k), rate=RATE) for k in
            ("quiet", "normal", "limited")}  # fmt: skip


def independent(path) -> tuple[float, float]:
    """pyloudnorm's integrated loudness and a 4x polyphase-oversampled true peak."""
    x, rate = sf.read(path)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(x)
    up = resample_poly(x, 4, 1, axis=0)
    return lufs, 20 * np.log10(np.abs(up).max())


CASES = [
    ("quiet", "spotify", "balanced"),
    ("normal", "spotify", "gentle"),
    ("limited", "spotify", "balanced"),
    ("quiet", "apple-music", "loud"),
    ("limited", "apple-music", "gentle"),
    ("normal", "amazon-music", "balanced"),
    ("limited", "amazon-music", "loud"),
    ("normal", "podcast", "balanced"),
    ("quiet", "broadcast-ebu", "gentle"),
    ("limited", "broadcast-atsc", "balanced"),
]


@pytest.mark.parametrize("kind, slug, intensity", CASES)
def test_on_target_and_under_the_ceiling(sources, tmp_path, kind, slug, intensity):
    profile = get_profile(slug)
    out = tmp_path / "master.wav"
    report = master(sources[kind], out, target_lufs=profile.target_lufs,
                    ceiling_dbtp=profile.true_peak_ceiling_dbtp, intensity=intensity)  # fmt: skip
    ours = analyze(out)
    lufs, peak = independent(out)
    assert abs(ours["integrated_lufs"] - profile.target_lufs) <= 0.3
    assert abs(lufs - profile.target_lufs) <= 0.3
    assert ours["true_peak_dbtp"] <= profile.true_peak_ceiling_dbtp
    assert peak <= profile.true_peak_ceiling_dbtp + 0.05  # another interpolator, same ceiling
    assert report["on_target"]
    src, out_info = sf.info(sources[kind]), sf.info(out)
    assert (out_info.samplerate, out_info.channels, out_info.frames) == (
        src.samplerate, src.channels, src.frames)  # fmt: skip
    assert out_info.subtype == "PCM_24"


def test_cd_ceiling_and_16_bit(sources, tmp_path):
    out = tmp_path / "cd.wav"
    master(sources["limited"], out, target_lufs=-9.0, ceiling_dbtp=-0.3, bit_depth=16)
    ours = analyze(out)
    assert ours["true_peak_dbtp"] <= -0.3 and abs(ours["integrated_lufs"] + 9.0) <= 0.3
    assert sf.info(out).subtype == "PCM_16"


def test_dry_wet_changes_the_sound_not_the_target(sources, tmp_path):
    a, b = tmp_path / "dry.wav", tmp_path / "wet.wav"
    master(sources["normal"], a, target_lufs=-14.0, ceiling_dbtp=-1.0, mix=0.0, intensity="loud")
    master(sources["normal"], b, target_lufs=-14.0, ceiling_dbtp=-1.0, mix=1.0, intensity="loud")
    x, _ = sf.read(a)
    y, _ = sf.read(b)
    assert np.abs(x - y).max() > 0.01
    assert abs(analyze(a)["integrated_lufs"] + 14.0) <= 0.3


def test_a_reference_pulls_the_tone_and_can_give_the_loudness(sources, tmp_path):
    dark = signals.music(SECONDS, rate=RATE, seed=9, level_dbfs=-3.0)
    dark = signals.brickwall(dark, 3000.0, rate=RATE) * 0.5
    ref = signals.write(tmp_path / "dark.wav", dark, rate=RATE)
    plain, matched = tmp_path / "plain.wav", tmp_path / "matched.wav"
    master(sources["normal"], plain, target_lufs=-14.0, ceiling_dbtp=-1.0)
    report = master(sources["normal"], matched, target_lufs=-14.0, ceiling_dbtp=-1.0,
                    reference_path=ref)  # fmt: skip

    def high_share(path) -> float:
        x, rate = sf.read(path)
        spectrum = np.abs(np.fft.rfft(x[:, 0])) ** 2
        freqs = np.fft.rfftfreq(x.shape[0], 1 / rate)
        return float(spectrum[freqs > 5000].sum() / spectrum.sum())

    assert high_share(matched) < high_share(plain)
    ref_lufs = analyze(ref)["integrated_lufs"]
    assert abs(report["settings"]["target_lufs"] - ref_lufs) <= 0.05
    assert abs(analyze(matched)["integrated_lufs"] - ref_lufs) <= 0.3


def test_the_same_master_twice_is_the_same_bytes(sources, tmp_path):
    master(sources["quiet"], tmp_path / "a.wav", target_lufs=-14.0, ceiling_dbtp=-1.0)
    master(sources["quiet"], tmp_path / "b.wav", target_lufs=-14.0, ceiling_dbtp=-1.0)
    assert (tmp_path / "a.wav").read_bytes() == (tmp_path / "b.wav").read_bytes()


def test_silence_and_junk_are_refused_and_nothing_is_written(tmp_path):
    silent = signals.write(tmp_path / "silent.wav", np.zeros((RATE * 2, 2)), rate=RATE)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    for path in (silent, junk):
        with pytest.raises(AudioError):
            master(path, tmp_path / "out.wav", target_lufs=-14.0, ceiling_dbtp=-1.0)
    assert not (tmp_path / "out.wav").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.wav", "silent.wav"]


@pytest.mark.parametrize(
    "kwargs",
    [{"target_lufs": 5.0}, {"ceiling_dbtp": 1.0}, {"intensity": "brutal"}, {"mix": 1.5},
     {"bit_depth": 8}],
)  # fmt: skip
def test_bad_arguments(sources, tmp_path, kwargs):
    args = {"target_lufs": -14.0, "ceiling_dbtp": -1.0, **kwargs}
    with pytest.raises(ValueError):
        master(sources["normal"], tmp_path / "out.wav", **args)
    assert not (tmp_path / "out.wav").exists()
