"""Rights API: statements (finance.view to read, finance.edit to upload, match and change
mappings). Thin: ``rights.services.statements`` imports, ``rights.services.matching`` decides
matches and mappings, ``rights.selectors.statements`` reads."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api import WorkspaceScopedMixin
from collaborators.permissions import Action
from releases.models import Track

from ..models import ColumnMapping, Earning, MatchRule, Statement, StatementJob
from ..selectors import statements as selectors
from ..serializers.statements import (
    RightsColumnMappingInputSerializer,
    RightsColumnMappingSerializer,
    RightsMatchRuleInputSerializer,
    RightsMatchRuleSerializer,
    RightsStatementEarningSerializer,
    RightsStatementJobSerializer,
    RightsStatementSerializer,
    RightsStatementUploadResultSerializer,
    RightsStatementUploadSerializer,
    RightsUnmatchedGroupSerializer,
)
from ..services import matching
from ..services import statements as svc


class _Scope(WorkspaceScopedMixin):
    read_action = Action.FINANCE_VIEW
    write_action = Action.FINANCE_EDIT

    def get_serializer_context(self) -> dict[str, Any]:
        # Plain APIViews (the detail views) have no serializer context of their own.
        parent = getattr(super(), "get_serializer_context", None)
        context = parent() if parent else {"request": self.request}  # type: ignore[attr-defined]
        context["workspace_slug"] = self.kwargs.get("workspace_slug")  # type: ignore[attr-defined]
        return context

    def statement(self) -> Statement:
        # Within the workspace: another workspace's statement is a 404.
        return get_object_or_404(
            Statement,
            pk=self.kwargs["pk"],
            workspace=self.workspace,  # type: ignore[attr-defined]
        )


class StatementListView(_Scope, generics.ListAPIView):
    """The workspace's imported statements, newest first; POST uploads one."""

    serializer_class = RightsStatementSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Statement]:
        if getattr(self, "swagger_fake_view", False):
            return Statement.objects.none()
        return selectors.statement_list(workspace=self.workspace)

    @extend_schema(summary="The workspace's imported statements")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Upload a statement; a worker imports it",
        request={"multipart/form-data": RightsStatementUploadSerializer},
        responses={202: RightsStatementUploadResultSerializer,
                   200: RightsStatementUploadResultSerializer},
        description="202 with the statement and its import job; 200 with `duplicate: true` "
        "and the statement imported before when the same file was imported already.",
    )  # fmt: skip
    def post(self, request: Request, workspace_slug: str) -> Response:
        data = RightsStatementUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        mapping = None
        if values.get("mapping") is not None:
            mapping = ColumnMapping.objects.filter(
                pk=values["mapping"], workspace=self.workspace
            ).first()
            if mapping is None:
                raise exceptions.ValidationError({"mapping": ["No such column mapping here."]})
        outcome = svc.statement_upload(
            workspace=self.workspace, upload=values["file"], source=values.get("source") or None,
            mapping=mapping, user=request.user,
        )  # fmt: skip
        context = self.get_serializer_context()
        body = {
            "duplicate": outcome.duplicate,
            "statement": RightsStatementSerializer(outcome.statement, context=context).data,
            "job": RightsStatementJobSerializer(outcome.job, context=context).data
            if outcome.job
            else None,
        }
        code = status.HTTP_200_OK if outcome.duplicate else status.HTTP_202_ACCEPTED
        return Response(body, status=code)


class StatementDetailView(_Scope, APIView):
    @extend_schema(summary="One imported statement", responses={200: RightsStatementSerializer})
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        return Response(RightsStatementSerializer(self.statement()).data)


class StatementEarningsView(_Scope, generics.ListAPIView):
    """A statement's lines as earnings, in file order."""

    serializer_class = RightsStatementEarningSerializer

    def get_queryset(self) -> QuerySet[Earning]:
        if getattr(self, "swagger_fake_view", False):
            return Earning.objects.none()
        return selectors.statement_earnings(statement=self.statement())

    @extend_schema(summary="A statement's lines (earnings), in file order")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StatementJobView(_Scope, APIView):
    @extend_schema(
        summary="The state of a statement's latest import job",
        responses={200: RightsStatementJobSerializer},
    )
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        statement = self.statement()
        job = StatementJob.objects.filter(statement=statement).order_by("-created_at", "-id")
        found = job.first()
        if found is None:
            raise exceptions.NotFound("This statement was imported without a job.")
        return Response(
            RightsStatementJobSerializer(found, context=self.get_serializer_context()).data
        )


class UnmatchedView(_Scope, APIView):
    @extend_schema(
        summary="The review queue: unmatched lines grouped by key, the most money first",
        responses={200: RightsUnmatchedGroupSerializer(many=True)},
    )
    def get(self, request: Request, workspace_slug: str) -> Response:
        groups = selectors.unmatched_groups(workspace=self.workspace)
        return Response(RightsUnmatchedGroupSerializer(groups, many=True).data)


