"""Celery tasks of the audio app: thin wrappers that load ids and call one service.

The services are imported when a task runs, not here: enqueueing a job (from a web request)
imports this module, and should not load the DSP code (numpy, scipy, encoders) to do so.
"""

from __future__ import annotations

import importlib
from typing import Any

from config.celery import task

from .services import jobs

BUSY_RETRY_SECONDS = 30


@task(name="audio.sweep", soft_time_limit=120, time_limit=150)
def sweep() -> int:
    return jobs.jobs_sweep()


def _run(task_: Any, service: str, job_id: int) -> None:
    module = importlib.import_module(f"audio.services.{service}")
    try:
        module.run(job_id=job_id)
    except jobs.JobBusy as exc:
        # Another worker has it and is alive: look again later, in case that worker dies.
        raise task_.retry(countdown=BUSY_RETRY_SECONDS, exc=exc) from exc


@task(name="audio.analyze", bind=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def analyze(self: Any, *, job_id: int) -> None:
    _run(self, "analysis", job_id)


@task(name="audio.master", bind=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def master(self: Any, *, job_id: int) -> None:
    _run(self, "mastering", job_id)


@task(name="audio.render", bind=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def render(self: Any, *, job_id: int) -> None:
    _run(self, "renders", job_id)


# kind -> task that runs jobs of that kind.
TASKS: dict[str, Any] = {"analyze": analyze, "master": master, "render": render}
