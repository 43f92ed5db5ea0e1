"""Getting a release out: the deliverables checklist, tracks planned onto physical sides, and
the delivery bundles built in the background."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from collaborators.jobs.models import BaseJob, job_constraints

from .catalogue import PhysicalEdition, Release, Track


class DeliverableGroup(models.TextChoices):
    AUDIO = "audio", "Audio content"
    DOCUMENTATION = "documentation", "Production documentation"
    TECHNICAL = "technical", "Technical specifications"
    MARKETING = "marketing", "Marketing materials"
    PRESENTATION = "presentation", "Professional presentation"


def deliverable_path(instance: Deliverable, filename: str) -> str:
    return f"releases/{instance.release.workspace_id}/{instance.release_id}/deliverables/{filename}"


class Deliverable(models.Model):
    """An item of the release's deliverables checklist, with its attachment.

    ``key`` names the items Liner fills in itself (``releases.deliverables``: the masters, the
    QC reports, the credits) so their state is worked out, not ticked.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="deliverables")
    group = models.CharField(max_length=16, choices=DeliverableGroup.choices)
    key = models.SlugField(max_length=40, blank=True)
    title = models.CharField(max_length=200)
    required = models.BooleanField(default=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    attachment = models.FileField(upload_to=deliverable_path, max_length=400, blank=True)
    attachment_name = models.CharField(max_length=255, blank=True)
    note = models.CharField(max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["group", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "key"], condition=~Q(key=""), name="deliverable_key_unique"
            ),
            models.CheckConstraint(
                condition=Q(group__in=DeliverableGroup.values), name="deliverable_group_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EditionTrack(models.Model):
    """A track's place on a physical edition: its side (A, B, C, D …) and order there."""

    edition = models.ForeignKey(PhysicalEdition, on_delete=models.CASCADE, related_name="sides")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    side = models.CharField(max_length=1)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["side", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "track"], name="edition_track_once"),
            models.UniqueConstraint(
                fields=["edition", "side", "position"], name="edition_side_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(side__in=list("ABCDEFGH")), name="edition_side_letter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side}{self.position}: {self.track}"


class BundleJob(BaseJob):
    """A delivery bundle for one store profile: masters rendered and tagged, the artwork, the
    ERN message, a metadata CSV and the QC reports, zipped (``releases.services.bundles``)."""

    class Kind(models.TextChoices):
        BUNDLE = "bundle", "Delivery bundle"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="bundle_jobs")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.BUNDLE)
    profile = models.CharField(max_length=40)

    class Meta(BaseJob.Meta):
        constraints = job_constraints(kinds=["bundle"])

    def __str__(self) -> str:
        return f"Bundle of {self.release} for {self.profile} ({self.status})"
