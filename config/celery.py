"""The Celery app, and the one decorator every Liner task goes through.

Tasks are declared with ``@task(name="app.verb")`` rather than ``@shared_task`` so that time
limits, late acknowledgement, retry policy and logging change in one place.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("liner")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("liner.tasks")

# Errors worth trying again: the database or broker blinked, a file system was busy.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError, OSError)


def task(
    *,
    name: str,
    soft_time_limit: int = 15 * 60,
    time_limit: int = 16 * 60,
    max_retries: int = 3,
    retry_on: tuple[type[BaseException], ...] = TRANSIENT_ERRORS,
    **options: Any,
) -> Callable[[Callable[..., Any]], Any]:
    """Register a Liner task: explicit name, JSON arguments, acks late, bounded, retried.

    A task acknowledged late and rejected when its worker dies goes back to the queue, so a
    worker killed mid-task does not lose the job; the task itself must be idempotent.
    """

    def decorate(fn: Callable[..., Any]) -> Any:
        return app.task(
            name=name,
            acks_late=True,
            reject_on_worker_lost=True,
            soft_time_limit=soft_time_limit,
            time_limit=time_limit,
            autoretry_for=retry_on,
            retry_backoff=True,
            retry_backoff_max=300,
            retry_jitter=True,
            max_retries=max_retries,
            serializer="json",
            **options,
        )(fn)

    return decorate
