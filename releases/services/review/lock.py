"""The master lock: what it covers (a snapshot and its fingerprint), taking it, rechecking it
after a change, unlocking by hand."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from collaborators.audit import audit_record
from collaborators.permissions import Action

from ... import registry
from ...codes import isrc_format
from ...models import Credit, CreditRole, MasterLock, MixVersion, Release, Track
from .. import notifications
from .common import (
    _ROLE_ORDER,
    _lock_end,
    _locked_track,
    _open_lock,
    _require,
    _signoffs_supersede,
)
from .signoff import track_review_state

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
    audit_record(
        workspace=track.release.workspace_id, action="releases.master_locked", actor=user,
        summary=f"{user} locked {version.label} of “{track.title}” as the master", subject=lock,
        data={"track": track.pk, "version": version.number, "sha256": lock.sha256,
              "fingerprint": lock.fingerprint},
    )  # fmt: skip
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
    audit_record(
        workspace=track.release.workspace_id, action="releases.master_lock_ended",
        actor_name="Liner", subject=lock,
        summary=f"The master lock of “{track.title}” {lock.version.label} ended: {words}",
        data={"track": track.pk, "version": lock.version.number, "reason": words},
    )  # fmt: skip
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
    audit_record(
        workspace=track.release.workspace_id, action="releases.master_unlocked", actor=user,
        summary=f"{user} unlocked the master of “{track.title}” {lock.version.label}: {reason}",
        subject=lock, data={"track": track.pk, "version": lock.version.number, "reason": reason},
    )  # fmt: skip
    return lock
