"""Probing and streaming real files the tests make, and refusing hostile ones."""

import struct

import numpy as np
import pytest
import soundfile as sf

from audio.dsp.errors import AudioError
from audio.dsp.io import iter_blocks, probe

RATE = 44_100


def sine(seconds=1.0, rate=RATE, channels=2, freq=1000.0, dbfs=-20.0):
    t = np.arange(int(seconds * rate)) / rate
    mono = 10 ** (dbfs / 20) * np.sqrt(2) * np.sin(2 * np.pi * freq * t)
    return np.repeat(mono[:, None], channels, axis=1)


@pytest.mark.parametrize(
    "fmt, subtype, ext, expect_format, expect_bits",
    [
        ("WAV", "PCM_24", "wav", "WAV", 24),
        ("WAV", "FLOAT", "wav", "WAV", 32),
        ("FLAC", "PCM_16", "flac", "FLAC", 16),
        ("AIFF", "PCM_16", "aiff", "AIFF", 16),
        ("OGG", "VORBIS", "ogg", "OGG", None),
        ("MP3", "MPEG_LAYER_III", "mp3", "MP3", None),
    ],
)
def test_probe_reads_what_the_file_is(tmp_path, fmt, subtype, ext, expect_format, expect_bits):
    path = tmp_path / f"mix.{ext}"
    sf.write(path, sine(2.0), RATE, format=fmt, subtype=subtype)
    info = probe(path)
    assert info.format == expect_format and info.bit_depth == expect_bits
    assert info.sample_rate == RATE and info.channels == 2
    assert info.duration_s == pytest.approx(2.0, abs=0.1)  # MP3 frames pad a little
    assert info.size_bytes == path.stat().st_size


def test_the_content_decides_not_the_name(tmp_path):
    path = tmp_path / "actually-flac.wav"
    sf.write(path, sine(0.5, channels=1), 48_000, format="FLAC", subtype="PCM_24")
    info = probe(path)
    assert (info.format, info.channels, info.sample_rate, info.bit_depth) == ("FLAC", 1, 48_000, 24)


def _wav_header(rate, channels, bits, data_bytes):
    block = channels * bits // 8
    return (
        b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, bits)
        + b"data" + struct.pack("<I", data_bytes)
    )  # fmt: skip


@pytest.mark.parametrize(
    "name, content, fragment",
    [
        ("empty.wav", b"", "is empty"),
        ("noise.wav", bytes(np.random.default_rng(1).integers(0, 256, 5000, dtype=np.uint8)),
         "not an audio file"),
        ("notes.mp3", b"Track list:\n1. Low Tide\n" * 50, "not an audio file"),
        ("pdf.flac", b"%PDF-1.7\n" + b"0" * 2000, "not an audio file"),
        ("silly-rate.wav", _wav_header(3, 2, 16, 4000) + b"\0" * 4000, "sample rate"),
        ("many-channels.wav", _wav_header(44100, 200, 16, 4000) + b"\0" * 4000, "channels"),
        ("no-frames.wav", _wav_header(44100, 2, 16, 0), "no audio"),
    ],
)  # fmt: skip
def test_hostile_files_are_refused_with_a_clear_message(tmp_path, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(AudioError) as err:
        probe(path)
    message = str(err.value)
    assert fragment in message and name in message
    assert "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize("fmt, ext", [("WAV", "wav"), ("AIFF", "aiff"), ("FLAC", "flac")])
def test_a_truncated_file_is_refused(tmp_path, fmt, ext):
    path = tmp_path / f"cut.{ext}"
    sf.write(path, sine(3.0), RATE, format=fmt, subtype="PCM_24")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])  # the header still promises 3 s
    with pytest.raises(AudioError, match="cut short|damaged"):
        probe(path)


def test_a_readable_but_unaccepted_format_is_refused(tmp_path):
    path = tmp_path / "voice.caf"
    sf.write(path, sine(0.5), RATE, format="CAF", subtype="PCM_16")
    with pytest.raises(AudioError, match="does not take"):
        probe(path)


def test_over_the_size_limit(tmp_path):
    path = tmp_path / "big.wav"
    sf.write(path, sine(1.0), RATE, subtype="PCM_24")
    with pytest.raises(AudioError, match="the limit is"):
        probe(path, max_bytes=1000)


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match="could not be opened"):
        probe(tmp_path / "nope.wav")


