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
