"""Renders: the right rate, depth, length and encoder for each format, dithered, resampled
cleanly, streamed, and never half-written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from mutagen.mp3 import MP3, BitrateMode

from audio.dsp import render as render_module
from audio.dsp.errors import AudioError
from audio.dsp.render import render
from audio.dsp.tags import TagError

from . import signals

ROOT = Path(__file__).resolve().parents[3]


def tone_db(x: np.ndarray, rate: int, freq: float) -> float:
    """Level (peak dBFS) of the ``freq`` component of ``x``, by correlating with a sine and a
    cosine over whole periods: exact for a tone, blind to noise elsewhere in the spectrum."""
    t = np.arange(len(x)) / rate
    c = 2 * np.mean(x * np.cos(2 * np.pi * freq * t))
    s = 2 * np.mean(x * np.sin(2 * np.pi * freq * t))
    return 20 * np.log10(np.hypot(c, s) + 1e-30)


def spectrum_peak_db(x: np.ndarray) -> float:
    """Loudest component anywhere in the spectrum (peak dBFS), Hann-windowed."""
    window = np.hanning(len(x))
    return 20 * np.log10(np.abs(np.fft.rfft(x * window)).max() / (window.sum() / 2))


def mp3_frames(path: Path) -> list[int]:
    """Bitrate (kbps) of every frame of an untagged MPEG-1 Layer III file, walking headers."""
    data = path.read_bytes()
    kbps_table = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0]
    rates = [44_100, 48_000, 32_000, 0]
    pos, found = 0, []
    while pos < len(data):
        head = data[pos : pos + 4]
        assert head[0] == 0xFF and head[1] & 0xFE == 0xFA, f"no frame header at byte {pos}"
        kbps, rate = kbps_table[head[2] >> 4], rates[(head[2] >> 2) & 3]
        found.append(kbps)
        pos += 144_000 * kbps // rate + ((head[2] >> 1) & 1)
    assert pos == len(data)
    return found


@pytest.fixture(scope="module")
def src48(tmp_path_factory):
    path = tmp_path_factory.mktemp("render") / "src48.wav"
    return signals.write(path, signals.music(5.0, rate=48_000, level_dbfs=-3.0), rate=48_000)


@pytest.mark.parametrize(
    "fmt, ext, rate, subtype, bits",
    [("wav24", "wav", 48_000, "PCM_24", 24), ("wav16", "wav", 44_100, "PCM_16", 16),
     ("flac", "flac", 48_000, "PCM_24", 24), ("mp3", "mp3", 48_000, "MPEG_LAYER_III", None)],
)  # fmt: skip
def test_each_format(src48, tmp_path, fmt, ext, rate, subtype, bits):
    out = tmp_path / f"out.{ext}"
    report = render(src48, out, fmt)
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.subtype) == (rate, 2, subtype)
    assert abs(info.frames - 5.0 * rate) <= 1  # MP3 too: its Info frame makes it gapless
    assert len(sf.read(out)[0]) == info.frames
    assert report["format"] == fmt
    assert (report["sample_rate"], report["bit_depth"], report["channels"]) == (rate, bits, 2)
    assert report["frames"] == info.frames
    assert report["bytes"] == out.stat().st_size
    assert report["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    json.dumps(report)  # a job stores it as its result


def test_mp3_is_320_kbps_cbr_and_says_so(src48, tmp_path):
    out = tmp_path / "out.mp3"
    render(src48, out, "mp3")
    assert set(mp3_frames(out)) == {320}  # every frame, the Info frame included
    info = MP3(out).info
    assert info.bitrate == 320_000 and info.bitrate_mode == BitrateMode.CBR
    assert info.encoder_info.startswith("LAME")
    assert info.length == pytest.approx(5.0, abs=1e-4)


@pytest.mark.parametrize(
    "rate, channels, out_rate", [(44_100, 2, 44_100), (48_000, 1, 48_000), (96_000, 2, 44_100)]
)
def test_mp3_is_gapless_in_time_and_sounds_like_the_source(tmp_path, rate, channels, out_rate):
    n = int(3.3 * rate) + 7  # not a whole number of MP3 frames
    x = signals.music(n / rate, rate=rate, channels=channels, level_dbfs=-3.0)[:n]
    src = signals.write(tmp_path / "src.wav", x, rate=rate)
    render(src, tmp_path / "o.mp3", "mp3")
    decoded, got_rate = sf.read(tmp_path / "o.mp3", always_2d=True)
    assert (got_rate, decoded.shape[1]) == (out_rate, channels)
    assert abs(len(decoded) - n * out_rate / rate) <= 1
    if rate == out_rate:  # same clock: the decoded music sits on the source's samples
        a, b = x[:, 0], decoded[: len(x), 0]
        lags = np.fft.irfft(np.fft.rfft(a, 2 * n) * np.conj(np.fft.rfft(b, 2 * n)))
        assert int(np.argmax(lags)) == 0  # no encoder delay left at the start
        snr = 10 * np.log10(np.sum(a**2) / np.sum((a - b) ** 2))
        assert snr > 25


def test_lengths_follow_the_rate(tmp_path):
    n = 96_000 * 2 + 13
    src = signals.write(tmp_path / "odd.wav", signals.music(n / 96_000, rate=96_000)[:n],
                        rate=96_000)  # fmt: skip
    report = render(src, tmp_path / "o16.wav", "wav16")
    assert sf.info(tmp_path / "o16.wav").frames == report["frames"]
    assert abs(report["frames"] - n * 44_100 / 96_000) <= 1
    assert report["resampled_from"] == 96_000 and report["dither"] == "tpdf-highpass"


@pytest.mark.parametrize(
    "src_name, subtype, rate, fmt, ext",
    [("src.wav", "PCM_24", 48_000, "wav24", "wav"), ("src.flac", "PCM_24", 48_000, "wav24", "wav"),
     ("src.wav", "PCM_24", 48_000, "flac", "flac"), ("src.wav", "PCM_16", 44_100, "wav16", "wav"),
     ("src.flac", "PCM_16", 44_100, "flac", "flac")],
)  # fmt: skip
def test_a_source_that_fits_is_copied_sample_for_sample(
    tmp_path, src_name, subtype, rate, fmt, ext
):
    src = signals.write(tmp_path / src_name, signals.music(2.0, rate=rate), rate=rate,
                        subtype=subtype)  # fmt: skip
    report = render(src, tmp_path / f"o.{ext}", fmt)
    assert sf.info(tmp_path / f"o.{ext}").subtype == subtype
    assert report["dither"] is None
    original, _ = sf.read(src, dtype="int32")
    copied, _ = sf.read(tmp_path / f"o.{ext}", dtype="int32")
    assert np.array_equal(original, copied)


@pytest.mark.parametrize("rate", [48_000, 96_000])
def test_resampling_to_cd_keeps_the_audible_band_flat(tmp_path, rate):
    for freq in (1000.0, 19_000.0):
        signals.write(tmp_path / "in.wav", signals.sine(2.0, rate=rate, freq=freq, dbfs=-6.0),
                      rate=rate, subtype="FLOAT")  # fmt: skip
        render(tmp_path / "in.wav", tmp_path / "out.wav", "wav16")
        out, out_rate = sf.read(tmp_path / "out.wav")
        assert out_rate == 44_100
        assert tone_db(out[4410:-4410, 0], out_rate, freq) == pytest.approx(-6.0, abs=0.1)


@pytest.mark.parametrize("freq", [22_500.0, 23_000.0, 30_000.0, 40_000.0])
def test_resampling_to_cd_leaves_no_alias_of_what_cannot_fit(tmp_path, freq):
    """A tone above 22.05 kHz cannot exist at 44.1 kHz; a poor resampler folds it back as an
    audible tone at 44.1 kHz minus its frequency. (21 kHz still fits, so it is not here.)"""
    rate = 96_000
    signals.write(tmp_path / "in.wav", signals.sine(2.0, rate=rate, freq=freq, dbfs=-1.0),
                  rate=rate, subtype="FLOAT")  # fmt: skip
    render(tmp_path / "in.wav", tmp_path / "out.wav", "wav16")
    out, out_rate = sf.read(tmp_path / "out.wav")
    mid = out[4410:-4410, 0]
    assert tone_db(mid, out_rate, 44_100 - freq) < -1.0 - 100
    assert spectrum_peak_db(mid) < -1.0 - 100  # nothing anywhere but the dither's noise


@pytest.mark.parametrize(
    "fmt, lsb_bits, rate, dbfs",
    [("wav16", 16, 48_000, -100.0), ("wav16", 16, 44_100, -100.0), ("wav24", 24, 48_000, -145.0)],
)  # fmt: skip
def test_dither_keeps_a_tone_quieter_than_one_step(tmp_path, fmt, lsb_bits, rate, dbfs):
    """A sine whose peak is a third of the last bit rounds to nothing without dither; with
    TPDF dither it survives at its own level, under noise."""
    quiet = signals.sine(2.0, rate=rate, freq=1000.0, dbfs=dbfs)
    assert not np.any(np.round(quiet * 2 ** (lsb_bits - 1)))  # what truncation would give
    signals.write(tmp_path / "quiet.wav", quiet, rate=rate, subtype="FLOAT")
    render(tmp_path / "quiet.wav", tmp_path / "out.wav", fmt)
    out, out_rate = sf.read(tmp_path / "out.wav")
    assert np.count_nonzero(out) > out.size // 4
    assert tone_db(out[4410:-4410, 0], out_rate, 1000.0) == pytest.approx(dbfs, abs=1.0)


def test_the_same_render_twice_gives_the_same_bytes(src48, tmp_path):
    a = render(src48, tmp_path / "a.flac", "flac")
    b = render(src48, tmp_path / "b.flac", "flac")
    c = render(src48, tmp_path / "c.mp3", "mp3")
    d = render(src48, tmp_path / "d.mp3", "mp3")
    assert a["sha256"] == b["sha256"] and c["sha256"] == d["sha256"]


@pytest.mark.parametrize("content", [b"RIFF\x00\x00\x00\x00WAVEjunk", b"%PDF-1.7 not audio", b""])
def test_unreadable_input_leaves_nothing(tmp_path, content):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(content)
    out = tmp_path / "out.flac"
    out.write_bytes(b"the previous render")
    with pytest.raises(AudioError):
        render(bad, out, "flac")
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.wav", "out.flac"]


@pytest.mark.parametrize("fmt, ext", [("wav24", "wav"), ("wav16", "wav"), ("flac", "flac"),
                                      ("mp3", "mp3")])  # fmt: skip
def test_a_failure_mid_render_keeps_the_previous_file(src48, tmp_path, monkeypatch, fmt, ext):
    """The third block fails, after two have gone into the file being written."""
    out = tmp_path / f"song.{ext}"
    out.write_bytes(b"the previous render")

    class FailingQuantizer(render_module.Quantizer):
        calls = 0

        def __call__(self, planar):
            FailingQuantizer.calls += 1
            if FailingQuantizer.calls == 3:
                raise MemoryError("out of memory")
            return super().__call__(planar)

    monkeypatch.setattr(render_module, "Quantizer", FailingQuantizer)
    with pytest.raises(MemoryError):
        render(src48, out, fmt)
    assert FailingQuantizer.calls == 3
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"song.{ext}"]


def test_an_encoder_failure_leaves_nothing(src48, tmp_path, monkeypatch):
    real = render_module.lameenc.Encoder

    class Crashing:
        def __init__(self):
            self._real, self._calls = real(), 0

        def __getattr__(self, name):
            return getattr(self._real, name)

        def encode(self, pcm):
            self._calls += 1
            if self._calls == 2:
                raise RuntimeError("encoder crashed")
            return self._real.encode(pcm)

    monkeypatch.setattr(render_module.lameenc, "Encoder", Crashing)
    with pytest.raises(RuntimeError):
        render(src48, tmp_path / "song.mp3", "mp3")
    assert list(tmp_path.iterdir()) == []


def test_a_tag_failure_after_encoding_leaves_nothing(src48, tmp_path, monkeypatch):
    out = tmp_path / "song.flac"
    out.write_bytes(b"the previous render")

    def failing_write_tags(path, tags):
        raise TagError("The tags could not be written: disk full")

    monkeypatch.setattr(render_module, "write_tags", failing_write_tags)
    with pytest.raises(TagError):
        render(src48, out, "flac", tags={"title": "Song"})
    assert out.read_bytes() == b"the previous render"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["song.flac"]


def test_the_output_appears_only_when_complete(src48, tmp_path):
    out = tmp_path / "song.wav"
    out.write_bytes(b"the previous render")
    seen = []

    def progress(pct, stage):
        seen.append(pct)
        if pct < 100:
            assert out.read_bytes() == b"the previous render"

    render(src48, out, "wav24", progress=progress)
    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) > 3
    assert sf.info(out).frames == 5 * 48_000
    assert [p.name for p in tmp_path.iterdir()] == ["song.wav"]  # no temporary file left


def test_unknown_format(src48, tmp_path):
    with pytest.raises(ValueError, match="wav24, wav16, flac, mp3"):
        render(src48, tmp_path / "x.ogg", "ogg")
    assert list(tmp_path.iterdir()) == []


def test_mp3_refuses_more_than_two_channels(tmp_path):
    x = signals.music(1.0, rate=44_100, channels=4)
    signals.write(tmp_path / "quad.wav", x, rate=44_100)
    with pytest.raises(AudioError, match="two channels"):
        render(tmp_path / "quad.wav", tmp_path / "q.mp3", "mp3")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quad.wav"]


_MEASURE = """
import json, resource, sys
from audio.dsp.render import render
for fmt, ext in (("flac", "flac"), ("wav16", "wav")):  # straight through; resampled, dithered
    render(sys.argv[1], sys.argv[2] + ext, fmt)