def test_blocks_stream_the_whole_file_in_bounded_pieces(tmp_path):
    path = tmp_path / "mix.wav"
    signal = sine(5.0)
    sf.write(path, signal, RATE, subtype="PCM_24")
    blocks = list(iter_blocks(path, 8192))
    assert max(len(b) for b in blocks) == 8192
    joined = np.concatenate(blocks)
    assert joined.shape == signal.shape
    assert np.max(np.abs(joined - signal)) < 1e-6  # 24-bit quantisation only


# --- Decoding fast and exactly --------------------------------------------------------------


@pytest.mark.parametrize("subtype", ["PCM_16", "PCM_24", "PCM_32", "FLOAT"])
@pytest.mark.parametrize("channels", [1, 2, 6])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_plain_wav_is_decoded_bit_identically_to_libsndfile(tmp_path, subtype, channels, dtype):
    """PCM WAV is decoded by numpy straight from the bytes; it must equal libsndfile's."""
    from audio.dsp.io import BlockReader

    rng = np.random.default_rng(channels)
    signal = np.clip(rng.standard_normal((30_011, channels)) * 0.4, -1, 1)
    path = tmp_path / "mix.wav"
    sf.write(path, signal, RATE, subtype=subtype)
    with BlockReader(path) as reader:
        assert reader._fast is not None  # the fast path is what is under test
    ours = np.concatenate(list(iter_blocks(path, 7777, dtype=dtype)))
    theirs = sf.read(path, dtype=dtype, always_2d=True)[0]
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)


def test_blocks_are_frames_by_channels_with_contiguous_channels(tmp_path):
    path = tmp_path / "mix.flac"
    sf.write(path, sine(1.0), RATE, format="FLAC")
    block = next(iter_blocks(path, 1000))
    assert block.shape == (1000, 2) and block[:, 1].flags["C_CONTIGUOUS"]


def test_rf64_and_extensible_wav(tmp_path):
    from audio.dsp.io import BlockReader

    rf64 = tmp_path / "long.wav"
    sf.write(rf64, sine(1.0), RATE, format="RF64", subtype="PCM_24")
    assert probe(rf64).format == "WAV"
    wavex = tmp_path / "surround.wav"
    sf.write(wavex, np.zeros((RATE, 6)), RATE, format="WAVEX", subtype="PCM_24")
    with BlockReader(wavex) as reader:
        assert reader.channel_mask == 0x3F  # 5.1: FL FR FC LFE BL BR


def test_damage_in_the_middle_is_a_clear_error(tmp_path):
    path = tmp_path / "mix.flac"
    sf.write(path, np.random.default_rng(0).standard_normal((RATE * 4, 2)) * 0.3, RATE)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 20_000] = bytes(20_000)  # a hole in the stream
    path.write_bytes(bytes(data))
    with pytest.raises(AudioError) as err:
        for _ in iter_blocks(path, 4096):
            pass
    assert "damaged" in str(err.value) and "\n" not in str(err.value)


def test_an_aiff_cut_short_says_how_much_is_missing(tmp_path):
    path = tmp_path / "cut.aiff"
    sf.write(path, sine(3.0), RATE, format="AIFF", subtype="PCM_16")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(AudioError, match=r"promises 0:03.0 of audio but only 0:01.0"):
        probe(path)


@pytest.mark.parametrize("subtype", ["FLOAT", "DOUBLE"])
def test_float_files_holding_nan_or_infinity_are_damaged(tmp_path, subtype):
    from audio.dsp.analysis import analyze
    from audio.dsp.master import master

    x = (np.random.default_rng(4).standard_normal((44_100 * 5, 2)) * 0.1).astype(np.float32)
    middle = x.copy()
    middle[44_100 * 3 + 7, 1] = np.inf
    path = tmp_path / "mix.wav"
    sf.write(path, middle, 44_100, subtype=subtype)
    probe(path)  # the ends are fine: probe can't see it, reading the file does
    with pytest.raises(AudioError, match=r"damaged at about 0:03.*not numbers"):
        analyze(path)
    out = tmp_path / "master.wav"
    with pytest.raises(AudioError, match="not numbers"):
        master(path, out, target_lufs=-14.0, ceiling_dbtp=-1.0)
    assert not out.exists()
    start = x.copy()
    start[10, 0] = np.nan
    sf.write(path, start, 44_100, subtype=subtype)
    with pytest.raises(AudioError, match="not numbers"):
        probe(path)
