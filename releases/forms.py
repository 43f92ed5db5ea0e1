"""Forms of the catalogue pages. They shape input; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms

from collaborators.models import Person

from .ddex_instruments import INSTRUMENTS
from .models import Credit, Explicit, PhysicalEdition, Release, Track


def _keywords(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class DateInput(forms.DateInput):
    input_type = "date"


class ReleaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    version = forms.CharField(max_length=100, required=False, help_text="e.g. Deluxe, Remastered")
    type = forms.ChoiceField(choices=Release.Type.choices)
    status = forms.ChoiceField(choices=Release.Status.choices)
    artists = forms.ModelMultipleChoiceField(
        queryset=Person.objects.none(), required=False,
        help_text="Main artists, from your people. Ctrl/Cmd-click to choose several.",
    )  # fmt: skip
    release_date = forms.DateField(required=False, widget=DateInput)
    original_release_date = forms.DateField(
        required=False, widget=DateInput, help_text="For reissues: when it first came out."
    )
    label = forms.CharField(max_length=200, required=False)
    upc = forms.CharField(
        label="UPC / EAN", max_length=20, required=False,
        help_text="The barcode number from your distributor: 12 or 13 digits.",
    )  # fmt: skip
    catalogue_number = forms.CharField(max_length=50, required=False)
    genre = forms.CharField(max_length=60, required=False)
    subgenre = forms.CharField(max_length=60, required=False)
    language = forms.CharField(max_length=3, required=False, help_text="ISO 639 code, e.g. en, sv")
    explicit = forms.ChoiceField(choices=Explicit.choices, required=False)
    p_year = forms.IntegerField(label="℗ year", required=False, min_value=1900, max_value=2100)
    p_owner = forms.CharField(label="℗ owner (sound recording)", max_length=200, required=False)
    c_year = forms.IntegerField(label="© year", required=False, min_value=1900, max_value=2100)
    c_owner = forms.CharField(label="© owner (artwork and text)", max_length=200, required=False)
    territory_mode = forms.ChoiceField(label="Territories", choices=Release.Territories.choices)
    territories = forms.CharField(
        label="Territory codes", required=False,
        help_text="ISO country codes separated by commas (SE, NO, DK), when not worldwide.",
    )  # fmt: skip
    moods = forms.CharField(required=False, help_text="Comma-separated, e.g. dreamy, nocturnal")
    keywords = forms.CharField(
        label="Descriptors",
        required=False,
        help_text="Comma-separated: instruments, scenes, influences",
    )
    genre_tags = forms.CharField(
        required=False, help_text="Comma-separated tags for Bandcamp, SoundCloud"
    )
    distributor = forms.CharField(max_length=100, required=False, help_text="e.g. DistroKid")
    delivery_lead_days = forms.IntegerField(
        label="Delivery lead time (days)", required=False, min_value=0, max_value=180,
        help_text="How long before release day your distributor needs everything. Empty: "
        "your catalogue settings' default (21 days).",
    )  # fmt: skip
    guest_downloads = forms.BooleanField(
        label="Guests may download mixes",
        required=False,
    )

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["artists"].queryset = Person.objects.filter(workspace=workspace)

    @classmethod
    def initial_from(cls, release: Release) -> dict[str, Any]:
        data = {name: getattr(release, name) for name in cls.base_fields if hasattr(release, name)}
        data["artists"] = [c.person_id for c in release.credits.filter(role="main_artist")]
        for name in ("territories", "moods", "keywords", "genre_tags"):
            data[name] = ", ".join(getattr(release, name) or [])
        return data

    def service_fields(self) -> tuple[dict[str, Any], list[Person]]:
        data = dict(self.cleaned_data)
        artists = list(data.pop("artists") or [])
        data["territories"] = [t.upper() for t in _keywords(data["territories"])]
        for name in ("moods", "keywords", "genre_tags"):
            data[name] = _keywords(data[name])
        return data, artists


class TrackForm(forms.Form):
    title = forms.CharField(max_length=200)
    version = forms.CharField(max_length=100, required=False, help_text="e.g. Radio Edit")
    disc = forms.IntegerField(min_value=1, max_value=99, initial=1)
    position = forms.IntegerField(
        min_value=1, max_value=999, required=False, help_text="Empty: the next free place."
    )
    isrc = forms.CharField(
        label="ISRC", max_length=20, required=False,
        help_text='CC-XXX-YY-NNNNN, or “auto” for the next code from your registrant prefix.',
    )  # fmt: skip
    explicit = forms.ChoiceField(choices=Explicit.choices, required=False)
    language = forms.CharField(max_length=3, required=False, help_text="ISO 639, e.g. en")
    bpm = forms.DecimalField(label="BPM", max_digits=5, decimal_places=1, required=False,
                             min_value=20, max_value=400)  # fmt: skip
    key = forms.ChoiceField(choices=Track.Key.choices, required=False)
    preview_start_s = forms.IntegerField(
        label="Preview starts at (seconds)", min_value=0, max_value=3600, required=False
    )
    lyrics = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False,
                             max_length=20_000)  # fmt: skip

    @classmethod
    def initial_from(cls, track: Track) -> dict[str, Any]:
        data = {name: getattr(track, name) for name in cls.base_fields}
        data["isrc"] = track.isrc_display
        return data


class CreditForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none())
    role = forms.ChoiceField(choices=Credit.Role.choices)
    instrument = forms.ChoiceField(
        choices=[("", "—")] + [(i, i) for i in INSTRUMENTS], required=False,
        help_text="For a performer.",
    )  # fmt: skip

    def __init__(self, *args: Any, workspace: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(workspace=workspace)


class EditionForm(forms.ModelForm):
    class Meta:
        model = PhysicalEdition
        fields = ["format", "vinyl", "tape_minutes", "description", "quantity", "manufacturer",
                  "unit_cost", "currency", "stock", "units_sold"]  # fmt: skip


class ArtworkForm(forms.Form):
    artwork = forms.FileField(
        help_text="JPEG or PNG, square, RGB, at most 10 MB. 3000 × 3000 pixels is what every "
        "store accepts."
    )


class CatalogueSettingsForm(forms.Form):
    isrc_prefix = forms.CharField(
        label="ISRC registrant prefix", max_length=7, required=False,
        help_text="Country and registrant code: the first five characters of your ISRCs "
        "(e.g. SE-A1B). Your national ISRC agency or your distributor gives you one.",
    )  # fmt: skip
    default_label = forms.CharField(max_length=200, required=False)
