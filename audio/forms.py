"""Forms of the audio pages: they read and shape input; the services judge it."""

from __future__ import annotations

from typing import Any

from django import forms

from audio.dsp.profiles import all_profiles

from .models import AudioFile
from .services.mastering import INTENSITIES
from .services.renders import LABELS

INTENSITY_HELP = {
    "gentle": "Gentle: light glue, the mix's dynamics kept",
    "balanced": "Balanced: the usual",
    "loud": "Loud: more compression for dense genres",
}


class MasterForm(forms.Form):
    profile = forms.ChoiceField(label="Deliver to")
    intensity = forms.ChoiceField(
        choices=[(i, INTENSITY_HELP.get(i, i)) for i in INTENSITIES], initial="balanced"
    )
    mix = forms.IntegerField(
        label="Amount (dry/wet, %)", min_value=0, max_value=100, initial=100,
        help_text="How much of the EQ and compression to blend in; gain and limiting always apply.",
    )  # fmt: skip
    target_lufs = forms.FloatField(
        label="Target loudness (LUFS)", required=False,
        help_text="Leave empty for the profile's own target.",
    )  # fmt: skip
    reference = forms.ModelChoiceField(
        queryset=AudioFile.objects.none(), required=False, label="Reference track",
        help_text="Move the tonal balance toward another track of yours.",
    )  # fmt: skip
    match_loudness = forms.BooleanField(required=False, label="Also match the reference's loudness")

    def __init__(self, *args: Any, audio_file: AudioFile, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [
            (p.slug, f"{p.name} ({p.level_lufs:g} LUFS, {p.true_peak_ceiling_dbtp:g} dBTP)"
             if p.level_lufs is not None else f"{p.name} ({p.true_peak_ceiling_dbtp:g} dBTP)")
            for p in all_profiles()
        ]  # fmt: skip
        self.fields["reference"].queryset = (
            AudioFile.objects.filter(workspace_id=audio_file.workspace_id)
            .exclude(pk=audio_file.pk)
            .only("id", "original_name")
        )

    def settings(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "profile": data["profile"],
            "intensity": data["intensity"],
            "mix": data["mix"] / 100,
            "target_lufs": data["target_lufs"],
            "reference": data["reference"],
            "match_loudness": data["match_loudness"],
        }


TAG_FIELDS = (
    "title", "album", "album_artist", "track_number", "track_total", "disc_number",
    "disc_total", "year", "isrc", "copyright_p", "genre",
)  # fmt: skip


class RenderForm(forms.Form):
    format = forms.ChoiceField(choices=list(LABELS.items()), initial="wav24")
    source = forms.ChoiceField(label="From", choices=[("original", "The original upload")])
    title = forms.CharField(required=False, max_length=500)
    artists = forms.CharField(required=False, help_text="Separate several with commas.")
    album = forms.CharField(required=False, max_length=500)
    album_artist = forms.CharField(required=False, max_length=500)
    track_number = forms.IntegerField(required=False, min_value=1, max_value=999)
    track_total = forms.IntegerField(required=False, min_value=1, max_value=999)
    disc_number = forms.IntegerField(required=False, min_value=1, max_value=999)
    disc_total = forms.IntegerField(required=False, min_value=1, max_value=999)
    year = forms.IntegerField(required=False, min_value=1900, max_value=2100)
    isrc = forms.CharField(label="ISRC", required=False, max_length=20,
                           help_text="Like GB-ABC-26-00001.")  # fmt: skip
    copyright_p = forms.CharField(label="℗ line", required=False, max_length=500,
                                  help_text="Like ℗ 2026 North Pier Records.")  # fmt: skip
    genre = forms.CharField(required=False, max_length=500)
    artwork = forms.FileField(required=False, help_text="JPEG or PNG, up to 10 MB.")

    def __init__(self, *args: Any, masters: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [
            (str(job.pk), f"Master for {job.params.get('profile')} "
                          f"({job.params.get('intensity')}, {job.params.get('target_lufs')} LUFS)")
            for job in masters
        ] + [("original", "The original upload")]  # fmt: skip

    def tags(self) -> dict[str, Any]:
        data = self.cleaned_data
        tags = {k: data[k] for k in TAG_FIELDS if data.get(k) not in (None, "")}
        artists = [a.strip() for a in (data.get("artists") or "").split(",") if a.strip()]
        if artists:
            tags["artists"] = artists
        return tags
