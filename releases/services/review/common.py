"""What the review services share: who stands where on a release, the track's row lock, and
superseding sign-offs and ending locks (with the reason, never deleting)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from collaborators.models import Membership
from collaborators.permissions import GUEST, Action, can

from ...models import (
    Approver,
    Credit,
    CreditRole,
    MasterLock,
    MixVersion,
    Release,
    ReleaseGuest,
    SignOff,
    Track,
)

BODY_MAX = 5000
NOTE_MAX = 500
REASON_MAX = 300
SUPERSEDED_MAX = 200

# Credits that make the audio: a guest credited so on a track may upload its versions.
MAKER_ROLES = frozenset(
    {
        CreditRole.MIXING_ENGINEER,
        CreditRole.RECORDING_ENGINEER,
        CreditRole.MASTERING_ENGINEER,
        CreditRole.PRODUCER,
        CreditRole.CO_PRODUCER,
        CreditRole.REMIXER,
    }
)
_ROLE_ORDER = {role: i for i, role in enumerate(CreditRole.values)}


# --- Standing ---------------------------------------------------------------------------------


def standing(*, user: Any, release: Release) -> str | None:
    """The user's role on ``release``: their membership role, ``guest``, or None (a stranger)."""
    if not getattr(user, "is_authenticated", False):
        return None
    role = (
        Membership.objects.filter(user=user, workspace_id=release.workspace_id)
        .values_list("role", flat=True)
        .first()
    )
    if role:
        return role
    if ReleaseGuest.objects.filter(user=user, release=release).exists():
        return GUEST
    return None


def _require(*, user: Any, release: Release, action: Action) -> str:
    """The user's role, if it allows ``action`` on ``release``.

    A stranger to the release is a ValidationError (the object is not theirs to name; the
    access layer has made it a 404 already); a role that does not allow it, PermissionDenied.
    """
    role = standing(user=user, release=release)
    if role is None:
        raise ValidationError("This is not on a release you work on.", code="not_yours")
    if not can(role, action):
        words = {
            Action.REVIEW_COMMENT: "comment on mixes",
            Action.CONTENT_EDIT: "change this release",
        }.get(action, str(action))
        raise PermissionDenied(f"Your role on this release does not let you {words}.")
    return role


def _approver_q(track: Track) -> Q:
    return Q(release_id=track.release_id) & (Q(track__isnull=True) | Q(track_id=track.pk))


def _is_approver(*, user: Any, track: Track) -> bool:
    return Approver.objects.filter(_approver_q(track), user=user).exists()


def version_upload_allowed(*, user: Any, track: Track) -> bool:
    """Whether ``user`` may upload a new mix version of ``track``.

    Members whose role allows ``content.edit``. A guest on the release when they sign off this
    track, or are credited (as a person of the address book with their login) on the track or
    the release as a mixing, recording or mastering engineer, producer, co-producer or remixer:
    the engineer sending the next mix is often a guest. Everyone else, no.
    """
    role = standing(user=user, release=track.release)
    if role is None:
        return False
    if role != GUEST:
        return can(role, Action.CONTENT_EDIT)
    if _is_approver(user=user, track=track):
        return True
    return Credit.objects.filter(
        Q(track=track) | Q(release_id=track.release_id),
        person__user=user,
        role__in=MAKER_ROLES,
    ).exists()


def _locked_track(track: Track) -> Track:
    """The track's row, locked for this transaction (two writers queue here)."""
    return Track.objects.select_for_update().select_related("release", "workspace").get(pk=track.pk)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _signoffs_supersede(*, track: Track, reason: str) -> int:
    """End the track's current sign-offs with ``reason``; they stay on record."""
    return SignOff.objects.filter(track=track, superseded_at__isnull=True).update(
        superseded_at=timezone.now(), superseded_reason=_clip(reason, SUPERSEDED_MAX)
    )


def _lock_end(*, lock: MasterLock, reason: str) -> None:
    lock.ended_at = timezone.now()
    lock.ended_reason = _clip(reason, REASON_MAX)
    lock.full_clean()
    lock.save(update_fields=["ended_at", "ended_reason"])


def _open_lock(track: Track) -> MasterLock | None:
    return (
        MasterLock.objects.select_for_update()
        .filter(track=track, ended_at__isnull=True)
        .select_related("version__audio_file")
        .first()
    )


def latest_version(track: Track) -> MixVersion | None:
    return track.versions.select_related("audio_file").order_by("-number").first()


def clock(seconds: float) -> str:
    """1:23 (or 1:02:03), for messages."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
