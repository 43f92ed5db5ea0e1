"""Audio's jobs on the shared machinery (``collaborators.jobs``): the same life cycle for
analysis, mastering and renders, with audio's key and audio's bad-input error.

A job of a file is keyed by the file, kind and parameters; an AudioError (unusable input)
fails it at once with its message.
"""

from __future__ import annotations

from typing import Any

from audio.dsp.errors import AudioError
from audio.models import AudioFile, Job
from collaborators.jobs import services as jobs
from collaborators.jobs.services import JobBusy, Progress, Work, progress_reporter, scaled

# Audio's services and tests take the shared pieces from here, with audio's own.
__all__ = [
    "JobBusy",
    "Progress",
    "job_claim",
    "job_key",
    "job_request",
    "job_run",
    "jobs_sweep",
    "progress_reporter",
    "scaled",
]


def job_key(*, audio_file_id: int, kind: str, params: dict[str, Any]) -> str:
    return jobs.job_key(audio_file_id, kind, params)


def job_request(
    *, audio_file: AudioFile, kind: str, params: dict[str, Any] | None = None, user: Any = None
) -> Job:
    """The job for this file, kind and parameters: created and queued once.

    Asking again for a job that exists returns it; a failed one is queued again.
    """
    params = params or {}
    return jobs.job_request(
        model=Job,
        workspace_id=audio_file.workspace_id,
        kind=kind,
        params=params,
        key=job_key(audio_file_id=audio_file.pk, kind=kind, params=params),
        user=user,
        audio_file=audio_file,
    )


def job_claim(*, job_id: int) -> Job | None:
    return jobs.job_claim(model=Job, job_id=job_id)


def job_run(*, job_id: int, work: Work, max_attempts: int = 3) -> Job | None:
    return jobs.job_run(
        model=Job, job_id=job_id, work=work, permanent=(AudioError,), max_attempts=max_attempts
    )


def jobs_sweep() -> int:
    """Re-send audio's lost jobs (the ``jobs.sweep`` task sweeps every app's)."""
    return jobs.jobs_sweep(models=[Job])
