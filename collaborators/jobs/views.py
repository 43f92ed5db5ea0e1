"""What a page's progress endpoint answers: the job's state as JSON, or its progress bar.

Not views themselves: each app's endpoint fetches its job with its own access check, then
answers with these.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import BaseJob, JobStatus

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
ENDED = (JobStatus.DONE, JobStatus.FAILED)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def job_json(job: BaseJob) -> dict[str, Any]:
    """The state of a job, as a page's script polls it."""
    return {
        "id": job.pk, "kind": job.kind, "status": job.status, "progress": job.progress,
        "stage": job.stage, "attempts": job.attempts, "error": job.error,
        "seconds": job.seconds, "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at), "finished_at": _iso(job.finished_at),
    }  # fmt: skip


def job_progress(
    request: HttpRequest,
    job: BaseJob,
    *,
    poll_url: str,
    template: str = "jobs/_progress.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The progress bar of ``job`` (``jobs/_progress.html``) for its poll at ``poll_url``.

    When the job the page watched has ended (the poll says ``?was=queued`` or ``running``),
    the answer asks the page to reload, so it shows the outcome in full.
    """
    context = {**(context or {}), "job": job, "poll": True, "poll_url": poll_url}
    response = render(request, template, context)
    if job.status in ENDED and request.GET.get("was") in ACTIVE:
        response["HX-Refresh"] = "true"
    return response
