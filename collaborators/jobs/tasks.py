"""The decorator for tasks that run one job: ``@job_task(name="releases.bundle")``.

Not a Celery tasks module itself (the sweep, the one task of the machinery, is in
``collaborators.tasks``); apps use this in theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from config.celery import task

from .services import JobBusy

# A job another live worker holds is looked at again after this long, in case that worker dies.
BUSY_RETRY_SECONDS = 30


def job_task(*, name: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    """A Liner task (``config.celery.task``: late acknowledgement, time limits, retries on
    transient errors) that runs one job: ``fn(job_id=...)``, usually a service's ``run``.

    When another worker holds the job and is alive, the task comes back later instead of
    failing, so a job whose worker then dies is still finished.
    """

    def decorate(fn: Callable[..., Any]) -> Any:
        def run(self: Any, *, job_id: int) -> None:
            try:
                fn(job_id=job_id)
            except JobBusy as exc:
                raise self.retry(countdown=BUSY_RETRY_SECONDS, exc=exc) from exc

        run.__name__, run.__qualname__ = fn.__name__, fn.__qualname__
        run.__module__, run.__doc__ = fn.__module__, fn.__doc__
        return task(name=name, bind=True, **options)(run)

    return decorate
