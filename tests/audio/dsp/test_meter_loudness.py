"""Loudness against EBU Tech 3341 / 3342 cases we can synthesise, and against pyloudnorm."""

import numpy as np
import pyloudnorm
import pytest
from scipy import signal

from audio.dsp.iir import BlockIIR
from audio.dsp.loudness import (
    LoudnessMeter,
    channel_weights,
    k_weighting,
    k_weighting_sos,
    measure,
)

from .signals import RATE, music, sine, steps

# --- K-weighting ----------------------------------------------------------------------------


def test_k_weighting_reproduces_the_bs1770_table_at_48k():
    sos = k_weighting_sos(48_000)
    shelf = [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241,
             0.73248077421585]  # fmt: skip
    highpass = [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621]
    assert sos[0] == pytest.approx(shelf, abs=1e-12)
    assert sos[1] == pytest.approx(highpass, abs=1e-12)


@pytest.mark.parametrize("rate", [8_000, 22_050, 44_100, 96_000, 192_000, 384_000])
def test_k_weighting_has_the_same_response_at_any_rate(rate):
    """Rebuilt from the analog prototype, the filter at any rate matches the 48 kHz one in the
    audible band (bilinear warping only bends the top octave at low rates)."""
    freqs = np.array([20, 50, 100, 500, 1000, 2000, 4000])
    reference = signal.sosfreqz(k_weighting_sos(48_000), worN=freqs, fs=48_000)[1]
    response = signal.sosfreqz(k_weighting_sos(rate), worN=freqs, fs=rate)[1]
    gap_db = 20 * np.log10(np.abs(response) / np.abs(reference))
    assert np.abs(gap_db).max() < 0.05


@pytest.mark.parametrize("rate", [8_000, 44_100, 192_000, 384_000])
def test_the_block_filter_equals_a_sample_by_sample_one(rate):
    """BlockIIR (matrix products over 32-sample blocks) against scipy's recursion, fed in
    uneven pieces, with a large DC offset on one channel (the high-pass must cancel it)."""
    rng = np.random.default_rng(1)
    x = (rng.standard_normal((2, rate * 3)) * 0.1).astype(np.float32)
    x[1] += 0.5
    sos = k_weighting_sos(rate)
    expected = signal.sosfilt(sos, x.astype(np.float64), axis=1)
    blocks = BlockIIR(sos, 2)
    parts, at = [], 0
    while at < x.shape[1]:
        step = int(rng.integers(1, 40_000))
        parts.append(blocks.process(x[:, at : at + step]).copy())
        at += step
    parts.append(blocks.flush())
    got = np.concatenate(parts, axis=1)
    assert got.shape == expected.shape
    scale = np.abs(expected).max()
    assert np.abs(got - expected).max() < 1e-4 * scale
    energy_db = 10 * np.log10((got**2).sum(axis=1) / (expected**2).sum(axis=1))
    assert np.abs(energy_db).max() < 1e-5


@pytest.mark.parametrize("rate", [8_000, 44_100, 192_000, 384_000])
def test_one_fourth_order_pass_equals_two_biquads(rate):
    x = np.random.default_rng(3).standard_normal(rate)
    b, a = k_weighting(rate)
    one = signal.lfilter(b, a, x)
    two = signal.sosfilt(k_weighting_sos(rate), x)
    assert np.abs(one - two).max() < 1e-6 * np.abs(two).max()


def test_channel_weights():
    assert channel_weights(2).tolist() == [1.0, 1.0]
    assert channel_weights(6).tolist() == [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]
    # 7.1 by speaker mask: FL FR FC LFE BL BR SL SR; the sides are the ±110° surrounds.
    assert channel_weights(8, 0x63F).tolist() == [1, 1, 1, 0, 1, 1, 1.41, 1.41]
    assert channel_weights(6, 0x3F).tolist() == [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]


# --- EBU Tech 3341 ----------------------------------------------------------------------------


def test_a_0_dbfs_sine_on_one_channel_reads_minus_3_01():
    """BS.1770-4's calibration: 997 Hz at 0 dBFS in one channel is -3.01 LKFS."""
    x = sine(10.0, freq=997.0, dbfs=0.0, channels=1)
    assert measure(x, RATE).integrated_lufs == pytest.approx(-3.01, abs=0.01)


@pytest.mark.parametrize("level", [-20.0, -23.0, -26.0, -33.0, -40.0])
def test_tech3341_cases_1_and_2_steady_sines(level):
    result = measure(sine(20.0, dbfs=level), RATE)
    assert result.integrated_lufs == pytest.approx(level, abs=0.1)
    assert result.momentary_max_lufs == pytest.approx(level, abs=0.1)
    assert result.short_term_max_lufs == pytest.approx(level, abs=0.1)
    assert result.loudness_range_lu == pytest.approx(0.0, abs=0.1)


@pytest.mark.parametrize(
    "case, levels",
    [
        (3, [(10, -36), (60, -23), (10, -36)]),
        (4, [(10, -72), (10, -36), (60, -23), (10, -36), (10, -72)]),
        (5, [(20, -26), (20.1, -20), (20, -26)]),
    ],
)
def test_tech3341_cases_3_to_5_gating(case, levels):
    assert measure(steps(levels), RATE).integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_tech3341_case_6_five_channels():
    """L, R at -28 dBFS, C at -24, Ls and Rs at -30 (weighted +1.5 dB): -23 LUFS."""
    levels = [-28, -28, -24, -30, -30]
    x = np.concatenate([sine(20.0, dbfs=lv, channels=1) for lv in levels], axis=1)
    assert measure(x, RATE).integrated_lufs == pytest.approx(-23.0, abs=0.1)


