"""Licences: create, change, delete, attach the signed document, and the expiry alerts."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from collaborators.currencies import CURRENCY_CODES
from collaborators.models import Membership, Person, Workspace
from collaborators.permissions import Role
from releases.codes import CodeError, territory_name, territory_normalize
from releases.models import Track

from ..models import ALERT_DAYS, Licence, LicenceAlert, Work

DOCUMENT_MAX_BYTES = 25 * 1024 * 1024
EXPIRING_DAYS = 90

# Checked by content, not by the name's extension: the first bytes of each accepted format.
# PDF "%PDF-" (ISO 32000-1 §7.5.2), PNG's 8-byte signature (RFC 2083 §3.1), JPEG's SOI marker
# and a following marker (ITU T.81 B.1.1.2), DOCX is a ZIP (PKZIP APPNOTE 4.3.7 "PK\3\4")
# holding "word/document.xml" (ECMA-376 Part 2, the main part of a WordprocessingML package).
_PDF, _PNG, _JPEG = b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
_ZIP = b"PK\x03\x04"

FIELDS = (
    "direction", "kind", "title", "counterparty", "work", "track", "media", "territories",
    "term_start", "term_end", "fee", "currency", "exclusive", "mfn", "status", "notes",
)  # fmt: skip


def territories_normalize(value: Any) -> list[str]:
    """A list (or comma/space separated text) of country codes, upper-cased, deduplicated."""
    if value is None or value == "":
        return []
    items = value.replace(",", " ").split() if isinstance(value, str) else list(value)
    codes: list[str] = []
    for item in items:
        try:
            code = territory_normalize(str(item))
        except CodeError as exc:
            raise ValidationError({"territories": str(exc)}) from exc
        if code not in codes:
            codes.append(code)
    return codes


def _check_scope(*, licence: Licence) -> None:
    ws = licence.workspace_id
    errors: dict[str, str] = {}
    if (
        licence.counterparty_id
        and not Person.objects.filter(pk=licence.counterparty_id, workspace_id=ws).exists()
    ):
        errors["counterparty"] = "Choose a person of this workspace."
    if licence.work_id and not Work.objects.filter(pk=licence.work_id, workspace_id=ws).exists():
        errors["work"] = "Choose a work of this workspace."
    if (
        licence.track_id
        and not Track.objects.filter(pk=licence.track_id, release__workspace_id=ws).exists()
    ):
        errors["track"] = "Choose a track of this workspace."
    if not licence.work_id and not licence.track_id:
        errors["work"] = "Say what the licence covers: a work, a recording, or both."
    if licence.term_start and licence.term_end and licence.term_end < licence.term_start:
        errors["term_end"] = "The term ends on or after the day it starts."
    if licence.currency not in CURRENCY_CODES:
        errors["currency"] = f"“{licence.currency}” is not an ISO 4217 currency code."
    if licence.fee is not None and Decimal(licence.fee) < 0:
        errors["fee"] = "The fee is zero or more."
    if errors:
        raise ValidationError(errors)


def _apply(licence: Licence, values: dict[str, Any]) -> None:
    for name, value in values.items():
        if name not in FIELDS:
            raise TypeError(f"Unknown licence field {name!r}.")
        if name == "territories":
            value = territories_normalize(value)
        elif name == "currency":
            value = (value or "").strip().upper()
        elif name in ("counterparty", "work", "track"):
            setattr(licence, f"{name}_id", getattr(value, "pk", value))
            continue
        setattr(licence, name, value)


@transaction.atomic
def licence_create(*, workspace: Workspace, user: Any, **values: Any) -> Licence:
    """A new licence of ``workspace``; ``values`` are the model's fields (counterparty, work and
    track as objects or ids of this workspace)."""
    licence = Licence(workspace=workspace, created_by=user if user else None)
    values.setdefault("currency", workspace.default_currency)
    _apply(licence, values)
    _check_scope(licence=licence)
    licence.full_clean()
    licence.save()
    return licence


@transaction.atomic
def licence_update(*, licence: Licence, user: Any, **values: Any) -> Licence:
    """Change the given fields of ``licence``. A later end date allows new expiry alerts (they
    are kept per end date)."""
    licence = Licence.objects.select_for_update().get(pk=licence.pk)
    _apply(licence, values)
    _check_scope(licence=licence)
    licence.full_clean()
    licence.save()
    return licence


@transaction.atomic
def licence_delete(*, licence: Licence, user: Any) -> None:
    """Delete the licence and, once the deletion is committed, its document."""
    name = licence.document.name if licence.document else ""
    storage = licence.document.storage if licence.document else None
    licence.delete()
    if name and storage is not None:
        transaction.on_commit(lambda: storage.delete(name))


def document_kind(head: bytes, upload: UploadedFile) -> str:
    """The document's format from its first bytes ("pdf", "png", "jpeg", "docx"), or raise."""
    if head.startswith(_PDF):
        return "pdf"
    if head.startswith(_PNG):
        return "png"
    if head.startswith(_JPEG):
        return "jpeg"
    if head.startswith(_ZIP):
        import zipfile

        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as z:
                if "word/document.xml" in z.namelist():
                    return "docx"
        except zipfile.BadZipFile:
            pass
    raise ValidationError(
        {"document": "Upload the licence as a PDF, PNG, JPEG or Word (.docx) file."},
        code="bad_document",
    )


