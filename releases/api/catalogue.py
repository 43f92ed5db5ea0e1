"""REST API of the catalogue: releases, tracks, credits, editions, artwork, settings. Thin:
the services decide, the selectors read."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api import ContentScopedMixin
from collaborators.models import Person
from collaborators.permissions import Action
from collaborators.selectors import access_workspace

from .. import selectors
from ..models import Credit, PhysicalEdition, Release, Track
from ..serializers import (
    ArtworkUploadSerializer,
    CatalogueSettingsSerializer,
    CompletenessSerializer,
    ConsistencySerializer,
    CreditInputSerializer,
    CreditOutputSerializer,
    EditionSerializer,
    ReleaseDetailSerializer,
    ReleaseInputSerializer,
    ReleaseOutputSerializer,
    TrackInputSerializer,
    TrackOutputSerializer,
    TrackUpdateSerializer,
)
from ..services import artwork, catalogue, planning


def _one(qs: QuerySet, pk: Any, what: str) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError):
        raise Http404(f"No such {what} in this workspace.") from None


def _people(workspace: Any, ids: list[int], field: str) -> list[Person]:
    found = {p.pk: p for p in Person.objects.filter(workspace=workspace, pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError({field: [f"No person {missing[0]} in this workspace's people."]})
    return [found[i] for i in ids]


class CatalogueScopedMixin(ContentScopedMixin):
    """The catalogue's API views; ``url_release()`` is the release named by ``release_id`` in
    the URL, of this workspace, or a 404."""

    def url_release(self) -> Release:
        release = Release.objects.filter(
            workspace=self.workspace,
            pk=self.kwargs["release_id"],  # type: ignore[attr-defined]
        ).first()
        if release is None:
            raise Http404("No such release in this workspace.")
        release.workspace = self.workspace  # the one with ``.membership``
        return release


@extend_schema_view(
    list=extend_schema(
        summary="The workspace's releases",
        parameters=[
            OpenApiParameter("status", enum=Release.Status.values),
            OpenApiParameter("q", str, description="Search titles, codes, artists"),
        ],
    ),
    retrieve=extend_schema(
        summary="One release with its tracks and credits", responses=ReleaseDetailSerializer
    ),  # fmt: skip
    create=extend_schema(
        summary="Create a release (a title is enough)",
        request=ReleaseInputSerializer,
        responses={201: ReleaseOutputSerializer},
    ),
    partial_update=extend_schema(
        request=ReleaseInputSerializer, responses={200: ReleaseOutputSerializer}
    ),
    destroy=extend_schema(summary="Delete a release that has not been delivered"),
)
class ReleaseViewSet(
    CatalogueScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = ReleaseOutputSerializer
    queryset = Release.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Release]:
        params = self.request.query_params
        status_ = params.get("status", "")
        if status_ and status_ not in Release.Status.values:
            choices = ", ".join(Release.Status.values)
            raise ValidationError({"status": [f"Choose one of {choices}."]})
        return selectors.releases_list(
            workspace=self.workspace, status=status_, search=params.get("q", "")[:100]
        )

    def get_object(self) -> Release:
        return _one(Release.objects.filter(workspace=self.workspace), self.kwargs["pk"], "release")

    def _out(self, release: Release, *, code: int = 200) -> Response:
        release = selectors.releases_list(workspace=self.workspace).get(pk=release.pk)
        return Response(
            ReleaseOutputSerializer(release, context=self.get_serializer_context()).data,
            status=code,
        )

    def retrieve(self, request: Request, workspace_slug: str, pk: str) -> Response:
        release = selectors.release_detail(release=self.get_object())
        context = self.get_serializer_context()
        return Response(ReleaseDetailSerializer(release, context=context).data)

    def _input(self, request: Request, *, partial: bool) -> dict[str, Any]:
        data = ReleaseInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def create(self, request: Request, workspace_slug: str) -> Response:
        fields = self._input(request, partial=False)
        artists = _people(self.workspace, fields.pop("artists", []), "artists")
        release = catalogue.release_create(
            workspace=self.workspace, user=request.user, artists=artists, **fields
        )
        return self._out(release, code=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_slug: str, pk: str) -> Response:
        release = self.get_object()
        fields = self._input(request, partial=True)
        artists = fields.pop("artists", None)
        with transaction.atomic():
            if fields:
                # A new release date moves the undone milestones too (see the timeline).
                release, _ = planning.release_update_moving_timeline(release=release, **fields)
            if artists is not None:
                catalogue.release_artists_set(
                    release=release, artists=_people(self.workspace, artists, "artists")
                )
        return self._out(release)

    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        catalogue.release_delete(release=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": ArtworkUploadSerializer},
        responses={200: ReleaseOutputSerializer},
        summary="Upload the cover art (multipart `file`)",
    )
    @extend_schema(methods=["DELETE"], request=None, responses={204: None},
                   summary="Remove the cover art")  # fmt: skip
    @action(detail=True, methods=["post", "delete"], parser_classes=[MultiPartParser, FormParser])
    def artwork(self, request: Request, workspace_slug: str, pk: str) -> Response:
        release = self.get_object()
        if request.method == "DELETE":
            artwork.release_artwork_remove(release=release, user=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        data = ArtworkUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        release = artwork.release_artwork_set(
            release=release, upload=data.validated_data["file"], user=request.user
        )
        return self._out(release)

    @extend_schema(
        responses=CompletenessSerializer(many=True),
        summary="Metadata completeness per store: a score and what is missing",
    )
    @action(detail=True, methods=["get"])
    def completeness(self, request: Request, workspace_slug: str, pk: str) -> Response:
        release = selectors.release_detail(release=self.get_object())
        rows = selectors.metadata_completeness(release=release)
        return Response(CompletenessSerializer(rows, many=True).data)

    @extend_schema(
        responses=ConsistencySerializer,
        summary="Album consistency: each track's loudness and true peak, and what each "
        "player's album mode does",
    )
    @action(detail=True, methods=["get"])
    def consistency(self, request: Request, workspace_slug: str, pk: str) -> Response:
        release = selectors.release_detail(release=self.get_object())
        return Response(ConsistencySerializer(selectors.album_consistency(release=release)).data)

    @extend_schema(methods=["GET"], responses=EditionSerializer(many=True),
                   summary="Physical editions (CD, vinyl, cassette)")  # fmt: skip
    @extend_schema(methods=["POST"], request=EditionSerializer,
                   responses={201: EditionSerializer})  # fmt: skip
    @action(detail=True, methods=["get", "post"], parser_classes=[JSONParser])
    def editions(self, request: Request, workspace_slug: str, pk: str) -> Response:
        release = self.get_object()
        if request.method == "GET":
            return Response(EditionSerializer(release.editions.all(), many=True).data)
        data = EditionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        edition = catalogue.edition_create(release=release, **data.validated_data)
        return Response(EditionSerializer(edition).data, status=status.HTTP_201_CREATED)


class TrackFilterMixin:
    def _tracks(self) -> QuerySet[Track]:
        return Track.objects.filter(workspace=self.workspace)  # type: ignore[attr-defined]


@extend_schema_view(
    list=extend_schema(
        summary="The workspace's tracks",
        parameters=[OpenApiParameter("release", int), OpenApiParameter("q", str)],
    ),
    create=extend_schema(
        summary='Add a track to a release ("isrc": "auto" assigns the next ISRC)',
        request=TrackInputSerializer,
        responses={201: TrackOutputSerializer},
    ),
    partial_update=extend_schema(
        request=TrackUpdateSerializer, responses={200: TrackOutputSerializer}
    ),
)
class TrackViewSet(
    CatalogueScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = TrackOutputSerializer
    queryset = Track.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Track]:
        params = self.request.query_params
        release = params.get("release")
        if release is not None and not release.isdigit():
            raise ValidationError({"release": ["A release id is a number."]})
        return selectors.tracks_list(
            workspace=self.workspace, release_id=release, search=params.get("q", "")[:100]
        )

    def get_object(self) -> Track:
        return _one(self.get_queryset(), self.kwargs["pk"], "track")

    def create(self, request: Request, workspace_slug: str) -> Response:
        data = TrackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        release = Release.objects.filter(workspace=self.workspace, pk=fields.pop("release")).first()
        if release is None:
            raise ValidationError({"release": ["No such release in this workspace."]})
        featured = _people(self.workspace, fields.pop("featured", []), "featured")
        track = catalogue.track_create(release=release, featured=featured, **fields)
        track = self.get_queryset().get(pk=track.pk)
        return Response(TrackOutputSerializer(track).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, workspace_slug: str, pk: str) -> Response:
        track = self.get_object()
        data = TrackUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        catalogue.track_update(track=track, **data.validated_data)
        return Response(TrackOutputSerializer(self.get_queryset().get(pk=track.pk)).data)

    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        catalogue.track_delete(track=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(
        summary="Credits on releases and tracks",
        parameters=[OpenApiParameter("release", int), OpenApiParameter("track", int)],
    ),
    create=extend_schema(
        summary="Credit a person on a release or a track",
        request=CreditInputSerializer,
        responses={201: CreditOutputSerializer},
    ),
)
class CreditViewSet(
    CatalogueScopedMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CreditOutputSerializer
    queryset = Credit.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Credit]:
        qs = Credit.objects.filter(workspace=self.workspace).select_related("person")
        for name in ("release", "track"):
            value = self.request.query_params.get(name)
            if value is not None:
                if not value.isdigit():
                    raise ValidationError({name: ["An id is a number."]})
                qs = qs.filter(**{f"{name}_id": int(value)})
        return qs.order_by("release_id", "track_id", "position", "id")

    def get_object(self) -> Credit:
        return _one(self.get_queryset(), self.kwargs["pk"], "credit")

    def create(self, request: Request, workspace_slug: str) -> Response:
        data = CreditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        target: dict[str, Any] = {}
        if ("release" in v) == ("track" in v):
            raise ValidationError("Give either a release or a track.")
        if "release" in v:
            target["release"] = _one(
                Release.objects.filter(workspace=self.workspace), v["release"], "release"
            )
        else:
            target["track"] = _one(Track.objects.filter(workspace=self.workspace), v["track"],
                                   "track")  # fmt: skip
        person = _people(self.workspace, [v["person"]], "person")[0]
        credit = catalogue.credit_add(
            person=person, role=v["role"], instrument=v.get("instrument", ""),
            position=v.get("position"), **target,
        )  # fmt: skip
        return Response(CreditOutputSerializer(credit).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        catalogue.credit_remove(credit=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    partial_update=extend_schema(request=EditionSerializer, responses=EditionSerializer),
)
class EditionViewSet(
    CatalogueScopedMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = EditionSerializer
    queryset = PhysicalEdition.objects.none()
    http_method_names = ["get", "patch", "delete"]

    def get_object(self) -> PhysicalEdition:
        qs = PhysicalEdition.objects.filter(release__workspace=self.workspace)
        return _one(qs, self.kwargs["pk"], "edition")

    def partial_update(self, request: Request, workspace_slug: str, pk: str) -> Response:
        edition = self.get_object()
        data = EditionSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        edition = catalogue.edition_update(edition=edition, **data.validated_data)
        return Response(EditionSerializer(edition).data)

    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        catalogue.edition_delete(edition=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class CatalogueSettingsView(APIView):
    """The workspace's ISRC registrant prefix and default label."""

    @extend_schema(responses=CatalogueSettingsSerializer)
    def get(self, request: Request, workspace_slug: str) -> Response:
        workspace = access_workspace(user=request.user, slug=workspace_slug,
                                     action=Action.CONTENT_VIEW)  # fmt: skip
        found = catalogue.catalogue_settings_get(workspace=workspace)
        return Response(CatalogueSettingsSerializer(found).data)

    @extend_schema(request=CatalogueSettingsSerializer, responses=CatalogueSettingsSerializer)
    def patch(self, request: Request, workspace_slug: str) -> Response:
        workspace = access_workspace(user=request.user, slug=workspace_slug,
                                     action=Action.WORKSPACE_EDIT)  # fmt: skip
        data = CatalogueSettingsSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        found = catalogue.catalogue_settings_update(workspace=workspace, **data.validated_data)
        return Response(CatalogueSettingsSerializer(found).data)
