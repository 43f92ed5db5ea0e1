"""DDEX ERN 4.3 over the API, under ``/api/workspaces/<slug>/releases/``:

- ``<release_id>/ddex/`` (GET): the release's NewReleaseMessage as ``application/xml``;
- ``import-ddex/`` (POST, multipart ``file``): a new release from an ERN file, 201 with what
  was made and what was left out; 400 in the error shape when the file is refused (not
  well-formed, a DTD or entities, too deep, not ERN 4.3, a UPC or ISRC you already have),
  413 before the body is read when it is over the size limit. Nothing is saved on an error.

Members only, like the rest of the catalogue; importing needs ``content.edit``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audio.api import UPLOAD_OVERHEAD_BYTES, PayloadTooLarge
from collaborators.api_support import error_response

from ..ddex.parse import MAX_BYTES
from ..models import Release
from ..services import ddex
from .catalogue import CatalogueScopedMixin


class DdexImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=f"A DDEX ERN 4.3 NewReleaseMessage (XML), at most {MAX_BYTES // 1_048_576} MB."
    )


class DdexImportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    upc = serializers.CharField(allow_blank=True)
    tracks = serializers.IntegerField(help_text="How many tracks were created.")
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="What the message had that Liner did not take over, in words.",
    )


class ReleaseDdexView(CatalogueScopedMixin, APIView):
    """The release's NewReleaseMessage (``releases.services.ddex.release_message``): parties,
    sound recordings with ISRC and duration, the release with its UPC as ICPN and track list,
    ℗/© lines, genre, parental warnings, the cover as an image resource, and deals for its
    territories from its release date. Valid against DDEX's ERN 4.3 schema."""

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The message is XML whatever is asked for; errors stay in the JSON error shape, so a
        # client asking for application/xml gets them too instead of a 406.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="The release's DDEX ERN 4.3 NewReleaseMessage",
        responses={
            (200, "application/xml"): OpenApiTypes.BINARY,
            400: error_response(
                "The release lacks what the message needs (a main artist, a genre, a track)."
            ),
        },
    )
    def get(self, request: Request, workspace_slug: str, release_id: int) -> HttpResponse:
        release = (
            Release.objects.filter(workspace=self.workspace, pk=release_id)
            .select_related("workspace")
            .first()
        )
        if release is None:
            raise Http404("No such release in this workspace.")
        data = ddex.release_message(release=release)
        response = HttpResponse(data, content_type="application/xml; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="release-{release.pk}-ern.xml"'
        return response


class ReleaseDdexImportView(CatalogueScopedMixin, APIView):
    """A new release from an uploaded ERN 4.3 message, with its tracks, ISRCs, UPC, artists and
    contributors (people found by name or added) and credits. The file is read safely: no
    document type, entities or network, a size and nesting limit."""

    parser_classes = [MultiPartParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > MAX_BYTES + UPLOAD_OVERHEAD_BYTES:
            raise PayloadTooLarge(f"The upload is over the limit of {MAX_BYTES // 1_048_576} MB.")
        super().initial(request, *args, **kwargs)

    @extend_schema(
        summary="Create a release from a DDEX ERN 4.3 message (all of it, or nothing)",
        request={"multipart/form-data": DdexImportInputSerializer},
        responses={
            201: DdexImportOutputSerializer,
            400: error_response(
                "The file is refused, with the reason in `detail`: not well-formed XML, a "
                "document type or entities, nested too deeply, not an ERN 4.3 "
                "NewReleaseMessage, or a UPC or ISRC the workspace already has. Nothing saved."
            ),
            413: error_response(
                "The request is over the upload limit (`too_large`); nothing was read or stored."
            ),
        },
    )
    def post(self, request: Request, workspace_slug: str) -> Response:
        data = DdexImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > MAX_BYTES:
            raise PayloadTooLarge(f"The file is over the limit of {MAX_BYTES // 1_048_576} MB.")
        release = ddex.release_import(
            workspace=self.workspace, data=upload.read(MAX_BYTES + 1), user=request.user
        )
        body = DdexImportOutputSerializer(
            {
                "id": release.pk,
                "title": release.title,
                "upc": release.upc,
                "tracks": release.tracks.count(),
                "warnings": getattr(release, "import_warnings", []),
            }  # fmt: skip
        ).data
        return Response(body, status=status.HTTP_201_CREATED)
