"""Mix review: versions of a track's mix, timestamped comments, approvers, sign-off, the lock.

- A new version is numbered v1, v2 … under a lock on the track row, so two uploads at once
  never share a number or leave a gap. It resets the track's sign-offs (they are superseded,
  with the reason, never deleted) and ends its master lock.
- A sign-off names the exact bytes decided on (the audio's SHA-256) and only ever applies to
  the track's latest version; each approver has one current sign-off per track.
- A lock takes a snapshot of what it covers (``master_snapshot``); a recheck after a change
  compares the snapshot taken now and ends the lock, saying what changed.

Who may do what: members by their role (``collaborators.permissions``), guests on the release
with ``GUEST_ACTIONS``. Uploading a version needs ``content.edit``, except that a guest may
upload to a track they sign off, or one they are credited on as its engineer, producer or
remixer (the mixing engineer is often a guest): see ``version_upload_allowed``. Approving needs
an approver entry, locking ``content.edit``.

Everyone is told after the commit (``releases.services.notifications``).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from audio.services import uploads as audio_uploads
from collaborators.models import Membership
from collaborators.permissions import GUEST, Action, can

from .. import registry
from ..codes import isrc_format
from ..models import (
    Approver,
    Comment,
    Credit,
    CreditRole,
    MasterLock,
    MixVersion,
    Release,
    ReleaseGuest,
    SignOff,
    Track,
)
from . import notifications

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


# --- Versions ---------------------------------------------------------------------------------


@transaction.atomic
def mix_version_add(*, track: Track, upload: Any, user: Any, note: str = "") -> MixVersion:
    """Take ``upload`` as the track's next mix version.

    The file goes to audio (``audio_upload``: checked, stored once per workspace, analysed after
    the commit); a file audio refuses is a ValidationError on ``file`` and nothing is written.
    The same bytes as an existing version of this track are refused ("the same file as v2").
    The new version supersedes the track's current sign-offs and ends its master lock.
    """
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": f"Keep the note under {NOTE_MAX} characters."})
    if not version_upload_allowed(user=user, track=track):
        raise PermissionDenied("You can't upload mixes of this track.")
    audio, created = audio_uploads.audio_upload(workspace=track.workspace, upload=upload, user=user)
    try:
        track = _locked_track(track)
        same = MixVersion.objects.filter(track=track, audio_file=audio).first()
        if same is not None:
            raise ValidationError(
                {"file": f"This is the same file as {same.label}; nothing was added."},
                code="duplicate",
            )
        last = track.versions.aggregate(last=Max("number"))["last"] or 0
        version = MixVersion(
            track=track, number=last + 1, audio_file=audio, note=note, uploaded_by=user
        )
        version.full_clean()
        version.save()
        reason = f"{version.label} arrived"
        _signoffs_supersede(track=track, reason=reason)
        lock = _open_lock(track)
        if lock is not None:
            _lock_end(lock=lock, reason=reason)
    except BaseException:
        if created:
            # The row goes with this transaction; the stored bytes would stay behind.
            audio.file.storage.delete(audio.file.name)
        raise
    transaction.on_commit(lambda: notifications.notify_new_version(version=version))
    return version


def latest_version(track: Track) -> MixVersion | None:
    return track.versions.select_related("audio_file").order_by("-number").first()


# --- Comments ---------------------------------------------------------------------------------


def _body(body: Any) -> str:
    text = str(body or "").strip()
    if not text:
        raise ValidationError({"body": "Write something first."})
    if len(text) > BODY_MAX:
        raise ValidationError(
            {"body": f"Keep a comment under {BODY_MAX} characters (this one has {len(text)})."}
        )
    return text


def clock(seconds: float) -> str:
    """1:23 (or 1:02:03), for messages."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _time(at_s: Any, version: MixVersion) -> float:
    try:
        at = float(at_s)
    except (TypeError, ValueError):
        raise ValidationError({"at_s": "Say where in the mix, e.g. 1:23."}) from None
    if not math.isfinite(at) or at < 0:
        raise ValidationError({"at_s": "Say where in the mix, e.g. 1:23."})
    duration = version.audio_file.duration_s
    if at > duration:
        raise ValidationError(
            {
                "at_s": f"{version.label} is {clock(duration)} long; "
                f"{clock(at)} is past its end. Choose a time within it."
            }
        )
    return round(at, 2)


def _thread_root(comment: Comment) -> Comment:
    return comment.parent if comment.parent_id else comment


@transaction.atomic
def comment_add(*, version: MixVersion, user: Any, at_s: float, body: str) -> Comment:
    """A new thread on ``version`` at ``at_s`` seconds (within the version's duration)."""
    track = version.track
    _require(user=user, release=track.release, action=Action.REVIEW_COMMENT)
    comment = Comment(
        track=track, version=version, author=user, at_s=_time(at_s, version), body=_body(body)
    )
    comment.full_clean()
    comment.save()
    transaction.on_commit(lambda: notifications.notify_comment(comment=comment))
    return comment