_EXT = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "docx": ".docx"}


def licence_document_attach(*, licence: Licence, upload: UploadedFile) -> Licence:
    """Store ``upload`` as the licence's document, replacing the old one only once the new one
    is saved (a failed upload keeps the old document)."""
    if upload.size is not None and upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError(
            {"document": "The document is larger than 25 MB."}, code="document_too_large"
        )
    upload.seek(0)
    head = upload.read(16)
    kind = document_kind(head, upload)
    upload.seek(0)
    original = os.path.basename(upload.name or "licence")[:255] or "licence"
    field = Licence._meta.get_field("document")
    # A fresh name each time: the old file stays where it is until the row points elsewhere.
    stored_name = field.generate_filename(licence, f"{uuid.uuid4().hex}{_EXT[kind]}")
    storage = field.storage
    saved = storage.save(stored_name, upload)
    try:
        with transaction.atomic():
            locked = Licence.objects.select_for_update().get(pk=licence.pk)
            old = locked.document.name if locked.document else ""
            locked.document.name = saved
            locked.document_name = original
            locked.save(update_fields=["document", "document_name", "updated_at"])
    except BaseException:
        storage.delete(saved)
        raise
    if old and old != saved:
        storage.delete(old)
    licence.document.name, licence.document_name = saved, original
    return locked


# --- What the pages and the API show ----------------------------------------------------------


def licences_filter(*, qs: QuerySet[Licence], state: str = "", today: date) -> QuerySet[Licence]:
    """``state``: "expiring" (active, ends within 90 days), "expired" (ended before today),
    "active" (status active and not ended); anything else: all."""
    if state == "expiring":
        return qs.filter(
            status=Licence.Status.ACTIVE,
            term_end__gte=today,
            term_end__lte=today + timedelta(days=EXPIRING_DAYS),
        )
    if state == "expired":
        return qs.filter(term_end__lt=today)
    if state == "active":
        from django.db.models import Q

        return qs.filter(status=Licence.Status.ACTIVE).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=today)
        )
    return qs


def licence_days_left(*, licence: Licence, today: date) -> int | None:
    return None if licence.term_end is None else (licence.term_end - today).days


def licence_covers(*, licence: Licence) -> str:
    """ "“Northern Line” (work) and “Northern Line” (recording), film, GB, SE" in words."""
    parts = []
    if licence.work_id:
        parts.append(f"“{licence.work.title}” (composition)")
    if licence.track_id:
        parts.append(f"“{licence.track.title}” (recording)")
    where = (
        ", ".join(territory_name(c) for c in licence.territories)
        if licence.territories
        else "worldwide"
    )
    return f"{' and '.join(parts)}; {licence.get_media_display().lower()}; {where}"


