"""Agreement with libebur128 (the meter in ffmpeg's ``ebur128`` filter, through pyebur128) on
music-like programme: integrated loudness within 0.1 LU, loudness range and true peak close.

pyebur128 is a test dependency only; Liner's meter ships, and pyloudnorm stays the oracle in
test_meter_loudness.py. libebur128 builds its K-weighting from the filter's analogue design at
any rate, as Liner does, so unlike pyloudnorm there is no offset to allow for.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from audio.dsp.loudness import measure
from audio.dsp.peaks import true_peak

from .signals import RATE, music

pyebur128 = pytest.importorskip("pyebur128")


def libebur128(x: np.ndarray, rate: int) -> tuple[float, float, float]:
    """Integrated loudness (LUFS), loudness range (LU) and true peak (dBTP) by libebur128."""
    modes = pyebur128.MeasurementMode
    channels = x.shape[1]
    state = pyebur128.R128State(
        channels, rate, modes.MODE_I | modes.MODE_LRA | modes.MODE_TRUE_PEAK
    )
    block = rate  # fed a second at a time, as a file would be
    for start in range(0, len(x), block):
        part = np.ascontiguousarray(x[start : start + block], dtype=np.float64)
        state.add_frames(part.reshape(-1), part.shape[0])
    peak = max(pyebur128.get_true_peak(state, c) for c in range(channels))
    return (
        pyebur128.get_loudness_global(state),
        pyebur128.get_loudness_range(state),
        20 * math.log10(peak),
    )


@pytest.mark.parametrize(
    "rate, level_dbfs, seed",
    [(44_100, -14.0, 1), (44_100, -3.0, 2), (48_000, -20.0, 3), (96_000, -8.0, 4)],
)
def test_integrated_loudness_and_true_peak_agree_with_libebur128(rate, level_dbfs, seed):
    x = music(40.0, rate=rate, level_dbfs=level_dbfs, seed=seed)
    lufs, _, peak_db = libebur128(x, rate)
    ours = measure(x, rate).integrated_lufs
    assert ours == pytest.approx(lufs, abs=0.1)
    _, our_peak = true_peak(x)
    # Both oversample (libebur128 4x below 96 kHz, 2x at 96k; Liner 4x with a longer filter):
    # the interpolated peaks of programme differ by a few hundredths of a dB.
    assert our_peak == pytest.approx(peak_db, abs=0.2)


def test_loudness_range_agrees_with_libebur128_on_a_quiet_and_loud_programme():
    x = np.concatenate([music(30.0, seed=5, level_dbfs=-30), music(30.0, seed=6, level_dbfs=-8)])
    _, lra, _ = libebur128(x, RATE)
    ours = measure(x, RATE).loudness_range_lu
    assert lra > 10  # the programme really has a range to measure
    assert ours == pytest.approx(lra, abs=0.2)  # Tech 3342 allows ±1 LU


def test_a_clipped_limited_mix_reads_the_same():
    """A loud, clipped master: the inter-sample overs are where meters disagree most."""
    x = np.clip(music(30.0, seed=7, level_dbfs=6.0), -1.0, 1.0)
    lufs, _, peak_db = libebur128(x, RATE)
    assert measure(x, RATE).integrated_lufs == pytest.approx(lufs, abs=0.1)
    _, our_peak = true_peak(x)
    assert peak_db > 0.0 and our_peak == pytest.approx(peak_db, abs=0.2)
    assert our_peak >= peak_db - 0.02  # if anything Liner reads the overs higher: the safe side
