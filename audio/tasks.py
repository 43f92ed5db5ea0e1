"""Celery tasks of the audio app: thin wrappers that load ids and call one service.

The services are imported when a task runs, not here: enqueueing a job (from a web request)
imports this module, and should not load the DSP code (numpy, scipy, encoders) to do so.
Lost jobs are re-sent by the shared ``jobs.sweep`` (``collaborators.tasks``).
"""

from __future__ import annotations

import importlib
from typing import Any

from collaborators.jobs.tasks import job_task


def _run(service: str, job_id: int) -> None:
    importlib.import_module(f"audio.services.{service}").run(job_id=job_id)


@job_task(name="audio.analyze", soft_time_limit=30 * 60, time_limit=31 * 60)
def analyze(*, job_id: int) -> None:
    _run("analysis", job_id)


@job_task(name="audio.master", soft_time_limit=30 * 60, time_limit=31 * 60)
def master(*, job_id: int) -> None:
    _run("mastering", job_id)


@job_task(name="audio.render", soft_time_limit=30 * 60, time_limit=31 * 60)
def render(*, job_id: int) -> None:
    _run("renders", job_id)


# kind -> task that runs jobs of that kind (registered in AudioConfig.ready()).
TASKS: dict[str, Any] = {"analyze": analyze, "master": master, "render": render}
