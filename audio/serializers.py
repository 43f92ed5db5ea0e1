"""API shapes of audio files and jobs. Input serializers check types; services check sense."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audio.dsp.profiles import all_profiles

from .models import AudioFile, Job
from .services.mastering import INTENSITIES
from .services.renders import LABELS


class JobSerializer(serializers.ModelSerializer):
    audio_file = serializers.IntegerField(source="audio_file_id", read_only=True)
    seconds = serializers.FloatField(read_only=True, allow_null=True)
    download_url = serializers.SerializerMethodField()
    output_name = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "id", "audio_file", "kind", "status", "progress", "stage", "attempts", "params",
            "error", "created_at", "started_at", "finished_at", "seconds", "output_name",
            "download_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_output_name(self, job: Job) -> str | None:
        return job.output.name.rsplit("/", 1)[-1] if job.output else None

    def get_download_url(self, job: Job) -> str | None:
        if not job.output or job.status != Job.Status.DONE:
            return None
        return reverse(
            "api-audio-job-download",
            kwargs={"workspace_slug": self.context["workspace_slug"], "pk": job.pk},
        )


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
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class MasterInputSerializer(serializers.Serializer):
    profile = serializers.ChoiceField(choices=[p.slug for p in all_profiles()])
    intensity = serializers.ChoiceField(choices=list(INTENSITIES), default="balanced")
    mix = serializers.FloatField(min_value=0.0, max_value=1.0, default=1.0)
    target_lufs = serializers.FloatField(required=False, allow_null=True, default=None)
    reference = serializers.IntegerField(required=False, allow_null=True, default=None)
    match_loudness = serializers.BooleanField(default=False)


@extend_schema_field(OpenApiTypes.OBJECT)
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
    format = serializers.ChoiceField(choices=list(LABELS))
    master = serializers.IntegerField(required=False, allow_null=True, default=None)
    tags = TagsField(required=False, default=dict)
    artwork = serializers.FileField(required=False, allow_null=True, default=None)


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
