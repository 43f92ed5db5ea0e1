"""Celery tasks of the releases app: thin wrappers that load ids and call one service.

The bundle service is imported when its task runs, not here: enqueueing a job (from a web
request) imports this module, and should not load the rendering code to do so.
"""

import importlib
from typing import Any

from collaborators.jobs.tasks import job_task
from config.celery import task

from .services import notifications


@task(name="releases.notify", soft_time_limit=60, time_limit=90)
def notify(*, notification_id: int) -> bool:
    """Send one review email (a duplicate delivery sends nothing more)."""
    return notifications.notification_send(notification_id=notification_id)


@job_task(name="releases.bundle", soft_time_limit=60 * 60, time_limit=61 * 60)
def bundle(*, job_id: int) -> None:
    """Build one delivery bundle (its renders run inside it: see releases.services.bundles)."""
    importlib.import_module("releases.services.bundles").run(job_id=job_id)


# kind -> task that runs jobs of that kind (registered in ReleasesConfig.ready()).
TASKS: dict[str, Any] = {"bundle": bundle}
