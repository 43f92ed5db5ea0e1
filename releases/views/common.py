"""What every releases page shares: the decorator that resolves a member or a guest."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from collaborators.permissions import Action

from ..access import Viewer, access_release


def as_page_context(request: HttpRequest, viewer: Viewer, release: Any = None) -> None:
    """Make the base layout show the right navigation: the workspace's for a member, only the
    one release for a guest."""
    if viewer.is_guest:
        request.guest_release = release  # type: ignore[attr-defined]
        return
    request.workspace = viewer.workspace  # type: ignore[attr-defined]


def release_page(
    action: Action = Action.CONTENT_VIEW,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve ``release_id`` for a member or a guest on it and pass the release (with
    ``.viewer``) to the view. Anyone else gets a 404; a role that may not, a 403 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, workspace_slug: str, release_id: int, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            release = access_release(
                user=request.user, workspace_slug=workspace_slug, release_id=release_id,
                action=action,
            )  # fmt: skip
            as_page_context(request, release.viewer, release)
            return view(request, release, *args, **kwargs)

        return wrapper

    return decorate
