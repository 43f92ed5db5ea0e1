"""Audio jobs on a real Celery worker: a worker killed mid-job loses nothing, and a job
delivered twice leaves one result."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audio import tasks
from audio.models import Job
from audio.services import jobs, mastering, uploads
from config.celery import app

from ..conftest import spawn_worker, stop_worker, wait_for, worker_log
from .conftest import make_mix

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STALE = 2  # seconds without a heartbeat before a running job counts as lost


@pytest.fixture
def queue(settings):
    """A queue of this test's own, so no other worker in the session takes its jobs."""
    name = f"liner-test-audio-{os.getpid()}-{time.monotonic_ns()}"
    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    settings.JOB_STALE_SECONDS = STALE
    yield name
    app.conf.task_default_queue = previous


def test_a_job_survives_its_worker_killed_mid_run(queue, workspace, tmp_path, settings):
    path = make_mix(tmp_path / "long mix.wav", seconds=150.0, level_dbfs=-8.0)
    settings.MEDIA_ROOT = str(tmp_path / "media")  # shared with the workers, and this test's own
    env = {"LINER_JOB_STALE_SECONDS": str(STALE), "LINER_MEDIA_ROOT": settings.MEDIA_ROOT}
    first = spawn_worker(tmp_path / "first.log", queue=queue, extra_env=env, name="first")
    try:
        audio, _ = uploads.audio_upload(
            workspace=workspace, upload=SimpleUploadedFile(path.name, path.read_bytes())
        )
        analysed = wait_for(
            lambda: Job.objects.filter(audio_file=audio, kind="analyze", status="done").first(),
            timeout=120,
            what="the analysis on the first worker",
        )
        assert analysed.attempts == 1
        job = mastering.master_request(audio_file=audio, profile="apple-music")
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, status="running", progress__gt=0).exists(),
            timeout=120,
            what="the master to start",
        )
        os.kill(first.pid, signal.SIGKILL)  # mid-run, no goodbye
        first.wait(timeout=10)
    finally:
        stop_worker(first)
    job.refresh_from_db()
    assert job.status == "running" and job.attempts == 1, (job.status, worker_log(first))

    second = spawn_worker(tmp_path / "second.log", queue=queue, extra_env=env, name="second")
    try:
        time.sleep(STALE + 0.5)
        assert jobs.jobs_sweep() >= 1  # the lost job goes back to the broker
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=["done", "failed"]).exists(),
            timeout=120,
            what="the master to finish on the second worker",
        )
        job.refresh_from_db()
        assert job.status == "done", (job.error, worker_log(second))
        assert job.attempts == 2
        after = job.result["after"]
        assert abs(after["integrated_lufs"] - (-16.0)) <= 0.3 and after["true_peak_dbtp"] <= -1.0
        folder = os.path.dirname(job.output.path)
        assert os.listdir(folder) == [os.path.basename(job.output.path)]  # one master file

        # Delivered again (a broker may do that): the finished job is left as it is.
        finished, result = job.finished_at, job.result
        tasks.TASKS["master"].delay(job_id=job.pk)
        wait_for(
            lambda: (
                len(re.findall(r"Task audio\.master\[[^\]]+\] succeeded", worker_log(second))) >= 2
            ),
            timeout=60,
            what="the second delivery to be handled",
        )
        job.refresh_from_db()
        assert (job.attempts, job.finished_at, job.result) == (2, finished, result)
    finally:
        stop_worker(second)
