"""Who may do what in a workspace: the one table every app asks.

Roles are ordered: owner > manager > member > viewer. An action is allowed for a role when it
appears in that role's set. Views, API views and services ask ``can()`` / ``require()``; nothing
else in Liner compares role names.

- owner: everything, including deleting the workspace and making other owners.
- manager: runs the workspace day to day: members, invitations, people, money and releases;
  cannot delete the workspace or change an owner.
- member: a collaborator (an engineer, a co-writer, a session player): works on releases,
  audio and the address book; does not see money and does not manage members.
- viewer: reads releases, audio and people; changes nothing.

A guest is not a member: someone invited to one release of a workspace (``releases`` keeps
who is a guest where). ``GUEST_ACTIONS`` is what a guest may do on that release, and only
there; approving additionally needs an approver entry, downloading the release's consent.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    MEMBER = "member", "Member"
    VIEWER = "viewer", "Viewer"


class Action(StrEnum):
    WORKSPACE_VIEW = "workspace.view"
    WORKSPACE_EDIT = "workspace.edit"
    WORKSPACE_DELETE = "workspace.delete"
    MEMBERS_VIEW = "members.view"
    MEMBERS_MANAGE = "members.manage"
    OWNERS_MANAGE = "owners.manage"
    PEOPLE_VIEW = "people.view"
    PEOPLE_EDIT = "people.edit"
    CONTENT_VIEW = "content.view"
    CONTENT_EDIT = "content.edit"
    FINANCE_VIEW = "finance.view"
    FINANCE_EDIT = "finance.edit"
    REVIEW_COMMENT = "review.comment"
    CONTENT_DOWNLOAD = "content.download"


_VIEWER = frozenset(
    {
        Action.WORKSPACE_VIEW,
        Action.MEMBERS_VIEW,
        Action.PEOPLE_VIEW,
        Action.CONTENT_VIEW,
        Action.CONTENT_DOWNLOAD,
    }
)
_MEMBER = _VIEWER | {Action.PEOPLE_EDIT, Action.CONTENT_EDIT, Action.REVIEW_COMMENT}
_MANAGER = _MEMBER | {
    Action.WORKSPACE_EDIT,
    Action.MEMBERS_MANAGE,
    Action.FINANCE_VIEW,
    Action.FINANCE_EDIT,
}
_OWNER = _MANAGER | {Action.WORKSPACE_DELETE, Action.OWNERS_MANAGE}

ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.OWNER: _OWNER,
    Role.MANAGER: _MANAGER,
    Role.MEMBER: _MEMBER,
    Role.VIEWER: _VIEWER,
}

# A guest on one release: listen and comment there. Downloads need the release's consent
# (checked by ``releases``), approvals an approver entry.
GUEST = "guest"
GUEST_ACTIONS: frozenset[Action] = frozenset(
    {Action.CONTENT_VIEW, Action.REVIEW_COMMENT, Action.CONTENT_DOWNLOAD}
)
ROLE_ACTIONS[GUEST] = GUEST_ACTIONS

ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.MANAGER: 2, Role.OWNER: 3}


def can(role: str | None, action: Action) -> bool:
    return role is not None and action in ROLE_ACTIONS.get(role, frozenset())


def require(role: str | None, action: Action) -> None:
    if not can(role, action):
        raise PermissionDenied(f"Your role in this workspace does not allow this ({action}).")


def grantable_roles(role: str | None) -> list[str]:
    """The roles this role may give to someone else (by invitation or role change)."""
    if can(role, Action.OWNERS_MANAGE):
        return [r.value for r in Role]
    if can(role, Action.MEMBERS_MANAGE):
        return [Role.MANAGER.value, Role.MEMBER.value, Role.VIEWER.value]
    return []
