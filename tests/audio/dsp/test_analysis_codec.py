"""Codec safety: peaks after an MP3 320 kbps round trip."""

import numpy as np
import pytest

from audio.dsp.analysis import codec_check
from audio.dsp.codec import _ffmpeg_with_aac

from .signals import RATE, db, fade, music, sine, write


def test_a_hot_master_overshoots_after_the_codec(tmp_path):
    """Hard-clipped to 0 dBFS: the encoder's band-limiting rebuilds the cut-off tops, which
    now go over full scale."""
    hot = np.clip(music(8.0, rate=44_100) * 8, -1, 1)
    r = codec_check(str(write(tmp_path / "hot.wav", hot, rate=44_100)))
    assert r["codec"] == "mp3-320"
    assert r["true_peak_dbtp"] > 0.0
    assert r["clipped_samples"] > 0
    if _ffmpeg_with_aac() is None:
        assert r["aac"] is None and any("AAC not checked" in n for n in r["notes"])
    else:
        assert r["aac"]["codec"] == "aac-256"
        assert r["aac"]["true_peak_dbtp"] > 0.0 and r["aac"]["clipped_samples"] > 0


@pytest.mark.skipif(_ffmpeg_with_aac() is None, reason="no ffmpeg with an AAC encoder here")
def test_aac_with_headroom_stays_clean(tmp_path):
    quiet = music(6.0, rate=44_100, level_dbfs=-6.0)
    aac = codec_check(str(write(tmp_path / "quiet.wav", quiet, rate=44_100)))["aac"]
    assert aac["clipped_samples"] == 0
    assert -7.5 < aac["true_peak_dbtp"] < -4.0


def test_a_master_with_headroom_stays_clean(tmp_path):
    quiet = music(8.0, rate=44_100, level_dbfs=-6.0)
    r = codec_check(str(write(tmp_path / "quiet.wav", quiet, rate=44_100)))
    assert r["clipped_samples"] == 0
    assert -7.5 < r["true_peak_dbtp"] < -4.0


def test_rates_mp3_does_not_carry_are_resampled(tmp_path):
    x = fade(sine(4.0, rate=96_000, dbfs=-10.0))
    r = codec_check(str(write(tmp_path / "hires.wav", x, rate=96_000)))
    assert r["encoder_rate"] == 48_000
    assert r["true_peak_dbtp"] == pytest.approx(-10.0, abs=0.5)


def test_more_than_two_channels_is_skipped_with_a_note(tmp_path):
    x = np.repeat(sine(1.0, dbfs=-20.0, channels=1), 6, axis=1) * db(0)
    r = codec_check(str(write(tmp_path / "surround.wav", x, rate=RATE)))
    assert r["true_peak_dbtp"] is None and r["clipped_samples"] is None
    assert any("6" in note for note in r["notes"])
