"""REST API of delivery bundles, as jobs, under ``/api/workspaces/<slug>/releases/<id>/``:

=============================  ===================================================================
``bundles/``                   GET the release's bundles, newest first; POST ``{"profile"}`` to
                               ask for one (the existing job when nothing changed since)
``bundles/<id>/``              GET one (poll ``progress`` and ``stage`` until ``done``)
``bundles/<id>/download/``     GET the zip, once the job is done
=============================  ===================================================================

Members only: a guest on the release, like a stranger, gets a 404 (a bundle holds every
master). Reading and downloading need ``content.view``/``content.download`` (every role);
asking for a bundle ``content.edit``. The work is ``releases.services.bundles``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from collaborators.api_support import error_response
from collaborators.jobs.serializers import JOB_FIELDS, BaseJobSerializer
from collaborators.permissions import Action

from ..models import BundleJob
from ..services import bundles
from .review import EDIT_FORBIDDEN, ReleaseScopedMixin, one_or_404


class BundleJobSerializer(BaseJobSerializer):
    release = serializers.IntegerField(source="release_id", read_only=True)
    profile = serializers.CharField(read_only=True)

    download_url_name = "api-release-bundle-download"

    class Meta:
        model = BundleJob
        fields = ["id", "release", "profile", *JOB_FIELDS, "result"]
        read_only_fields = fields

    def get_download_url(self, job: BundleJob) -> str | None:
        if not job.output or job.status != BundleJob.Status.DONE:
            return None
        return reverse(
            self.download_url_name,
            kwargs={
                "workspace_slug": self.context["workspace_slug"],
                "release_id": job.release_id,
                "pk": job.pk,
            },
        )


class BundleRequestSerializer(serializers.Serializer):
    profile = serializers.ChoiceField(
        choices=[(p.slug, p.name) for p, _ in bundles.bundle_profiles()],
        help_text="The store or medium the bundle is for (a delivery profile's slug).",
    )


_NOT_FOUND = error_response(
    "No such release or bundle (or not yours: another workspace's, or you are a guest) "
    "(`not_found`)."
)
_NOT_READY = error_response(
    "No such bundle (`not_found`); or it is not built yet (`not_ready`): poll it, then ask again."
)


@extend_schema_view(
    list=extend_schema(summary="The release's delivery bundles, newest first"),
    retrieve=extend_schema(summary="One delivery bundle (poll it while it builds)"),
)
class BundleJobViewSet(
    ReleaseScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A release's delivery bundles: one zip per store profile, built in the background."""

    serializer_class = BundleJobSerializer
    queryset = BundleJob.objects.none()
    filter_backends: list[Any] = []
    lookup_value_converter = "int"
    write_action = Action.CONTENT_EDIT

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.release.viewer.is_guest:  # type: ignore[attr-defined]
            raise Http404("No such release in this workspace.")
        if self.action == "download":
            self.release.viewer.require(Action.CONTENT_DOWNLOAD)  # type: ignore[attr-defined]

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "workspace_slug": self.kwargs["workspace_slug"]}

    def get_queryset(self) -> QuerySet[BundleJob]:
        return bundles.bundles_list(release=self.release)

    def get_object(self) -> BundleJob:
        return one_or_404(self.get_queryset(), self.kwargs["pk"], "bundle of this release")

    @extend_schema(
        summary="Ask for the release's bundle for a store: queued, or the one already made",
        request=BundleRequestSerializer,
        responses={
            202: BundleJobSerializer,
            400: error_response(
                "Not a profile (`fields`), or the release cannot be delivered yet: a track "
                "without a locked master, no tracks, no cover art the store needs (`detail`)."
            ),
            403: EDIT_FORBIDDEN,
            404: _NOT_FOUND,
        },
    )
    def create(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        data = BundleRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = bundles.bundle_request(
            release=self.release, profile=data.validated_data["profile"], user=request.user
        )
        job.refresh_from_db()  # an inline run (eager tasks) may have finished it
        body = BundleJobSerializer(job, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={(200, "application/zip"): OpenApiTypes.BINARY, 404: _NOT_READY},
        summary="The bundle's zip",
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Any:
        job = self.get_object()
        if job.status != BundleJob.Status.DONE or not job.output:
            raise exceptions.NotFound("This bundle is not built (yet).", code="not_ready")
        name = job.output.name.rsplit("/", 1)[-1]
        return FileResponse(job.output.open("rb"), as_attachment=True, filename=name)
