"""The decorator every workspace page goes through: login, then fetch-and-authorize."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from .permissions import Action
from .selectors import access_workspace

SESSION_KEY = "liner_workspace"


def workspace_page(
    action: Action = Action.WORKSPACE_VIEW,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve ``workspace_slug`` for the logged-in user and pass the workspace to the view.

    A non-member sees a 404; a member whose role does not allow ``action`` a 403 page. The
    workspace is remembered in the session so "/" returns to it.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, workspace_slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            workspace = access_workspace(user=request.user, slug=workspace_slug, action=action)
            request.workspace = workspace  # type: ignore[attr-defined]
            if request.session.get(SESSION_KEY) != workspace.slug:
                # Only on a change: an unconditional set saves the session on every request,
                # a database write per progress poll.
                request.session[SESSION_KEY] = workspace.slug
            return view(request, workspace, *args, **kwargs)

        return wrapper

    return decorate
