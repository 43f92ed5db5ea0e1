"""The QC report: each finding on a purpose-made file, and no findings on clean ones."""

import json

import numpy as np
import pyloudnorm
import pytest
import soundfile as sf

from audio.dsp.analysis import analyze, waveform_peaks
from audio.dsp.errors import AudioError

from .signals import RATE, band_noise, brickwall, db, fade, hum, music, sine, write

REQUIRED_KEYS = {
    "integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs",
    "momentary_max_lufs", "short_term_max_lufs", "plr_db", "clipped_samples", "clip_runs",
    "dc_offset", "silence_head_s", "silence_tail_s", "stereo_correlation", "mono_loss_db",
    "phase_inverted", "lossy_cutoff_hz", "noise_floor_dbfs", "hum_hz", "clicks", "sample_rate",
    "bit_depth", "channels", "duration_s", "format", "short_term_curve", "low_end_correlation",
    "sibilance", "sibilance_count",
}  # fmt: skip


@pytest.fixture
def report(tmp_path):
    def make(x, *, rate=RATE, subtype="PCM_24", name="mix.wav", **kwargs):
        path = write(tmp_path / name, x, rate=rate, subtype=subtype)
        return analyze(str(path), **kwargs)

    return make


def test_a_clean_mix_has_the_keys_and_no_findings(report):
    r = report(music(30.0))
    assert set(r) >= REQUIRED_KEYS
    json.dumps(r, allow_nan=False)  # storable as JSON as it is
    assert (r["format"], r["sample_rate"], r["bit_depth"], r["channels"]) == ("WAV", RATE, 24, 2)
    assert r["duration_s"] == 30.0
    assert r["clipped_samples"] == 0 and r["clip_runs"] == []
    assert r["clicks"] == [] and r["hum_hz"] is None and r["lossy_cutoff_hz"] is None
    assert r["phase_inverted"] is False and r["mono_loss_db"] < 1.0
    assert r["stereo_correlation"] > 0.9 and r["low_end_correlation"] > 0.95
    assert r["sibilance_count"] == 0 and r["sibilance"] == []
    assert r["silence_head_s"] == 0.0 and r["silence_tail_s"] == 0.0
    assert all(abs(d) < 0.001 for d in r["dc_offset"])
    assert r["plr_db"] == pytest.approx(r["true_peak_dbtp"] - r["integrated_lufs"], abs=0.02)
    assert r["true_peak_dbtp"] >= r["sample_peak_dbfs"]


@pytest.mark.parametrize("rate", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "FLOAT"])
def test_clean_mixes_at_other_rates_and_depths_raise_nothing(report, rate, subtype):
    r = report(music(20.0, rate=rate, seed=rate % 7), rate=rate, subtype=subtype)
    assert r["clipped_samples"] == 0 and r["clicks"] == []
    assert r["hum_hz"] is None and r["lossy_cutoff_hz"] is None and not r["phase_inverted"]


def test_loudness_agrees_with_pyloudnorm_through_the_file(report, tmp_path):
    x = music(30.0, seed=11)
    r = report(x, subtype="FLOAT")
    expected = pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert r["integrated_lufs"] == pytest.approx(expected, abs=0.1)


def test_the_block_size_does_not_change_the_report(tmp_path):
    x = music(20.0, seed=2)
    x[RATE * 7 + 5, 1] += 0.3  # a click, to follow it across block edges too
    x[RATE * 3 : RATE * 4] = np.clip(x[RATE * 3 : RATE * 4] * 20, -1, 1)
    path = str(write(tmp_path / "mix.wav", x))
    a = analyze(path, block_seconds=1.0)
    for seconds in (0.1, 0.37, 3.3):
        b = analyze(path, block_seconds=seconds)
        for key, value in a.items():
            if isinstance(value, float):
                assert b[key] == pytest.approx(value, abs=0.011), key
            else:
                assert b[key] == value, key


