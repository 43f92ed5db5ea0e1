"""A release's cover art: checked, stored under content-addressed names with a preview, and
replaced or removed without ever leaving the row pointing at a missing or half-written file.

Files live in the artwork field's storage (the media folder, or S3 through django-storages)
under ``releases/artwork/<release id>/<sha256>.<jpg|png>`` and ``…/<sha256>-600.jpg``, where
the hash is that of the stored bytes. The same cover uploaded twice is the same name, written
once. A release's files are its own: no other release's row names them, so replacing one
release's cover never deletes another's.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Q

from collaborators.models import Membership
from collaborators.permissions import Action, require

from ..artwork_check import (
    DAMAGED_MESSAGE,
    MAX_BYTES,
    ArtworkRefused,
    artwork_inspect,
    artwork_thumbnail,
)
from ..models import Release

logger = logging.getLogger(__name__)

THUMB_PX = 600
ARTWORK_FIELDS = (
    "artwork",
    "artwork_thumb",
    "artwork_width",
    "artwork_height",
    "artwork_format",
    "artwork_sha256",
    "artwork_warnings",
)
# Only what these services change is validated: a field they never touch (a legacy value, a
# row made by an older version) must not stop a cover from being set.
_OTHER_FIELDS = [f.name for f in Release._meta.concrete_fields if f.name not in ARTWORK_FIELDS]


def release_artwork_set(*, release: Release, upload: Any, user: Any) -> Release:
    """Check ``upload`` (a Django UploadedFile, a binary file object or bytes) and make it
    the release's cover, with a ``THUMB_PX`` JPEG preview turned upright by its EXIF flag.

    Preconditions: ``release`` is saved; ``user`` may edit content in its workspace
    (``PermissionDenied`` otherwise). A file that cannot be cover art raises
    ``ValidationError({"artwork": [...]})`` before anything is stored.

    Both files are written before the row is saved; if anything fails, the files this call
    wrote are deleted and the previous cover stays as it was. The previous cover's files are
    deleted once the change is committed. The files are written outside the transaction so
    no database lock is held while an image is encoded or sent to object storage.
    """
    _require_editor(user=user, release=release)
    upload_name = os.path.basename(str(getattr(upload, "name", "") or "")) or None
    try:
        report = artwork_inspect(upload, max_bytes=_max_bytes(), name=upload_name)
        thumb = artwork_thumbnail(report.content, px=THUMB_PX)
    except ArtworkRefused as exc:
        raise ValidationError({"artwork": [ValidationError(str(exc), code=exc.code)]}) from exc
    except (OSError, ValueError) as exc:  # decoded once already; a second decode failing
        raise ValidationError(
            {"artwork": [ValidationError(DAMAGED_MESSAGE, code="damaged")]}
        ) from exc

    storage = _storage()
    ext = "jpg" if report.format == "JPEG" else "png"
    base = f"releases/artwork/{release.pk}/{report.content_sha256}"
    original, preview = f"{base}.{ext}", f"{base}-{THUMB_PX}.jpg"
    files = {original: report.content, preview: thumb}
    # Names the committed row uses now: never deleted by this call's clean-up, even if this
    # call had to write them again.
    keep = set(Release.objects.filter(pk=release.pk).values_list("artwork", "artwork_thumb").get())
    written: list[str] = []
    try:
        for name, data in files.items():
            _write(storage, name, data, written)
        with transaction.atomic():
            row = Release.objects.select_for_update().get(pk=release.pk)
            previous = {row.artwork.name, row.artwork_thumb.name}
            # A concurrent replacement may have deleted a file this call found in place.
            for name, data in files.items():
                _write(storage, name, data, written)
            row.artwork.name = original
            row.artwork_thumb.name = preview
            row.artwork_width = report.width
            row.artwork_height = report.height
            row.artwork_format = report.format
            row.artwork_sha256 = report.content_sha256
            row.artwork_warnings = list(report.warnings)
            row.full_clean(exclude=_OTHER_FIELDS)
            row.save(update_fields=[*ARTWORK_FIELDS, "updated_at"])
            _delete_after_commit(storage, previous - set(files))
    except BaseException:
        for name in written:
            if name not in keep:
                _delete_quietly(storage, name)
        raise
    _copy_artwork(row, release)
    return release


@transaction.atomic
def release_artwork_remove(*, release: Release, user: Any) -> Release:
    """Take the cover off the release; its files go once that is committed.

    Preconditions: ``release`` is saved; ``user`` may edit content in its workspace.
    """
    _require_editor(user=user, release=release)
    row = Release.objects.select_for_update().get(pk=release.pk)
    previous = {row.artwork.name, row.artwork_thumb.name}
    row.artwork.name = row.artwork_thumb.name = ""
    row.artwork_width = row.artwork_height = None
    row.artwork_format = row.artwork_sha256 = ""
    row.artwork_warnings = []
    row.full_clean(exclude=_OTHER_FIELDS)
    row.save(update_fields=[*ARTWORK_FIELDS, "updated_at"])
    _delete_after_commit(_storage(), previous)
    _copy_artwork(row, release)
    return release


def _require_editor(*, user: Any, release: Release) -> None:
    if release.pk is None:
        raise ValueError("Save the release before giving it artwork.")
    role = None
    if getattr(user, "is_authenticated", False):
        role = (
            Membership.objects.filter(user=user, workspace_id=release.workspace_id)
            .values_list("role", flat=True)
            .first()
        )
    require(role, Action.CONTENT_EDIT)


def _max_bytes() -> int:
    return int(getattr(settings, "ARTWORK_MAX_BYTES", MAX_BYTES))


def _storage() -> Storage:
    return Release._meta.get_field("artwork").storage


def _write(storage: Storage, name: str, data: bytes, written: list[str]) -> None:
    """Store ``data`` at exactly ``name`` unless it is there already. The name is the content's
    hash, so a file of the right size there is this content; one of another size is what a
    killed upload left behind, and is replaced."""
    if storage.exists(name):
        try:
            if storage.size(name) == len(data):
                return
        except OSError:
            pass  # gone again since exists(): write it
        storage.delete(name)
    written.append(name)  # before saving: a save that fails half-way is cleaned up too
    saved = storage.save(name, ContentFile(data))
    if saved != name:
        # Another request wrote the same content first; the storage picked a new name for ours.
        written.remove(name)
        _delete_quietly(storage, saved)


def _delete_after_commit(storage: Storage, names: Iterable[str]) -> None:
    stale = sorted(n for n in names if n)
    if stale:
        transaction.on_commit(lambda: _delete_unreferenced(storage, stale), robust=True)


def _delete_unreferenced(storage: Storage, names: list[str]) -> None:
    for name in names:
        if not Release.objects.filter(Q(artwork=name) | Q(artwork_thumb=name)).exists():
            _delete_quietly(storage, name)


def _delete_quietly(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        # An orphan file costs space, not correctness; the error that got us here matters more.
        logger.exception("Could not delete artwork file %s", name)


def _copy_artwork(src: Release, dst: Release) -> None:
    """The caller's instance shows what was saved (it may carry ``.viewer`` and more)."""
    if dst is src:
        return
    dst.artwork = src.artwork.name
    dst.artwork_thumb = src.artwork_thumb.name
    for name in (*ARTWORK_FIELDS[2:], "updated_at"):
        setattr(dst, name, getattr(src, name))
