"""Reads for workspaces and people, with access checks folded in (fetch-and-authorize)."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404

from .models import Invitation, Membership, Person, User, Workspace
from .permissions import Action, require

T = TypeVar("T", bound=Model)


def access_workspace(*, user: User, slug: str, action: Action = Action.WORKSPACE_VIEW) -> Workspace:
    """Return the workspace with ``.membership`` set, or raise.

    Someone who is not a member gets Http404, never a hint that the workspace exists; a member
    whose role does not allow ``action`` gets PermissionDenied.
    """
    if not user.is_authenticated:
        raise Http404("No such workspace.")
    membership = (
        Membership.objects.select_related("workspace")
        .filter(user=user, workspace__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such workspace.")
    require(membership.role, action)
    workspace = membership.workspace
    workspace.membership = membership
    return workspace


def memberships_for_user(*, user: User) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user).select_related("workspace").order_by("workspace__name")
    )


def workspaces_for_user(*, user: User) -> QuerySet[Workspace]:
    return Workspace.objects.visible_to(user).order_by("name")


def workspace_overview(*, workspace: Workspace) -> dict[str, int]:
    counts = Workspace.objects.filter(pk=workspace.pk).aggregate(
        members=Count("memberships", distinct=True),
        people=Count("people", distinct=True),
    )
    counts["pending_invitations"] = workspace.invitations.pending().filter(grant_kind="").count()
    return counts


def people_list(*, workspace: Workspace, search: str = "", role: str = "") -> QuerySet[Person]:
    qs = Person.objects.filter(workspace=workspace).with_roles().select_related("user")
    if search:
        qs = qs.filter(
            Q(name__icontains=search)
            | Q(email__icontains=search)
            | Q(organisation__icontains=search)
        )
    if role:
        qs = qs.filter(role_set__role=role).distinct()
    return qs


def _one_or_404(qs: QuerySet[T], pk: int | str, what: str) -> T:
    """The row ``pk`` of an already workspace-scoped queryset; anything else is a 404."""
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No such {what} in this workspace.") from exc


def access_person(*, workspace: Workspace, person_id: int | str) -> Person:
    """A person of this workspace (the caller already passed access_workspace), or 404."""
    return _one_or_404(people_list(workspace=workspace), person_id, "person")


def members_list(*, workspace: Workspace) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=workspace)
        .select_related("user")
        .order_by("user__name", "user__email")
    )


def access_membership(*, workspace: Workspace, membership_id: int | str) -> Membership:
    return _one_or_404(members_list(workspace=workspace), membership_id, "member")


def invitations_list(*, workspace: Workspace) -> QuerySet[Invitation]:
    """Invitations to join the workspace (not those to one of its releases, say)."""
    return Invitation.objects.filter(workspace=workspace, grant_kind="").select_related(
        "invited_by"
    )


def access_invitation(*, workspace: Workspace, invitation_id: int | str) -> Invitation:
    return _one_or_404(invitations_list(workspace=workspace), invitation_id, "invitation")
