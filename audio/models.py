"""Uploaded audio, and the background jobs that analyse, master and render it.

``audio`` knows nothing of releases: it takes files and parameters and keeps results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from collaborators.models import Workspace


def audio_upload_path(instance: AudioFile, filename: str) -> str:
    # Content-addressed, so a re-upload of the same bytes cannot overwrite another file.
    return f"audio/{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}/{filename}"


def job_output_path(instance: Job, filename: str) -> str:
    return f"audio/{instance.workspace_id}/jobs/{instance.pk}/{filename}"


class AudioFile(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audio_files")
    original_name = models.CharField(max_length=255)
    file = models.FileField(upload_to=audio_upload_path, max_length=500)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=16)
    subtype = models.CharField(max_length=32, blank=True)
    sample_rate = models.PositiveIntegerField()
    bit_depth = models.PositiveSmallIntegerField(null=True, blank=True)
    channels = models.PositiveSmallIntegerField()
    duration_s = models.FloatField()
    size_bytes = models.BigIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    analysis = models.JSONField(null=True, blank=True)
    peaks = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sha256"], name="audio_unique_content"),
            models.CheckConstraint(condition=Q(channels__gte=1), name="audio_channels_positive"),
            models.CheckConstraint(
                condition=Q(sample_rate__gte=8000, sample_rate__lte=384000),
                name="audio_sample_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class Job(models.Model):
    """One piece of background work on an audio file, with its progress and outcome."""

    class Kind(models.TextChoices):
        ANALYZE = "analyze", "Analysis"
        MASTER = "master", "Mastering"
        RENDER = "render", "Render"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audio_jobs")
    audio_file = models.ForeignKey(AudioFile, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Same file, kind and parameters: the same job. Asking again returns the existing one.
    key = models.CharField(max_length=64, unique=True)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    stage = models.CharField(max_length=60, blank=True, default="Waiting for a worker")
    attempts = models.PositiveSmallIntegerField(default=0)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    output = models.FileField(upload_to=job_output_path, max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Touched by every progress report: a running job whose heartbeat stops was lost with
    # its worker and may be taken over.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_0_100"),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]),
                name="job_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["analyze", "master", "render"]), name="job_kind_valid"
            ),
        ]
        indexes = [models.Index(fields=["status", "enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.audio_file} ({self.status})"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
