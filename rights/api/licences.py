"""Rights API: licences (finance.view to read, finance.edit to change) and their documents."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api import WorkspaceScopedMixin
from collaborators.permissions import Action

from ..models import Licence
from ..serializers.licences import (
    RightsLicenceDocumentInputSerializer,
    RightsLicenceInputSerializer,
    RightsLicenceOutputSerializer,
)
from ..services import licences as svc

_FILTERS = [
    OpenApiParameter("state", str, enum=["active", "expiring", "expired"],
                     description="expiring: active and ending within 90 days"),
    OpenApiParameter("kind", str, enum=Licence.Kind.values),
    OpenApiParameter("direction", str, enum=Licence.Direction.values),
]  # fmt: skip


class _LicenceScope(WorkspaceScopedMixin):
    read_action = Action.FINANCE_VIEW
    write_action = Action.FINANCE_EDIT

    def licence(self) -> Licence:
        return get_object_or_404(
            Licence.objects.select_related("workspace"),
            pk=self.kwargs["pk"], workspace=self.workspace,
        )  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="The workspace's licences", parameters=_FILTERS),
    retrieve=extend_schema(summary="One licence"),
    create=extend_schema(
        request=RightsLicenceInputSerializer, responses={201: RightsLicenceOutputSerializer}
    ),
    partial_update=extend_schema(
        request=RightsLicenceInputSerializer, responses={200: RightsLicenceOutputSerializer}
    ),
    destroy=extend_schema(responses={204: None}),
)
class LicenceViewSet(
    _LicenceScope, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = RightsLicenceOutputSerializer
    queryset = Licence.objects.none()
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "today": timezone.localdate()}

    def get_queryset(self) -> QuerySet[Licence]:
        if getattr(self, "swagger_fake_view", False):
            return Licence.objects.none()
        qs = Licence.objects.filter(workspace=self.workspace).select_related("workspace")
        params = self.request.query_params
        qs = svc.licences_filter(qs=qs, state=params.get("state", ""), today=timezone.localdate())
        if params.get("kind") in Licence.Kind.values:
            qs = qs.filter(kind=params["kind"])
        if params.get("direction") in Licence.Direction.values:
            qs = qs.filter(direction=params["direction"])
        return qs

    def get_object(self) -> Licence:
        return self.licence()

    def _input(self, request: Request, *, partial: bool) -> dict[str, Any]:
        data = RightsLicenceInputSerializer(
            data=request.data, partial=partial, context={"workspace": self.workspace}
        )
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _out(self, licence: Licence, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(licence).data, status=code)

    def create(self, request: Request, workspace_slug: str) -> Response:
        values = self._input(request, partial=False)
        licence = svc.licence_create(workspace=self.workspace, user=request.user, **values)
        return self._out(licence, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_slug: str, pk: int) -> Response:
        licence = self.licence()
        values = self._input(request, partial=True)
        return self._out(svc.licence_update(licence=licence, user=request.user, **values))

    def destroy(self, request: Request, workspace_slug: str, pk: int) -> Response:
        svc.licence_delete(licence=self.licence(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LicenceDocumentView(_LicenceScope, APIView):
    """The licence's signed document: download it, or upload one (replacing the old)."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Download the licence's document",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    def get(self, request: Request, workspace_slug: str, pk: int) -> FileResponse:
        licence = self.licence()
        if not licence.document:
            raise exceptions.NotFound("This licence has no document.")
        return FileResponse(
            licence.document.open("rb"), as_attachment=True,
            filename=licence.document_name or "licence",
        )  # fmt: skip

    @extend_schema(
        summary="Upload the licence's document (PDF, PNG, JPEG or DOCX, up to 25 MB)",
        request={"multipart/form-data": RightsLicenceDocumentInputSerializer},
        responses={200: RightsLicenceOutputSerializer},
    )
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        licence = self.licence()
        data = RightsLicenceDocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        licence = svc.licence_document_attach(
            licence=licence, upload=data.validated_data["document"]
        )
        out = RightsLicenceOutputSerializer(licence, context={"today": timezone.localdate()})
        return Response(out.data)


_list = LicenceViewSet.as_view({"get": "list", "post": "create"})
_one = LicenceViewSet.as_view({"get": "retrieve", "patch": "partial_update", "delete": "destroy"})

urlpatterns: list[URLPattern] = [
    path("licences/", _list, name="api-rights-licences"),
    path("licences/<int:pk>/", _one, name="api-rights-licence"),
    path(
        "licences/<int:pk>/document/",
        LicenceDocumentView.as_view(),
        name="api-rights-licence-document",
    ),
]