@transaction.atomic
def comment_reply(*, parent: Comment, user: Any, body: str) -> Comment:
    """A reply in ``parent``'s thread (a reply to a reply goes on the thread's first comment)."""
    root = _thread_root(parent)
    _require(user=user, release=root.track.release, action=Action.REVIEW_COMMENT)
    reply = Comment(
        track_id=root.track_id, version_id=root.version_id, parent=root, author=user,
        at_s=None, body=_body(body),
    )  # fmt: skip
    reply.full_clean()
    reply.save()
    transaction.on_commit(lambda: notifications.notify_comment(comment=reply))
    return reply


def _thread_locked(comment: Comment, user: Any) -> Comment:
    root = _thread_root(comment)
    _require(user=user, release=root.track.release, action=Action.REVIEW_COMMENT)
    return Comment.objects.select_for_update().get(pk=root.pk)


@transaction.atomic
def comment_resolve(*, comment: Comment, user: Any) -> Comment:
    """Mark the comment's thread resolved (a thread already resolved stays as it was)."""
    root = _thread_locked(comment, user)
    if root.resolved_at is None:
        root.resolved_at = timezone.now()
        root.resolved_by = user
        root.save(update_fields=["resolved_at", "resolved_by"])
    return root


@transaction.atomic
def comment_reopen(*, comment: Comment, user: Any) -> Comment:
    """Open the comment's thread again."""
    root = _thread_locked(comment, user)
    if root.resolved_at is not None:
        root.resolved_at = None
        root.resolved_by = None
        root.save(update_fields=["resolved_at", "resolved_by"])
    return root


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
            by_user[entry.user_id] = ApproverState(
                user=entry.user, release_wide=entry.track_id is None,
                signoff=signoffs.get(entry.user_id), latest=latest,
            )  # fmt: skip
        elif entry.track_id is None:
            state.release_wide = True
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
    transaction.on_commit(lambda: notifications.notify_signoff_given(signoff=signoff))
    return signoff


# --- The master lock --------------------------------------------------------------------------


def _credit_rows(track: Track) -> list[dict[str, Any]]:
    credits = Credit.objects.filter(Q(track=track) | Q(release_id=track.release_id)).select_related(
        "person"
    )
    rows = [
        {
            "on": "track" if c.track_id else "release", "person_id": c.person_id,
            "name": c.person.name, "role": c.role, "instrument": c.instrument,
            "_order": (0 if c.release_id else 1, _ROLE_ORDER.get(c.role, 99), c.position),
        }
        for c in credits
    ]  # fmt: skip
    # Stable order: by scope, role, then position within the role; never by row id, which a
    # credit removed and added again changes.
    rows.sort(key=lambda r: (*r["_order"], r["person_id"], r["instrument"]))
    for r in rows:
        del r["_order"]
    return rows


def master_snapshot(*, track: Track, version: MixVersion) -> dict[str, Any]:
    """What a lock of ``version`` as ``track``'s master covers, as it stands now: the audio's
    SHA-256, the ISRC, the credits of the track and of its release, and each registered part
    (``releases.registry``)."""
    parts = {}
    for part in registry.lock_parts():
        value = part.fn(track)
        try:
            json.dumps(value)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"Lock part {part.name!r} returned data that is not JSON.") from exc
        parts[part.name] = value
    return {
        "audio": {"version": version.number, "sha256": version.audio_file.sha256},
        "isrc": track.isrc,
        "credits": _credit_rows(track),
        "parts": parts,
    }


