"""What the track page posts: a new mix version, comments and replies, resolving, sign-off,
approvers, locking and unlocking. Each calls one service; a refusal in words re-renders the
page with the message next to its field (400), a wrong role is a 403, another track's row a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from audio.services.uploads import size_words
from collaborators.models import User
from collaborators.permissions import Action

from ..models import Approver, SignOff, Track
from ..services import review
from .review import (
    as_int,
    comment_of,
    error_lists,
    page_url,
    parse_time,
    render_page,
    track_page,
    version_of,
)

UPLOAD_OVERHEAD = 1 << 20  # multipart framing around a file under the limit


# --- Versions ---------------------------------------------------------------------------------


@csrf_exempt  # checked by _version_upload, once the body is known not to be too large to read
@require_POST
def version_upload(request: HttpRequest, workspace_slug: str, release_id: int, track_id: int):
    """A new mix version (file + note). A body over the limit is refused before it is read."""
    length = as_int(request.META.get("CONTENT_LENGTH")) or 0
    if length > settings.AUDIO_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD:
        return _upload_too_large(request, workspace_slug, release_id, track_id, length=length)
    return _version_upload(request, workspace_slug, release_id, track_id)


@track_page()
def _upload_too_large(request: HttpRequest, track: Track, *, length: int) -> HttpResponse:
    limit = size_words(settings.AUDIO_MAX_UPLOAD_BYTES)
    text = (
        f"That file is {size_words(length)}, over the limit of {limit}. Nothing was stored. "
        "A 24-bit WAV or a FLAC of the mix is plenty."
    )
    return render_page(request, track, status=413, errors={"upload": {"file": [text]}})


@csrf_protect
@track_page()
def _version_upload(request: HttpRequest, track: Track) -> HttpResponse:
    upload = request.FILES.get("file")
    note = request.POST.get("note", "")
    if upload is None:
        errors = {"file": ["Choose the mix to upload."]}
        return render_page(
            request, track, status=400, errors={"upload": errors}, values={"note": note}
        )
    try:
        version = review.mix_version_add(track=track, upload=upload, user=request.user, note=note)
    except ValidationError as exc:
        return render_page(
            request,
            track,
            status=400,
            errors={"upload": error_lists(exc, "file")},
            values={"note": note},
        )
    messages.success(request, f"{version.label} is up; its analysis has started.")
    return redirect(page_url(track, version.number, "player"))


# --- Comments ---------------------------------------------------------------------------------


@require_POST
@track_page(Action.REVIEW_COMMENT)
def comment_add(request: HttpRequest, track: Track) -> HttpResponse:
    version = version_of(track, request.POST.get("version"))
    at_text, body = request.POST.get("at", ""), request.POST.get("body", "")
    values = {"at": at_text, "body": body}
    at_s = parse_time(at_text)
    if at_s is None:
        errors = {"at_s": ["Say where in the mix, as minutes:seconds, e.g. 1:23."]}
        return render_page(
            request,
            track,
            status=400,
            errors={"comment": errors},
            values=values,
            selected_number=version.number,
        )
    try:
        comment = review.comment_add(version=version, user=request.user, at_s=at_s, body=body)
    except ValidationError as exc:
        return render_page(
            request,
            track,
            status=400,
            errors={"comment": error_lists(exc, "body")},
            values=values,
            selected_number=version.number,
        )
    messages.success(request, f"Comment added at {review.clock(comment.at_s or 0)}.")
    return redirect(page_url(track, version.number, f"comment-{comment.pk}"))


@require_POST
@track_page(Action.REVIEW_COMMENT)
def comment_reply(request: HttpRequest, track: Track, comment_id: int) -> HttpResponse:
    parent = comment_of(track, comment_id)
    body = request.POST.get("body", "")
    try:
        reply = review.comment_reply(parent=parent, user=request.user, body=body)
    except ValidationError as exc:
        return render_page(
            request,
            track,
            status=400,
            errors={"reply": error_lists(exc, "body")},
            values={"reply_to": parent.parent_id or parent.pk, "reply_body": body},
            selected_number=request.POST.get("v"),
        )
    return redirect(page_url(track, request.POST.get("v"), f"comment-{reply.pk}"))


def _thread_action(request: HttpRequest, track: Track, comment_id: int, resolve: bool):
    comment = comment_of(track, comment_id)
    service = review.comment_resolve if resolve else review.comment_reopen
    root = service(comment=comment, user=request.user)
    messages.success(request, "Thread resolved." if resolve else "Thread reopened.")
    return redirect(page_url(track, request.POST.get("v"), f"comment-{root.pk}"))


@require_POST
@track_page(Action.REVIEW_COMMENT)
def comment_resolve(request: HttpRequest, track: Track, comment_id: int) -> HttpResponse:
    return _thread_action(request, track, comment_id, resolve=True)


@require_POST
@track_page(Action.REVIEW_COMMENT)
def comment_reopen(request: HttpRequest, track: Track, comment_id: int) -> HttpResponse:
    return _thread_action(request, track, comment_id, resolve=False)


# --- Approvers, sign-off, lock ----------------------------------------------------------------


@require_POST
@track_page()
def signoff(request: HttpRequest, track: Track) -> HttpResponse:
    """An approver's decision on the latest version. Anyone else: 403."""
    version = version_of(track, request.POST.get("version"))
    decision, note = request.POST.get("decision", ""), request.POST.get("note", "")
    try:
        review.signoff_record(
            track=track, version=version, user=request.user, decision=decision, note=note
        )
    except ValidationError as exc:
        return render_page(
            request,
            track,
            status=400,
            errors={"signoff": error_lists(exc)},
            values={"signoff_note": note},
        )
    words = "approved" if decision == SignOff.Decision.APPROVED else "asked for changes on"
    messages.success(request, f"You {words} {version.label}.")
    return redirect(page_url(track, None, "signoff"))


