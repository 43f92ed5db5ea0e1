"""What an invitation can give besides membership of a workspace: the grants higher apps define.

An invitation with no grant makes its addressee a member of the workspace, as it always did.
An invitation with a grant (``grant_kind`` and ``grant_id``) gives only what the app that
registered the kind says, and never a membership: ``releases`` registers a guest on one release.

Collaborators knows nothing of releases, so the higher app registers each kind from its
``AppConfig.ready()``:

    register_invitation_grant(
        "release_guest",
        accept=lambda invitation, user: "/w/…/releases/12/",  # where to go next
        describe=lambda invitation: "review the album “Low Tide”",  # or None if gone
    )

``accept(invitation, user)`` runs inside the transaction that marks the invitation used, with
the invitation row locked; it does whatever the grant gives and returns the path to send the
person to. It may raise ``ValidationError`` to refuse. ``describe(invitation)`` says what the
invitation is for, as words that follow "invites you to"; it returns None when the thing no
longer exists, and the link is then refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Invitation, User

GrantAccept = Callable[["Invitation", "User"], str]
GrantDescribe = Callable[["Invitation"], "str | None"]


@dataclass(frozen=True)
class InvitationGrant:
    kind: str
    accept: GrantAccept
    describe: GrantDescribe


_GRANTS: dict[str, InvitationGrant] = {}


def register_invitation_grant(
    kind: str, *, accept: GrantAccept, describe: GrantDescribe
) -> InvitationGrant:
    """Register (or, on a second ``ready()``, replace) what invitations of ``kind`` give."""
    if not kind or len(kind) > 40 or not kind.replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"Invitation grant kinds are short identifiers, not {kind!r}.")
    grant = InvitationGrant(kind=kind, accept=accept, describe=describe)
    _GRANTS[kind] = grant
    return grant


def invitation_grant(kind: str) -> InvitationGrant | None:
    """The registered grant of ``kind``, or None (the app that defined it is not installed)."""
    return _GRANTS.get(kind)


def invitation_grant_kinds() -> list[str]:
    return sorted(_GRANTS)
