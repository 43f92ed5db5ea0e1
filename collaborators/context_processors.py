from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .permissions import Action, can
from .selectors import memberships_for_user


def workspace(request: HttpRequest) -> dict[str, Any]:
    """The current workspace (set by ``workspace_page``), the user's others, and role checks."""
    current = getattr(request, "workspace", None)
    role = current.membership.role if current is not None else None
    user = getattr(request, "user", None)
    memberships = memberships_for_user(user=user) if user is not None else []
    return {
        "workspace": current,
        "my_role": role,
        "my_memberships": memberships,
        "perms_ws": {a.name.lower(): can(role, a) for a in Action} if current else {},
    }