def test_a_clipped_run(report):
    x = music(20.0)
    x[RATE * 10 : RATE * 11] = np.clip(x[RATE * 10 : RATE * 11] * 20, -1, 1)
    r = report(x)
    assert r["clipped_samples"] > 100
    assert r["clip_level_dbfs"] == 0.0
    first = r["clip_runs"][0]
    assert 10.0 <= first["start_s"] < 11.0 and first["length_samples"] >= 3
    assert all(10.0 <= run["start_s"] < 11.0 for run in r["clip_runs"])
    assert len(r["clip_runs"]) <= 100


def test_a_clipped_master_turned_down_still_shows_its_flat_tops(report):
    r = report(np.clip(music(20.0) * 10, -1, 1) * db(-1.0))
    assert r["clipped_samples"] > 1000
    assert r["clip_level_dbfs"] == pytest.approx(-1.0, abs=0.01)


def test_slow_crests_of_a_16_bit_bass_are_not_clipping(report):
    """At 16 bits a 30 Hz sine repeats its top value for a few samples: not a clipped top."""
    r = report(fade(sine(10.0, freq=30.0, dbfs=-1.0)), subtype="PCM_16")
    assert r["clipped_samples"] == 0


def test_a_dc_offset(report):
    x = music(20.0)
    x[:, 0] += 0.05
    r = report(x)
    assert r["dc_offset"][0] == pytest.approx(0.05, abs=0.002)
    assert abs(r["dc_offset"][1]) < 0.002


def test_leading_and_trailing_silence(report):
    body = fade(music(20.0), 0.01)
    x = np.concatenate([np.zeros((RATE * 5, 2)), body, np.zeros((RATE * 2, 2))])
    r = report(x)
    assert r["silence_head_s"] == pytest.approx(5.0, abs=0.01)
    assert r["silence_tail_s"] == pytest.approx(2.0, abs=0.01)
    # Gating drops the silence; the few 400 ms blocks straddling each edge still count (as in
    # pyloudnorm, which moves by the same 0.08 LU here).
    assert r["integrated_lufs"] == pytest.approx(report(body)["integrated_lufs"], abs=0.15)


def test_an_inverted_channel(report):
    x = music(20.0)
    x[:, 1] = -x[:, 0]
    r = report(x)
    assert r["phase_inverted"] is True
    assert r["stereo_correlation"] == pytest.approx(-1.0, abs=0.01)
    assert r["mono_loss_db"] >= 20.0


def test_a_wide_but_healthy_mix_is_not_inverted(report):
    r = report(music(20.0, width=0.8))
    assert r["phase_inverted"] is False
    assert 0.0 <= r["mono_loss_db"] < 3.0


@pytest.mark.parametrize("cutoff", [16_000.0, 19_000.0, 20_000.0])
def test_a_lossy_source_passed_off_as_lossless(report, cutoff):
    r = report(brickwall(music(20.0, seed=3), cutoff))
    assert r["lossy_cutoff_hz"] == pytest.approx(cutoff, abs=300)


def test_a_gentle_natural_roll_off_is_not_a_codec_wall(report):
    from scipy import signal

    sos = signal.butter(2, 12_000, fs=RATE, output="sos")  # 12 dB/octave from 12 kHz
    r = report(signal.sosfilt(sos, music(20.0, seed=3), axis=0))
    assert r["lossy_cutoff_hz"] is None


@pytest.mark.parametrize("mains", [50, 60])
def test_mains_hum(report, mains):
    r = report(music(30.0, seed=5) + hum(30.0, mains=mains, dbfs=-50.0))
    assert r["hum_hz"] == mains


def test_a_bass_note_near_50_hz_is_not_hum(report):
    """G1 is 49 Hz; even sustained, with harmonics, it is not 50 Hz mains."""
    x = music(30.0) + hum(30.0, mains=49.0, dbfs=-20.0)
    assert report(x)["hum_hz"] is None


def test_a_steady_bright_mix_has_no_sibilance(report):
    # Steady hiss or hats set the band's usual level, and the drum hits of the mix on every beat
    # are no sibilants either. (Sibilance itself: test_sibilance.py.)
    bright = music(20.0, level_dbfs=-1.0)
    bright += band_noise(20.0, 5000, 12000, rms_dbfs=-26.0)[:, None]
    assert report(bright)["sibilance_count"] == 0


