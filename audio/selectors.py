"""Reads of audio files and jobs, always within one workspace (fetch-and-authorize)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from audio.dsp.verdicts import verdicts
from collaborators.models import Workspace

from .models import AudioFile, Job

# Without the large JSON columns: lists never need them.
LIST_DEFER = ("analysis", "peaks")


def audio_files_list(*, workspace: Workspace, search: str = "") -> QuerySet[AudioFile]:
    """The workspace's files, newest first, each with its jobs (newest first) prefetched."""
    qs = AudioFile.objects.filter(workspace=workspace).defer("peaks")
    if search:
        qs = qs.filter(original_name__icontains=search)
    jobs = Job.objects.defer("result").order_by("-created_at", "-id")
    return qs.prefetch_related(Prefetch("jobs", queryset=jobs))


def audio_file_get(*, workspace: Workspace, audio_file_id: Any) -> AudioFile:
    try:
        return AudioFile.objects.get(workspace=workspace, pk=int(audio_file_id))
    except (AudioFile.DoesNotExist, TypeError, ValueError):
        raise Http404("No such audio file.") from None


def job_get(*, workspace: Workspace, job_id: Any, kind: str | None = None) -> Job:
    qs = Job.objects.filter(workspace=workspace).select_related("audio_file")
    if kind:
        qs = qs.filter(kind=kind)
    try:
        return qs.get(pk=int(job_id))
    except (Job.DoesNotExist, TypeError, ValueError):
        raise Http404("No such job.") from None


def jobs_list(
    *, workspace: Workspace, audio_file: AudioFile | None = None, kind: str = "", status: str = ""
) -> QuerySet[Job]:
    qs = Job.objects.filter(workspace=workspace).select_related("audio_file")
    if audio_file is not None:
        qs = qs.filter(audio_file=audio_file)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at", "-id")


def latest_job(audio_file: AudioFile, kind: str) -> Job | None:
    """The newest job of ``kind`` among the (prefetched) jobs of the file."""
    for job in audio_file.jobs.all():
        if job.kind == kind:
            return job
    return None


def audio_file_report(*, audio_file: AudioFile) -> dict[str, Any] | None:
    """The analysis with a verdict for every delivery profile, or None before analysis."""
    if not audio_file.analysis:
        return None
    return {**audio_file.analysis, "verdicts": verdicts(audio_file.analysis)}
