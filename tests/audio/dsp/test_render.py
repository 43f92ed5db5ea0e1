"""Renders: the right rate, depth, length and encoder for each format, dithered, resampled
cleanly, streamed, and never half-written."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from mutagen.mp3 import MP3, BitrateMode

from audio.dsp import render as render_module
from audio.dsp.errors import AudioError
from audio.dsp.render import render

from . import signals


def level_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x))) * np.sqrt(2))


@pytest.fixture(scope="module")
def src48(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "src48.wav"
    return signals.write(path, signals.music(5.0, rate=48_000, level_dbfs=-3.0), rate=48_000)


@pytest.mark.parametrize(
    "fmt, ext, rate, subtype",
    [("wav24", "wav", 48_000, "PCM_24"), ("wav16", "wav", 44_100, "PCM_16"),
     ("flac", "flac", 48_000, "PCM_24"), ("mp3", "mp3", 48_000, "MPEG_LAYER_III")],
)  # fmt: skip
def test_each_format(src48, tmp_path, fmt, ext, rate, subtype):
    out = tmp_path / f"out.{ext}"
    report = render(src48, out, fmt)
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (rate, 2, subtype)
    expected = 5.0 * rate
    if fmt == "mp3":
        assert abs(info.frames - expected) < 3000  # encoder delay and padding
        mp3 = MP3(out)
        assert mp3.info.bitrate == 320_000 and mp3.info.bitrate_mode != BitrateMode.VBR
    else:
        assert abs(info.frames - expected) <= 1
    assert report["sample_rate"] == rate and report["bytes"] == out.stat().st_size


def test_flac_of_a_16_bit_source_stays_16_bit(tmp_path):
    src = signals.write(tmp_path / "s16.wav", signals.music(2.0, rate=44_100), rate=44_100,
                        subtype="PCM_16")  # fmt: skip
    render(src, tmp_path / "o.flac", "flac")
    assert sf.info(tmp_path / "o.flac").subtype == "PCM_16"


def test_resampling_keeps_a_tone_and_removes_what_cannot_fit(tmp_path):
    rate = 96_000
    tone = signals.sine(2.0, rate=rate, freq=1000.0, dbfs=-6.0)
    high = signals.sine(2.0, rate=rate, freq=30_000.0, dbfs=-6.0)  # above 22.05 kHz
    signals.write(tmp_path / "tone.wav", tone, rate=rate)
    signals.write(tmp_path / "high.wav", high, rate=rate)
    render(tmp_path / "tone.wav", tmp_path / "tone16.wav", "wav16")
    render(tmp_path / "high.wav", tmp_path / "high16.wav", "wav16")
    kept, _ = sf.read(tmp_path / "tone16.wav")
    gone, _ = sf.read(tmp_path / "high16.wav")
    mid = slice(4410, -4410)
    assert level_db(kept[mid, 0]) == pytest.approx(-6.0, abs=0.1)
    assert level_db(gone[mid, 0]) < -6.0 - 60  # no alias folded back into the audible band


def test_wav16_is_dithered(tmp_path):
    quiet = signals.sine(2.0, rate=44_100, freq=1000.0, dbfs=-100.0)  # below 16-bit's LSB
    signals.write(tmp_path / "quiet.wav", quiet, rate=44_100, subtype="FLOAT")
    render(tmp_path / "quiet.wav", tmp_path / "q16.wav", "wav16")
    out, _ = sf.read(tmp_path / "q16.wav", dtype="int16")
    assert np.count_nonzero(out) > out.size // 4  # truncation would give digital silence
    # The tone survives in the noise: correlate with the source sine.
    ref = quiet[:, 0] / np.abs(quiet[:, 0]).max()
    assert float(np.dot(out[:, 0].astype(float), ref)) > 0


def test_the_same_render_twice_gives_the_same_bytes(src48, tmp_path):
    a = render(src48, tmp_path / "a.flac", "flac")
    b = render(src48, tmp_path / "b.flac", "flac")
    assert a["sha256"] == b["sha256"]


def test_unreadable_input_leaves_nothing(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(AudioError):
        render(bad, tmp_path / "out.flac", "flac")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.wav"]


def test_a_failure_mid_render_keeps_the_previous_file(src48, tmp_path, monkeypatch):
    out = tmp_path / "song.mp3"
    out.write_bytes(b"the previous render")

    class Exploding:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise RuntimeError("encoder crashed")

            return fail

    monkeypatch.setattr(render_module.lameenc, "Encoder", Exploding)
    with pytest.raises(RuntimeError):
        render(src48, out, "mp3")
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.mp3"]


def test_unknown_format(src48, tmp_path):
    with pytest.raises(ValueError):
        render(src48, tmp_path / "x.ogg", "ogg")


def test_mp3_refuses_more_than_two_channels(tmp_path):
    x = signals.music(1.0, rate=44_100, channels=4)
    signals.write(tmp_path / "quad.wav", x, rate=44_100)
    with pytest.raises(AudioError, match="two channels"):
        render(tmp_path / "quad.wav", tmp_path / "q.mp3", "mp3")


def test_memory_does_not_grow_with_length(tmp_path):
    import tracemalloc

    peaks = []
    for seconds in (20.0, 120.0):
        path = tmp_path / f"long{int(seconds)}.wav"
        signals.write(path, signals.music(seconds, rate=44_100, level_dbfs=-3.0), rate=44_100)
        tracemalloc.start()
        render(path, tmp_path / f"o{int(seconds)}.wav", "wav16")
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.5 * peaks[0], peaks
