"""Which job models exist, and which Celery task runs each kind of job.

``collaborators`` cannot import the apps that build on it, so each app registers its job model
from its ``AppConfig.ready()``. The tasks are named by the dotted path of a ``{kind: task}``
mapping and imported only when a job is first enqueued: a web request that queues a job then
loads the app's tasks module, not the heavy code its tasks run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import import_string

from .models import BaseJob


@dataclass(frozen=True)
class JobType:
    model: type[BaseJob]
    tasks: str  # dotted path of a {kind: Celery task} mapping

    def task(self, kind: str) -> Any:
        tasks = import_string(self.tasks)  # looked up each time, so tests may swap tasks
        try:
            return tasks[kind]
        except KeyError:
            raise LookupError(f"{self.tasks} has no task for {kind!r} jobs") from None


_TYPES: dict[str, JobType] = {}


def register_job_model(*, model: type[BaseJob], tasks: str) -> None:
    """Make ``model``'s jobs known: enqueued through ``tasks`` and swept when lost."""
    if not issubclass(model, BaseJob) or model._meta.abstract:
        raise TypeError(f"{model.__name__} is not a concrete BaseJob model")
    _TYPES[model._meta.label] = JobType(model=model, tasks=tasks)


def job_types() -> list[JobType]:
    return list(_TYPES.values())


def job_type(model: type[BaseJob]) -> JobType:
    try:
        return _TYPES[model._meta.concrete_model._meta.label]
    except KeyError:
        raise LookupError(
            f"{model._meta.label} is not a registered job model; register it from its "
            "AppConfig.ready() with collaborators.jobs.registry.register_job_model"
        ) from None


def job_task(job: BaseJob) -> Any:
    """The Celery task that runs ``job``."""
    return job_type(type(job)).task(job.kind)
