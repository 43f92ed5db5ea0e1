"""Uploaded audio, and the background jobs that analyse, master and render it.

``audio`` knows nothing of releases: it takes files and parameters and keeps results.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from collaborators.jobs.models import BaseJob, job_constraints
from collaborators.jobs.models import job_output_path as job_output_path  # migration 0001
from collaborators.models import Workspace


def audio_upload_path(instance: AudioFile, filename: str) -> str:
    # Content-addressed, so a re-upload of the same bytes cannot overwrite another file.
    return f"audio/{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}/{filename}"


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


class Job(BaseJob):
    """One piece of background work on an audio file: the machinery is ``collaborators.jobs``."""

    class Kind(models.TextChoices):
        ANALYZE = "analyze", "Analysis"
        MASTER = "master", "Mastering"
        RENDER = "render", "Render"

    audio_file = models.ForeignKey(AudioFile, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices)

    class Meta(BaseJob.Meta):
        # The names the table was made with, from before jobs were shared by every app.
        constraints = job_constraints(kinds=["analyze", "master", "render"], prefix="job")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.audio_file} ({self.status})"
