"""Rights API: works, their parties, split versions and split sheets.

Reading needs content.view (members see who owns what share; no money here); works change with
content.edit; new split versions and reminders need finance.edit; a logged-in party signs with
content.view.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api import WorkspaceScopedMixin
from collaborators.csv_export import csv_bytes
from collaborators.models import Person
from collaborators.permissions import Action
from releases.models import Release, Track

from ..models import SplitKind, SplitSheetVersion, Work, WorkParty
from ..selectors import works as sel
from ..serializers.works import (
    RightsSheetRemindSerializer,
    RightsSheetSerializer,
    RightsSheetSignInputSerializer,
    RightsSplitInputSerializer,
    RightsSplitSetSerializer,
    RightsWorkInputSerializer,
    RightsWorkPartyInputSerializer,
    RightsWorkPartySerializer,
    RightsWorkSerializer,
)
from ..services import sheets, splits
from ..services import works as svc

_VERSION = [OpenApiParameter("version", int, description="A sheet version; default: current")]


class _Scope(WorkspaceScopedMixin):
    read_action = Action.CONTENT_VIEW
    write_action = Action.CONTENT_EDIT
    # For the schema only (what the path's id is): the views fetch through ``work()``.
    queryset = Work.objects.none()

    def work(self) -> Work:
        # Fetched within the workspace: another workspace's work is a 404.
        return get_object_or_404(Work, pk=self.kwargs["pk"], workspace=self.workspace)


def _works(workspace: Any) -> QuerySet[Work]:
    return Work.objects.filter(workspace=workspace).prefetch_related(
        "parties__person", "recordings"
    )


def _work_values(data: dict[str, Any]) -> tuple[dict[str, Any], list[int] | None]:
    values = dict(data)
    return values, values.pop("recordings", None)


class WorkListView(_Scope, generics.GenericAPIView):
    serializer_class = RightsWorkSerializer

    @extend_schema(
        summary="The workspace's works",
        parameters=[OpenApiParameter("q", str, description="Search in titles")],
        responses={200: RightsWorkSerializer(many=True)},
    )
    def get(self, request: Request, workspace_slug: str) -> Response:
        qs = _works(self.workspace)
        if request.query_params.get("q"):
            qs = qs.filter(title__icontains=request.query_params["q"])
        return Response(RightsWorkSerializer(qs, many=True).data)

    @extend_schema(
        summary="Add a work", request=RightsWorkInputSerializer,
        responses={201: RightsWorkSerializer},
    )  # fmt: skip
    def post(self, request: Request, workspace_slug: str) -> Response:
        data = RightsWorkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values, recordings = _work_values(data.validated_data)
        work = svc.work_create(workspace=self.workspace, user=request.user, **values)
        if recordings is not None:
            svc.work_recordings_set(work=work, tracks=recordings)
        return Response(RightsWorkSerializer(_works(self.workspace).get(pk=work.pk)).data, 201)


class WorkDetailView(_Scope, generics.GenericAPIView):
    serializer_class = RightsWorkSerializer

    @extend_schema(summary="One work", responses={200: RightsWorkSerializer})
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        return Response(RightsWorkSerializer(_works(self.workspace).get(pk=self.work().pk)).data)

    @extend_schema(
        summary="Change a work", request=RightsWorkInputSerializer,
        responses={200: RightsWorkSerializer},
    )  # fmt: skip
    def patch(self, request: Request, workspace_slug: str, pk: int) -> Response:
        work = self.work()
        data = RightsWorkInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values, recordings = _work_values(data.validated_data)
        if values:
            svc.work_update(work=work, **values)
        if recordings is not None:
            svc.work_recordings_set(work=work, tracks=recordings)
        return Response(RightsWorkSerializer(_works(self.workspace).get(pk=work.pk)).data)

    @extend_schema(summary="Delete a work (refused while it has licences)", responses={204: None})
    def delete(self, request: Request, workspace_slug: str, pk: int) -> Response:
        svc.work_delete(work=self.work())
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkPartiesView(_Scope, generics.GenericAPIView):
    serializer_class = RightsWorkPartySerializer

    @extend_schema(summary="A work's writers and publishers",
                   responses={200: RightsWorkPartySerializer(many=True)})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        parties = self.work().parties.select_related("person")
        return Response(RightsWorkPartySerializer(parties, many=True).data)

    @extend_schema(summary="Add a writer or publisher", request=RightsWorkPartyInputSerializer,
                   responses={201: RightsWorkPartySerializer})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        work = self.work()  # another workspace's work is a 404 before its input is read
        data = RightsWorkPartyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        party = svc.work_party_add(work=work, **data.validated_data)
        party = WorkParty.objects.select_related("person").get(pk=party.pk)
        return Response(RightsWorkPartySerializer(party).data, status=201)


def _split_input(request: Request) -> dict[str, Any]:
    data = RightsSplitInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    return dict(data.validated_data)


class WorkSplitsView(_Scope, generics.GenericAPIView):
    serializer_class = RightsSplitSetSerializer
    write_action = Action.FINANCE_EDIT

    @extend_schema(summary="The publishing split's versions, newest first",
                   responses={200: RightsSplitSetSerializer(many=True)})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        history = sel.split_history(work=self.work())
        return Response(RightsSplitSetSerializer(history, many=True).data)

    @extend_schema(summary="A new publishing split version", request=RightsSplitInputSerializer,
                   responses={201: RightsSplitSetSerializer})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        split = splits.split_set_create(
            kind=SplitKind.PUBLISHING, work=self.work(), user=request.user, **_split_input(request)
        )
        return Response(
            RightsSplitSetSerializer(sel.split_history(work=split.work).first()).data, 201
        )


class TrackMasterSplitsView(_Scope, generics.GenericAPIView):
    queryset = Track.objects.none()
    serializer_class = RightsSplitSetSerializer
    write_action = Action.FINANCE_EDIT

    def track(self) -> Track:
        return get_object_or_404(Track, pk=self.kwargs["pk"], workspace=self.workspace)

    @extend_schema(summary="A recording's master split versions, newest first",
                   responses={200: RightsSplitSetSerializer(many=True)})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        history = sel.split_history(track=self.track())
        return Response(RightsSplitSetSerializer(history, many=True).data)

    @extend_schema(summary="A new master split version", request=RightsSplitInputSerializer,
                   responses={201: RightsSplitSetSerializer})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        track = self.track()
        splits.split_set_create(
            kind=SplitKind.MASTER, track=track, user=request.user, **_split_input(request)
        )
        return Response(RightsSplitSetSerializer(sel.split_history(track=track).first()).data, 201)


class ReleaseMasterSplitsView(_Scope, generics.GenericAPIView):
    queryset = Release.objects.none()
    serializer_class = RightsSplitSetSerializer
    write_action = Action.FINANCE_EDIT

    @extend_schema(summary="The same master split as a new version on every track",
                   request=RightsSplitInputSerializer,
                   responses={201: RightsSplitSetSerializer(many=True)})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        release = get_object_or_404(Release, pk=pk, workspace=self.workspace)
        sets = splits.master_split_for_release(
            release=release, user=request.user, **_split_input(request)
        )
        return Response(RightsSplitSetSerializer(sets, many=True).data, status=201)


def _sheet_body(version: SplitSheetVersion | None) -> dict[str, Any]:
    state = sheets.sheet_state(version=version)
    if version is None:
        return {"state": "empty", "version": None, "reason": "", "fingerprint": "",
                "agreed_at": None, "waiting_for": [], "parties": [], "split_sets": []}  # fmt: skip
    signed = {s.person_id: s for s in state["signed"]}
    parties = [
        {**{k: p.get(k, "") for k in ("id", "name", "email", "pro", "ipi", "isni")},
         "signed": p["id"] in signed,
         "signed_at": signed[p["id"]].signed_at if p["id"] in signed else None,
         "via": signed[p["id"]].via if p["id"] in signed else ""}
        for p in version.snapshot["parties"]
    ]  # fmt: skip
    return {
        "state": state["state"], "version": version.number, "reason": version.reason,
        "fingerprint": version.fingerprint, "agreed_at": version.agreed_at,
        "waiting_for": state["waiting_for"], "parties": parties,
        "split_sets": [s["id"] for s in version.snapshot["sets"]],
    }  # fmt: skip


class SheetView(_Scope, generics.GenericAPIView):
    serializer_class = RightsSheetSerializer

    @extend_schema(summary="The work's split sheet: current version, who signed, who not",
                   responses={200: RightsSheetSerializer})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        body = _sheet_body(sheets.current_version(work=self.work()))
        return Response(RightsSheetSerializer(body).data)


class SheetSignView(_Scope, generics.GenericAPIView):
    serializer_class = RightsSheetSerializer
    write_action = Action.CONTENT_VIEW  # a party signs for themselves; no edit right needed

    @extend_schema(summary="Sign the current version as the logged-in party",
                   request=RightsSheetSignInputSerializer,
                   responses={200: RightsSheetSerializer})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        work = self.work()
        data = RightsSheetSignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not data.validated_data["agree"]:
            raise exceptions.ValidationError({"agree": ["Agree to the splits to sign."]})
        me = Person.objects.filter(workspace=self.workspace, user=request.user).first()
        version = sheets.current_version(work=work)
        if me is None or version is None:
            raise exceptions.PermissionDenied("You are not a party to this split sheet.")
        sheets.split_sheet_sign(version=version, person=me, via="login", user=request.user,
                                signed_name=data.validated_data["signed_name"])  # fmt: skip
        return Response(RightsSheetSerializer(_sheet_body(sheets.current_version(work=work))).data)


class SheetRemindView(_Scope, generics.GenericAPIView):
    serializer_class = RightsSheetRemindSerializer
    write_action = Action.FINANCE_EDIT

    @extend_schema(summary="Send the signing links again to everyone who has not signed",
                   request=None, responses={200: RightsSheetRemindSerializer})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, pk: int) -> Response:
        waiting = sheets.split_sheet_remind(work=self.work(), user=request.user)
        return Response({"waiting": waiting})


class _SheetFile(_Scope, APIView):
    def version(self) -> SplitSheetVersion:
        work = self.work()
        number = self.request.query_params.get("version")
        if number:
            if not number.isdigit():
                raise exceptions.NotFound("No such version.")
            return get_object_or_404(SplitSheetVersion, sheet__work=work, number=int(number))
        version = sheets.current_version(work=work)
        if version is None:
            raise exceptions.NotFound("This work has no split sheet yet.")
        return version


class SheetPdfView(_SheetFile):
    @extend_schema(summary="The split sheet as PDF", parameters=_VERSION,
                   responses={(200, "application/pdf"): OpenApiTypes.BINARY})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, pk: int) -> HttpResponse:
        version = self.version()
        response = HttpResponse(sheets.sheet_pdf(version=version), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="split-sheet-v{version.number}.pdf"'
        )
        return response


class SheetCsvView(_SheetFile):
    @extend_schema(summary="The split sheet as CSV", parameters=_VERSION,
                   responses={(200, "text/csv"): OpenApiTypes.BINARY})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, pk: int) -> HttpResponse:
        version = self.version()
        response = HttpResponse(csv_bytes(sheets.sheet_rows(version=version)),
                                content_type="text/csv; charset=utf-8")  # fmt: skip
        response["Content-Disposition"] = (
            f'attachment; filename="split-sheet-v{version.number}.csv"'
        )
        return response


W = "works/<int:pk>/"
urlpatterns: list[URLPattern] = [
    path("works/", WorkListView.as_view(), name="api-rights-works"),
    path(W, WorkDetailView.as_view(), name="api-rights-work"),
    path(W + "parties/", WorkPartiesView.as_view(), name="api-rights-work-parties"),
    path(W + "splits/", WorkSplitsView.as_view(), name="api-rights-work-splits"),
    path(W + "sheet/", SheetView.as_view(), name="api-rights-sheet"),
    path(W + "sheet/sign/", SheetSignView.as_view(), name="api-rights-sheet-sign"),
    path(W + "sheet/remind/", SheetRemindView.as_view(), name="api-rights-sheet-remind"),
    path("works/<int:pk>/sheet.pdf", SheetPdfView.as_view(), name="api-rights-sheet-pdf"),
    path("works/<int:pk>/sheet.csv", SheetCsvView.as_view(), name="api-rights-sheet-csv"),
    path("tracks/<int:pk>/master-splits/", TrackMasterSplitsView.as_view(),
         name="api-rights-track-master-splits"),
    path("releases/<int:pk>/master-splits/", ReleaseMasterSplitsView.as_view(),
         name="api-rights-release-master-splits"),
]  # fmt: skip
