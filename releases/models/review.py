"""Mix review: versions of a track's mix, timestamped comments, approvers, sign-offs, the lock.

A sign-off names the exact bytes approved (the audio file's SHA-256). A lock ties a track's
approved version to its ISRC and credits (and whatever other apps register, see
``releases.registry``); a change to any of them ends the lock and the sign-offs it rested on.
Nothing here is deleted to "reset": superseded sign-offs and ended locks stay, with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from audio.models import AudioFile

from .catalogue import Release, Track


class MixVersion(models.Model):
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    # RESTRICT: the audio a sign-off approved must not vanish from under it (deleting the
    # whole workspace or track, which takes the version with it, still works).
    audio_file = models.ForeignKey(AudioFile, on_delete=models.RESTRICT, related_name="+")
    note = models.CharField(max_length=500, blank=True, help_text="What changed in this mix.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["track", "number"]
        constraints = [
            models.UniqueConstraint(fields=["track", "number"], name="mix_version_number_unique"),
            models.UniqueConstraint(
                fields=["track", "audio_file"], name="mix_version_audio_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="mix_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.track} v{self.number}"

    @property
    def label(self) -> str:
        return f"v{self.number}"


class Comment(models.Model):
    """A note on a mix version at a point in time, or a reply in its thread."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="comments")
    version = models.ForeignKey(MixVersion, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at_s = models.FloatField("at (seconds)", null=True, blank=True)
    body = models.TextField(max_length=5000)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_s__isnull=True) | Q(at_s__gte=0), name="comment_time_positive"
            ),
            # A thread starts at a moment of the mix; replies belong to their thread's moment.
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(at_s__isnull=False),
                name="comment_thread_has_time",
            ),
        ]
        indexes = [models.Index(fields=["track", "resolved_at"])]

    def __str__(self) -> str:
        return f"Comment on {self.version} at {self.at_s}"


class Approver(models.Model):
    """Someone whose sign-off a track needs: for the whole release (track empty) or one track."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="approvers")
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, null=True, blank=True, related_name="approvers"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "user"],
                condition=Q(track__isnull=True),
                name="approver_unique_on_release",
            ),
            models.UniqueConstraint(
                fields=["track", "user"],
                condition=Q(track__isnull=False),
                name="approver_unique_on_track",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} approves {self.track or self.release}"


class SignOff(models.Model):
    """An approver's decision on one version: approve, or ask for changes."""

    class Decision(models.TextChoices):
        APPROVED = "approved", "Approved"
        CHANGES = "changes", "Changes requested"

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="signoffs")
    version = models.ForeignKey(MixVersion, on_delete=models.RESTRICT, related_name="signoffs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.RESTRICT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    # The exact bytes decided on, whatever later happens to the version row.
    sha256 = models.CharField(max_length=64)
    note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "user"],
                condition=Q(superseded_at__isnull=True),
                name="signoff_one_current_per_approver",
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["approved", "changes"]), name="signoff_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_decision_display()} {self.version}"

    @property
    def current(self) -> bool:
        return self.superseded_at is None


class MasterLock(models.Model):
    """An approved version locked as the track's master, with what the lock covers.

    ``covered`` is the snapshot at locking time (the audio's hash, the ISRC, the credits, and
    each registered part); ``fingerprint`` its hash. The lock holds while the same snapshot
    taken now has the same fingerprint.
    """

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="locks")
    version = models.ForeignKey(MixVersion, on_delete=models.RESTRICT, related_name="locks")
    sha256 = models.CharField(max_length=64)
    covered = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-locked_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["track"], condition=Q(ended_at__isnull=True), name="master_lock_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.track}: master {self.version}"

    @property
    def active(self) -> bool:
        return self.ended_at is None
