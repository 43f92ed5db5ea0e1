"""Forms of the audio pages: they read and shape input and put each error next to its field.

The services have the last word (they validate again); the forms only make sure a mistake is
shown where the musician typed it, in words they understand.
"""

from __future__ import annotations

import os
from typing import Any

from django import forms

from audio.dsp.profiles import all_profiles
from audio.dsp.tags import TagError, validate_tags

from .models import AudioFile, Job
from .services.mastering import DEFAULT_TARGET_LUFS, INTENSITIES, TARGET_RANGE
from .services.renders import ARTWORK_MAX_BYTES, LABELS

KIND_GROUPS = (
    ("streaming", "Streaming"),
    ("store", "Download stores"),
    ("physical", "Physical"),
    ("podcast", "Podcast"),
    ("broadcast", "Broadcast"),
    ("reference", "Reference"),
)
INTENSITY_WORDS = {
    "gentle": ("Gentle", "Light glue; the mix's dynamics are kept. For acoustic, jazz, classical."),
    "balanced": ("Balanced", "The usual amount of compression and limiting."),
    "loud": ("Loud", "Firmer compression and limiting, for dense pop, rock and electronic music."),
}


def profile_label(profile: Any) -> str:
    if profile.level_lufs is None:
        return f"{profile.name} (peaks ≤ {profile.true_peak_ceiling_dbtp:g} dBTP)"
    return f"{profile.name} ({profile.level_lufs:g} LUFS, {profile.true_peak_ceiling_dbtp:g} dBTP)"


