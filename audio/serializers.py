"""API shapes of audio files and jobs. Input serializers check types; services check sense."""

from __future__ import annotations

import json
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audio.dsp import tags as tag_rules
from audio.dsp.profiles import all_profiles
from collaborators.jobs.serializers import JOB_FIELDS, BaseJobSerializer

from .models import AudioFile, Job
from .services.mastering import INTENSITIES, TARGET_RANGE
from .services.renders import ARTWORK_MAX_BYTES, LABELS


class JobSerializer(BaseJobSerializer):
    audio_file = serializers.IntegerField(source="audio_file_id", read_only=True)

    download_url_name = "api-audio-job-download"

    class Meta:
        model = Job
        fields = ["id", "audio_file", *JOB_FIELDS]
        read_only_fields = fields


class JobDetailSerializer(JobSerializer):
    result = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "result"]
        read_only_fields = fields

    def get_result(self, job: Job) -> dict[str, Any] | None:
        if not job.result:
            return None
        # The waveform of a master is served by its own endpoint, not in every poll.
        return {k: v for k, v in job.result.items() if k != "after_peaks"}


class AudioFileSerializer(serializers.ModelSerializer):
    integrated_lufs = serializers.SerializerMethodField()
    true_peak_dbtp = serializers.SerializerMethodField()
    analysis_job = serializers.SerializerMethodField()

    class Meta:
        model = AudioFile
        fields = [
            "id", "original_name", "sha256", "format", "subtype", "sample_rate", "bit_depth",
            "channels", "duration_s", "size_bytes", "created_at", "integrated_lufs",
            "true_peak_dbtp", "analysis_job",
        ]  # fmt: skip
        read_only_fields = fields

    def _analysis(self, obj: AudioFile) -> dict[str, Any]:
        return obj.analysis or {}

    def get_integrated_lufs(self, obj: AudioFile) -> float | None:
        return self._analysis(obj).get("integrated_lufs")

    def get_true_peak_dbtp(self, obj: AudioFile) -> float | None:
        return self._analysis(obj).get("true_peak_dbtp")

    def get_analysis_job(self, obj: AudioFile) -> dict[str, Any] | None:
        job = next((j for j in obj.jobs.all() if j.kind == Job.Kind.ANALYZE), None)
        return JobSerializer(job, context=self.context).data if job else None


class AudioFileDetailSerializer(AudioFileSerializer):
    report = serializers.SerializerMethodField()

    class Meta(AudioFileSerializer.Meta):
        fields = [*AudioFileSerializer.Meta.fields, "report"]
        read_only_fields = fields

    def get_report(self, obj: AudioFile) -> dict[str, Any] | None:
        return self.context.get("report")


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        allow_empty_file=True,
        use_url=False,
        help_text="A WAV, AIFF, FLAC, MP3 or OGG file, up to the server's upload limit "
        "(LINER_AUDIO_MAX_UPLOAD_BYTES, 2 GB by default). Its content decides: a file that is "
        "not audio Liner can read is refused whatever its name.",
    )


PROFILE_CHOICES = [(p.slug, p.name) for p in all_profiles()]
RENDER_FORMAT_CHOICES = list(LABELS.items())


class MasterInputSerializer(serializers.Serializer):
    profile = serializers.ChoiceField(choices=PROFILE_CHOICES)
    intensity = serializers.ChoiceField(choices=list(INTENSITIES), default="balanced")
    mix = serializers.FloatField(min_value=0.0, max_value=1.0, default=1.0)
    target_lufs = serializers.FloatField(
        required=False,
        allow_null=True,
        default=None,
        min_value=TARGET_RANGE[0],
        max_value=TARGET_RANGE[1],
        help_text="Integrated loudness to master to; null takes the profile's own.",
    )
    reference = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Another audio file of this workspace to match; an unknown one is a 404.",
    )
    match_loudness = serializers.BooleanField(default=False)