print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss))
"""


def test_memory_does_not_grow_with_length(tmp_path):
    """A 1-minute and a 10-minute track, each rendered in a fresh process: the 10-minute one
    needs no more memory (all of it, C libraries' included; a whole 10-minute track held as
    float32 samples would be 230 MB)."""
    chunk = signals.music(10.0, rate=48_000, level_dbfs=-3.0)
    sources = {}
    for minutes in (1, 10):
        sources[minutes] = tmp_path / f"long{minutes}.wav"
        with sf.SoundFile(sources[minutes], "w", 48_000, 2, "PCM_24") as handle:
            for _ in range(6 * minutes):
                handle.write(chunk)
    runs = {
        minutes: subprocess.Popen(
            [sys.executable, "-c", _MEASURE, str(path), str(tmp_path / f"out{minutes}.")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for minutes, path in sources.items()
    }
    peak_kb = {}
    for minutes, proc in runs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        peak_kb[minutes] = json.loads(stdout)
    assert sf.info(tmp_path / "out10.flac").frames == 600 * 48_000
    assert sf.info(tmp_path / "out10.wav").frames == 600 * 44_100
    assert peak_kb[10] - peak_kb[1] < 16 * 1024, peak_kb
    for path in tmp_path.iterdir():  # 400 MB that pytest would otherwise keep around
        path.unlink()
