"""Fetch-and-authorize for releases and tracks, for members and for guests on one release.

A member of the workspace reaches every release of it, as their role allows. A guest reaches
only the releases they are a guest on, with ``GUEST_ACTIONS``. Anyone else, and anything
else, is a 404: another workspace's release, or a guest asking for a release they are not
on, never learns that it exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from collaborators.home import Destination
from collaborators.models import Membership, Workspace
from collaborators.permissions import GUEST, Action, can

from .models import Approver, Release, ReleaseGuest, Track


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a release, and as what: a member's role, or ``guest``."""

    user: Any
    role: str
    workspace: Workspace

    @property
    def is_guest(self) -> bool:
        return self.role == GUEST

    def can(self, action: Action) -> bool:
        return can(self.role, action)

    def require(self, action: Action) -> None:
        if not self.can(action):
            raise PermissionDenied(f"Your role on this release does not allow this ({action}).")


def viewer_for(*, user: Any, workspace_slug: str, release_id: Any = None) -> Viewer:
    """The caller's standing in the workspace, or as a guest on ``release_id``; else 404.

    Members get their role. A non-member gets ``guest`` only if they are a guest on the named
    release; with no release named, a guest has no standing in the workspace (404).
    """
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such release.")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__slug=workspace_slug)
        .first()
    )
    if membership is not None:
        workspace = membership.workspace
        workspace.membership = membership  # as access_workspace leaves it, for the pages
        return Viewer(user=user, role=membership.role, workspace=workspace)
    pk = _int(release_id)
    guest = (
        ReleaseGuest.objects.select_related("release__workspace")
        .filter(user=user, release_id=pk, release__workspace__slug=workspace_slug)
        .first()
        if pk is not None
        else None
    )
    if guest is None:
        raise Http404("No such release.")
    return Viewer(user=user, role=GUEST, workspace=guest.release.workspace)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def access_release(
    *, user: Any, workspace_slug: str, release_id: Any, action: Action = Action.CONTENT_VIEW
) -> Release:
    """The release with ``.viewer`` set, or 404 (not yours) / PermissionDenied (your role)."""
    viewer = viewer_for(user=user, workspace_slug=workspace_slug, release_id=release_id)
    release = Release.objects.filter(workspace=viewer.workspace, pk=_int(release_id)).first()
    if release is None:
        raise Http404("No such release in this workspace.")
    viewer.require(action)
    release.workspace = viewer.workspace  # the one with ``.membership`` (members)
    release.viewer = viewer  # type: ignore[attr-defined]
    return release


def access_track(
    *, user: Any, workspace_slug: str, track_id: Any, action: Action = Action.CONTENT_VIEW
) -> Track:
    """The track (with ``.release`` and ``.viewer``), or 404 / PermissionDenied as above."""
    pk = _int(track_id)
    track = (
        Track.objects.select_related("release", "workspace")
        .filter(pk=pk, workspace__slug=workspace_slug)
        .first()
        if pk is not None
        else None
    )
    if track is None:
        # Resolve standing first so a stranger and a missing track look alike.
        viewer_for(user=user, workspace_slug=workspace_slug)
        raise Http404("No such track in this workspace.")
    viewer = viewer_for(user=user, workspace_slug=workspace_slug, release_id=track.release_id)
    viewer.require(action)
    track.workspace = track.release.workspace = viewer.workspace
    track.viewer = viewer  # type: ignore[attr-defined]
    track.release.viewer = viewer  # type: ignore[attr-defined]
    return track


def guest_releases(*, user: Any) -> list[Release]:
    """Releases the user is a guest on (not counting their own workspaces), for their home."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Release.objects.filter(guests__user=user)
        .exclude(workspace__memberships__user=user)
        .select_related("workspace")
        .order_by("workspace__name", "title")
    )


def guest_destinations(user: Any) -> list[Destination]:
    """For the home page: where a guest can go (``collaborators.home``)."""
    return [
        Destination(
            label=f"{r} ({r.get_type_display()}), guest of {r.workspace.name}",
            url=reverse("release-detail", args=[r.workspace.slug, r.pk]),
        )
        for r in guest_releases(user=user)
    ]


def is_approver(*, user: Any, track: Track) -> bool:
    """Whether the user's sign-off counts on this track (release-wide or for this track)."""
    return (
        Approver.objects.filter(release_id=track.release_id, user=user)
        .filter(track__isnull=True)
        .exists()
        or Approver.objects.filter(track=track, user=user).exists()
    )


def may_download(viewer: Viewer, release: Release) -> bool:
    if viewer.is_guest:
        return release.guest_downloads
    return viewer.can(Action.CONTENT_DOWNLOAD)