def profile_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The delivery profiles grouped by kind, for a select with option groups."""
    profiles = list(all_profiles())
    groups = []
    for kind, label in KIND_GROUPS:
        options = [(p.slug, profile_label(p)) for p in profiles if p.kind == kind]
        if options:
            groups.append((label, options))
    known = {kind for kind, _ in KIND_GROUPS}
    rest = [(p.slug, profile_label(p)) for p in profiles if p.kind not in known]
    if rest:
        groups.append(("Other", rest))
    return groups


class ReferenceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: AudioFile) -> str:
        return obj.original_name


class MasterForm(forms.Form):
    profile = forms.ChoiceField(
        label="Deliver to",
        initial="spotify",
        error_messages={"invalid_choice": "Choose a destination from the list."},
        help_text="The master is made to this destination's loudness and true-peak ceiling.",
    )
    intensity = forms.ChoiceField(
        choices=[(i, INTENSITY_WORDS.get(i, (i.title(), ""))[0]) for i in INTENSITIES],
        initial="balanced",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how hard to push it: gentle, balanced or loud.",
            "invalid_choice": "Choose gentle, balanced or loud.",
        },
    )
    mix = forms.IntegerField(
        label="Amount (dry/wet)",
        min_value=0,
        max_value=100,
        initial=100,
        help_text="How much of the EQ and compression to blend in, in %. Loudness and the "
        "true-peak ceiling are always met.",
        error_messages={
            "required": "Give an amount from 0 % to 100 %.",
            "invalid": "Give the amount as a whole number of per cent, from 0 to 100.",
            "min_value": "The amount can't be below 0 %%.",
            "max_value": "The amount can't be over 100 %% (fully processed).",
        },
    )
    target_lufs = forms.FloatField(
        label="Target loudness (LUFS)",
        required=False,
        min_value=TARGET_RANGE[0],
        max_value=TARGET_RANGE[1],
        help_text="Leave empty to use the destination's own level "
        f"(or {DEFAULT_TARGET_LUFS:g} LUFS where it has none).",
        error_messages={
            "invalid": "Give the loudness as a number, like -14 or -9.5.",
            "min_value": f"That is quieter than Liner masters to ({TARGET_RANGE[0]:g} LUFS).",
            "max_value": f"That is louder than Liner masters to ({TARGET_RANGE[1]:g} LUFS).",
        },
    )
    reference = ReferenceField(
        queryset=AudioFile.objects.none(),
        required=False,
        label="Reference track",
        empty_label="None",
        help_text="Move the tonal balance toward another track of yours.",
        error_messages={"invalid_choice": "Choose one of your own tracks as the reference."},
    )
    match_loudness = forms.BooleanField(
        required=False, label="Also match the reference's loudness (instead of the target)"
    )

    def __init__(self, *args: Any, audio_file: AudioFile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = profile_choices()
        self.fields["reference"].queryset = (
            AudioFile.objects.filter(workspace_id=audio_file.workspace_id)
            .exclude(pk=audio_file.pk)
            .only("id", "original_name")
            .order_by("original_name")
        )
        self.fields["mix"].widget.attrs.update(step=5)
        self.fields["target_lufs"].widget.attrs.update(step=0.1, placeholder="Destination's own")

    @property
    def has_references(self) -> bool:
        """Whether there is another file to use as a reference (or one was chosen)."""
        if self.is_bound and self.errors.keys() & {"reference", "match_loudness"}:
            return True
        return bool(self["reference"].value()) or self.fields["reference"].queryset.exists()

    def intensity_options(self) -> list[dict[str, Any]]:
        """The radio buttons with a sentence each, for the template."""
        value = self["intensity"].value()
        return [
            {
                "value": key,
                "label": INTENSITY_WORDS.get(key, (key.title(), ""))[0],
                "help": INTENSITY_WORDS.get(key, ("", ""))[1],
                "checked": key == value,
            }
            for key in INTENSITIES
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("match_loudness") and not data.get("reference"):
            self.add_error("match_loudness", "Choose a reference track to match its loudness.")
        return data

    def settings(self) -> dict[str, Any]:
        """Keyword arguments for ``master_request``."""
        data = self.cleaned_data
        return {
            "profile": data["profile"],
            "intensity": data["intensity"],
            "mix": data["mix"] / 100,
            "target_lufs": data["target_lufs"],
            "reference": data["reference"],
            "match_loudness": data["match_loudness"],
        }


def master_label(job: Job) -> str:
    params = job.params or {}
    words = [f"Master for {profile_name(params.get('profile'))}"]
    details = [str(params.get("intensity") or "")]
    if params.get("target_lufs") is not None:
        details.append(f"{params['target_lufs']:g} LUFS")
    mix = params.get("mix")
    if mix is not None and mix < 1:
        details.append(f"{round(mix * 100)} % wet")
    return f"{words[0]} ({', '.join(d for d in details if d)})"


def profile_name(slug: str | None) -> str:
    for profile in all_profiles():
        if profile.slug == slug:
            return profile.name
    return slug or "?"


TAG_FIELDS = (
    "title", "album", "album_artist", "genre", "track_number", "track_total",
    "disc_number", "disc_total", "year", "isrc", "copyright_p",
)  # fmt: skip
NUMBER_MESSAGES = {"invalid": "Give a whole number.", "min_value": "At least 1, please."}


def _number(label: str, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=1, max_value=999,
        error_messages={**NUMBER_MESSAGES, "max_value": "At most 999."}, **kwargs,
    )  # fmt: skip


class RenderForm(forms.Form):
    source = forms.ChoiceField(
        label="From",
        error_messages={
            "invalid_choice": "Choose a finished master of this file, or the original."
        },
    )
    format = forms.ChoiceField(
        choices=list(LABELS.items()),
        initial="wav24",
        error_messages={"invalid_choice": "Choose WAV, FLAC or MP3 from the list."},
    )
    title = forms.CharField(required=False, max_length=500)
    artists = forms.CharField(
        required=False, max_length=2000, help_text="Separate several artists with commas."
    )
    album = forms.CharField(label="Album or release", required=False, max_length=500)
    album_artist = forms.CharField(required=False, max_length=500)
    track_number = _number("Track number")
    track_total = _number("Tracks in all")
    disc_number = _number("Disc number")
    disc_total = _number("Discs in all")
    year = forms.IntegerField(
        required=False, min_value=1900, max_value=2100,
        error_messages={"invalid": "Give the year as four digits, like 2026.",
                        "min_value": "Give a year from 1900 on.",
                        "max_value": "Give a year before 2100."},
    )  # fmt: skip
    isrc = forms.CharField(
        label="ISRC", required=False, max_length=20, help_text="Like GB-ABC-26-00001."
    )
    copyright_p = forms.CharField(
        label="℗ line", required=False, max_length=500, help_text="Like ℗ 2026 North Pier Records."
    )
    genre = forms.CharField(required=False, max_length=500)
    artwork = forms.FileField(
        label="Cover art",
        required=False,
        help_text="JPEG or PNG, up to 10 MB; embedded in FLAC and MP3 files.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args: Any, masters: list[Job], audio_file: AudioFile, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.masters = {str(job.pk): job for job in masters}
        self.fields["source"].choices = [(str(job.pk), master_label(job)) for job in masters] + [
            ("original", f"The original upload ({audio_file.original_name})")
        ]
        if not self.is_bound and "source" not in self.initial:
            self.initial["source"] = str(masters[0].pk) if masters else "original"
        self.fields["title"].widget.attrs["placeholder"] = os.path.splitext(
            audio_file.original_name
        )[0]
        self.artwork_bytes: bytes | None = None

    def _tag(self, key: str, value: Any) -> Any:
        if value in (None, ""):
            return value
        try:
            validate_tags({key: value})
        except TagError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return value

    def clean_isrc(self) -> str:
        value = self._tag("isrc", self.cleaned_data.get("isrc", "").strip())
        return validate_tags({"isrc": value})["isrc"] if value else ""

    def clean_copyright_p(self) -> str:
        return self._tag("copyright_p", self.cleaned_data.get("copyright_p", "").strip())

    def clean_artists(self) -> list[str]:
        names = [a.strip() for a in (self.cleaned_data.get("artists") or "").split(",")]
        names = [n for n in names if n]
        if names:
            self._tag("artists", names)
        return names

    def clean_artwork(self) -> Any:
        upload = self.cleaned_data.get("artwork")
        if not upload:
            return None
        if upload.size > ARTWORK_MAX_BYTES:
            raise forms.ValidationError("The cover art is over 10 MB; use a smaller JPEG or PNG.")
        data = upload.read()
        self._tag("artwork", data)
        self.artwork_bytes = data
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for key in ("title", "album", "album_artist", "genre"):
            if data.get(key):
                try:
                    self._tag(key, data[key])
                except forms.ValidationError as exc:
                    self.add_error(key, exc)
        for number, total in (("track_number", "track_total"), ("disc_number", "disc_total")):
            if data.get(number) and data.get(total) and data[number] > data[total]:
                self.add_error(number, f"{data[number]} is past the total of {data[total]}.")
        return data

    def master_job(self) -> Job | None:
        return self.masters.get(self.cleaned_data["source"])

    def tags(self) -> dict[str, Any]:
        data = self.cleaned_data
        tags = {k: data[k] for k in TAG_FIELDS if data.get(k) not in (None, "")}
        if data.get("artists"):
            tags["artists"] = data["artists"]
        return tags
