"""The catalogue: releases, their tracks, credits, physical editions, and the ISRC sequence.

Artists are people of the workspace's address book credited in a role: a release's primary
artists are its ``main_artist`` credits in order, a track's featured artists its
``featured_artist`` credits. One table of credits, in DDEX's vocabulary, so an export maps
and never guesses.
"""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from collaborators.models import Person, Workspace, validate_currency

from ..codes import (
    CodeError,
    isrc_format,
    isrc_normalize,
    isrc_prefix_normalize,
    language_normalize,
    territory_normalize,
    upc_normalize,
)
from ..ddex_instruments import INSTRUMENT_SET


def _check(normalize, value: str) -> None:
    if value:
        try:
            normalize(value)
        except CodeError as exc:
            raise ValidationError(str(exc)) from exc


def validate_isrc(value: str) -> None:
    _check(isrc_normalize, value)


def validate_upc(value: str) -> None:
    _check(upc_normalize, value)


def validate_language(value: str) -> None:
    _check(language_normalize, value)


def validate_isrc_prefix(value: str) -> None:
    _check(isrc_prefix_normalize, value)


def validate_territories(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError("Territories are a list of ISO 3166 country codes.")
    for code in value:
        try:
            territory_normalize(code)
        except CodeError as exc:
            raise ValidationError(str(exc)) from exc


def validate_keywords(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError("Keywords are a list of words or short phrases.")
    if len(value) > 30:
        raise ValidationError("At most 30 keywords.")
    if any(len(v) > 40 for v in value):
        raise ValidationError("Each keyword is at most 40 characters.")


def _codes_normalize(obj: models.Model, fields: tuple[tuple[str, object], ...]) -> None:
    """Put each code field in its stored form; a value that will not normalise is left for
    the field's validator to report."""
    for field, normalize in fields:
        value = getattr(obj, field)
        if value:
            with contextlib.suppress(CodeError):
                setattr(obj, field, normalize(value))  # type: ignore[operator]


YEAR_VALIDATORS = [MinValueValidator(1900), MaxValueValidator(2100)]


class Explicit(models.TextChoices):
    """Parental advisory, in DDEX's ParentalWarningType terms (see ``DDEX_PARENTAL``)."""

    UNSET = "", "Not set"
    EXPLICIT = "explicit", "Explicit"
    CLEAN = "clean", "Not explicit"
    EDITED = "edited", "Clean (edited) version"


DDEX_PARENTAL = {
    "": "Unknown",
    "explicit": "Explicit",
    "clean": "NotExplicit",
    "edited": "ExplicitContentEdited",
}


class ReleaseQuerySet(models.QuerySet["Release"]):
    def visible_to(self, user: object) -> ReleaseQuerySet:
        """Releases of the user's workspaces, and those the user is a guest on."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(workspace__memberships__user=user) | Q(guests__user=user)).distinct()

    def with_artists(self) -> ReleaseQuerySet:
        credits = Credit.objects.filter(role=Credit.Role.MAIN_ARTIST).select_related("person")
        return self.prefetch_related(
            models.Prefetch("credits", queryset=credits, to_attr="artists")
        )

    def with_tracks(self) -> ReleaseQuerySet:
        return self.prefetch_related(
            models.Prefetch("tracks", queryset=Track.objects.order_by("disc", "position"))
        )


class Release(models.Model):
    class Type(models.TextChoices):
        SINGLE = "single", "Single"
        EP = "ep", "EP"
        ALBUM = "album", "Album"
        COMPILATION = "compilation", "Compilation"

    class Status(models.TextChoices):
        PLANNING = "planning", "Planning"
        IN_PRODUCTION = "in_production", "In production"
        READY = "ready", "Ready"
        DELIVERED = "delivered", "Delivered"
        RELEASED = "released", "Released"

    class Territories(models.TextChoices):
        WORLDWIDE = "worldwide", "Worldwide"
        INCLUDE = "include", "Only these territories"
        EXCLUDE = "exclude", "Worldwide except these territories"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="releases")
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=100, blank=True, help_text="e.g. Deluxe, Remastered")
    type = models.CharField(max_length=12, choices=Type.choices, default=Type.SINGLE)
    label = models.CharField(max_length=200, blank=True)
    upc = models.CharField(
        "UPC / EAN", max_length=13, blank=True, validators=[validate_upc],
        help_text="The barcode number: 12 digits (UPC) or 13 (EAN).",
    )  # fmt: skip
    catalogue_number = models.CharField(max_length=50, blank=True)
    genre = models.CharField(max_length=60, blank=True)
    subgenre = models.CharField(max_length=60, blank=True)
    language = models.CharField(
        max_length=3, blank=True, validators=[validate_language], help_text="ISO 639, e.g. en"
    )
    explicit = models.CharField(max_length=8, choices=Explicit.choices, blank=True, default="")
    release_date = models.DateField(null=True, blank=True)
    original_release_date = models.DateField(null=True, blank=True)
    p_year = models.PositiveSmallIntegerField("℗ year", null=True, blank=True,
                                              validators=YEAR_VALIDATORS)  # fmt: skip
    p_owner = models.CharField("℗ owner", max_length=200, blank=True)
    c_year = models.PositiveSmallIntegerField("© year", null=True, blank=True,
                                              validators=YEAR_VALIDATORS)  # fmt: skip
    c_owner = models.CharField("© owner", max_length=200, blank=True)
    territory_mode = models.CharField(
        max_length=10, choices=Territories.choices, default=Territories.WORLDWIDE
    )
    territories = models.JSONField(default=list, blank=True, validators=[validate_territories])
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PLANNING)
    moods = models.JSONField(default=list, blank=True, validators=[validate_keywords])
    keywords = models.JSONField(default=list, blank=True, validators=[validate_keywords])
    genre_tags = models.JSONField(default=list, blank=True, validators=[validate_keywords])
    guest_downloads = models.BooleanField(
        default=False, help_text="Guests on this release may download its mixes."
    )
    distributor = models.CharField(max_length=100, blank=True, help_text="e.g. DistroKid")
    delivery_lead_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(180)],
        help_text="How many days before release day the distributor needs it (empty: the "
        "workspace's default).",
    )  # fmt: skip
    artwork = models.ImageField(upload_to="releases/artwork/", max_length=300, blank=True)
    artwork_thumb = models.ImageField(upload_to="releases/artwork/", max_length=300, blank=True)
    artwork_width = models.PositiveIntegerField(null=True, blank=True)
    artwork_height = models.PositiveIntegerField(null=True, blank=True)
    artwork_format = models.CharField(max_length=8, blank=True)
    artwork_sha256 = models.CharField(max_length=64, blank=True)
    artwork_warnings = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["-release_date", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "upc"], condition=~Q(upc=""), name="release_upc_unique"
            ),
            models.CheckConstraint(
                condition=Q(type__in=["single", "ep", "album", "compilation"]),
                name="release_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=["planning", "in_production", "ready", "delivered", "released"]
                ),
                name="release_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(territory_mode__in=["worldwide", "include", "exclude"]),
                name="release_territory_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(explicit__in=["", "explicit", "clean", "edited"]),
                name="release_explicit_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "title"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title

    def normalize(self) -> None:
        """Codes in their stored form, before validation judges them."""
        _codes_normalize(self, (("upc", upc_normalize), ("language", language_normalize)))
        if isinstance(self.territories, list):
            self.territories = sorted({str(t).strip().upper() for t in self.territories})
        for field in ("moods", "keywords", "genre_tags"):
            value = getattr(self, field)
            if isinstance(value, list):
                seen: dict[str, str] = {}
                for v in value:
                    if isinstance(v, str) and v.strip():
                        seen.setdefault(v.strip().lower(), v.strip())
                setattr(self, field, list(seen.values()))

    def clean_fields(self, exclude: object = None) -> None:
        self.normalize()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.territory_mode == self.Territories.WORLDWIDE and self.territories:
            self.territories = []
        if self.territory_mode != self.Territories.WORLDWIDE and not self.territories:
            raise ValidationError(
                {"territories": "Name at least one territory, or choose worldwide."}
            )
        if (
            self.original_release_date
            and self.release_date
            and self.original_release_date > self.release_date
        ):
            raise ValidationError(
                {"original_release_date": "The original release cannot be after this release."}
            )

    @property
    def display_title(self) -> str:
        return str(self)

    @property
    def p_line(self) -> str:
        return f"℗ {self.p_year} {self.p_owner}".strip() if self.p_year or self.p_owner else ""

    @property
    def c_line(self) -> str:
        return f"© {self.c_year} {self.c_owner}".strip() if self.c_year or self.c_owner else ""

    @property
    def upc_display(self) -> str:
        return self.upc


class Track(models.Model):
    class Key(models.TextChoices):
        NONE = "", "Not set"
        C = "C", "C major"
        CM = "Cm", "C minor"
        CS = "C#", "C♯ / D♭ major"
        CSM = "C#m", "C♯ minor"
        D = "D", "D major"
        DM = "Dm", "D minor"
        EB = "Eb", "E♭ major"
        EBM = "Ebm", "E♭ / D♯ minor"
        E = "E", "E major"
        EM = "Em", "E minor"
        F = "F", "F major"
        FM = "Fm", "F minor"
        FS = "F#", "F♯ / G♭ major"
        FSM = "F#m", "F♯ minor"
        G = "G", "G major"
        GM = "Gm", "G minor"
        AB = "Ab", "A♭ major"
        ABM = "G#m", "G♯ minor"
        A = "A", "A major"
        AM = "Am", "A minor"
        BB = "Bb", "B♭ major"
        BBM = "Bbm", "B♭ minor"
        B = "B", "B major"
        BM = "Bm", "B minor"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tracks")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="tracks")
    disc = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    position = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(999)]
    )
    title = models.CharField(max_length=200)
    version = models.CharField(max_length=100, blank=True, help_text="e.g. Radio Edit, Remix")
    isrc = models.CharField("ISRC", max_length=12, blank=True, validators=[validate_isrc])
    explicit = models.CharField(max_length=8, choices=Explicit.choices, blank=True, default="")
    language = models.CharField(max_length=3, blank=True, validators=[validate_language])
    lyrics = models.TextField(blank=True, max_length=20_000)
    bpm = models.DecimalField(
        "BPM", max_digits=5, decimal_places=1, null=True, blank=True,
        validators=[MinValueValidator(Decimal("20")), MaxValueValidator(Decimal("400"))],
    )  # fmt: skip
    key = models.CharField(max_length=4, choices=Key.choices, blank=True, default="")
    preview_start_s = models.PositiveIntegerField(
        "preview start (seconds)", null=True, blank=True, validators=[MaxValueValidator(3600)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["release", "disc", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "disc", "position"], name="track_position_unique"
            ),
            models.UniqueConstraint(
                fields=["workspace", "isrc"], condition=~Q(isrc=""), name="track_isrc_unique"
            ),
            models.CheckConstraint(condition=Q(disc__gte=1), name="track_disc_positive"),
            models.CheckConstraint(condition=Q(position__gte=1), name="track_position_positive"),
            models.CheckConstraint(
                condition=Q(explicit__in=["", "explicit", "clean", "edited"]),
                name="track_explicit_valid",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "isrc"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})" if self.version else self.title

    def normalize(self) -> None:
        _codes_normalize(self, (("isrc", isrc_normalize), ("language", language_normalize)))

    def clean_fields(self, exclude: object = None) -> None:
        self.normalize()
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        if self.release_id and self.workspace_id and self.release.workspace_id != self.workspace_id:
            raise ValidationError("A track belongs to a release of its own workspace.")

    @property
    def isrc_display(self) -> str:
        return isrc_format(self.isrc)

    @property
    def display_title(self) -> str:
        return str(self)


class CreditRole(models.TextChoices):
    """Credit roles; ``DDEX_ROLES`` maps each to its DDEX term."""

    MAIN_ARTIST = "main_artist", "Main artist"
    FEATURED_ARTIST = "featured_artist", "Featured artist"
    PRODUCER = "producer", "Producer"
    CO_PRODUCER = "co_producer", "Co-producer"
    RECORDING_ENGINEER = "recording_engineer", "Recording engineer"
    MIXING_ENGINEER = "mixing_engineer", "Mixing engineer"
    MASTERING_ENGINEER = "mastering_engineer", "Mastering engineer"
    COMPOSER = "composer", "Composer"
    LYRICIST = "lyricist", "Lyricist"
    COMPOSER_LYRICIST = "composer_lyricist", "Composer and lyricist"
    ARRANGER = "arranger", "Arranger"
    REMIXER = "remixer", "Remixer"
    PROGRAMMER = "programmer", "Programmer"
    VOCALIST = "vocalist", "Lead vocals"
    BACKGROUND_VOCALIST = "background_vocalist", "Background vocals"
    PERFORMER = "performer", "Performer (instrument)"
    CONDUCTOR = "conductor", "Conductor"


class Credit(models.Model):
    """A person of the address book in a role on a release or a track."""

    Role = CreditRole

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="credits")
    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, null=True, blank=True, related_name="credits"
    )
    track = models.ForeignKey(
        Track, on_delete=models.CASCADE, null=True, blank=True, related_name="credits"
    )
    # RESTRICT: removing someone from the address book must not silently drop their credits
    # (deleting the whole workspace still works).
    person = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="credits")
    role = models.CharField(max_length=24, choices=Role.choices)
    instrument = models.CharField(
        max_length=60, blank=True, help_text="For a performer: the instrument (DDEX name)."
    )
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(release__isnull=False) & Q(track__isnull=True))
                | (Q(release__isnull=True) & Q(track__isnull=False)),
                name="credit_on_release_or_track",
            ),
            models.CheckConstraint(
                condition=Q(role__in=CreditRole.values), name="credit_role_valid"
            ),
            models.UniqueConstraint(
                fields=["release", "person", "role", "instrument"],
                condition=Q(release__isnull=False),
                name="credit_unique_on_release",
            ),
            models.UniqueConstraint(
                fields=["track", "person", "role", "instrument"],
                condition=Q(track__isnull=False),
                name="credit_unique_on_track",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_role_display()}"

    def clean(self) -> None:
        if self.instrument and self.instrument not in INSTRUMENT_SET:
            raise ValidationError(
                {"instrument": f"“{self.instrument}” is not in DDEX's instrument list."}
            )
        if self.role == self.Role.PERFORMER and not self.instrument:
            raise ValidationError({"instrument": "Say which instrument this person plays."})
        if self.person_id and self.workspace_id and self.person.workspace_id != self.workspace_id:
            raise ValidationError({"person": "Choose someone from this workspace's people."})

    @property
    def label(self) -> str:
        if self.role == self.Role.PERFORMER and self.instrument:
            return self.instrument_label
        return self.get_role_display()

    @property
    def instrument_label(self) -> str:
        # DDEX names run together ("ElectricBassGuitar"); people read "Electric bass guitar".
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", self.instrument).split()
        return " ".join([words[0]] + [w.lower() for w in words[1:]]) if words else ""


# Liner's credit roles in DDEX ERN 4.3 terms: display artists take DisplayArtistRole, the
# others are Contributors with a ContributorRole (AVS); a performer names an InstrumentType.
DDEX_ROLES: dict[str, tuple[str, str]] = {
    "main_artist": ("DisplayArtist", "MainArtist"),
    "featured_artist": ("DisplayArtist", "FeaturedArtist"),
    "producer": ("Contributor", "StudioProducer"),
    "co_producer": ("Contributor", "AssociateProducer"),
    "recording_engineer": ("Contributor", "RecordingEngineer"),
    "mixing_engineer": ("Contributor", "MixingEngineer"),
    "mastering_engineer": ("Contributor", "MasteringEngineer"),
    "composer": ("Contributor", "Composer"),
    "lyricist": ("Contributor", "Lyricist"),
    "composer_lyricist": ("Contributor", "ComposerLyricist"),
    "arranger": ("Contributor", "Arranger"),
    "remixer": ("Contributor", "Remixer"),
    "programmer": ("Contributor", "Programmer"),
    "vocalist": ("Contributor", "LeadVocalist"),
    "background_vocalist": ("Contributor", "BackgroundVocalist"),
    "performer": ("Contributor", "Musician"),
    "conductor": ("Contributor", "Conductor"),
}


class CatalogueSettings(models.Model):
    """A workspace's catalogue settings: the ISRC registrant prefix its codes are made from."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="catalogue_settings"
    )
    isrc_prefix = models.CharField(
        "ISRC registrant prefix", max_length=5, blank=True, validators=[validate_isrc_prefix],
        help_text="Country and registrant code, the first five characters of your ISRCs (GB-EMI).",
    )  # fmt: skip
    default_label = models.CharField(max_length=200, blank=True)
    # Distributors ask for delivery 2 to 4 weeks ahead so stores can take pre-saves and
    # editorial pitches (Spotify for Artists needs at least 7 days); 21 days is Liner's default.
    delivery_lead_days = models.PositiveSmallIntegerField(
        default=21, validators=[MaxValueValidator(180)]
    )

    def __str__(self) -> str:
        return f"Catalogue settings of {self.workspace}"

    def clean_fields(self, exclude: object = None) -> None:
        if self.isrc_prefix:
            with contextlib.suppress(CodeError):  # the field validator reports it
                self.isrc_prefix = isrc_prefix_normalize(self.isrc_prefix)
        super().clean_fields(exclude=exclude)


class IsrcCounter(models.Model):
    """The last designation handed out per workspace, prefix and year of assignment.

    Incremented inside the assigning transaction by an UPDATE, so two requests never read the
    same value; a code once handed out is never handed out again.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=5)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "prefix", "year"], name="isrc_counter_unique"
            ),
            models.CheckConstraint(condition=Q(last__lte=99_999), name="isrc_counter_range"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year:02d}: {self.last}"


class PhysicalEdition(models.Model):
    class Format(models.TextChoices):
        CD = "cd", "CD"
        VINYL = "vinyl", "Vinyl"
        CASSETTE = "cassette", "Cassette"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="editions")

    class Vinyl(models.TextChoices):
        NONE = "", "—"
        LP_33 = "12-33", '12" at 33⅓ rpm'
        LP_45 = "12-45", '12" at 45 rpm'
        SINGLE_45 = "7-45", '7" at 45 rpm'

    format = models.CharField(max_length=10, choices=Format.choices)
    vinyl = models.CharField(max_length=5, choices=Vinyl.choices, blank=True, default="")
    tape_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(120)],
        help_text="Cassette length in minutes, both sides together (C60: 60).",
    )  # fmt: skip
    description = models.CharField(
        max_length=200, blank=True, help_text="e.g. 12-inch, 180 g, black; 6-panel digipak"
    )
    quantity = models.PositiveIntegerField(default=0)
    manufacturer = models.CharField(max_length=200, blank=True)
    unit_cost = models.DecimalField(
        max_digits=12, decimal_places=4, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    currency = models.CharField(max_length=3, default="EUR", validators=[validate_currency])
    stock = models.PositiveIntegerField(default=0)
    units_sold = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["format", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=["cd", "vinyl", "cassette"]), name="edition_format_valid"
            ),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="edition_cost_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.get_format_display()} of {self.release}"

    @property
    def manufacturing_cost(self) -> Decimal:
        return (self.unit_cost * self.quantity).quantize(Decimal("0.01"))
