"""Celery tasks of the audio app: thin wrappers that load ids and call one service."""

from __future__ import annotations

from typing import Any

from config.celery import task

from .services import jobs


@task(name="audio.sweep", soft_time_limit=120, time_limit=150)
def sweep() -> int:
    return jobs.jobs_sweep()


# kind -> task that runs jobs of that kind; each audio operation adds its task here.
TASKS: dict[str, Any] = {}