class MatchRuleListView(_Scope, generics.ListAPIView):
    """Rules the review queue remembered; POST matches a group and makes one."""

    serializer_class = RightsMatchRuleSerializer

    def get_queryset(self) -> QuerySet[MatchRule]:
        if getattr(self, "swagger_fake_view", False):
            return MatchRule.objects.none()
        return MatchRule.objects.filter(workspace=self.workspace).select_related("track")

    @extend_schema(summary="The workspace's matching rules")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Match an unmatched group to a track, for this and every later statement",
        request=RightsMatchRuleInputSerializer, responses={201: RightsMatchRuleSerializer},
    )  # fmt: skip
    def post(self, request: Request, workspace_slug: str) -> Response:
        data = RightsMatchRuleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        track = Track.objects.filter(
            pk=data.validated_data["track"], workspace=self.workspace
        ).first()
        if track is None:
            raise exceptions.ValidationError({"track": ["Choose a track of this workspace."]})
        rule = matching.match_rule_create(
            workspace=self.workspace, key=data.validated_data["key"], track=track,
            user=request.user,
        )  # fmt: skip
        return Response(RightsMatchRuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class MatchRuleDetailView(_Scope, APIView):
    def rule(self) -> MatchRule:
        return get_object_or_404(
            MatchRule.objects.select_related("track"), pk=self.kwargs["pk"],
            workspace=self.workspace,
        )  # fmt: skip

    @extend_schema(summary="One matching rule", responses={200: RightsMatchRuleSerializer})
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        return Response(RightsMatchRuleSerializer(self.rule()).data)

    @extend_schema(
        summary="Forget a rule; its lines in open months go back to the review queue",
        responses={204: None},
    )
    def delete(self, request: Request, workspace_slug: str, pk: int) -> Response:
        matching.match_rule_delete(rule=self.rule(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ColumnMappingListView(_Scope, generics.ListAPIView):
    serializer_class = RightsColumnMappingSerializer

    def get_queryset(self) -> QuerySet[ColumnMapping]:
        if getattr(self, "swagger_fake_view", False):
            return ColumnMapping.objects.none()
        return ColumnMapping.objects.filter(workspace=self.workspace)

    @extend_schema(summary="The workspace's column mappings (for other distributors' files)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Save a new column mapping",
        request=RightsColumnMappingInputSerializer, responses={201: RightsColumnMappingSerializer},
    )  # fmt: skip
    def post(self, request: Request, workspace_slug: str) -> Response:
        data = RightsColumnMappingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mapping = matching.column_mapping_save(workspace=self.workspace, **data.to_service())
        return Response(RightsColumnMappingSerializer(mapping).data, status=status.HTTP_201_CREATED)


class ColumnMappingDetailView(_Scope, APIView):
    def mapping(self) -> ColumnMapping:
        return get_object_or_404(ColumnMapping, pk=self.kwargs["pk"], workspace=self.workspace)

    @extend_schema(summary="One column mapping", responses={200: RightsColumnMappingSerializer})
    def get(self, request: Request, workspace_slug: str, pk: int) -> Response:
        return Response(RightsColumnMappingSerializer(self.mapping()).data)

    @extend_schema(
        summary="Change a column mapping (every field again)",
        request=RightsColumnMappingInputSerializer, responses={200: RightsColumnMappingSerializer},
    )  # fmt: skip
    def put(self, request: Request, workspace_slug: str, pk: int) -> Response:
        mapping = self.mapping()
        data = RightsColumnMappingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        mapping = matching.column_mapping_save(
            workspace=self.workspace, mapping=mapping, **data.to_service()
        )
        return Response(RightsColumnMappingSerializer(mapping).data)

    @extend_schema(summary="Delete a column mapping", responses={204: None})
    def delete(self, request: Request, workspace_slug: str, pk: int) -> Response:
        matching.column_mapping_delete(mapping=self.mapping())
        return Response(status=status.HTTP_204_NO_CONTENT)


S = "statements/<int:pk>/"
urlpatterns: list[URLPattern] = [
    path("statements/", StatementListView.as_view(), name="api-rights-statements"),
    path(S, StatementDetailView.as_view(), name="api-rights-statement"),
    path(S + "earnings/", StatementEarningsView.as_view(), name="api-rights-statement-earnings"),
    path(S + "job/", StatementJobView.as_view(), name="api-rights-statement-job"),
    path("unmatched/", UnmatchedView.as_view(), name="api-rights-unmatched"),
    path("match-rules/", MatchRuleListView.as_view(), name="api-rights-match-rules"),
    path("match-rules/<int:pk>/", MatchRuleDetailView.as_view(), name="api-rights-match-rule"),
    path("column-mappings/", ColumnMappingListView.as_view(), name="api-rights-column-mappings"),
    path(
        "column-mappings/<int:pk>/",
        ColumnMappingDetailView.as_view(),
        name="api-rights-column-mapping",
    ),  # fmt: skip
]