def test_the_low_end_stereo_is_measured_below_150_hz(report):
    t = np.arange(20 * RATE) / RATE
    bass = 0.3 * np.sin(2 * np.pi * 55.0 * t)
    mix = music(20.0, level_dbfs=-6.0, width=0.0)
    # Wide, unrelated stereo above 150 Hz does not count against a mono low end.
    air = band_noise(20.0, 400, 16000, rms_dbfs=-14.0, seed=1)
    other_air = band_noise(20.0, 400, 16000, rms_dbfs=-14.0, seed=2)
    wide_top = mix + np.stack([air, other_air], axis=1) + bass[:, None]
    r = report(wide_top)
    assert r["low_end_correlation"] > 0.98 and r["stereo_correlation"] < 0.9
    inverted = mix.copy()
    inverted[:, 0] += bass
    inverted[:, 1] -= bass
    assert report(inverted)["low_end_correlation"] < -0.2
    one_side = mix * 0.1
    one_side[:, 0] += bass
    assert abs(report(one_side)["low_end_correlation"] - 0.5) < 0.5
    assert report(music(20.0, channels=1))["low_end_correlation"] is None


def test_a_click(report):
    x = music(20.0)
    at = RATE * 12 + 123
    x[at, 0] += 0.3
    r = report(x)
    assert len(r["clicks"]) == 1
    assert r["clicks"][0]["time_s"] == pytest.approx(at / RATE, abs=0.001)
    assert r["clicks"][0]["channel"] == 0


def test_a_click_in_a_quiet_passage(report):
    x = fade(sine(10.0, freq=440.0, dbfs=-40.0))
    x[RATE * 4, 1] += db(-30.0)
    clicks = report(x)["clicks"]
    assert [c["channel"] for c in clicks] == [1]
    assert clicks[0]["time_s"] == pytest.approx(4.0, abs=0.001)


def test_the_noise_floor_is_the_quiet_passages(report):
    rng = np.random.default_rng(0)
    room = rng.standard_normal((RATE * 6, 2)) * db(-70.0)  # RMS -70 dBFS
    x = np.concatenate([room, music(20.0) + rng.standard_normal((RATE * 20, 2)) * db(-70.0)])
    assert report(x)["noise_floor_dbfs"] == pytest.approx(-70.0, abs=1.0)


def test_short_term_curve_one_point_a_second(report):
    x = np.concatenate([sine(10.0, dbfs=-30.0), sine(10.0, dbfs=-20.0)])
    curve = report(x)["short_term_curve"]
    assert len(curve) == 20
    assert [t for t, _ in curve] == [float(s) for s in range(1, 21)]
    assert curve[5][1] == pytest.approx(-30.0, abs=0.1)
    assert curve[-1][1] == pytest.approx(-20.0, abs=0.1)


def test_progress_is_reported(tmp_path):
    path = str(write(tmp_path / "mix.wav", music(20.0)))
    calls = []
    analyze(path, progress=lambda pct, stage: calls.append((pct, stage)))
    percents = [p for p, _ in calls]
    assert percents[0] == 0 and percents[-1] == 100 and percents == sorted(percents)
    assert len(calls) >= 4 and all(isinstance(s, str) and s for _, s in calls)


def test_mono_files(report):
    r = report(music(20.0, channels=1))
    assert r["channels"] == 1
    assert r["stereo_correlation"] is None and r["mono_loss_db"] is None
    assert r["phase_inverted"] is False


def test_digital_silence_and_a_blip(report):
    r = report(np.zeros((RATE * 3, 2)))
    assert r["integrated_lufs"] is None and r["true_peak_dbtp"] is None
    assert r["silence_head_s"] == r["silence_tail_s"] == 3.0
    json.dumps(r, allow_nan=False)
    short = report(sine(0.2))
    assert short["integrated_lufs"] is None and short["true_peak_dbtp"] is not None