def snapshot_fingerprint(covered: dict[str, Any]) -> str:
    canonical = json.dumps(covered, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _credit_words(row: dict[str, Any]) -> str:
    role = CreditRole(row["role"]).label if row["role"] in CreditRole.values else row["role"]
    what = f"{role} ({row['instrument']})" if row["instrument"] else role
    return f"{row['name']} as {what.lower()}{' of the release' if row['on'] == 'release' else ''}"


def _credits_changes(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    def key(r: dict[str, Any]) -> tuple:
        return (r.get("on"), r.get("person_id"), r.get("role"), r.get("instrument"))

    before, after = {key(r): r for r in old}, {key(r): r for r in new}
    words = [f"{_credit_words(after[k])} added" for k in after if k not in before]
    words += [f"{_credit_words(before[k])} removed" for k in before if k not in after]
    renamed = {
        (before[k]["name"], after[k]["name"])
        for k in after
        if k in before and before[k]["name"] != after[k]["name"]
    }
    words += [f"{a} is now named {b}" for a, b in sorted(renamed)]
    if not words and old != new:
        words.append("their order changed")
    return words


def snapshot_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What differs between two snapshots, in words ("the ISRC changed from … to …")."""
    changes = []
    if (old.get("audio") or {}).get("sha256") != (new.get("audio") or {}).get("sha256"):
        changes.append("the audio changed")
    if (old.get("isrc") or "") != (new.get("isrc") or ""):
        changes.append(
            f"the ISRC changed from {isrc_format(old.get('isrc') or '') or 'none'} "
            f"to {isrc_format(new.get('isrc') or '') or 'none'}"
        )
    if (old.get("credits") or []) != (new.get("credits") or []):
        detail = _credits_changes(old.get("credits") or [], new.get("credits") or [])
        changes.append("credits changed" + (f" ({'; '.join(detail)})" if detail else ""))
    old_parts, new_parts = old.get("parts") or {}, new.get("parts") or {}
    labels = {p.name: p.label for p in registry.lock_parts()}
    for name in sorted(set(old_parts) | set(new_parts)):
        if old_parts.get(name) != new_parts.get(name):
            changes.append(f"{labels.get(name, name.replace('_', ' '))} changed")
    return changes


@transaction.atomic
def master_lock(*, track: Track, version: MixVersion, user: Any) -> MasterLock:
    """Lock ``version`` as the track's master: it must be the latest version and approved by
    every approver. The lock records what it covers (``master_snapshot``) and its fingerprint.
    Needs ``content.edit`` (members, not guests)."""
    _require(user=user, release=track.release, action=Action.CONTENT_EDIT)
    track = _locked_track(track)
    if version.track_id != track.pk:
        raise ValidationError({"version": "That version is not of this track."})
    state = track_review_state(track)
    if state.lock is not None:
        raise ValidationError(f"{state.lock.version.label} is locked as the master already.")
    latest = state.latest or version  # the track has a version: this one
    if latest.pk != version.pk:
        raise ValidationError(
            {"version": f"Only the latest version ({latest.label}) can be locked."},
            code="not_latest",
        )
    if not state.approvers:
        raise ValidationError("Name at least one approver, and get their approval, first.")
    if not state.fully_approved:
        waiting = ", ".join(str(a.user) for a in state.pending)
        raise ValidationError(
            f"{version.label} needs every approver's approval first; waiting for {waiting}.",
            code="not_approved",
        )
    version = latest
    covered = master_snapshot(track=track, version=version)
    lock = MasterLock(
        track=track, version=version, sha256=version.audio_file.sha256, covered=covered,
        fingerprint=snapshot_fingerprint(covered), locked_by=user,
    )  # fmt: skip
    lock.full_clean()
    lock.save()
    return lock


@transaction.atomic
def master_lock_recheck(*, track: Track, reason: str) -> bool:
    """After a change to what locks cover: end the track's open lock if the snapshot taken now
    differs, saying what changed, and supersede its current sign-offs. True if it ended.

    ``reason`` is what the caller changed; the lock's own words come from comparing the
    snapshots, and ``reason`` stands in when they find nothing to name. Reads the track from
    the database: save the change first.
    """
    track = _locked_track(track)
    lock = _open_lock(track)
    if lock is None:
        return False
    now = master_snapshot(track=track, version=lock.version)
    if snapshot_fingerprint(now) == lock.fingerprint:
        return False
    words = "; ".join(snapshot_changes(lock.covered, now)) or reason or "what it covers changed"
    _lock_end(lock=lock, reason=words)
    _signoffs_supersede(track=track, reason=f"the master lock ended: {words}")
    users = [a.user for a in track_review_state(track).approvers]
    transaction.on_commit(lambda: notifications.notify_signoff_requested(track=track, users=users))
    return True


@transaction.atomic
def master_locks_recheck_release(*, release: Release, reason: str) -> list[Track]:
    """``master_lock_recheck`` for every locked track of ``release`` (after a change to the
    release's credits); the tracks whose locks ended."""
    locked = Track.objects.filter(release=release, locks__ended_at__isnull=True).order_by("pk")
    return [t for t in locked if master_lock_recheck(track=t, reason=reason)]


@transaction.atomic
def master_unlock(*, track: Track, user: Any, reason: str) -> MasterLock:
    """End the track's lock by hand (``content.edit``), saying why. Sign-offs stay: the same
    version can be locked again once what needed fixing is fixed."""
    _require(user=user, release=track.release, action=Action.CONTENT_EDIT)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the master is unlocked."})
    track = _locked_track(track)
    lock = _open_lock(track)
    if lock is None:
        raise ValidationError("This track's master is not locked.")
    _lock_end(lock=lock, reason=f"unlocked by {user}: {reason}")
    return lock


def track_duration_s(track: Track) -> float | None:
    """The track's duration: its locked master's, or None while no master is locked."""
    lock = (
        MasterLock.objects.filter(track=track, ended_at__isnull=True)
        .select_related("version__audio_file")
        .first()
    )
    return lock.version.audio_file.duration_s if lock is not None else None
