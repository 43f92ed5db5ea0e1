"""Uploads: checked before storage, stored once, analysed automatically; nothing half-made."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from audio.models import AudioFile, Job
from audio.services import analysis, uploads

pytestmark = pytest.mark.django_db


def upload_of(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(workspace, path, name=None, user=None): the service, with its queued jobs run
    as they would be after the commit."""

    def run(workspace, path, name=None, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            return uploads.audio_upload(
                workspace=workspace, upload=upload_of(path, name), user=user
            )

    return run


def stored_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_an_upload_is_stored_described_and_analysed(upload, workspace, owner, mix_wav, settings):
    audio, created = upload(workspace, mix_wav, user=owner)
    assert created
    audio.refresh_from_db()
    assert audio.original_name == "Night Drive (mix 3).wav"
    assert (audio.format, audio.sample_rate, audio.bit_depth, audio.channels) == (
        "WAV",
        44100,
        24,
        2,
    )
    assert audio.duration_s == pytest.approx(8.0, abs=1e-3)
    assert audio.size_bytes == mix_wav.stat().st_size
    assert len(audio.sha256) == 64
    job = audio.jobs.get()
    assert (job.kind, job.status, job.progress, job.attempts) == ("analyze", "done", 100, 1)
    assert job.started_at <= job.finished_at
    report = audio.analysis
    assert -20 < report["integrated_lufs"] < -5
    assert report["codec"]["codec"] == "mp3-320"  # the codec stage ran too
    assert set(audio.peaks["levels"]) == {"512", "2048", "8192"}
    assert "waveform" not in report
    assert len(stored_files(settings)) == 1


def test_the_same_bytes_again_return_the_same_file(upload, workspace, owner, mix_wav, settings):
    first, _ = upload(workspace, mix_wav, user=owner)
    again, created = upload(workspace, mix_wav, "renamed.wav", user=owner)
    assert not created and again.pk == first.pk
    assert AudioFile.objects.count() == 1 and Job.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_the_content_decides_not_the_extension(upload, workspace, tmp_path):
    from .conftest import make_mix

    flac = make_mix(tmp_path / "actually-flac.wav", fmt="FLAC", subtype="PCM_16")
    audio, _ = upload(workspace, flac)
    assert audio.format == "FLAC" and audio.bit_depth == 16


@pytest.mark.parametrize(
    "kind, message",
    [
        ("pdf", "It looks like a PDF"),
        ("empty", "is empty"),
        ("truncated", "cut short"),
        ("text", "not an audio file"),
        ("zero_channels", ""),
        ("random", "not an audio file"),
    ],
)
def test_hostile_files_are_refused_before_storage(
    upload, workspace, hostile_files, settings, kind, message
):
    path = hostile_files[kind]
    with pytest.raises(ValidationError) as caught:
        upload(workspace, path)
    text = " ".join(caught.value.message_dict["file"])
    assert path.name in text and message in text
    assert AudioFile.objects.count() == 0 and Job.objects.count() == 0
    assert stored_files(settings) == []
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []  # no temporary copy left either


def test_an_upload_over_the_limit_is_refused(upload, workspace, mix_wav, settings):
    settings.AUDIO_MAX_UPLOAD_BYTES = 100_000
    with pytest.raises(ValidationError) as caught:
        upload(workspace, mix_wav)
    assert "the limit is 97.7 KB" in caught.value.message_dict["file"][0]
    assert AudioFile.objects.count() == 0 and stored_files(settings) == []


def test_a_failed_row_write_leaves_no_stored_file(
    upload, workspace, mix_wav, settings, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(uploads, "analysis_request", broken)
    with pytest.raises(RuntimeError):
        upload(workspace, mix_wav)
    assert AudioFile.objects.count() == 0
    assert stored_files(settings) == []


def test_the_same_content_in_two_workspaces_is_two_files(
    upload, workspace, other_workspace, mix_wav
):
    a, _ = upload(workspace, mix_wav)
    b, created = upload(other_workspace, mix_wav)
    assert created and a.pk != b.pk and a.file.name != b.file.name


def test_names_are_cleaned():
    assert uploads.clean_name("../../etc/passwd") == "passwd"
    assert uploads.clean_name("C:\\Users\\me\\mix.wav") == "mix.wav"
    assert uploads.clean_name("\x00\x07.wav") == ".wav"
    assert uploads.clean_name("") == "audio"
    assert len(uploads.clean_name("a" * 1000 + ".wav")) <= uploads.NAME_MAX


def test_analysis_run_twice_leaves_one_result(upload, workspace, mix_wav):
    audio, _ = upload(workspace, mix_wav)
    job = audio.jobs.get()
    first = Job.objects.get(pk=job.pk)
    assert analysis.run(job_id=job.pk) is None  # a second delivery: nothing to do
    again = Job.objects.get(pk=job.pk)
    assert (again.attempts, again.result, again.finished_at) == (
        first.attempts,
        first.result,
        first.finished_at,
    )
    assert uploads.analysis_request(audio_file=audio).pk == job.pk  # asking again: same job


def test_an_analysis_that_fails_says_why_and_can_be_retried(
    upload, workspace, mix_wav, django_capture_on_commit_callbacks
):
    audio, _ = upload(workspace, mix_wav)
    good = Path(audio.file.path).read_bytes()
    Path(audio.file.path).write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")  # damaged on disk
    job = audio.jobs.get()
    Job.objects.filter(pk=job.pk).update(status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        uploads.analysis_request(audio_file=audio)
    job.refresh_from_db()
    assert job.status == "failed"
    assert "not an audio file Liner can read" in job.error and "Traceback" not in job.error
    Path(audio.file.path).write_bytes(good)
    with django_capture_on_commit_callbacks(execute=True):
        uploads.analysis_request(audio_file=audio)
    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")


def test_deleting_a_file_removes_its_jobs_and_files(
    upload, workspace, mix_wav, settings, django_capture_on_commit_callbacks
):
    audio, _ = upload(workspace, mix_wav)
    with django_capture_on_commit_callbacks(execute=True):
        uploads.audio_file_delete(audio_file=audio)
    assert AudioFile.objects.count() == 0 and Job.objects.count() == 0
    assert stored_files(settings) == []
