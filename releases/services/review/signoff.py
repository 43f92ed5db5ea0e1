"""Approvers, where each stands on a track's latest version, and their sign-offs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from collaborators.audit import audit_record
from collaborators.permissions import Action

from ...models import Approver, MasterLock, MixVersion, Release, SignOff, Track
from .. import notifications
from .common import _approver_q, _is_approver, _locked_track, _require, latest_version, standing

# --- Approvers --------------------------------------------------------------------------------


@transaction.atomic
def approver_add(
    *, release: Release, user: Any, track: Track | None = None, actor: Any
) -> Approver:
    """Make ``user`` an approver of every track of ``release``, or of ``track`` only.

    Only members of the workspace and guests on this release can sign off. The actor needs
    ``content.edit``.
    """
    _require(user=actor, release=release, action=Action.CONTENT_EDIT)
    if track is not None and track.release_id != release.pk:
        raise ValidationError({"track": "Choose a track of this release."})
    if standing(user=user, release=release) is None:
        raise ValidationError(
            {"user": "Only members of this workspace or guests on this release can sign off."}
        )
    name = str(user)
    if Approver.objects.filter(release=release, user=user, track__isnull=True).exists():
        raise ValidationError({"user": f"{name} signs off every track of this release already."})
    if track is not None and Approver.objects.filter(track=track, user=user).exists():
        raise ValidationError({"user": f"{name} signs off this track already."})
    approver = Approver(release=release, track=track, user=user, added_by=actor)
    approver.full_clean()
    approver.save()
    tracks = (
        [track]
        if track is not None
        else list(release.tracks.filter(versions__isnull=False).distinct())
    )

    def tell() -> None:
        for t in tracks:
            notifications.notify_signoff_requested(track=t, users=[user])

    transaction.on_commit(tell)
    return approver


@transaction.atomic
def approver_remove(*, approver: Approver, actor: Any) -> None:
    """Remove an approver. Their current sign-offs on tracks they no longer approve are
    superseded ("no longer an approver"), so they stop counting."""
    release = approver.release
    _require(user=actor, release=release, action=Action.CONTENT_EDIT)
    user = approver.user
    approver.delete()
    still = Approver.objects.filter(release=release, user=user)
    if still.filter(track__isnull=True).exists():
        return
    keep = list(still.values_list("track_id", flat=True))
    SignOff.objects.filter(track__release=release, user=user, superseded_at__isnull=True).exclude(
        track_id__in=keep
    ).update(superseded_at=timezone.now(), superseded_reason="no longer an approver")


# --- Review state -----------------------------------------------------------------------------


@dataclass
class ApproverState:
    """One approver of a track and where they stand on its latest version."""

    user: Any
    release_wide: bool
    signoff: SignOff | None  # their current decision (on whichever version), if any
    latest: MixVersion | None
    entries: list[Approver] = field(default_factory=list)  # for the release, this track, or both

    @property
    def approved(self) -> bool:
        s, latest = self.signoff, self.latest
        return (
            s is not None
            and latest is not None
            and s.decision == SignOff.Decision.APPROVED
            and s.version_id == latest.pk
            and s.sha256 == latest.audio_file.sha256
        )

    @property
    def changes_requested(self) -> bool:
        s = self.signoff
        return (
            s is not None
            and self.latest is not None
            and s.decision == SignOff.Decision.CHANGES
            and s.version_id == self.latest.pk
        )

    @property
    def pending(self) -> bool:
        return not self.approved


@dataclass
class ReviewState:
    track: Track
    latest: MixVersion | None
    approvers: list[ApproverState] = field(default_factory=list)
    lock: MasterLock | None = None  # the open lock
    last_lock: MasterLock | None = None  # the newest lock, open or ended

    @property
    def approved(self) -> list[ApproverState]:
        return [a for a in self.approvers if a.approved]

    @property
    def pending(self) -> list[ApproverState]:
        return [a for a in self.approvers if a.pending]

    @property
    def fully_approved(self) -> bool:
        """Every approver approved the latest version (and there is at least one)."""
        return self.latest is not None and bool(self.approvers) and not self.pending

    @property
    def ended_lock(self) -> MasterLock | None:
        """The last lock, when it has ended and no new one was taken: "changed since lock"."""
        last = self.last_lock
        return last if last is not None and not last.active else None

    def approver_state(self, user: Any) -> ApproverState | None:
        uid = getattr(user, "pk", None)
        return next((a for a in self.approvers if a.user.pk == uid), None)


def track_review_state(track: Track) -> ReviewState:
    """Who approved what, who is pending, whether the latest version is fully approved, and the
    lock. A fixed number of queries, whatever the number of approvers or versions."""
    latest = latest_version(track)
    entries = list(
        Approver.objects.filter(_approver_q(track)).select_related("user").order_by("created_at")
    )
    signoffs = {
        s.user_id: s
        for s in SignOff.objects.filter(track=track, superseded_at__isnull=True).select_related(
            "version"
        )
    }
    by_user: dict[int, ApproverState] = {}
    for entry in entries:
        state = by_user.get(entry.user_id)
        if state is None:
            state = by_user[entry.user_id] = ApproverState(
                user=entry.user, release_wide=entry.track_id is None,
                signoff=signoffs.get(entry.user_id), latest=latest,
            )  # fmt: skip
        elif entry.track_id is None:
            state.release_wide = True
        state.entries.append(entry)
    locks = list(
        MasterLock.objects.filter(track=track)
        .select_related("version__audio_file", "locked_by")
        .order_by("-locked_at", "-id")[:1]
    )
    last = locks[0] if locks else None
    return ReviewState(
        track=track, latest=latest, approvers=list(by_user.values()),
        lock=last if last is not None and last.active else None, last_lock=last,
    )  # fmt: skip


# --- Sign-off ---------------------------------------------------------------------------------


@transaction.atomic
def signoff_record(
    *, track: Track, version: MixVersion, user: Any, decision: str, note: str = ""
) -> SignOff:
    """``user``'s decision on ``version``, which must be the track's latest version.

    Only an approver of the track (for the release or this track) decides; asking for changes
    needs a note saying what. The decision replaces the approver's previous one on this track.
    While the track's master is locked, decisions wait until it is unlocked.
    """
    track = _locked_track(track)
    if version.track_id != track.pk:
        raise ValidationError({"version": "That version is not of this track."})
    if decision not in SignOff.Decision.values:
        raise ValidationError({"decision": "Approve, or ask for changes."})
    if standing(user=user, release=track.release) is None or not _is_approver(
        user=user, track=track
    ):
        raise PermissionDenied("Only this track's approvers sign it off.")
    latest = latest_version(track) or version  # the track has a version: this one
    if latest.pk != version.pk:
        raise ValidationError(
            {
                "version": f"{version.label} is not the latest version: {latest.label} is. "
                f"Listen to {latest.label} and decide on that one."
            },
            code="not_latest",
        )
    lock = MasterLock.objects.filter(track=track, ended_at__isnull=True).first()
    if lock is not None:
        raise ValidationError(
            f"{lock.version.label} is locked as the master; it must be unlocked before "
            "decisions change.",
            code="locked",
        )
    note = (note or "").strip()
    if decision == SignOff.Decision.CHANGES and not note:
        raise ValidationError({"note": "Say what should change, so the next mix can fix it."})
    SignOff.objects.filter(track=track, user=user, superseded_at__isnull=True).update(
        superseded_at=timezone.now(), superseded_reason="replaced by a newer decision"
    )
    signoff = SignOff(
        track=track, version=latest, user=user, decision=decision,
        sha256=latest.audio_file.sha256, note=note,
    )  # fmt: skip
    signoff.full_clean()
    signoff.save()
    verb = "approved" if decision == SignOff.Decision.APPROVED else "asked for changes to"
    audit_record(
        workspace=track.release.workspace_id, action="releases.signoff", actor=user,
        summary=f"{user} {verb} “{track.title}” {latest.label}", subject=signoff,
        data={"track": track.pk, "version": latest.number, "decision": decision,
              "sha256": signoff.sha256},
    )  # fmt: skip
    transaction.on_commit(lambda: notifications.notify_signoff_given(signoff=signoff))
    return signoff
