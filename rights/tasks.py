"""Rights' Celery tasks: thin wrappers that load ids and call a service."""

from __future__ import annotations

import importlib

from collaborators.jobs.tasks import job_task


@job_task(name="rights.statement_import", soft_time_limit=60 * 60, time_limit=61 * 60)
def statement_import(*, job_id: int) -> None:
    # Imported here so a web request enqueueing the job does not load the import machinery.
    importlib.import_module("rights.services.statements").run(job_id=job_id)


TASKS = {"import": statement_import}
