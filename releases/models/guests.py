"""Guests: people invited to one release, not to its workspace, and what they may do there."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .catalogue import Release


class ReleaseGuest(models.Model):
    """A login that sees one release of a workspace it is not a member of.

    A guest listens to, comments on and (where chosen as approver) signs off the release's
    mixes, and downloads them when the release allows it. Nothing else of the workspace.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="guests")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guest_releases"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "user"], name="release_guest_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} (guest on {self.release})"