# What audio.dsp.tags.validate_tags accepts, for the schema. Of U+0000 to U+00FF, the
# characters that are not printable and not whitespace are refused (whitespace is folded); a
# text of whitespace only is refused, not skipped. Beyond U+00FF the description says it.
_CONTROL = r"\u0000-\u0008\u000e-\u001b\u007f-\u0084\u0086-\u009f\u00ad"
TAG_TEXT_PATTERN = rf"^[^{_CONTROL}]*[^\s{_CONTROL}][^{_CONTROL}]*$"
ISRC_PATTERN = r"^[\s-]*(?:[A-Za-z][\s-]*){2}(?:[A-Za-z0-9][\s-]*){3}(?:[0-9][\s-]*){7}$"
P_LINE_PATTERN = r"^\s*(?:℗|\([Pp]\)|[Pp])?\s*(?:19|20)[0-9]{2}\s+\S"


def _tag_text(help_text: str, pattern: str = TAG_TEXT_PATTERN) -> serializers.CharField:
    return serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,  # empty or null: the tag is left out
        trim_whitespace=False,
        max_length=tag_rules.TEXT_MAX,
        validators=[RegexValidator(pattern)],
        help_text=help_text,
    )


def _tag_number(low: int, high: int) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, allow_null=True, min_value=low, max_value=high)


class RenderTagsSerializer(serializers.Serializer):
    """Tags to write into the rendered file, all optional; an empty or null value leaves the
    tag out. Other names are refused. A track or disc total needs its number, and a number
    may not pass its total."""

    refuses_unknown_fields = True  # collaborators.schema says so in the schema

    title = _tag_text("Printable text; runs of whitespace are written as one space.")
    artists = serializers.ListField(
        child=serializers.CharField(
            trim_whitespace=False,
            max_length=tag_rules.TEXT_MAX,
            validators=[RegexValidator(rf"^[^{_CONTROL}]*$")],
        ),
        required=False,
        allow_null=True,
        help_text="The artists' names, in order; a blank name is skipped.",
    )
    album = _tag_text("Printable text.")
    album_artist = _tag_text("Printable text.")
    genre = _tag_text("Printable text.")
    track_number = _tag_number(1, 999)
    track_total = _tag_number(1, 999)
    disc_number = _tag_number(1, 999)
    disc_total = _tag_number(1, 999)
    year = _tag_number(1900, 2100)
    isrc = _tag_text("ISO 3901: 12 characters, like GB-ABC-26-00001.", ISRC_PATTERN)
    copyright_p = _tag_text(
        "The ℗ line: the year, then the holder, e.g. ℗ 2026 North Pier Records.", P_LINE_PATTERN
    )


@extend_schema_field(RenderTagsSerializer)
class TagsField(serializers.Field):
    """A JSON object, sent as one in a JSON body or as a JSON string in a multipart form."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, str):
            try:
                data = json.loads(data) if data.strip() else {}
            except ValueError as exc:
                raise serializers.ValidationError("Tags must be a JSON object.") from exc
        if not isinstance(data, dict):
            raise serializers.ValidationError("Tags must be a JSON object.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class RenderInputSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=RENDER_FORMAT_CHOICES)
    master = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A finished master job of this file to render instead of the upload.",
    )
    tags = TagsField(required=False, default=dict)
    artwork = serializers.FileField(
        required=False,
        allow_null=True,
        default=None,
        help_text=f"Front cover: a JPEG or PNG of at most {ARTWORK_MAX_BYTES >> 20} MB and "
        f"{tag_rules.ARTWORK_MAX_PX} px a side.",
    )


class RenderJsonInputSerializer(RenderInputSerializer):
    """A render asked for in JSON: artwork can only be sent in a multipart form."""

    artwork = None


# The schema's view of a multipart render; RenderInputSerializer reads both forms.
class RenderFormInputSerializer(RenderInputSerializer):
    """A render asked for in a multipart form (needed to send artwork). A form has no null:
    leave a part out instead. ``tags`` is one part holding a JSON object."""

    master = serializers.IntegerField(
        required=False, help_text=RenderInputSerializer._declared_fields["master"].help_text
    )
    artwork = serializers.FileField(
        required=False, help_text=RenderInputSerializer._declared_fields["artwork"].help_text
    )


class ProfileSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    target_lufs = serializers.FloatField(allow_null=True)
    recommended_lufs = serializers.FloatField(allow_null=True)
    true_peak_ceiling_dbtp = serializers.FloatField()
    normalisation = serializers.CharField()
    sources = serializers.ListField(child=serializers.CharField())
    notes = serializers.CharField()
