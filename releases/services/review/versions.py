"""New mix versions: numbered under the track's row lock; they reset sign-offs and the lock."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from audio.services import uploads as audio_uploads

from ...models import MixVersion, Track
from .. import notifications
from .common import (
    NOTE_MAX,
    _lock_end,
    _locked_track,
    _open_lock,
    _signoffs_supersede,
    version_upload_allowed,
)


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
