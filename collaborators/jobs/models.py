"""The abstract job row every app's background jobs are made of."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import Q

from collaborators.models import Workspace

# Placeholders Django fills in per concrete model, so two apps' job tables never share a
# constraint name (Django refuses that).
PER_MODEL = "%(app_label)s_%(class)s"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


def job_output_path(instance: BaseJob, filename: str) -> str:
    return f"{instance._meta.app_label}/{instance.workspace_id}/jobs/{instance.pk}/{filename}"


def job_constraints(
    *, kinds: Iterable[str] | None = None, prefix: str = PER_MODEL
) -> list[models.BaseConstraint]:
    """The checks of a job table: progress 0–100, a known status and, given ``kinds``, a known
    kind. A concrete model that adds constraints of its own lists these too.

    ``prefix`` names them; leave it alone, except to keep the names a table already has.
    """
    checks: list[models.BaseConstraint] = [
        models.CheckConstraint(condition=Q(progress__lte=100), name=f"{prefix}_progress_0_100"),
        models.CheckConstraint(
            condition=Q(status__in=list(JobStatus.values)), name=f"{prefix}_status_valid"
        ),
    ]
    if kinds is not None:
        checks.append(
            models.CheckConstraint(condition=Q(kind__in=list(kinds)), name=f"{prefix}_kind_valid")
        )
    return checks


class BaseJob(models.Model):
    """One piece of background work with its progress and outcome.

    A concrete job model subclasses this, adds what the work is about (a foreign key to the
    file, release or statement) and a ``Kind`` choice for ``kind``; the services in
    ``collaborators.jobs.services`` run its life cycle.
    """

    Status = JobStatus

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="%(app_label)s_jobs"
    )
    kind = models.CharField(max_length=32)
    # The same work asked for twice is the same job: asking again returns the existing one.
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
        abstract = True
        ordering = ["-created_at", "-id"]
        constraints = job_constraints()
        # Unnamed: Django names it after each concrete table, so every app gets its own.
        indexes = [models.Index(fields=["status", "enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.kind_label} {self.pk} ({self.status})"

    @property
    def kind_label(self) -> str:
        """The kind in words ("Mastering"), from the concrete model's choices if it has them."""
        display = getattr(self, "get_kind_display", None)
        return str(display()) if display is not None else self.kind

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
