"""Musical works (compositions): their writers and publishers, and the recordings of them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from collaborators.models import Person, Workspace
from releases.models import Track

from ..codes import CodeError, iswc_normalize


def validate_iswc(value: str) -> None:
    try:
        iswc_normalize(value)
    except CodeError as exc:
        raise ValidationError(str(exc)) from exc


def validate_titles(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("Alternative titles are a list of titles.")
    if len(value) > 20:
        raise ValidationError("At most 20 alternative titles.")
    if any(len(v) > 200 for v in value):
        raise ValidationError("A title is at most 200 characters.")


class Work(models.Model):
    """A composition: what writers wrote and publishers administer, recorded as tracks.

    ``iswc`` is stored compact ("T0345246801"); ``recordings`` are the tracks of it (usually
    one work per track; a medley has several).
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="works")
    title = models.CharField(max_length=200)
    alternative_titles = models.JSONField(default=list, blank=True, validators=[validate_titles])
    iswc = models.CharField("ISWC", max_length=11, blank=True, validators=[validate_iswc])
    language = models.CharField(max_length=3, blank=True)
    notes = models.TextField(blank=True, max_length=5000)
    recordings = models.ManyToManyField(Track, related_name="works", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "iswc"], condition=~Q(iswc=""), name="work_iswc_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class WorkRole(models.TextChoices):
    COMPOSER = "composer", "Composer"
    LYRICIST = "lyricist", "Lyricist"
    COMPOSER_LYRICIST = "composer_lyricist", "Composer and lyricist"
    ARRANGER = "arranger", "Arranger"
    PUBLISHER = "publisher", "Original publisher"
    SUB_PUBLISHER = "sub_publisher", "Sub-publisher"
    ADMINISTRATOR = "administrator", "Administrator"


class WorkParty(models.Model):
    """A writer (with what they wrote) or a publisher of a work, from the address book.

    PRO affiliation and IPI name number are the person's own (``Person.pro``, ``Person.ipi``);
    ``publisher`` links a writer to the publisher who administers their share of this work.
    """

    Role = WorkRole
    WRITER_ROLES = (Role.COMPOSER, Role.LYRICIST, Role.COMPOSER_LYRICIST, Role.ARRANGER)

    work = models.ForeignKey(Work, on_delete=models.CASCADE, related_name="parties")
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="work_parties")
    role = models.CharField(max_length=20, choices=Role.choices)
    publisher = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="published_writers"
    )
    controlled = models.BooleanField(
        default=False, help_text="This workspace administers this party's share."
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["work", "person", "role"], name="work_party_unique"),
            models.CheckConstraint(
                condition=Q(role__in=WorkRole.values), name="work_party_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) on {self.work}"

    @property
    def is_writer(self) -> bool:
        return self.role in self.WRITER_ROLES
