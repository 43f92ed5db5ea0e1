"""The workspace's audit log: who signed, changed a split, paid or closed what, and when.

Entries are written by services (``audit_record``) inside the transaction of the change they
describe, so an entry exists exactly when its change does. Nobody edits them: the model refuses
updates and deletes, the admin and the API are read-only, and each entry carries the SHA-256 of
its content chained to the previous entry of its workspace (``audit_verify`` finds a row that
was changed behind Liner's back, e.g. in the database shell).

Apps above ``collaborators`` record their own actions with dotted names ("releases.signoff",
"rights.split_changed", "rights.period_closed"); ``finance=True`` marks an entry that speaks
of money, which only members with the finance permission see.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import Workspace
from .permissions import Action, can

GENESIS = "0" * 64


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise ValidationError("Audit entries cannot be changed.")

    def delete(self) -> Any:
        raise ValidationError("Audit entries cannot be deleted.")

    def visible_to(self, *, workspace: Workspace, role: str | None) -> AuditEntryQuerySet:
        """The workspace's entries a member of ``role`` may read (money only with finance)."""
        qs = self.filter(workspace=workspace)
        if not can(role, Action.FINANCE_VIEW):
            qs = qs.filter(finance=False)
        return qs


class AuditEntry(models.Model):
    """One thing that happened, as it was said when it happened (never rewritten)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    # The user who did it, or nobody (a party signing through an emailed link, a task);
    # ``actor_name`` keeps the name as it was, since users and people can be renamed.
    actor = models.ForeignKey(
        "collaborators.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=200)
    action = models.CharField(max_length=60, db_index=True)
    summary = models.CharField(max_length=500)
    # What it was about, as "app.model" and id (not a foreign key: the entry outlives it).
    subject_type = models.CharField(max_length=60, blank=True)
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    finance = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["workspace", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.summary}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValidationError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("Audit entries cannot be deleted.")

    def content_hash(self) -> str:
        """The SHA-256 of this entry's content and the previous entry's hash."""
        body = json.dumps(
            {
                "workspace": self.workspace_id,
                "at": self.at.isoformat(),
                "actor": self.actor_id,
                "actor_name": self.actor_name,
                "action": self.action,
                "summary": self.summary,
                "subject": [self.subject_type, self.subject_id],
                "data": self.data,
                "finance": self.finance,
                "prev": self.prev_hash,
            },
            sort_keys=True,
            cls=DjangoJSONEncoder,
        )
        return hashlib.sha256(body.encode()).hexdigest()


def _actor_name(actor: Any, fallback: str) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return fallback or "Liner"
    return (getattr(actor, "name", "") or getattr(actor, "email", "") or str(actor))[:200]


@transaction.atomic
def audit_record(
    *,
    workspace: Workspace | int,
    action: str,
    summary: str,
    actor: Any = None,
    actor_name: str = "",
    subject: models.Model | None = None,
    data: dict[str, Any] | None = None,
    finance: bool = False,
) -> AuditEntry:
    """Append an entry to ``workspace``'s log, chained to its latest entry.

    Call it inside the transaction of the change it records. ``actor`` is the user who acted;
    without one, ``actor_name`` says who did (a party signing through a link: their name).
    The workspace row is locked while chaining, so two concurrent entries cannot share a
    predecessor.
    """
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    Workspace.objects.select_for_update().filter(pk=workspace_id).first()
    last = (
        AuditEntry.objects.filter(workspace_id=workspace_id)
        .order_by("-id")
        .values_list("hash", flat=True)
        .first()
    )
    entry = AuditEntry(
        workspace_id=workspace_id,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_actor_name(actor, actor_name),
        action=action[:60],
        summary=summary[:500],
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
        finance=finance,
        prev_hash=last or GENESIS,
    )
    entry.hash = entry.content_hash()
    entry.save()
    return entry


def audit_verify(*, workspace: Workspace) -> list[int]:
    """The ids of entries whose content or chain no longer matches their hash (none: intact)."""
    broken: list[int] = []
    prev = GENESIS
    for entry in AuditEntry.objects.filter(workspace=workspace).order_by("id").iterator():
        if entry.prev_hash != prev or entry.content_hash() != entry.hash:
            broken.append(entry.pk)
        prev = entry.hash
    return broken
