"""Who works on a release: its guests (invite, remove) and its approvers (add, remove).

Thin: ``releases.services.guests`` and ``releases.services.review`` decide who may.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from collaborators import services as invitations
from collaborators.models import Invitation, User
from collaborators.permissions import Action

from ..models import Approver, Release, ReleaseGuest
from ..services import guests, review
from .common import release_page


def _back(release: Release) -> HttpResponse:
    url = reverse("release-detail", args=[release.workspace.slug, release.pk])
    return redirect(f"{url}#people")


def _say(request: HttpRequest, exc: Exception) -> None:
    words = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
    messages.error(request, " ".join(words))


@require_POST
@release_page(Action.CONTENT_EDIT)
def guest_invite(request: HttpRequest, release: Release) -> HttpResponse:
    email = request.POST.get("email", "").strip()
    try:
        existing = User.objects.filter(email__iexact=email, is_active=True).first()
        if existing is not None and request.POST.get("add_now"):
            guests.release_guest_add(release=release, user=existing, actor=request.user)
            messages.success(request, f"{existing.display_name} is now a guest on this release.")
        else:
            guests.release_guest_invite(
                release=release, email=email, actor=request.user,
                message=request.POST.get("message", "")[:2000],
            )  # fmt: skip
            messages.success(request, f"An invitation to this release is on its way to {email}.")
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    return _back(release)


@require_POST
@release_page(Action.CONTENT_EDIT)
def guest_remove(request: HttpRequest, release: Release, user_id: int) -> HttpResponse:
    guest = ReleaseGuest.objects.filter(release=release, user_id=user_id).select_related("user")
    found = guest.first()
    if found is None:
        raise Http404("No such guest on this release.")
    try:
        guests.release_guest_remove(release=release, guest=found.user, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    else:
        messages.success(request, f"{found.user.display_name} no longer sees this release.")
    return _back(release)


@require_POST
@release_page(Action.CONTENT_EDIT)
def guest_invitation_withdraw(
    request: HttpRequest, release: Release, invitation_id: int
) -> HttpResponse:
    invitation = Invitation.objects.filter(
        pk=invitation_id, workspace=release.workspace, grant_kind=guests.GRANT_KIND,
        grant_id=release.pk, accepted_at__isnull=True, revoked_at__isnull=True,
    ).first()  # fmt: skip
    if invitation is None:
        raise Http404("No such open invitation to this release.")
    try:
        invitations.invitation_revoke(actor=release.workspace.membership, invitation=invitation)
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    else:
        messages.success(request, f"The invitation to {invitation.email} is withdrawn.")
    return _back(release)


@require_POST
@release_page(Action.CONTENT_EDIT)
def approver_add(request: HttpRequest, release: Release) -> HttpResponse:
    user = User.objects.filter(pk=request.POST.get("user") or 0).first()
    track = None
    if request.POST.get("track"):
        track = release.tracks.filter(pk=request.POST["track"]).first()
        if track is None:
            raise Http404("No such track on this release.")
    if user is None:
        messages.error(request, "Choose who signs off.")
        return _back(release)
    try:
        review.approver_add(release=release, user=user, track=track, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    else:
        where = f"“{track}”" if track else "every track"
        messages.success(request, f"{user.display_name} now signs off {where}.")
    return _back(release)


@require_POST
@release_page(Action.CONTENT_EDIT)
def approver_remove(request: HttpRequest, release: Release, approver_id: int) -> HttpResponse:
    approver = Approver.objects.filter(pk=approver_id, release=release).first()
    if approver is None:
        raise Http404("No such approver on this release.")
    try:
        review.approver_remove(approver=approver, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _say(request, exc)
    else:
        messages.success(request, f"{approver.user.display_name} no longer signs off here.")
    return _back(release)