# --- Expiry alerts ----------------------------------------------------------------------------


@dataclass
class _Due:
    licence: Licence
    days_left: int
    threshold: int


def _due(*, today: date) -> list[_Due]:
    horizon = today + timedelta(days=max(ALERT_DAYS))
    qs = (
        Licence.objects.filter(
            status=Licence.Status.ACTIVE, term_end__isnull=False,
            term_end__gte=today, term_end__lte=horizon,
        )
        .select_related("workspace", "counterparty", "work", "track")
        .order_by("pk")
    )  # fmt: skip
    due = []
    for licence in qs:
        days_left = (licence.term_end - today).days
        threshold = min(d for d in ALERT_DAYS if d >= days_left)
        due.append(_Due(licence=licence, days_left=days_left, threshold=threshold))
    return due


def _alert_body(*, licence: Licence, days_left: int) -> tuple[str, str]:
    when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
    role = "Licensee" if licence.direction == Licence.Direction.GRANTED else "Licensor"
    url = settings.LINER_BASE_URL.rstrip("/") + reverse(
        "rights-licence-detail", args=[licence.workspace.slug, licence.pk]
    )
    subject = f"Licence “{licence.title}” ends {when}"
    body = (
        f"The {licence.get_kind_display().lower()} licence “{licence.title}” "
        f"({licence.get_direction_display().lower()}) ends {when}, on "
        f"{licence.term_end:%d %B %Y}.\n\n"
        f"Covers: {licence_covers(licence=licence)}\n"
        f"{role}: {licence.counterparty.name}\n\n"
        f"Renew it, or let it end: {url}\n"
    )
    return subject, body


def licence_alerts_send(*, today: date) -> int:
    """Email the workspace's owners about active licences ending within 90, 30 or 7 days; the
    number of emails sent.

    Each (licence, threshold, end date) is alerted once: the smallest threshold the licence is
    within is mailed and the larger ones are recorded as passed without mail, so a licence
    entered 20 days before its end gets one "30 days" email. Safe to run twice a day or in two
    workers at once: the alert row is claimed before mailing (unique constraint, row lock).
    """
    sent = 0
    for item in _due(today=today):
        licence = item.licence
        for larger in (d for d in ALERT_DAYS if d > item.threshold):
            try:
                with transaction.atomic():
                    LicenceAlert.objects.get_or_create(
                        licence=licence, days=larger, term_end=licence.term_end,
                        defaults={"sent_at": None},
                    )  # fmt: skip
            except IntegrityError:
                pass  # another worker recorded it
        sent += _alert_one(licence=licence, threshold=item.threshold, days_left=item.days_left)
    return sent


def _alert_one(*, licence: Licence, threshold: int, days_left: int) -> int:
    try:
        with transaction.atomic():
            LicenceAlert.objects.get_or_create(
                licence=licence, days=threshold, term_end=licence.term_end
            )
    except IntegrityError:
        pass
    with transaction.atomic():
        alert = (
            LicenceAlert.objects.select_for_update()
            .filter(licence=licence, days=threshold, term_end=licence.term_end)
            .first()
        )
        if alert is None or alert.sent_at is not None:
            return 0
        emails = sorted(
            set(
                Membership.objects.filter(workspace_id=licence.workspace_id, role=Role.OWNER)
                .exclude(user__email="")
                .values_list("user__email", flat=True)
            )
        )
        if not emails:
            return 0
        subject, body = _alert_body(licence=licence, days_left=days_left)
        # Mailed while the row is locked and marked in the same transaction: a second worker
        # waits, then finds it sent. A mail error rolls the mark back, so tomorrow retries.
        send_mail(subject, body, None, emails)
        alert.sent_at = timezone.now()
        alert.recipients = emails
        alert.save(update_fields=["sent_at", "recipients"])
    return 1
