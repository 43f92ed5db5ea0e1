"""Writing a release's deliverables checklist: the default rows, ticks, attachments, custom items.

Preconditions of every service here: the caller may edit the release's content
(``Action.CONTENT_EDIT``, checked by ``releases.access`` / the API's scoping). Items Liner works
out itself (``releases.deliverables.AUTO_KEYS``) are never ticked by hand: their state follows
the release.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from ..deliverables import AUTO_KEYS, DEFAULT_ITEMS
from ..models import Deliverable, DeliverableGroup, Release

ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024  # a press kit PDF with photos; audio goes elsewhere
ATTACHMENT_MAX_MB = ATTACHMENT_MAX_BYTES // (1024 * 1024)


def deliverables_ensure(*, release: Release) -> int:
    """Create the release's default checklist rows that do not exist yet; returns how many.

    Idempotent and safe when two requests race: each default item has a key, the
    ``deliverable_key_unique`` constraint holds one row per key, and conflicting inserts are
    skipped. One query when the rows are all there already.
    """
    have = set(
        Deliverable.objects.filter(release=release).exclude(key="").values_list("key", flat=True)
    )
    missing = [
        Deliverable(release=release, group=item.group, key=item.key, title=item.title,
                    required=item.required, position=i)
        for i, item in enumerate(DEFAULT_ITEMS)
        if item.key not in have
    ]  # fmt: skip
    if missing:
        Deliverable.objects.bulk_create(missing, ignore_conflicts=True)
    return len(missing)


def _manual(deliverable: Deliverable) -> None:
    if deliverable.key in AUTO_KEYS:
        raise ValidationError(
            f"“{deliverable.title}” is worked out by Liner from the release itself; it is done "
            "when the release is, not by ticking it.",
            code="auto_item",
        )


@transaction.atomic
def deliverable_tick(*, deliverable: Deliverable, user: Any) -> Deliverable:
    """Mark an item done (by ``user``, now). Ticking a done item again changes nothing."""
    _manual(deliverable)
    row = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if row.done_at is None:
        row.done_at = timezone.now()
        row.done_by = user if getattr(user, "is_authenticated", False) else None
        row.save(update_fields=["done_at", "done_by"])
    return row


@transaction.atomic
def deliverable_untick(*, deliverable: Deliverable, user: Any) -> Deliverable:
    """Mark an item not done again (its attachment stays)."""
    _manual(deliverable)
    row = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    if row.done_at is not None:
        row.done_at = None
        row.done_by = None
        row.save(update_fields=["done_at", "done_by"])
    return row


def _delete_after_commit(storage: Any, name: str) -> None:
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _clean_name(upload: UploadedFile) -> str:
    name = os.path.basename((upload.name or "").replace("\\", "/")).strip()
    return name[:255] or "attachment"


@transaction.atomic
def deliverable_attach(*, deliverable: Deliverable, upload: UploadedFile, user: Any) -> Deliverable:
    """Attach a file to an item (replacing any earlier one) and tick it if it was not done.

    The file is stored through the field's storage (local folder or S3) under the release's
    deliverables folder; its name as uploaded is kept in ``attachment_name``. The file it
    replaces is deleted only once the transaction has committed, so a failure keeps the old
    one; a new file stored before a failure is removed again.
    """
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError({"file": ["The file is empty."]}, code="empty")
    if size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": [f"The file is {size / 1024 / 1024:.0f} MB; attachments can be at most "
                      f"{ATTACHMENT_MAX_MB} MB. Share a larger file by link in the note."]},
            code="too_large",
        )  # fmt: skip
    row = Deliverable.objects.select_for_update().select_related("release").get(pk=deliverable.pk)
    old_name = row.attachment.name
    original = _clean_name(upload)
    field = row.attachment
    field.save(original, upload, save=False)  # the storage picks a free name if it is taken
    new_name = field.name
    try:
        row.attachment_name = original
        if row.done_at is None and row.key not in AUTO_KEYS:
            row.done_at = timezone.now()
            row.done_by = user if getattr(user, "is_authenticated", False) else None
        row.full_clean()
        row.save()
    except Exception:
        field.storage.delete(new_name)
        raise
    if old_name and old_name != new_name:
        _delete_after_commit(field.storage, old_name)
    return row


@transaction.atomic
def deliverable_attachment_remove(*, deliverable: Deliverable) -> Deliverable:
    """Take the file off an item (deleted after commit); its tick stays."""
    row = Deliverable.objects.select_for_update().get(pk=deliverable.pk)
    old_name = row.attachment.name
    if old_name:
        storage = row.attachment.storage
        row.attachment = ""
        row.attachment_name = ""
        row.save(update_fields=["attachment", "attachment_name"])
        _delete_after_commit(storage, old_name)
    return row


@transaction.atomic
def deliverable_custom_add(
    *, release: Release, group: str, title: str, required: bool = False, note: str = "",
    user: Any = None,
) -> Deliverable:  # fmt: skip
    """Add an item of the release's own to a group (last in it)."""
    last = Deliverable.objects.filter(release=release, group=group).aggregate(m=Max("position"))
    row = Deliverable(
        release=release, group=group, key="", title=(title or "").strip(), required=required,
        note=(note or "").strip(), position=(last["m"] or 0) + 1,
    )  # fmt: skip
    if group not in DeliverableGroup.values:
        raise ValidationError({"group": [f"Choose one of: {', '.join(DeliverableGroup.values)}."]})
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def deliverable_custom_remove(*, deliverable: Deliverable) -> None:
    """Remove an item someone added (with its file, after commit). Default items stay."""
    if deliverable.key:
        raise ValidationError(
            f"“{deliverable.title}” is one of Liner's default items and cannot be removed.",
            code="default_item",
        )
    name, storage = deliverable.attachment.name, deliverable.attachment.storage
    Deliverable.objects.filter(pk=deliverable.pk).delete()
    _delete_after_commit(storage, name)
