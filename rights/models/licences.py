"""Licences granted or obtained (sync, mechanical, master use, performance, sample clearance)
and the expiry alerts sent for them."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from collaborators.models import Person, Workspace, validate_currency
from releases.models import Track
from releases.models.catalogue import validate_territories

from .works import Work

# Days before a licence ends when its owners are told, once each.
ALERT_DAYS = (90, 30, 7)


def licence_document_path(instance: Licence, filename: str) -> str:
    return f"rights/{instance.workspace_id}/licences/{filename}"


class LicenceDirection(models.TextChoices):
    GRANTED = "granted", "Granted (we license it out)"
    OBTAINED = "obtained", "Obtained (we license it in)"


class LicenceKind(models.TextChoices):
    SYNC = "sync", "Synchronisation"
    MECHANICAL = "mechanical", "Mechanical"
    MASTER_USE = "master_use", "Master use"
    PERFORMANCE = "performance", "Performance"
    SAMPLE = "sample", "Sample clearance"


class LicenceMedia(models.TextChoices):
    ALL = "all", "All media"
    FILM = "film", "Film"
    TV = "tv", "Television"
    ADVERTISING = "advertising", "Advertising"
    GAMES = "games", "Video games"
    ONLINE = "online", "Online / social video"
    RADIO = "radio", "Radio / podcast"
    LIVE = "live", "Live / public performance"
    PHYSICAL = "physical", "Physical products"
    STREAMING = "streaming", "Streaming and downloads"
    OTHER = "other", "Other"


class LicenceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OFFERED = "offered", "Offered / in negotiation"
    ACTIVE = "active", "Signed and active"
    TERMINATED = "terminated", "Terminated"


class Licence(models.Model):
    """A licence Liner's workspace granted (to a licensee) or obtained (from a licensor).

    ``counterparty`` is the licensee of a granted licence and the licensor of an obtained one.
    It covers a work, a recording or both. ``territories`` are ISO 3166-1 alpha-2 codes; empty
    means the world. No ``term_end`` is a licence in perpetuity.
    """

    Direction = LicenceDirection
    Kind = LicenceKind
    Media = LicenceMedia
    Status = LicenceStatus

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="licences")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="e.g. “Northern Line” in Netflix trailer")
    counterparty = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="licences")
    work = models.ForeignKey(
        Work, on_delete=models.RESTRICT, null=True, blank=True, related_name="licences"
    )
    track = models.ForeignKey(
        Track, on_delete=models.RESTRICT, null=True, blank=True, related_name="licences"
    )
    media = models.CharField(max_length=12, choices=Media.choices, default=Media.ALL)
    territories = models.JSONField(default=list, blank=True, validators=[validate_territories])
    term_start = models.DateField()
    term_end = models.DateField(null=True, blank=True)
    fee = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    currency = models.CharField(max_length=3, validators=[validate_currency])
    exclusive = models.BooleanField(default=False)
    mfn = models.BooleanField("most favoured nation", default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    document = models.FileField(upload_to=licence_document_path, max_length=400, blank=True)
    document_name = models.CharField(max_length=255, blank=True)
    notes = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["term_end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(work__isnull=False) | Q(track__isnull=False),
                name="licence_covers_something",
            ),
            models.CheckConstraint(
                condition=Q(term_end__isnull=True) | Q(term_end__gte=F("term_start")),
                name="licence_term_ordered",
            ),
            models.CheckConstraint(condition=Q(fee__gte=0), name="licence_fee_gte_0"),
            models.CheckConstraint(
                condition=Q(kind__in=LicenceKind.values), name="licence_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=LicenceDirection.values), name="licence_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=LicenceStatus.values), name="licence_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "term_end"])]

    def __str__(self) -> str:
        return self.title


class LicenceAlert(models.Model):
    """The "ends in N days" email for one licence, one threshold and one end date: created once
    (the unique constraint), sent once (``sent_at``). Moving the end date allows new alerts."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="alerts")
    days = models.PositiveSmallIntegerField()
    term_end = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "days", "term_end"], name="licence_alert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.licence}: ends in {self.days} days"
