"""REST API of the audio app: uploads, reports, jobs and their files. Thin: services work."""

from __future__ import annotations

from typing import Any

import django_filters
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audio.dsp.profiles import all_profiles
from collaborators.api import ContentScopedMixin
from collaborators.api_support import error_response

from . import selectors
from .models import AudioFile, Job
from .serializers import (
    AudioFileDetailSerializer,
    AudioFileSerializer,
    JobDetailSerializer,
    JobSerializer,
    MasterInputSerializer,
    ProfileSerializer,
    RenderFormInputSerializer,
    RenderInputSerializer,
    RenderJsonInputSerializer,
    UploadSerializer,
)
from .services import mastering, renders, uploads

UPLOAD_OVERHEAD_BYTES = 1 << 20  # multipart boundaries and other fields around the file


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


# A download's type follows the file's name: audio/x-wav, audio/flac, audio/mpeg …; a name
# without a known extension is served as application/octet-stream.
_FILE = (200, "audio/*", "application/octet-stream")


def _not_found_or_not_ready(what: str) -> OpenApiResponse:
    return error_response(
        f"Not found, or not yours (`not_found`); or found, and {what} is not ready yet "
        "(`not_ready`): poll the job, then ask again."
    )


def _attachment(field: Any, name: str) -> FileResponse:
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@extend_schema_view(
    list=extend_schema(summary="The workspace's audio files, newest first"),
    retrieve=extend_schema(summary="One file with its QC report and a verdict per profile"),
    destroy=extend_schema(summary="Delete a file with its jobs, masters and renders"),
)
class AudioFileViewSet(
    ContentScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Uploaded audio. Every upload is analysed in the background; poll its ``analysis_job``."""

    serializer_class = AudioFileSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filterset_fields = ["format", "sample_rate", "channels"]
    search_fields = ["original_name"]
    ordering_fields = ["created_at", "original_name", "duration_s", "size_bytes"]
    queryset = AudioFile.objects.none()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.action == "create":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > settings.AUDIO_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD_BYTES:
                limit = uploads.size_words(settings.AUDIO_MAX_UPLOAD_BYTES)
                raise PayloadTooLarge(f"The upload is over the limit of {limit}.")
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[AudioFile]:
        return selectors.audio_files_list(workspace=self.workspace)

    def get_object(self) -> AudioFile:
        return selectors.audio_file_get(workspace=self.workspace, audio_file_id=self.kwargs["pk"])

    def retrieve(self, request: Request, workspace_slug: str, pk: str) -> Response:
        audio_file = self.get_object()
        context = {
            **self.get_serializer_context(),
            "report": selectors.audio_file_report(audio_file=audio_file),
        }
        return Response(AudioFileDetailSerializer(audio_file, context=context).data)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: AudioFileSerializer,
            200: OpenApiResponse(AudioFileSerializer, description="Already uploaded"),
            413: error_response(
                "The request is over the upload limit (`too_large`); nothing was read or stored."
            ),
        },
        summary="Upload a file (WAV, AIFF, FLAC, MP3, OGG); its analysis starts at once",
    )
    def create(self, request: Request, workspace_slug: str) -> Response:
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        audio_file, created = uploads.audio_upload(
            workspace=self.workspace, upload=data.validated_data["file"], user=request.user
        )
        audio_file = self.get_queryset().get(pk=audio_file.pk)
        body = AudioFileSerializer(audio_file, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        uploads.audio_file_delete(audio_file=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={200: dict, 404: _not_found_or_not_ready("the waveform")},
        summary="Waveform peaks",
    )
    @action(detail=True, methods=["get"])
    def peaks(self, request: Request, workspace_slug: str, pk: str) -> Response:
        audio_file = self.get_object()
        if not audio_file.peaks:
            raise exceptions.NotFound("The waveform is not ready yet.", code="not_ready")
        return Response(audio_file.peaks)

    @extend_schema(responses={_FILE: OpenApiTypes.BINARY}, summary="The original file")
    @action(detail=True, methods=["get"])
    def download(self, request: Request, workspace_slug: str, pk: str) -> FileResponse:
        audio_file = self.get_object()
        return _attachment(audio_file.file, audio_file.original_name)

    @extend_schema(request=None, responses={202: JobSerializer})
    @action(detail=True, methods=["post"])
    def analyze(self, request: Request, workspace_slug: str, pk: str) -> Response:
        """Analyse again (a failed analysis is queued anew; a done one is returned as is)."""
        job = uploads.analysis_request(audio_file=self.get_object(), user=request.user)
        return self._job(job)

    @extend_schema(
        request={"application/json": MasterInputSerializer}, responses={202: JobSerializer}
    )
    @action(detail=True, methods=["post"])
    def master(self, request: Request, workspace_slug: str, pk: str) -> Response:
        """Master for a delivery profile; the same settings again return the same job."""
        audio_file = self.get_object()
        data = MasterInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        ref_id = v.pop("reference")
        reference = (
            selectors.audio_file_get(workspace=self.workspace, audio_file_id=ref_id)
            if ref_id is not None
            else None
        )
        job = mastering.master_request(
            audio_file=audio_file, user=request.user, reference=reference, **v
        )
        return self._job(job)

    @extend_schema(
        request={"application/json": RenderJsonInputSerializer,
                 "multipart/form-data": RenderFormInputSerializer},
        responses={202: JobSerializer},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def render(self, request: Request, workspace_slug: str, pk: str) -> Response:
        """Render the file, or one of its finished masters, to WAV/FLAC/MP3 with tags."""
        audio_file = self.get_object()
        data = RenderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        master_job = None
        if v["master"] is not None:
            master_job = selectors.job_get(
                workspace=self.workspace, job_id=v["master"], kind=Job.Kind.MASTER
            )
        artwork = v["artwork"].read() if v["artwork"] else None
        job = renders.render_request(
            audio_file=audio_file,
            fmt=v["format"],
            master_job=master_job,
            tags=v["tags"],
            artwork=artwork,
            user=request.user,
        )
        return self._job(job)

    def _job(self, job: Job) -> Response:
        job.refresh_from_db()
        body = JobSerializer(job, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class JobFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Job.Kind.choices)
    status = django_filters.ChoiceFilter(choices=Job.Status.choices)
    # Bounded: an id past the database's integer range is a 400, not an overflow (a 500).
    audio_file = django_filters.NumberFilter(
        field_name="audio_file_id",
        validators=[MinValueValidator(1), MaxValueValidator(2**63 - 1)],
    )

    class Meta:
        model = Job
        fields = ["kind", "status", "audio_file"]


@extend_schema_view(
    list=extend_schema(summary="Jobs: analyses, masters and renders, newest first"),
    retrieve=extend_schema(summary="One job: status, progress, stage, timings, result"),
)
class JobViewSet(
    ContentScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = JobSerializer
    filterset_class = JobFilter
    ordering_fields = ["created_at", "finished_at"]
    queryset = Job.objects.none()

    def get_queryset(self) -> QuerySet[Job]:
        return selectors.jobs_list(workspace=self.workspace).defer("result")

    def get_object(self) -> Job:
        return selectors.job_get(workspace=self.workspace, job_id=self.kwargs["pk"])

    def retrieve(self, request: Request, workspace_slug: str, pk: str) -> Response:
        job = self.get_object()
        return Response(JobDetailSerializer(job, context=self.get_serializer_context()).data)

    @extend_schema(
        responses={_FILE: OpenApiTypes.BINARY, 404: _not_found_or_not_ready("the job's file")},
        summary="The job's output file",
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, workspace_slug: str, pk: str) -> FileResponse:
        job = self.get_object()
        if job.status != Job.Status.DONE or not job.output:
            raise exceptions.NotFound("This job has no file (yet).", code="not_ready")
        return _attachment(job.output, job.output.name.rsplit("/", 1)[-1])


class ProfileListView(APIView):
    """The delivery profiles Liner checks against, each with its sources."""

    @extend_schema(responses={200: ProfileSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(all_profiles(), many=True).data)
