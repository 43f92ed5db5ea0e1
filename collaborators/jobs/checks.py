"""``manage.py check``: every kind of every registered job model has a task to run it."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error
from django.utils.module_loading import import_string

from . import registry


def job_tasks_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    errors = []
    for job_type in registry.job_types():
        label = job_type.model._meta.label
        try:
            tasks = import_string(job_type.tasks)
        except ImportError as exc:
            errors.append(Error(f"{label}: cannot import its tasks: {exc}", id="jobs.E001"))
            continue
        kinds = [value for value, _ in job_type.model._meta.get_field("kind").flatchoices]
        missing = [kind for kind in kinds if kind not in tasks]
        if missing:
            errors.append(
                Error(
                    f"{label}: {job_type.tasks} has no task for {', '.join(missing)}",
                    hint="Map every Kind to the task that runs it.",
                    id="jobs.E002",
                )
            )
    return errors
