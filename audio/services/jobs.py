"""The life of a background job: request, claim, progress, finish or fail, sweep.

Every audio task runs through ``job_run``, so idempotency, progress, retries and failure
reasons behave the same for analysis, mastering and renders.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audio.dsp.errors import AudioError
from audio.models import AudioFile, Job

logger = logging.getLogger(__name__)

Progress = Callable[[int, str], None]
Work = Callable[[Job, Progress], dict[str, Any]]


class JobBusy(Exception):
    """Another worker holds this job and is alive; try again later."""


def job_key(*, audio_file_id: int, kind: str, params: dict[str, Any]) -> str:
    blob = json.dumps([audio_file_id, kind, params], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def _enqueue(job: Job) -> None:
    from audio import tasks  # tasks import services; the reverse import stays lazy

    task = tasks.TASKS[job.kind]
    job_id = job.pk
    Job.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    transaction.on_commit(lambda: task.delay(job_id=job_id))


@transaction.atomic
def job_request(
    *, audio_file: AudioFile, kind: str, params: dict[str, Any] | None = None, user: Any = None
) -> Job:
    """The job for this file, kind and parameters: created and queued once.

    Asking again for a job that exists returns it; a failed one is queued again.
    """
    params = params or {}
    key = job_key(audio_file_id=audio_file.pk, kind=kind, params=params)
    job, created = Job.objects.select_for_update().get_or_create(
        key=key,
        defaults={
            "workspace_id": audio_file.workspace_id,
            "audio_file": audio_file,
            "kind": kind,
            "params": params,
            "created_by": user if getattr(user, "is_authenticated", False) else None,
        },
    )
    if created:
        _enqueue(job)
    elif job.status == Job.Status.FAILED:
        job.status, job.progress, job.error = Job.Status.QUEUED, 0, ""
        job.stage, job.attempts, job.finished_at = "Waiting for a worker", 0, None
        job.save(update_fields=["status", "progress", "error", "stage", "attempts", "finished_at"])
        _enqueue(job)
    return job


def _stale_before() -> Any:
    return timezone.now() - timedelta(seconds=settings.AUDIO_JOB_STALE_SECONDS)


def job_claim(*, job_id: int) -> Job | None:
    """Take the job for this worker, or None when there is nothing to do.

    Returns None for a job that is done, failed or gone (a duplicate delivery); raises
    JobBusy when another worker is running it and its heartbeat is fresh. A running job whose
    heartbeat went stale lost its worker and is taken over.
    """
    with transaction.atomic():
        job = (
            Job.objects.select_for_update()
            .filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
            .first()
        )
        if job is None:
            return None
        if (
            job.status == Job.Status.RUNNING
            and job.heartbeat_at
            and job.heartbeat_at > _stale_before()
        ):
            raise JobBusy(f"job {job_id} is running elsewhere")
        now = timezone.now()
        job.status, job.attempts = Job.Status.RUNNING, job.attempts + 1
        job.started_at = job.heartbeat_at = now
        job.progress, job.stage, job.error = 0, "Starting", ""
        job.save(
            update_fields=[
                "status",
                "attempts",
                "started_at",
                "heartbeat_at",
                "progress",
                "stage",
                "error",
            ]
        )
        return job


def progress_reporter(job: Job, *, min_interval: float = 0.5) -> Progress:
    """A callback for the DSP code: writes progress at most every ``min_interval`` seconds."""
    last = {"t": 0.0, "pct": -1}

    def report(percent: int, stage: str) -> None:
        percent = max(0, min(99, int(percent)))  # 100 is written by job_finish only
        now = time.monotonic()
        if percent == last["pct"] or (now - last["t"] < min_interval and percent < 99):
            return
        last.update(t=now, pct=percent)
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            progress=percent, stage=stage[:60], heartbeat_at=timezone.now()
        )

    return report


def scaled(progress: Progress, low: int, high: int, prefix: str = "") -> Progress:
    """A progress callback for one stage of a job: its 0–100 maps onto ``low``–``high``."""

    def report(percent: int, stage: str) -> None:
        progress(low + (high - low) * max(0, min(100, percent)) // 100, prefix + stage)

    return report


def job_finish(*, job: Job, result: dict[str, Any]) -> Job:
    job.status, job.progress, job.stage = Job.Status.DONE, 100, "Done"
    job.result, job.finished_at = result, timezone.now()
    job.save(update_fields=["status", "progress", "stage", "result", "finished_at", "output"])
    return job


def job_fail(*, job: Job, error: str) -> Job:
    job.status, job.stage, job.error = Job.Status.FAILED, "Failed", error[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "stage", "error", "finished_at"])
    return job


def job_run(*, job_id: int, work: Work, max_attempts: int = 3) -> Job | None:
    """Claim the job, do ``work``, record the outcome. Safe to call twice for one job.

    Bad input (AudioError) fails at once with its message. Any other error puts the job back
    in the queue and re-raises, so the task's retry policy tries again; after
    ``max_attempts`` the job fails with a readable reason.
    """
    job = job_claim(job_id=job_id)
    if job is None:
        return None
    try:
        result = work(job, progress_reporter(job))
    except AudioError as exc:
        return job_fail(job=job, error=str(exc))
    except Exception as exc:
        logger.exception("job %s attempt %s failed", job.pk, job.attempts)
        if job.attempts >= max_attempts:
            return job_fail(
                job=job,
                error=f"Failed after {job.attempts} attempts: {exc.__class__.__name__}: {exc}",
            )
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED, stage="Retrying", heartbeat_at=None
        )
        raise
    return job_finish(job=job, result=result)


def jobs_sweep() -> int:
    """Re-send jobs the broker may have lost: queued for a while, or running without a
    heartbeat. Runs every minute from the scheduler; returns how many it re-sent."""
    cutoff = timezone.now() - timedelta(seconds=settings.AUDIO_JOB_REQUEUE_SECONDS)
    lost = Job.objects.filter(
        Q(status=Job.Status.QUEUED, enqueued_at__lt=cutoff)
        | Q(status=Job.Status.QUEUED, enqueued_at__isnull=True)
        | Q(status=Job.Status.RUNNING, heartbeat_at__lt=_stale_before())
    )
    count = 0
    for job in lost:
        with transaction.atomic():
            if job.status == Job.Status.RUNNING:
                Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, stage="Re-queued")
            _enqueue(job)
        count += 1
    if count:
        logger.warning("sweep re-sent %d audio jobs", count)
    return count
