"""True peak against EBU Tech 3341 cases 15-23 (synthesised) and a direct reference."""

import numpy as np
import pytest

from audio.dsp.peaks import TruePeakMeter, interpolation_filters, true_peak

from .signals import RATE, db, fade, music, pulse, sine

# Tech 3341's true-peak tolerance.
OVER, UNDER = 0.2, 0.4


@pytest.mark.parametrize(
    "case, amplitude, divisor, phase, expected",
    [
        (15, 0.50, 4, 0.0, -6.0),
        (16, 0.50, 4, 45.0, -6.0),
        (17, 0.50, 6, 60.0, -6.0),
        (18, 0.50, 8, 67.5, -6.0),
        (19, 1.41, 4, 45.0, 3.0),
    ],
)
def test_tech3341_cases_15_to_19_sines(case, amplitude, divisor, phase, expected):
    """Sines at fs/4, fs/6, fs/8 whose crests fall between samples. Faded in and out: a sine
    switched on at full level is a step, which any oversampling meter reads as overshoot."""
    x = fade(sine(5.0, freq=RATE / divisor, dbfs=20 * np.log10(amplitude), phase_deg=phase))
    sample_db, true_db = true_peak(x)
    assert expected - UNDER <= true_db <= expected + OVER
    if phase:
        assert sample_db < true_db - 0.5  # the samples alone miss the crest


@pytest.mark.parametrize("offset", [0.0, 0.25, 0.5, 0.75])
def test_inter_sample_pulses_like_cases_20_to_23(offset):
    """A band-limited pulse peaking at 0 dBTP, ``offset`` samples after a sample."""
    sample_db, true_db = true_peak(pulse(offset))
    assert -UNDER <= true_db <= OVER
    if offset == 0.5:
        assert sample_db < -0.5


@pytest.mark.parametrize("freq", [100.0, 1000.0, 5000.0, 10_000.0, 15_000.0, 18_000.0])
@pytest.mark.parametrize("rate", [44_100, 48_000])
def test_sines_read_their_amplitude_up_to_18k(freq, rate):
    worst_over, worst_under = 0.0, 0.0
    for phase in np.linspace(0, 90, 7):
        x = fade(sine(1.0, rate=rate, freq=freq, dbfs=-6.0, phase_deg=phase), rate=rate)
        _, tp = true_peak(x)
        worst_over, worst_under = max(worst_over, tp + 6.0), min(worst_under, tp + 6.0)
    assert worst_over < 0.02  # the interpolator itself adds next to nothing
    # 4× oversampling may miss a crest by half of a quarter sample: cos(π f / (4 fs)).
    grid = 20 * np.log10(np.cos(np.pi * freq / (4 * rate)))
    assert worst_under > grid - 0.02


def test_streaming_matches_a_direct_polyphase_reference():
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((3, 50_001)) * 0.3).astype(np.float32)
    meter = TruePeakMeter(3)
    at = 0
    while at < x.shape[1]:
        step = int(rng.integers(1, 9000))
        meter.process(x[:, at : at + step])
        at += step
    meter.flush()
    h = interpolation_filters()
    taps = h.shape[1]
    expected = np.abs(x).max(axis=1).astype(np.float64)
    for c in range(3):
        padded = np.concatenate([np.zeros(taps // 2 - 1), x[c], np.zeros(taps // 2)])
        for phase in h:
            y = np.convolve(padded, phase[::-1], mode="valid")[: x.shape[1]]
            expected[c] = max(expected[c], np.abs(y).max())
    assert np.allclose(meter.peaks()[1], expected, rtol=1e-5)


def test_extra_filters_ride_along_scaled():
    x = music(2.0).T.astype(np.float32)
    diff = np.array([[0.0] * 15 + [-1.0, 1.0] + [0.0] * 15])  # x[n+1] - x[n]
    meter = TruePeakMeter(2, extra_filters=diff)
    out = np.concatenate([meter.process(x), meter.flush()], axis=2)
    assert out.shape == (2, 1, x.shape[1])
    expected = np.diff(np.concatenate([x, np.zeros((2, 1))], axis=1), axis=1) / 2
    assert np.allclose(out[:, 0], expected, atol=1e-6)
    plain = TruePeakMeter(2)
    plain.process(x)
    plain.flush()
    assert np.allclose(meter.peaks()[1], plain.peaks()[1], rtol=1e-6)


def test_silence_has_no_peak():
    assert true_peak(np.zeros((1000, 2))) == (None, None)


def test_true_peak_is_never_below_the_sample_peak():
    x = np.zeros((4000, 1))
    x[2000] = db(-1.0)  # a lone sample: its neighbours ring below it
    sample_db, true_db = true_peak(x)
    assert true_db >= sample_db == pytest.approx(-1.0)
