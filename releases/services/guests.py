"""Guests: people invited to one release, not to its workspace.

A guest listens to that release's tracks, comments on them, signs off where they are an approver
and downloads where the release allows it (``releases.access``); nothing else of the workspace.
They come in through the workspace's invitation machinery (``collaborators``) with a grant of
kind ``release_guest`` (registered in ``ReleasesConfig.ready()``), so a guest invitation has the
same signed, expiring, single-use, withdrawable link as an invitation to join, and accepting it
makes a ``ReleaseGuest``, never a membership.

Owners and managers (``members.manage``) invite, add and remove guests: letting someone from
outside hear unreleased music is a decision about who is in, like inviting a member, not an
edit of the release (``content.edit``, which members have).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from collaborators.invitation_grants import register_invitation_grant
from collaborators.models import Invitation, Membership, User
from collaborators.permissions import Action, can
from collaborators.services import InvitationError, invitation_create

from ..models import Approver, Release, ReleaseGuest
from . import review

GRANT_KIND = "release_guest"


def release_path(release: Release) -> str:
    """The release's page, where an accepted guest lands."""
    return f"/w/{release.workspace.slug}/releases/{release.pk}/"


def _manager(*, release: Release, actor: User) -> Membership:
    membership = Membership.objects.filter(workspace_id=release.workspace_id, user=actor).first()
    if membership is None or not can(membership.role, Action.MEMBERS_MANAGE):
        raise PermissionDenied("Only the workspace's owners and managers choose its guests.")
    return membership


def _normal_email(email: str) -> str:
    return User.objects.normalize_email((email or "").strip()).lower()


def _open_invitations(*, release: Release, email: str) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        grant_kind=GRANT_KIND,
        grant_id=release.pk,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    )


@transaction.atomic
def release_guest_invite(
    *, release: Release, email: str, actor: User, message: str = ""
) -> Invitation:
    """Invite ``email`` to be a guest on ``release``; the email goes out after commit.

    Refused for a member of the workspace (they see every release already), someone already a
    guest here, or an address with an open invitation to this release (resend that one).
    """
    membership = _manager(release=release, actor=actor)
    normal = _normal_email(email)
    if normal and ReleaseGuest.objects.filter(release=release, user__email__iexact=normal).exists():
        raise ValidationError({"email": f"{normal} is a guest on this release already."})
    return invitation_create(
        workspace=release.workspace,
        actor=membership,
        email=email,
        message=message,
        grant_kind=GRANT_KIND,
        grant_id=release.pk,
    )


@transaction.atomic
def release_guest_add(*, release: Release, user: User, actor: User) -> ReleaseGuest:
    """Make an existing login a guest on ``release`` at once (no invitation email). Adding
    someone who is a guest here already returns their entry."""
    _manager(release=release, actor=actor)
    if not user.is_active:
        raise ValidationError({"user": f"{user.email}'s account is switched off."})
    if Membership.objects.filter(workspace_id=release.workspace_id, user=user).exists():
        raise ValidationError(
            {"user": f"{user.display_name} is a member of this workspace and sees it already."}
        )
    guest = _guest_make(release=release, user=user, added_by=actor)
    # An invitation still open for them would only be a second way in: close it.
    _open_invitations(release=release, email=user.email).update(revoked_at=timezone.now())
    return guest


def _guest_make(*, release: Release, user: User, added_by: User | None) -> ReleaseGuest:
    existing = ReleaseGuest.objects.filter(release=release, user=user).first()
    if existing is not None:
        return existing
    guest = ReleaseGuest(release=release, user=user, added_by=added_by)
    guest.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            guest.save()
    except IntegrityError:  # added at the same moment by someone else: theirs stands
        return ReleaseGuest.objects.get(release=release, user=user)
    return guest


@transaction.atomic
def release_guest_remove(*, release: Release, guest: User, actor: User) -> None:
    """Take ``guest`` off ``release``: they stop seeing it, stop being one of its approvers
    (release-wide and per track; their current sign-offs are superseded, so they stop
    counting) and any open invitation of theirs to it is withdrawn.

    Their comments and past sign-offs stay, as the review's history. Someone who is also a
    member of the workspace keeps what membership gives them, approvals included.
    """
    _manager(release=release, actor=actor)
    removed, _ = ReleaseGuest.objects.filter(release=release, user=guest).delete()
    withdrawn = _open_invitations(release=release, email=guest.email).update(
        revoked_at=timezone.now()
    )
    if not removed and not withdrawn:
        raise ValidationError(f"{guest.display_name} is not a guest on this release.")
    if not Membership.objects.filter(workspace_id=release.workspace_id, user=guest).exists():
        # Through the review service, so that their current sign-offs stop counting too.
        for approver in Approver.objects.filter(release=release, user=guest):
            review.approver_remove(approver=approver, actor=actor)


# --- The invitation grant (collaborators calls these) -------------------------------------------


def _granted_release(invitation: Invitation) -> Release | None:
    return (
        Release.objects.select_related("workspace")
        .filter(pk=invitation.grant_id, workspace_id=invitation.workspace_id)
        .first()
    )


def guest_invitation_accept(invitation: Invitation, user: User) -> str:
    """Accepting a guest invitation: ``user`` becomes a guest on its release (a member of the
    workspace already sees it and gets nothing more). Runs in the accepting transaction."""
    release = _granted_release(invitation)
    if release is None:
        raise InvitationError("The release this invitation was for no longer exists.")
    if not Membership.objects.filter(workspace_id=release.workspace_id, user=user).exists():
        _guest_make(release=release, user=user, added_by=invitation.invited_by)
    return release_path(release)


def guest_invitation_describe(invitation: Invitation) -> str | None:
    """ "review the album “Low Tide”" (words after "invites you to"), or None if it is gone."""
    release = _granted_release(invitation)
    if release is None:
        return None
    kind = release.get_type_display()
    kind = kind if kind.isupper() else kind.lower()  # "the EP", "the album"
    return f"review the {kind} “{release.display_title}”"


def register() -> None:
    register_invitation_grant(
        GRANT_KIND, accept=guest_invitation_accept, describe=guest_invitation_describe
    )
