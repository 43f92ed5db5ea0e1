"""Which review emails a person wants. Every kind is on until they turn it off."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class NotificationKind(models.TextChoices):
    NEW_VERSION = "new_version", "A new mix version is uploaded to a track I review"
    COMMENT = "comment", "Someone comments on a mix I uploaded, or replies to me"
    SIGNOFF_REQUESTED = "signoff_requested", "My sign-off is requested"
    SIGNOFF_GIVEN = "signoff_given", "Someone signs off (or asks for changes) on a release I run"


class NotificationSetting(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_setting_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in NotificationKind]),
                name="notification_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {'on' if self.enabled else 'off'}"


class Notification(models.Model):
    """One review email to one person about one event: the outbox.

    Written when the event happens (with the email's words, so that what is sent is what was
    true then), sent by the worker (``releases.notify``). The event's ``key`` ("comment:12")
    and the recipient are unique together, so an event told twice writes one row; ``sent_at``
    marks it sent, so a task delivered twice sends one email. ``skipped_at``: not sent, because
    the person turned the kind off, or lost access to the track, before it went.
    """

    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=100)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    track = models.ForeignKey(
        "releases.Track", on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["key", "recipient"], name="notification_once"),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in NotificationKind]),
                name="notification_row_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(sent_at__isnull=True) | Q(skipped_at__isnull=True),
                name="notification_sent_or_skipped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient}: {self.subject}"
