"""The API shape of a job, shared by every app's job endpoints."""

from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers

from .models import BaseJob, JobStatus

# The fields every job shows, in order, after its id and what it is about:
# ``fields = ["id", "release", *JOB_FIELDS]``.
JOB_FIELDS = (
    "kind", "status", "progress", "stage", "attempts", "params", "error", "created_at",
    "started_at", "finished_at", "seconds", "output_name", "download_url",
)  # fmt: skip


class BaseJobSerializer(serializers.ModelSerializer):
    """Subclass with ``Meta.model`` and ``Meta.fields`` (with ``JOB_FIELDS``) and set
    ``download_url_name`` to the API route of the job's output file (it takes the
    ``workspace_slug`` of the serializer context and the job's ``pk``)."""

    seconds = serializers.FloatField(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    output_name = serializers.SerializerMethodField()

    download_url_name = ""

    def get_output_name(self, job: BaseJob) -> str | None:
        return job.output.name.rsplit("/", 1)[-1] if job.output else None

    def get_download_url(self, job: BaseJob) -> str | None:
        if not self.download_url_name or not job.output or job.status != JobStatus.DONE:
            return None
        return reverse(
            self.download_url_name,
            kwargs={"workspace_slug": self.context["workspace_slug"], "pk": job.pk},
        )