@require_POST
@track_page(Action.CONTENT_EDIT)
def approver_add(request: HttpRequest, track: Track) -> HttpResponse:
    # Only people who may sign off are found; any other id reads as no choice at all.
    user = (
        User.objects.filter(pk=as_int(request.POST.get("user")))
        .filter(
            Q(memberships__workspace_id=track.workspace_id)
            | Q(guest_releases__release_id=track.release_id)
        )
        .distinct()
        .first()
    )
    if user is None:
        messages.error(
            request, "Choose someone of this workspace, or a guest on this release, to sign off."
        )
        return redirect(page_url(track, None, "approvers"))
    only_this = request.POST.get("scope") == "track"
    try:
        review.approver_add(
            release=track.release, user=user, track=track if only_this else None, actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        scope = "this track" if only_this else "every track of the release"
        messages.success(request, f"{user} now signs off {scope}.")
    return redirect(page_url(track, None, "approvers"))


@require_POST
@track_page(Action.CONTENT_EDIT)
def approver_remove(request: HttpRequest, track: Track, approver_id: int) -> HttpResponse:
    approver = (
        Approver.objects.select_related("user", "release")
        .filter(pk=approver_id, release_id=track.release_id)
        .filter(Q(track__isnull=True) | Q(track=track))
        .first()
    )
    if approver is None:
        raise Http404("No such approver on this track.")
    review.approver_remove(approver=approver, actor=request.user)
    messages.success(request, f"{approver.user} no longer signs off.")
    return redirect(page_url(track, None, "approvers"))


@require_POST
@track_page(Action.CONTENT_EDIT)
def lock(request: HttpRequest, track: Track) -> HttpResponse:
    version = version_of(track, request.POST.get("version"))
    try:
        review.master_lock(track=track, version=version, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{version.label} is locked as the master.")
    return redirect(page_url(track, None, "lock"))


@require_POST
@track_page(Action.CONTENT_EDIT)
def unlock(request: HttpRequest, track: Track) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        review.master_unlock(track=track, user=request.user, reason=reason)
    except ValidationError as exc:
        return render_page(
            request,
            track,
            status=400,
            errors={"unlock": error_lists(exc, "reason")},
            values={"reason": reason},
        )
    messages.success(request, "The master is unlocked.")
    return redirect(page_url(track, None, "lock"))
