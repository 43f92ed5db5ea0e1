"""Workspaces, their members, the people they work with, and invitations."""

from __future__ import annotations

import contextlib
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from .currencies import CURRENCY_CODES
from .identifiers import IdentifierError, ipi_normalize, isni_normalize
from .invitation_grants import invitation_grant
from .permissions import Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A login. People sign in with their email address; names are free text."""

    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


def validate_currency(value: str) -> None:
    if value not in CURRENCY_CODES:
        raise ValidationError(f"“{value}” is not an ISO 4217 currency code (e.g. USD, EUR, GBP).")


def validate_timezone(value: str) -> None:
    if value not in _timezones():
        raise ValidationError(f"“{value}” is not a time zone name (e.g. Europe/London).")


_TZ_CACHE: set[str] = set()


def _timezones() -> set[str]:
    if not _TZ_CACHE:
        _TZ_CACHE.update(zoneinfo.available_timezones())
    return _TZ_CACHE


class WorkspaceQuerySet(models.QuerySet["Workspace"]):
    def visible_to(self, user: User) -> WorkspaceQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user)


class Workspace(models.Model):
    """An artist or a label: everything in Liner belongs to one workspace."""

    class Kind(models.TextChoices):
        ARTIST = "artist", "Artist or band"
        LABEL = "label", "Label"
        MANAGEMENT = "management", "Management company"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ARTIST)
    default_currency = models.CharField(max_length=3, default="USD", validators=[validate_currency])
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["artist", "label", "management"]),
                name="workspace_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} of {self.workspace}"


class PersonRole(models.TextChoices):
    """What a person does for the workspace; a person may have several."""

    ARTIST = "artist", "Artist"
    WRITER = "writer", "Songwriter"
    COMPOSER = "composer", "Composer"
    LYRICIST = "lyricist", "Lyricist"
    PRODUCER = "producer", "Producer"
    ENGINEER = "engineer", "Recording engineer"
    MIXING_ENGINEER = "mixing_engineer", "Mixing engineer"
    MASTERING_ENGINEER = "mastering_engineer", "Mastering engineer"
    PERFORMER = "performer", "Performer / session musician"
    MANAGER = "manager", "Manager"
    PRESS = "press", "Press / journalist"
    CURATOR = "curator", "Playlist curator"
    RADIO = "radio", "Radio"
    VENUE = "venue", "Venue / promoter"
    BOOKING = "booking", "Booking agent"
    LABEL = "label", "Label"
    PUBLISHER = "publisher", "Publisher"
    DISTRIBUTOR = "distributor", "Distributor"
    DESIGNER = "designer", "Designer / photographer"
    OTHER = "other", "Other"


class PRO(models.TextChoices):
    """Performing rights organisations a writer or publisher may belong to."""

    NONE = "", "None / unknown"
    ASCAP = "ASCAP", "ASCAP (US)"
    BMI = "BMI", "BMI (US)"
    SESAC = "SESAC", "SESAC (US)"
    GMR = "GMR", "GMR (US)"
    SOCAN = "SOCAN", "SOCAN (Canada)"
    PRS = "PRS", "PRS for Music (UK)"
    IMRO = "IMRO", "IMRO (Ireland)"
    GEMA = "GEMA", "GEMA (Germany)"
    SACEM = "SACEM", "SACEM (France)"
    SGAE = "SGAE", "SGAE (Spain)"
    SIAE = "SIAE", "SIAE (Italy)"
    BUMA = "BUMA", "Buma/Stemra (Netherlands)"
    SABAM = "SABAM", "SABAM (Belgium)"
    STIM = "STIM", "STIM (Sweden)"
    TONO = "TONO", "TONO (Norway)"
    KODA = "KODA", "Koda (Denmark)"
    TEOSTO = "TEOSTO", "Teosto (Finland)"
    SUISA = "SUISA", "SUISA (Switzerland)"
    AKM = "AKM", "AKM (Austria)"
    APRA = "APRA", "APRA AMCOS (Australia / NZ)"
    JASRAC = "JASRAC", "JASRAC (Japan)"
    KOMCA = "KOMCA", "KOMCA (South Korea)"
    ECAD = "ECAD", "ECAD (Brazil)"
    SACM = "SACM", "SACM (Mexico)"
    SAMRO = "SAMRO", "SAMRO (South Africa)"
    OTHER = "OTHER", "Other"


def validate_isni(value: str) -> None:
    try:
        isni_normalize(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from exc


def validate_ipi(value: str) -> None:
    try:
        ipi_normalize(value)
    except IdentifierError as exc:
        raise ValidationError(str(exc)) from exc


def validate_links(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Links must be a list of web addresses.")
    if len(value) > 20:
        raise ValidationError("At most 20 links.")
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        try:
            check(link)
        except ValidationError as exc:
            raise ValidationError(f"“{link}” is not a web address (https://…).") from exc


class PersonQuerySet(models.QuerySet["Person"]):
    def with_roles(self) -> PersonQuerySet:
        return self.prefetch_related("role_set")


class Person(models.Model):
    """Someone the workspace works with: the address book. May or may not have a login."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="people")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    isni = models.CharField("ISNI", max_length=16, blank=True, validators=[validate_isni])
    ipi = models.CharField("IPI name number", max_length=11, blank=True, validators=[validate_ipi])
    pro = models.CharField(
        "PRO affiliation", max_length=10, choices=PRO.choices, blank=True, default=""
    )
    notes = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True, validators=[validate_links])
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person_records",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=~Q(email=""),
                name="person_email_unique_per_workspace",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "name"])]

    def __str__(self) -> str:
        return self.name

    def normalize(self) -> None:
        """Put email and identifiers in their stored form. Runs before validation, so a
        spaced-out ISNI is judged by its 16 characters, not its 19."""
        self.email = (self.email or "").strip().lower()
        # Stored in their compact form so that the same identifier always compares equal.
        for field, normalize in (("isni", isni_normalize), ("ipi", ipi_normalize)):
            value = getattr(self, field)
            if value:
                with contextlib.suppress(IdentifierError):  # the field validator reports it
                    setattr(self, field, normalize(value))

    def clean_fields(self, exclude: object = None) -> None:
        self.normalize()
        super().clean_fields(exclude=exclude)

    @property
    def role_list(self) -> list[str]:
        return [r.role for r in self.role_set.all()]

    @property
    def role_labels(self) -> list[str]:
        labels = dict(PersonRole.choices)
        return [labels.get(r, r) for r in self.role_list]