def test_an_mp3_is_analysed(tmp_path):
    path = tmp_path / "mix.mp3"
    sf.write(path, music(10.0), RATE, format="MP3")
    r = analyze(str(path))
    assert r["format"] == "MP3" and r["bit_depth"] is None
    assert r["duration_s"] == pytest.approx(10.0, abs=0.1)
    assert r["integrated_lufs"] is not None


def test_unreadable_files_raise_audio_error(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("not audio at all\n" * 100)
    with pytest.raises(AudioError, match="not an audio file"):
        analyze(str(path))


# --- Waveform -------------------------------------------------------------------------------


def test_waveform_peaks_per_column(tmp_path):
    x = music(10.0)
    path = str(write(tmp_path / "mix.wav", x, subtype="FLOAT"))
    peaks = waveform_peaks(path, columns=(100, 400))
    assert peaks["columns"] == [100, 400] and peaks["duration_s"] == 10.0
    level = peaks["levels"]["400"]
    assert len(level["min"]) == len(level["max"]) == 400
    n = x.shape[0]
    for j in (0, 17, 399):
        part = x[j * n // 400 : (j + 1) * n // 400]
        assert level["max"][j] == pytest.approx(part.max(), abs=0.001)
        assert level["min"][j] == pytest.approx(part.min(), abs=0.001)
    coarse = peaks["levels"]["100"]
    assert coarse["max"][3] == pytest.approx(max(level["max"][12:16]), abs=1e-9)


def test_the_report_can_carry_the_waveform_from_the_same_pass(tmp_path):
    path = str(write(tmp_path / "mix.wav", music(10.0)))
    r = analyze(path, waveform_columns=(512, 2048))
    assert r["waveform"] == waveform_peaks(path, columns=(512, 2048))


@pytest.mark.parametrize("freq", [20.0, 55.0, 100.0, 440.0])
def test_naive_synth_waves_are_neither_clicks_nor_hum(report, freq):
    """A raw square or sawtooth oscillator jumps every cycle and is a comb of harmonics (some
    on 50/60 Hz multiples); that is the sound, not damage or mains hum."""
    t = np.arange(RATE * 10) / RATE
    for wave in (np.sign(np.sin(2 * np.pi * freq * t)), (t * freq) % 1 * 2 - 1):
        r = report(np.stack([wave, wave], axis=1) * db(-20.0))
        assert r["clicks"] == [] and r["click_count"] == 0
        assert r["hum_hz"] is None


def test_crackle_at_random_times_is_reported(report):
    x = music(20.0, seed=8)
    rng = np.random.default_rng(3)
    where = np.sort(rng.choice(np.arange(RATE, RATE * 19), size=40, replace=False))
    where = where[np.diff(where, prepend=0) > RATE // 20]  # keep them apart (isolated)
    x[where, 0] += 0.2 * rng.choice([-1.0, 1.0], size=where.size)
    r = report(x)
    assert r["click_count"] == where.size
    found = np.array([c["time_s"] for c in r["clicks"]])
    assert np.allclose(found, where / RATE, atol=0.001)


def test_five_point_one_uses_the_speaker_weights(tmp_path):
    """Tech 3341 case 6 as a 5.1 WAV (L R C LFE Ls Rs): -23 LUFS, the LFE not counted."""
    levels = [-28, -28, -24, -10, -30, -30]  # a loud LFE that must not count
    x = np.concatenate([sine(20.0, dbfs=lv, channels=1, freq=1000.0) for lv in levels], axis=1)
    path = tmp_path / "surround.wav"
    sf.write(path, x, RATE, format="WAVEX", subtype="PCM_24")
    r = analyze(str(path))
    assert r["channels"] == 6
    assert r["integrated_lufs"] == pytest.approx(-23.0, abs=0.1)
    assert len(r["true_peak_per_channel_dbtp"]) == 6


def test_a_file_damaged_in_the_middle_is_an_audio_error(tmp_path):
    path = tmp_path / "mix.flac"
    sf.write(path, music(8.0), RATE, format="FLAC")
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20_000] = bytes(20_000)
    path.write_bytes(bytes(data))
    with pytest.raises(AudioError, match="damaged"):
        analyze(str(path))
