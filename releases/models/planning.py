"""The weeks before release day: milestones by phase, the workspace's timeline template, and
each user's private calendar feed.

A release's milestones are made from its workspace's template, counted backwards from the
release date (``days_before``); moving the date moves the milestones not yet done.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from collaborators.models import Workspace

from .catalogue import Release


class Phase(models.TextChoices):
    CONCEPT = "concept", "Concept and pre-production"
    PRODUCTION = "production", "Production and recording"
    POST = "post", "Post-production and mixing"
    MASTERING = "mastering", "Mastering and finalisation"
    RELEASE = "release", "Release and promotion"


PHASE_ORDER = [p.value for p in Phase]


class Applies(models.TextChoices):
    """When a template milestone belongs on a release."""

    ALWAYS = "always", "Every release"
    VINYL = "vinyl", "Releases with a vinyl edition"
    CD = "cd", "Releases with a CD edition"
    CASSETTE = "cassette", "Releases with a cassette edition"
    PHYSICAL = "physical", "Releases with any physical edition"


class TemplateMilestone(models.Model):
    """One step of a workspace's timeline template, ``days_before`` release day.

    A workspace without rows of its own uses Liner's template (``releases.timeline``), which
    it can copy and edit.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="timeline_template"
    )
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=12, choices=Phase.choices)
    days_before = models.IntegerField(
        validators=[MaxValueValidator(730)],
        help_text="How many days before release day it is due (negative: after).",
    )
    minimum_days_before = models.IntegerField(
        null=True, blank=True,
        help_text="The latest it can still be done (a store's deadline); empty: no hard limit.",
    )  # fmt: skip
    applies = models.CharField(max_length=10, choices=Applies.choices, default=Applies.ALWAYS)
    depends_on = models.JSONField(default=list, blank=True, help_text="Keys of earlier steps.")
    owner_role = models.CharField(max_length=24, blank=True)
    advice = models.TextField(blank=True, max_length=2000)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-days_before", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="template_milestone_key"),
            models.CheckConstraint(
                condition=Q(phase__in=PHASE_ORDER), name="template_milestone_phase_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.days_before} days before)"


class Milestone(models.Model):
    """A dated step of one release's plan."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="milestones")
    key = models.SlugField(max_length=40)
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=12, choices=Phase.choices)
    due_date = models.DateField()
    # The rule it was made from, so moving the release date can move it again.
    days_before = models.IntegerField(null=True, blank=True)
    minimum_days_before = models.IntegerField(null=True, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    advice = models.TextField(blank=True, max_length=2000)
    notes = models.TextField(blank=True, max_length=5000)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "key"], name="milestone_key_per_release"),
            models.CheckConstraint(
                condition=Q(phase__in=PHASE_ORDER), name="milestone_phase_valid"
            ),
        ]
        indexes = [models.Index(fields=["release", "due_date"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_date})"

    @property
    def done(self) -> bool:
        return self.done_at is not None


def _feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private ICS feed: the secret in its URL is the only key (calendar apps cannot
    log in), so it can be replaced at any time, which ends the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar of {self.user}"
