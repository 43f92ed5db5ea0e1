"""Splits (who owns what share of a work or a recording), versioned by effective date, and the
split sheet per work that the parties sign.

A ``SplitSet`` is one version of one split: the publishing split of a work, or the master split
of a recording (a track). It is never edited: a change is a new set with a later (or the same)
``effective_from``, which takes over from that month on. Shares are Decimal percentages with four
places; the set's ``total`` is stored and the database holds it at exactly 100, so a set whose
shares do not add up cannot be written (the service computes ``total`` from the shares in the
same transaction).

Earnings are reported by month, so a split takes effect from the first day of a month. A set
counts for payouts once it is *agreed*: its sheet version was signed by every party. Until then
the previous agreed set of the same target stays in effect.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from collaborators.models import Person, Workspace
from releases.models import Track

from .works import Work

HUNDRED = Decimal("100")


class SplitKind(models.TextChoices):
    PUBLISHING = "publishing", "Publishing"
    MASTER = "master", "Master"


class RecoupOrder(models.TextChoices):
    """What a master split's agreement recoups first, before the payees share."""

    EXPENSES_FIRST = "expenses_first", "Recoupable expenses, then advances"
    ADVANCES_FIRST = "advances_first", "Advances, then recoupable expenses"
    NONE = "none", "Nothing is recouped"


class SplitSet(models.Model):
    """One version of a split: of a work (publishing) or of a track (master)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="split_sets")
    kind = models.CharField(max_length=10, choices=SplitKind.choices)
    work = models.ForeignKey(
        Work, on_delete=models.CASCADE, null=True, blank=True, related_name="split_sets"
    )
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, null=True, blank=True, related_name="split_sets"
    )
    version = models.PositiveIntegerField()
    effective_from = models.DateField(help_text="The first day of the month it applies from.")
    total = models.DecimalField(max_digits=7, decimal_places=4)
    recoup_order = models.CharField(
        max_length=16, choices=RecoupOrder.choices, default=RecoupOrder.EXPENSES_FIRST
    )
    note = models.CharField(max_length=500, blank=True)
    # Set when a sheet version holding this set is signed by all its parties.
    agreed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-effective_from", "-version"]
        constraints = [
            models.CheckConstraint(condition=Q(total=HUNDRED), name="split_set_total_100"),
            models.CheckConstraint(
                condition=(Q(kind="publishing", work__isnull=False, track__isnull=True))
                | Q(kind="master", track__isnull=False, work__isnull=True),
                name="split_set_target_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(recoup_order__in=RecoupOrder.values), name="split_set_recoup_valid"
            ),
            models.UniqueConstraint(
                fields=["work", "version"], condition=Q(kind="publishing"),
                name="split_set_work_version_unique",
            ),
            models.UniqueConstraint(
                fields=["track", "version"], condition=Q(kind="master"),
                name="split_set_track_version_unique",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["track", "effective_from"])]

    def __str__(self) -> str:
        target = self.work if self.kind == SplitKind.PUBLISHING else self.track
        return f"{self.get_kind_display()} split v{self.version} of {target}"


class ShareRole(models.TextChoices):
    WRITER = "writer", "Writer"
    PUBLISHER = "publisher", "Publisher"
    ARTIST = "artist", "Artist"
    FEATURED = "featured", "Featured artist"
    PRODUCER = "producer", "Producer"
    MIXER = "mixer", "Mixer"
    LABEL = "label", "Label"
    OTHER = "other", "Other"


class Share(models.Model):
    """A party's share of a split set, as a percentage (four decimal places)."""

    Role = ShareRole
    PUBLISHING_ROLES = (Role.WRITER, Role.PUBLISHER)

    split_set = models.ForeignKey(SplitSet, on_delete=models.CASCADE, related_name="shares")
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="shares")
    role = models.CharField(max_length=10, choices=Role.choices)
    percent = models.DecimalField(max_digits=7, decimal_places=4)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent__gt=0) & Q(percent__lte=HUNDRED), name="share_percent_range"
            ),
            models.CheckConstraint(condition=Q(role__in=ShareRole.values), name="share_role_valid"),
            models.UniqueConstraint(
                fields=["split_set", "person", "role"], name="share_person_role_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.percent} %"


class SplitSheet(models.Model):
    """The split sheet of one song (work): its publishing split and the master split of each of
    its recordings, with the parties and their identifiers, signed version by version."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="split_sheets")
    work = models.OneToOneField(Work, on_delete=models.CASCADE, related_name="split_sheet")
    # The number of the current version (0: nothing to sign yet).
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Split sheet of {self.work}"


class SplitSheetVersion(models.Model):
    """What the parties are asked to sign: the sheet's content frozen at one moment.

    ``snapshot`` holds the sets, shares, parties and identifiers as shown on the sheet and in
    its PDF; ``fingerprint`` is its SHA-256, which every signature repeats. ``reason`` says what
    changed from the version before ("Maya Lind's share went from 50 % to 40 %").
    """

    sheet = models.ForeignKey(SplitSheet, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    split_sets = models.ManyToManyField(SplitSet, related_name="sheet_versions")
    snapshot = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    agreed_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sheet", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["sheet", "number"], name="sheet_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sheet} v{self.number}"


class SplitSignature(models.Model):
    """A party's signature on one version of a sheet, by login or by an emailed link."""

    class Via(models.TextChoices):
        LOGIN = "login", "Signed in to Liner"
        LINK = "link", "Emailed link"

    version = models.ForeignKey(
        SplitSheetVersion, on_delete=models.CASCADE, related_name="signatures"
    )
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="split_signatures")
    via = models.CharField(max_length=5, choices=Via.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    # The name the party typed to sign, and the sheet's fingerprint they saw.
    signed_name = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    signed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "person"], name="signature_once_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.person} signed {self.version}"


class SignatureRequest(models.Model):
    """An emailed link asking a party without a login to sign a sheet version (the outbox row:
    ``sent_at`` marks the email sent, so a retry never sends it twice)."""

    version = models.ForeignKey(
        SplitSheetVersion, on_delete=models.CASCADE, related_name="requests"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Signature request to {self.email} for {self.version}"