def _alternating(loud_s, quiet_s, repeats):
    return steps([(loud_s, -20), (quiet_s, -30)] * repeats)


def test_tech3341_case_9_short_term_is_steady():
    """1.34 s at -20 dBFS and 1.66 s at -30 dBFS, repeated: every full 3 s window is -23."""
    result = measure(_alternating(1.34, 1.66, 20), RATE)
    full = result.short_term[30:-1]
    assert np.abs(full - (-23.0)).max() < 0.1


def test_tech3341_case_12_momentary_is_steady():
    """0.18 s at -20 dBFS and 0.22 s at -30 dBFS, repeated: every 400 ms window is -23."""
    meter = LoudnessMeter(RATE, 2)
    meter.process(_alternating(0.18, 0.22, 30).T)
    ticks = meter._ticks.finished()
    power = meter.weights @ ticks[:2]
    windows = np.lib.stride_tricks.sliding_window_view(power, 4).sum(axis=1) / (0.4 * RATE)
    lufs = -0.691 + 10 * np.log10(windows)
    assert np.abs(lufs - (-23.0)).max() < 0.1


# --- EBU Tech 3342 (loudness range) ---------------------------------------------------------


@pytest.mark.parametrize(
    "levels, expected",
    [
        ([(20, -20), (20, -30)], 10.0),
        ([(20, -20), (20, -15)], 5.0),
        ([(20, -40), (20, -20)], 20.0),
        ([(20, -50), (20, -35), (20, -20), (20, -35), (20, -50)], 15.0),
    ],
)
def test_tech3342_cases_1_to_4(levels, expected):
    assert measure(steps(levels), RATE).loudness_range_lu == pytest.approx(expected, abs=1.0)


# --- Agreement with pyloudnorm ---------------------------------------------------------------
#
# pyloudnorm builds its K-weighting from rounded design values (shelf +4 dB at 1500 Hz, high-pass
# at 38 Hz with unity gain), not from the BS.1770 table. The table's high-pass stage has a
# passband gain of +0.043 dB (its b0 is 1.0 while its a0 normalisation is 1.005), so pyloudnorm
# reads about 0.04 LU lower than a meter built on the table: on steady 1 kHz sines (-23.035
# instead of -22.993) and on broadband programme alike. The 0.1 LU bound covers it.


@pytest.mark.parametrize("rate", [44_100, 48_000, 96_000])
@pytest.mark.parametrize("channels", [1, 2])
def test_integrated_loudness_agrees_with_pyloudnorm(rate, channels):
    x = music(30.0, rate=rate, channels=channels, seed=rate + channels)
    ours = measure(x, rate).integrated_lufs
    theirs = pyloudnorm.Meter(rate).integrated_loudness(x)
    assert ours == pytest.approx(theirs, abs=0.1)
    assert 0.0 < ours - theirs < 0.06  # the documented offset, and nothing else


def test_pyloudnorm_offset_on_a_steady_sine():
    x = sine(10.0, dbfs=-23.0)
    ours = measure(x, RATE).integrated_lufs
    theirs = pyloudnorm.Meter(RATE).integrated_loudness(x)
    assert ours == pytest.approx(-22.993, abs=0.002)
    assert ours - theirs == pytest.approx(0.042, abs=0.005)


def test_loudness_range_is_close_to_pyloudnorm_on_programme():
    x = np.concatenate([music(20.0, seed=4, level_dbfs=-30), music(20.0, seed=5, level_dbfs=-10)])
    ours = measure(x, RATE).loudness_range_lu
    theirs = pyloudnorm.Meter(RATE).loudness_range(x)
    assert ours == pytest.approx(theirs, abs=1.0)


# --- Streaming ------------------------------------------------------------------------------


def test_block_size_does_not_change_the_answer():
    x = music(12.0, seed=9).T.astype(np.float32)
    whole = LoudnessMeter(RATE, 2)
    whole.process(x)
    pieces = LoudnessMeter(RATE, 2)
    rng = np.random.default_rng(0)
    at = 0
    while at < x.shape[1]:
        step = int(rng.integers(1, 30_000))
        pieces.process(x[:, at : at + step])
        at += step
    a, b = whole.result(), pieces.result()
    # Only rounding may differ (the state scan groups its sums by block).
    assert a.integrated_lufs == pytest.approx(b.integrated_lufs, abs=1e-6)
    assert a.loudness_range_lu == pytest.approx(b.loudness_range_lu, abs=1e-6)
    assert np.allclose(a.short_term, b.short_term, atol=1e-6)


def test_rates_that_are_not_a_multiple_of_ten_hertz():
    """11025 Hz: a 100 ms tick is 1102.5 samples, so ticks alternate 1102 and 1103."""
    rate = 11_025
    x = sine(20.0, rate=rate, freq=997.0, dbfs=-23.0)
    assert measure(x, rate).integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_silence_and_very_short_input_have_no_loudness():
    assert measure(np.zeros((RATE * 5, 2)), RATE).integrated_lufs is None
    short = measure(sine(0.3), RATE)
    assert short.integrated_lufs is None and short.loudness_range_lu is None
