"""Rights' Celery tasks: thin wrappers that load ids and call a service."""

from __future__ import annotations

import importlib

from collaborators.jobs.tasks import job_task
from config.celery import task


@job_task(name="rights.statement_import", soft_time_limit=60 * 60, time_limit=61 * 60)
def statement_import(*, job_id: int) -> None:
    # Imported here so a web request enqueueing the job does not load the import machinery.
    importlib.import_module("rights.services.statements").run(job_id=job_id)


@task(name="rights.licence_alerts", soft_time_limit=10 * 60, time_limit=11 * 60)
def licence_alerts() -> int:
    # Today in the project's time zone (beat runs it daily); the service sends each alert once.
    from django.utils import timezone

    return importlib.import_module("rights.services.licences").licence_alerts_send(
        today=timezone.localdate()
    )


TASKS = {"import": statement_import}


@task(name="rights.signature_request_send", soft_time_limit=60, time_limit=90)
def signature_request_send(*, request_id: int) -> bool:
    # The service sends once: sent_at marks the row, so a redelivery sends nothing more.
    return importlib.import_module("rights.services.sheets").signature_request_send(
        request_id=request_id
    )
