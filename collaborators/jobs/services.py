"""The life of a background job: request, claim, progress, finish or fail, sweep.

Every app's job tasks run through ``job_run``, so idempotency, progress, retries and failure
reasons behave the same for audio analysis, delivery bundles and statement imports. The
functions take the concrete job model (or a job row) and work on any ``BaseJob``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import registry
from .models import BaseJob, JobStatus

logger = logging.getLogger(__name__)

J = TypeVar("J", bound=BaseJob)
Progress = Callable[[int, str], None]
Work = Callable[[Any, Progress], dict[str, Any]]

# Bad input: trying again cannot help, so the job fails at once with the error's message.
PERMANENT_ERRORS: tuple[type[Exception], ...] = (ValidationError,)


class JobBusy(Exception):
    """Another worker holds this job and is alive; try again later."""


def job_key(*parts: Any) -> str:
    """A stable key for the work ``parts`` describe (ids, kind, parameters: JSON values)."""
    blob = json.dumps(list(parts), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def job_enqueue(*, job: BaseJob) -> None:
    """Send ``job`` to its task once the current transaction commits.

    The task is looked up now, so a kind without a task fails the request that asked for it.
    """
    task = registry.job_task(job)
    job_id = job.pk
    type(job)._default_manager.filter(pk=job_id).update(enqueued_at=timezone.now())
    transaction.on_commit(lambda: task.delay(job_id=job_id))


@transaction.atomic
def job_request(
    *,
    model: type[J],
    workspace_id: int,
    kind: str,
    params: dict[str, Any] | None = None,
    key: str | None = None,
    user: Any = None,
    **fields: Any,
) -> J:
    """The job of ``model`` for this work: created and queued once.

    ``fields`` are the model's own columns (``audio_file=...``). ``key`` says when two requests
    are the same work; by default the workspace, kind, parameters and ``fields`` (objects by
    primary key). Asking again for a job that exists returns it; a failed one is queued again.
    """
    params = params or {}
    if key is None:
        targets = {name: getattr(value, "pk", value) for name, value in fields.items()}
        key = job_key(workspace_id, kind, params, targets)
    job, created = model._default_manager.select_for_update().get_or_create(
        key=key,
        defaults={
            "workspace_id": workspace_id,
            "kind": kind,
            "params": params,
            "created_by": user if getattr(user, "is_authenticated", False) else None,
            **fields,
        },
    )
    if created:
        job_enqueue(job=job)
    elif job.status == JobStatus.FAILED:
        job.status, job.progress, job.error = JobStatus.QUEUED, 0, ""
        job.stage, job.attempts, job.finished_at = "Waiting for a worker", 0, None
        job.save(update_fields=["status", "progress", "error", "stage", "attempts", "finished_at"])
        job_enqueue(job=job)
    return job


def _stale_before() -> Any:
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)


def job_claim(*, model: type[J], job_id: int) -> J | None:
    """Take the job for this worker, or None when there is nothing to do.

    Returns None for a job that is done, failed or gone (a duplicate delivery); raises
    JobBusy when another worker is running it and its heartbeat is fresh. A running job whose
    heartbeat went stale lost its worker and is taken over.
    """
    with transaction.atomic():
        job = (
            model._default_manager.select_for_update()
            .filter(pk=job_id, status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
            .first()
        )
        if job is None:
            return None
        if (
            job.status == JobStatus.RUNNING
            and job.heartbeat_at
            and job.heartbeat_at > _stale_before()
        ):
            raise JobBusy(f"{model._meta.label} {job_id} is running elsewhere")
        now = timezone.now()
        job.status, job.attempts = JobStatus.RUNNING, job.attempts + 1
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


def progress_reporter(job: BaseJob, *, min_interval: float = 0.5) -> Progress:
    """A callback for the work: writes progress at most every ``min_interval`` seconds."""
    last = {"t": 0.0, "pct": -1}
    rows = type(job)._default_manager.filter(pk=job.pk, status=JobStatus.RUNNING)

    def report(percent: int, stage: str) -> None:
        percent = max(0, min(99, int(percent)))  # 100 is written by job_finish only
        now = time.monotonic()
        if percent == last["pct"] or (now - last["t"] < min_interval and percent < 99):
            return
        last.update(t=now, pct=percent)
        rows.update(progress=percent, stage=stage[:60], heartbeat_at=timezone.now())

    return report


def scaled(progress: Progress, low: int, high: int, prefix: str = "") -> Progress:
    """A progress callback for one stage of a job: its 0–100 maps onto ``low``–``high``."""

    def report(percent: int, stage: str) -> None:
        progress(low + (high - low) * max(0, min(100, percent)) // 100, prefix + stage)

    return report


def job_finish(*, job: J, result: dict[str, Any]) -> J:
    job.status, job.progress, job.stage = JobStatus.DONE, 100, "Done"
    job.result, job.finished_at = result, timezone.now()
    job.save(update_fields=["status", "progress", "stage", "result", "finished_at", "output"])
    return job


def job_fail(*, job: J, error: str) -> J:
    job.status, job.stage, job.error = JobStatus.FAILED, "Failed", error[:2000]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "stage", "error", "finished_at"])
    return job


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def job_run(
    *,
    model: type[J],
    job_id: int,
    work: Work,
    permanent: tuple[type[Exception], ...] = (),
    max_attempts: int = 3,
) -> J | None:
    """Claim the job, do ``work(job, progress)``, record the result it returns. Safe to call
    twice for one job.

    Bad input (a ValidationError, or one of ``permanent``) fails at once with its message. Any
    other error puts the job back in the queue and re-raises, so the task's retry policy tries
    again; after ``max_attempts`` the job fails with a readable reason. Raises JobBusy when a
    live worker holds the job.
    """
    job = job_claim(model=model, job_id=job_id)
    if job is None:
        return None
    try:
        result = work(job, progress_reporter(job))
    except (*PERMANENT_ERRORS, *permanent) as exc:
        return job_fail(job=job, error=_reason(exc))
    except Exception as exc:
        logger.exception("%s %s attempt %s failed", model._meta.label, job.pk, job.attempts)
        if job.attempts >= max_attempts:
            return job_fail(
                job=job,
                error=f"Failed after {job.attempts} attempts: {exc.__class__.__name__}: {exc}",
            )
        model._default_manager.filter(pk=job.pk).update(
            status=JobStatus.QUEUED, stage="Retrying", heartbeat_at=None
        )
        raise
    return job_finish(job=job, result=result)


def jobs_sweep(*, models: Iterable[type[BaseJob]] | None = None) -> int:
    """Re-send jobs the broker may have lost: queued for a while, or running without a
    heartbeat. Sweeps every registered job model unless given ``models``; runs every minute
    from the scheduler (task ``jobs.sweep``); returns how many it re-sent."""
    if models is None:
        models = [job_type.model for job_type in registry.job_types()]
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_REQUEUE_SECONDS)
    count = 0
    for model in models:
        manager = model._default_manager
        lost = manager.filter(
            Q(status=JobStatus.QUEUED, enqueued_at__lt=cutoff)
            | Q(status=JobStatus.QUEUED, enqueued_at__isnull=True)
            | Q(status=JobStatus.RUNNING, heartbeat_at__lt=_stale_before())
        )
        resent = 0
        for job in lost:
            with transaction.atomic():
                if job.status == JobStatus.RUNNING:
                    manager.filter(pk=job.pk).update(status=JobStatus.QUEUED, stage="Re-queued")
                job_enqueue(job=job)
            resent += 1
        if resent:
            logger.warning("sweep re-sent %d %s jobs", resent, model._meta.label)
        count += resent
    return count
