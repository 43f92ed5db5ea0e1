"""API shapes of the catalogue. Output serializers never query: the selectors prefetch."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from collaborators.models import Person

from . import selectors
from .codes import isrc_format
from .ddex_instruments import INSTRUMENTS
from .models import CatalogueSettings, Credit, Explicit, PhysicalEdition, Release, Track

CODE_HELP = {
    "upc": "12 digits (UPC-A) or 13 (EAN-13) with a valid GS1 check digit.",
    "isrc": 'CC-XXX-YY-NNNNN (hyphens optional), or "auto" for the next code of the '
    "workspace's registrant prefix.",
    "language": "ISO 639 code, e.g. en, sv.",
    "territories": "ISO 3166-1 alpha-2 codes.",
}


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]


class CreditOutputSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True)
    role_label = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = Credit
        fields = ["id", "person", "role", "role_label", "instrument", "position", "release",
                  "track"]  # fmt: skip


class CreditInputSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="A person of the workspace's address book.")
    role = serializers.ChoiceField(choices=Credit.Role.choices)
    instrument = serializers.ChoiceField(
        choices=INSTRUMENTS, required=False, allow_blank=True,
        help_text="DDEX instrument name; required for the performer role.",
    )  # fmt: skip
    release = serializers.IntegerField(required=False, help_text="Credit on this release …")
    track = serializers.IntegerField(required=False, help_text="… or on this track (one of them).")
    position = serializers.IntegerField(required=False, min_value=0, max_value=999)


class _Keywords(serializers.ListField):
    child = serializers.CharField(max_length=40)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)


class ReleaseInputSerializer(serializers.Serializer):
    """Everything but the title is optional, on create as on update."""

    title = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=100, required=False, allow_blank=True)
    type = serializers.ChoiceField(choices=Release.Type.choices, required=False)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    upc = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=CODE_HELP["upc"]
    )
    catalogue_number = serializers.CharField(max_length=50, required=False, allow_blank=True)
    genre = serializers.CharField(max_length=60, required=False, allow_blank=True)
    subgenre = serializers.CharField(max_length=60, required=False, allow_blank=True)
    language = serializers.CharField(
        max_length=3, required=False, allow_blank=True, help_text=CODE_HELP["language"]
    )
    explicit = serializers.ChoiceField(choices=Explicit.choices, required=False, allow_blank=True)
    release_date = serializers.DateField(required=False, allow_null=True)
    original_release_date = serializers.DateField(required=False, allow_null=True)
    p_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900,
                                      max_value=2100)  # fmt: skip
    p_owner = serializers.CharField(max_length=200, required=False, allow_blank=True)
    c_year = serializers.IntegerField(required=False, allow_null=True, min_value=1900,
                                      max_value=2100)  # fmt: skip
    c_owner = serializers.CharField(max_length=200, required=False, allow_blank=True)
    territory_mode = serializers.ChoiceField(choices=Release.Territories.choices, required=False)
    territories = serializers.ListField(
        child=serializers.CharField(min_length=2, max_length=2), required=False, max_length=250,
        help_text=CODE_HELP["territories"],
    )  # fmt: skip
    status = serializers.ChoiceField(choices=Release.Status.choices, required=False)
    moods = _Keywords()
    keywords = _Keywords()
    genre_tags = _Keywords()
    guest_downloads = serializers.BooleanField(required=False)
    distributor = serializers.CharField(max_length=100, required=False, allow_blank=True)
    delivery_lead_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=180,
        help_text="Days before release day the distributor needs it; null: the workspace's.",
    )  # fmt: skip
    artists = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=20,
        help_text="People of the address book, in billing order: the main artists.",
    )  # fmt: skip


class ArtworkSerializer(serializers.Serializer):
    url = serializers.CharField(allow_null=True)
    thumbnail_url = serializers.CharField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    format = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())


class TrackBriefSerializer(serializers.ModelSerializer):
    isrc = serializers.SerializerMethodField()
    duration_s = serializers.SerializerMethodField()
    locked = serializers.SerializerMethodField()

    class Meta:
        model = Track
        fields = ["id", "disc", "position", "title", "version", "isrc", "explicit", "duration_s",
                  "locked"]  # fmt: skip

    def get_isrc(self, obj: Track) -> str:
        return isrc_format(obj.isrc)

    def get_duration_s(self, obj: Track) -> float | None:
        return selectors.track_duration_s(obj) if hasattr(obj, "open_locks") else None

    def get_locked(self, obj: Track) -> bool:
        return bool(getattr(obj, "open_locks", None))


class ReleaseOutputSerializer(serializers.ModelSerializer):
    artists = serializers.SerializerMethodField()
    track_count = serializers.IntegerField(read_only=True, default=None)
    p_line = serializers.CharField(read_only=True)
    c_line = serializers.CharField(read_only=True)
    artwork = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "id", "title", "version", "type", "status", "artists", "label", "upc",
            "catalogue_number", "genre", "subgenre", "language", "explicit", "release_date",
            "original_release_date", "p_year", "p_owner", "p_line", "c_year", "c_owner",
            "c_line", "territory_mode", "territories", "moods", "keywords", "genre_tags",
            "guest_downloads", "distributor", "delivery_lead_days", "artwork", "track_count",
            "created_at", "updated_at",
        ]  # fmt: skip

    @extend_schema_field(PersonBriefSerializer(many=True))
    def get_artists(self, obj: Release) -> list[dict[str, Any]]:
        credits = getattr(obj, "artists", None)
        if credits is None:
            credits = [c for c in obj.credits.all() if c.role == Credit.Role.MAIN_ARTIST]
        return [{"id": c.person_id, "name": c.person.name} for c in credits]

    @extend_schema_field(ArtworkSerializer(allow_null=True))
    def get_artwork(self, obj: Release) -> dict[str, Any] | None:
        if not obj.artwork:
            return None
        slug = self.context.get("workspace_slug")
        url = reverse("release-artwork", args=[slug, obj.pk]) if slug else None
        thumb = reverse("release-artwork", args=[slug, obj.pk]) + "?size=thumb" if slug else None
        return {
            "url": url, "thumbnail_url": thumb, "width": obj.artwork_width,
            "height": obj.artwork_height, "format": obj.artwork_format,
            "warnings": obj.artwork_warnings or [],
        }  # fmt: skip


class ReleaseDetailSerializer(ReleaseOutputSerializer):
    tracks = TrackBriefSerializer(many=True, read_only=True)
    credits = CreditOutputSerializer(many=True, read_only=True)

    class Meta(ReleaseOutputSerializer.Meta):
        fields = [*ReleaseOutputSerializer.Meta.fields, "tracks", "credits"]


class TrackInputSerializer(serializers.Serializer):
    release = serializers.IntegerField(help_text="The release this track is on.")
    title = serializers.CharField(max_length=200)
    version = serializers.CharField(max_length=100, required=False, allow_blank=True)
    disc = serializers.IntegerField(required=False, min_value=1, max_value=99)
    position = serializers.IntegerField(
        required=False, min_value=1, max_value=999, help_text="Default: the next free place."
    )
    isrc = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text=CODE_HELP["isrc"]
    )
    explicit = serializers.ChoiceField(choices=Explicit.choices, required=False, allow_blank=True)
    language = serializers.CharField(
        max_length=3, required=False, allow_blank=True, help_text=CODE_HELP["language"]
    )
    lyrics = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    bpm = serializers.DecimalField(
        max_digits=5, decimal_places=1, required=False, allow_null=True, min_value=20,
        max_value=400,
    )  # fmt: skip
    key = serializers.ChoiceField(choices=Track.Key.choices, required=False, allow_blank=True)
    preview_start_s = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=3600
    )
    featured = serializers.ListField(
        child=serializers.IntegerField(), required=False, max_length=20,
        help_text="People of the address book featured on this track (create only).",
    )  # fmt: skip


class TrackUpdateSerializer(TrackInputSerializer):
    release = None  # a track stays on its release
    title = serializers.CharField(max_length=200, required=False)
    featured = None


class TrackOutputSerializer(serializers.ModelSerializer):
    isrc = serializers.SerializerMethodField()
    release = serializers.PrimaryKeyRelatedField(read_only=True)
    credits = CreditOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Track
        fields = [
            "id", "release", "disc", "position", "title", "version", "isrc", "explicit",
            "language", "lyrics", "bpm", "key", "preview_start_s", "credits", "created_at",
            "updated_at",
        ]  # fmt: skip

    def get_isrc(self, obj: Track) -> str:
        return isrc_format(obj.isrc)


class EditionSerializer(serializers.ModelSerializer):
    manufacturing_cost = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PhysicalEdition
        fields = ["id", "format", "vinyl", "tape_minutes", "description", "quantity",
                  "manufacturer", "unit_cost", "currency", "stock", "units_sold",
                  "manufacturing_cost"]  # fmt: skip
        read_only_fields = ["id"]


class CatalogueSettingsSerializer(serializers.ModelSerializer):
    isrc_prefix = serializers.CharField(
        max_length=7, required=False, allow_blank=True,
        help_text="Country and registrant code (GB-EMI): the first five characters of your ISRCs.",
    )  # fmt: skip

    class Meta:
        model = CatalogueSettings
        fields = ["isrc_prefix", "default_label"]


class ArtworkUploadSerializer(serializers.Serializer):
    # A plain file: the artwork service judges the image itself (size, header, bombs) and
    # says what is wrong in words; DRF's ImageField would decode it first.
    file = serializers.FileField(
        help_text="JPEG or PNG, square, RGB, at most 10 MB; 3000×3000 recommended."
    )


class CompletenessSerializer(serializers.Serializer):
    store = serializers.CharField()
    name = serializers.CharField()
    score = serializers.IntegerField(min_value=0, max_value=100)
    missing = serializers.ListField(child=serializers.CharField())
    required_missing = serializers.ListField(child=serializers.CharField())


class ConsistencyRowSerializer(serializers.Serializer):
    track = serializers.IntegerField(source="track.pk")
    title = serializers.CharField(source="track.title")
    version = serializers.IntegerField(source="version.number", allow_null=True, default=None)
    integrated_lufs = serializers.FloatField(source="lufs", allow_null=True)
    true_peak_dbtp = serializers.FloatField(source="true_peak", allow_null=True)
    change_lu = serializers.FloatField(source="jump_lu", allow_null=True)
    album_mode_lufs = serializers.DictField(child=serializers.FloatField(allow_null=True),
                                            source="played")  # fmt: skip


class ConsistencySerializer(serializers.Serializer):
    album_lufs = serializers.FloatField(allow_null=True)
    album_true_peak_dbtp = serializers.FloatField(source="album_peak", allow_null=True)
    album_gain_db = serializers.DictField(child=serializers.FloatField(allow_null=True),
                                          source="gains")  # fmt: skip
    spread_lu = serializers.FloatField(allow_null=True)
    jumps = serializers.ListField(child=serializers.CharField())
    tracks = ConsistencyRowSerializer(many=True, source="rows")
