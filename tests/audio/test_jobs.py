"""The job machinery every audio task runs through: once per request, idempotent, progress,
readable failures, retries, take-over of lost jobs, and the sweep that re-sends them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audio import tasks
from audio.dsp.errors import AudioError
from audio.models import AudioFile, Job
from audio.services import jobs
from config.celery import task

from ..factories import WorkspaceFactory

RUNS: list[int] = []


@task(name="tests.audio.record")
def record_task(*, job_id: int) -> None:
    jobs.job_run(job_id=job_id, work=lambda job, progress: RUNS.append(job.pk) or {"ok": True})


@pytest.fixture
def registered(monkeypatch):
    RUNS.clear()
    monkeypatch.setitem(tasks.TASKS, "analyze", record_task)
    return RUNS


@pytest.fixture
def audio_file(db):
    return AudioFile.objects.create(
        workspace=WorkspaceFactory(),
        original_name="mix.wav",
        file="audio/x/mix.wav",
        sha256="a" * 64,
        format="WAV",
        sample_rate=44100,
        bit_depth=24,
        channels=2,
        duration_s=240.0,
        size_bytes=1000,
    )


def make_job(audio_file, **fields):
    defaults = {
        "kind": "analyze",
        "key": jobs.job_key(
            audio_file_id=audio_file.pk, kind="analyze", params=fields.pop("params", {})
        ),
    }
    return Job.objects.create(
        workspace=audio_file.workspace, audio_file=audio_file, **{**defaults, **fields}
    )


def test_request_creates_and_runs_a_job_once(
    audio_file, registered, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job = jobs.job_request(audio_file=audio_file, kind="analyze", params={"x": 1})
        again = jobs.job_request(audio_file=audio_file, kind="analyze", params={"x": 1})
    assert again.pk == job.pk and len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == "done" and job.progress == 100 and job.result == {"ok": True}
    assert registered == [job.pk]
    other = jobs.job_request(audio_file=audio_file, kind="analyze", params={"x": 2})
    assert other.pk != job.pk


def test_running_a_job_twice_leaves_one_result(audio_file):
    job = make_job(audio_file)
    calls = []

    def work(job, progress):
        calls.append(1)
        return {"n": len(calls)}

    jobs.job_run(job_id=job.pk, work=work)
    assert jobs.job_run(job_id=job.pk, work=work) is None
    job.refresh_from_db()
    assert calls == [1] and job.result == {"n": 1} and job.attempts == 1


def test_bad_input_fails_at_once_with_its_reason(audio_file):
    job = make_job(audio_file)

    def work(job, progress):
        raise AudioError("This file is not audio: it looks like a PDF.")

    jobs.job_run(job_id=job.pk, work=work)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "This file is not audio: it looks like a PDF."
    assert job.finished_at is not None


def test_transient_errors_go_back_to_the_queue_then_fail_readably(audio_file):
    job = make_job(audio_file)

    def work(job, progress):
        raise ConnectionError("database blinked")

    for attempt in (1, 2):
        with pytest.raises(ConnectionError):
            jobs.job_run(job_id=job.pk, work=work, max_attempts=3)
        job.refresh_from_db()
        assert job.status == "queued" and job.attempts == attempt
    jobs.job_run(job_id=job.pk, work=work, max_attempts=3)
    job.refresh_from_db()
    assert job.status == "failed" and "after 3 attempts" in job.error and "blinked" in job.error


def test_a_failed_job_requested_again_is_queued_again(
    audio_file, registered, django_capture_on_commit_callbacks
):
    job = make_job(audio_file, status="failed", error="boom", attempts=3)
    with django_capture_on_commit_callbacks(execute=True):
        again = jobs.job_request(audio_file=audio_file, kind="analyze")
    assert again.pk == job.pk
    job.refresh_from_db()
    assert job.status == "done" and job.error == "" and job.attempts == 1


def test_a_live_job_is_not_taken_twice_but_a_lost_one_is(audio_file, settings):
    settings.JOB_STALE_SECONDS = 60
    now = timezone.now()
    job = make_job(audio_file, status="running", heartbeat_at=now, attempts=1)
    with pytest.raises(jobs.JobBusy):
        jobs.job_claim(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=now - timedelta(seconds=61))
    taken = jobs.job_claim(job_id=job.pk)
    assert taken is not None and taken.attempts == 2 and taken.status == "running"


def test_progress_is_written_and_never_claims_done(audio_file):
    job = jobs.job_claim(job_id=make_job(audio_file).pk)
    report = jobs.progress_reporter(job, min_interval=0)
    report(42, "Measuring loudness")
    job.refresh_from_db()
    assert (job.progress, job.stage) == (42, "Measuring loudness")
    report(100, "Almost")
    job.refresh_from_db()
    assert job.progress == 99 and job.status == "running"


def test_sweep_resends_lost_jobs_only(
    audio_file, registered, settings, django_capture_on_commit_callbacks
):
    settings.JOB_REQUEUE_SECONDS = 300
    settings.JOB_STALE_SECONDS = 120
    old = timezone.now() - timedelta(minutes=10)
    fresh = timezone.now()
    lost_queued = make_job(audio_file, params={"a": 1}, enqueued_at=old)
    lost_running = make_job(audio_file, params={"a": 2}, status="running", heartbeat_at=old)
    make_job(audio_file, params={"a": 3}, enqueued_at=fresh)
    make_job(audio_file, params={"a": 4}, status="running", heartbeat_at=fresh)
    make_job(audio_file, params={"a": 5}, status="done", enqueued_at=old)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.jobs_sweep() == 2
    assert sorted(registered) == sorted([lost_queued.pk, lost_running.pk])
    assert Job.objects.get(pk=lost_running.pk).status == "done"
