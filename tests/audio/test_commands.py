"""audio_qc, audio_master and audio_render, run as a user runs them: in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import soundfile as sf

from .conftest import make_mix

ROOT = Path(__file__).resolve().parents[2]
QC_KEYS = {
    "integrated_lufs", "loudness_range_lu", "true_peak_dbtp", "sample_peak_dbfs",
    "momentary_max_lufs", "short_term_max_lufs", "clipped_samples", "dc_offset",
    "silence_head_s", "silence_tail_s", "stereo_correlation", "sample_rate", "bit_depth",
    "channels", "duration_s", "format", "verdicts",
}  # fmt: skip


def manage(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def mix(tmp_path_factory) -> Path:
    return make_mix(tmp_path_factory.mktemp("cli") / "mix.wav", seconds=8.0, level_dbfs=-6.0)


def test_audio_qc_json_has_every_key_and_verdicts(mix):
    done = manage("audio_qc", str(mix), "--json", "--codec-check")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report) >= QC_KEYS
    assert set(report["verdicts"]) >= {"spotify", "apple-music", "cd", "broadcast-atsc"}
    spotify = report["verdicts"]["spotify"]
    assert spotify["status"] in {"pass", "warn", "fail"}
    assert spotify["normalisation_gain_db"] is not None
    assert report["codec"]["codec"] == "mp3-320"
    assert (report["sample_rate"], report["channels"], report["format"]) == (44100, 2, "WAV")


def test_audio_qc_one_profile_and_readable(mix):
    done = manage("audio_qc", str(mix), "--profile", "podcast", "--json")
    assert list(json.loads(done.stdout)["verdicts"]) == ["podcast"]
    text = manage("audio_qc", str(mix), "--profile", "podcast")
    assert text.returncode == 0
    assert "Integrated loudness" in text.stdout and "podcast" in text.stdout
    for line in ("Stereo below 150 Hz", "Noise floor", "Lossy cut-off", "Sibilant bursts"):
        assert line in text.stdout


@pytest.mark.parametrize(
    "content, words",
    [(b"%PDF-1.4 not audio", "PDF"), (b"", "empty"), (None, "could not be opened")],
)
def test_audio_qc_refuses_bad_files_in_one_line(tmp_path, content, words):
    path = tmp_path / "bad.wav"
    if content is not None:
        path.write_bytes(content)
    done = manage("audio_qc", str(path), "--json")
    assert done.returncode != 0
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0] and "Traceback" not in done.stderr


def test_audio_qc_unknown_profile(mix):
    done = manage("audio_qc", str(mix), "--profile", "myspace")
    assert done.returncode != 0 and "spotify" in done.stderr


def test_audio_master_writes_a_master_on_target(mix, tmp_path):
    out = tmp_path / "master.wav"
    done = manage("audio_master", str(mix), str(out), "--profile", "spotify", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert set(report["before"]) >= QC_KEYS and set(report["after"]) >= QC_KEYS
    assert abs(report["after"]["integrated_lufs"] + 14.0) <= 0.3
    assert report["after"]["true_peak_dbtp"] <= -1.0
    info = sf.info(out)
    assert (info.samplerate, info.channels, info.frames) == (44100, 2, sf.info(mix).frames)


def test_audio_master_bad_input_leaves_no_output(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    out = tmp_path / "out.wav"
    done = manage("audio_master", str(bad), str(out), "--profile", "spotify")
    assert done.returncode != 0 and len(done.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_audio_render_with_tags(mix, tmp_path):
    art = tmp_path / "cover.png"
    from PIL import Image

    Image.new("RGB", (64, 64), (200, 40, 90)).save(art)
    tags = {"title": "Ça va — 東京", "artists": ["Maya Lind"], "isrc": "GBABC2600001",
            "year": 2026, "artwork": "cover.png"}  # fmt: skip
    (tmp_path / "tags.json").write_text(json.dumps(tags), encoding="utf-8")
    out = tmp_path / "song.mp3"
    done = manage("audio_render", str(mix), "--format", "mp3", "--out", str(out),
                  "--tags", str(tmp_path / "tags.json"), "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    from audio.dsp.tags import read_tags

    back = read_tags(out)
    assert back["title"] == "Ça va — 東京" and back["isrc"] == "GBABC2600001"
    assert back["artwork"]["data"] == art.read_bytes() if isinstance(back.get("artwork"), dict) \
        else back["artwork"] == art.read_bytes()  # fmt: skip


def test_audio_render_bad_tags_file(mix, tmp_path):
    (tmp_path / "tags.json").write_text("{not json", encoding="utf-8")
    done = manage("audio_render", str(mix), "--format", "flac", "--out",
                  str(tmp_path / "x.flac"), "--tags", str(tmp_path / "tags.json"))  # fmt: skip
    assert done.returncode != 0 and "tags file" in done.stderr
    assert not (tmp_path / "x.flac").exists()