class PersonRoleLink(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_set")
    role = models.CharField(max_length=24, choices=PersonRole.choices)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="person_role_unique"),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in PersonRole]), name="person_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["role"])]

    def __str__(self) -> str:
        return f"{self.person}: {self.role}"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self) -> InvitationQuerySet:
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An invitation to join a workspace with a role, sent by email; or, with a grant, to
    something narrower that a higher app defines (``collaborators.invitation_grants``), such as
    being a guest on one release. A grant invitation never makes a member: its role is always
    ``viewer`` and is not used.

    The link carries a signed, expiring token built from ``key``; the row is single-use
    (``accepted_at``) and can be withdrawn (``revoked_at``).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"
        EXPIRED = "expired", "Expired"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    key = models.CharField(max_length=64, unique=True, editable=False)
    message = models.TextField(blank=True, max_length=2000)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Blank: membership of the workspace. Otherwise a kind registered in invitation_grants,
    # and the id of what it grants (a release, say) in that app's own terms.
    grant_kind = models.CharField(max_length=40, blank=True, default="")
    grant_id = models.PositiveBigIntegerField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation to join per address and workspace, and one per address and
            # grant; expired ones are closed (revoked) by the service before a new one is
            # written.
            models.UniqueConstraint(
                "workspace",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True, grant_kind=""),
                name="invitation_one_open_per_email",
            ),
            models.UniqueConstraint(
                "grant_kind",
                "grant_id",
                Lower("email"),
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True) & ~Q(grant_kind=""),
                name="invitation_one_open_per_grant",
            ),
            # A grant names its object, and gives no role in the workspace.
            models.CheckConstraint(
                condition=Q(grant_kind="", grant_id__isnull=True)
                | (~Q(grant_kind="") & Q(grant_id__isnull=False, role="viewer")),
                name="invitation_grant_complete",
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in Role]), name="invitation_role_valid"
            ),
            models.CheckConstraint(
                condition=~Q(accepted_at__isnull=False, revoked_at__isnull=False),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        if self.grant_kind:
            return f"{self.email} → {self.workspace} ({self.grant_kind} {self.grant_id})"
        return f"{self.email} → {self.workspace} ({self.role})"

    def clean(self) -> None:
        super().clean()
        if not self.grant_kind:
            if self.grant_id is not None:
                raise ValidationError({"grant_id": "Only an invitation with a grant names one."})
            return
        if invitation_grant(self.grant_kind) is None:
            raise ValidationError({"grant_kind": f"Unknown invitation grant “{self.grant_kind}”."})
        if self.grant_id is None:
            raise ValidationError({"grant_id": "Say what the invitation grants."})
        if self.role != Role.VIEWER:
            raise ValidationError({"role": "This invitation gives no role in the workspace."})

    @property
    def is_grant(self) -> bool:
        return bool(self.grant_kind)

    @cached_property
    def grant_description(self) -> str | None:
        """What a grant invitation is for, as words after "invites you to" (None: that thing
        is gone, or no installed app defines the kind). Blank for an invitation to join."""
        if not self.grant_kind:
            return ""
        grant = invitation_grant(self.grant_kind)
        return grant.describe(self) if grant is not None else None

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label


# The audit log lives in its own module (its writes and checks with it); imported here so
# Django registers the model with the app.
from .audit import AuditEntry  # noqa: E402, F401
