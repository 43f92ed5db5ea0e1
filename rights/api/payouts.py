"""Rights API: payouts (finance view to read, finance edit to calculate and close) and payee
statements, which their payees read too (``access_payee``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api import WorkspaceScopedMixin
from collaborators.api_support import error_response
from collaborators.csv_export import csv_bytes
from collaborators.permissions import Action

from ..selectors import payouts as sel
from ..serializers.payouts import (
    RightsAdvanceSerializer,
    RightsExchangeRateSerializer,
    RightsPayeeStatementSerializer,
    RightsPeriodCloseSerializer,
    RightsPeriodSerializer,
    RightsSettingsSerializer,
)
from ..services import payouts as svc
from ..services.periods import period_parse

_NOT_FOUND = error_response("No such workspace, month or statement.")
_REFUSED = error_response("Refused, with the reason (closed month, problems, bad payments).")


class _FinanceScope(WorkspaceScopedMixin):
    read_action = Action.FINANCE_VIEW
    write_action = Action.FINANCE_EDIT

    def month(self):
        try:
            return period_parse(self.kwargs["month"])
        except Exception:
            raise exceptions.NotFound("No such month: write it as YYYY-MM.") from None


class PeriodListView(_FinanceScope, APIView):
    @extend_schema(summary="The workspace's calculated months", responses={
        200: RightsPeriodSerializer(many=True), 404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str) -> Response:
        periods = sel.period_list(workspace=self.workspace)
        return Response(RightsPeriodSerializer(periods, many=True).data)


class PeriodDetailView(_FinanceScope, APIView):
    @extend_schema(summary="One month's totals and problems", responses={
        200: RightsPeriodSerializer, 404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, month: str) -> Response:
        period = sel.period_get(workspace=self.workspace, month=self.month())
        return Response(RightsPeriodSerializer(period).data)


class PeriodCalculateView(_FinanceScope, APIView):
    @extend_schema(summary="Calculate (again) an open month", request=None, responses={
        200: RightsPeriodSerializer, 400: _REFUSED, 404: _NOT_FOUND})  # fmt: skip
    def post(self, request: Request, workspace_slug: str, month: str) -> Response:
        period = svc.period_calculate(workspace=self.workspace, month=self.month(),
                                      user=request.user)  # fmt: skip
        return Response(RightsPeriodSerializer(period).data)


class PeriodCloseView(_FinanceScope, APIView):
    @extend_schema(
        summary="Mark a month as paid and close it", request=RightsPeriodCloseSerializer,
        responses={200: RightsPeriodSerializer, 400: _REFUSED, 404: _NOT_FOUND},
    )  # fmt: skip
    def post(self, request: Request, workspace_slug: str, month: str) -> Response:
        period = sel.period_get(workspace=self.workspace, month=self.month())
        body = RightsPeriodCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payments = body.validated_data.get("payments")
        if payments is not None:
            payments = [
                {"payee": p["payee_id"], "amount": p["amount"], "paid_on": p.get("paid_on"),
                 "reference": p.get("reference", "")}
                for p in payments
            ]  # fmt: skip
        period = svc.period_close(period=period, payments=payments, user=request.user)
        return Response(RightsPeriodSerializer(period).data)


class PeriodPayeesView(_FinanceScope, APIView):
    @extend_schema(summary="A month's payee statements", responses={
        200: RightsPayeeStatementSerializer(many=True), 404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, month: str) -> Response:
        period = sel.period_get(workspace=self.workspace, month=self.month())
        statements = sel.period_statements(period=period).select_related("period")
        return Response(RightsPayeeStatementSerializer(statements, many=True).data)


class PayeeStatementView(APIView):
    @extend_schema(summary="One payee statement (finance, or the payee themself)", responses={
        200: RightsPayeeStatementSerializer, 404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, statement_id: int) -> Response:
        access = sel.access_payee(user=request.user, workspace_slug=workspace_slug)
        statement = sel.payee_statement_get(access=access, statement_id=statement_id)
        return Response(RightsPayeeStatementSerializer(statement).data)


class PayeeStatementFileView(APIView):
    kind = "csv"

    @extend_schema(summary="A payee statement's download (PDF or CSV)",
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY,
                              404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str, statement_id: int) -> HttpResponse:
        access = sel.access_payee(user=request.user, workspace_slug=workspace_slug)
        statement = sel.payee_statement_get(access=access, statement_id=statement_id)
        detail = sel.payee_statement_detail(statement=statement)
        if self.kind == "pdf":
            return HttpResponse(sel.payee_statement_pdf(detail=detail),
                                content_type="application/pdf")  # fmt: skip
        return HttpResponse(csv_bytes(sel.payee_statement_rows(detail=detail)),
                            content_type="text/csv")  # fmt: skip


class MyStatementsView(APIView):
    @extend_schema(summary="The statements you may see here: your own (every payee's for "
                   "finance)", responses={200: RightsPayeeStatementSerializer(many=True),
                                          404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str) -> Response:
        access = sel.access_payee(user=request.user, workspace_slug=workspace_slug)
        statements = sel.payee_statements_visible(access=access)
        return Response(RightsPayeeStatementSerializer(statements, many=True).data)


def _rate_out(row) -> dict:
    return {"period": f"{row.period:%Y-%m}", "currency": row.currency, "rate": row.rate,
            "source": row.source}  # fmt: skip


class ExchangeRatesView(_FinanceScope, APIView):
    @extend_schema(summary="The workspace's exchange rates", responses={
        200: RightsExchangeRateSerializer(many=True), 404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str) -> Response:
        from ..models import ExchangeRate

        rows = ExchangeRate.objects.filter(workspace=self.workspace).order_by("-period")
        return Response(RightsExchangeRateSerializer([_rate_out(r) for r in rows], many=True).data)

    @extend_schema(summary="Set a month's rate for a currency",
                   request=RightsExchangeRateSerializer,
                   responses={200: RightsExchangeRateSerializer, 400: _REFUSED})  # fmt: skip
    def post(self, request: Request, workspace_slug: str) -> Response:
        body = RightsExchangeRateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        row = svc.exchange_rate_set(
            workspace=self.workspace, month=period_parse(body.validated_data["period"]),
            currency=body.validated_data["currency"], rate=body.validated_data["rate"],
            user=request.user,
        )  # fmt: skip
        return Response(RightsExchangeRateSerializer(_rate_out(row)).data)


class AdvancesView(_FinanceScope, APIView):
    @extend_schema(summary="The workspace's advances", responses={
        200: RightsAdvanceSerializer(many=True), 404: _NOT_FOUND})  # fmt: skip
    def get(self, request: Request, workspace_slug: str) -> Response:
        from ..models import Advance

        rows = Advance.objects.filter(workspace=self.workspace)
        return Response(RightsAdvanceSerializer(rows, many=True).data)

    @extend_schema(summary="Record an advance", request=RightsAdvanceSerializer,
                   responses={201: RightsAdvanceSerializer, 400: _REFUSED})  # fmt: skip
    def post(self, request: Request, workspace_slug: str) -> Response:
        from collaborators.models import Person
        from releases.models import Release

        body = RightsAdvanceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        release = Release.objects.filter(workspace=self.workspace, pk=data.pop("release_id"))
        recipient = Person.objects.filter(workspace=self.workspace, pk=data.pop("recipient_id"))
        if not release.exists() or not recipient.exists():
            raise exceptions.ValidationError(
                {"release_id": ["Choose a release and a person of this workspace."]}
            )
        advance = svc.advance_create(
            workspace=self.workspace, release=release.get(), recipient=recipient.get(),
            user=request.user, **data,
        )  # fmt: skip
        return Response(RightsAdvanceSerializer(advance).data, status=201)


class AdvanceDetailView(_FinanceScope, APIView):
    @extend_schema(
        summary="Delete an advance (refused once a paid month recouped some of it)",
        responses={204: None, 400: _REFUSED, 404: _NOT_FOUND},
    )
    def delete(self, request: Request, workspace_slug: str, pk: int) -> Response:
        from ..models import Advance

        advance = Advance.objects.filter(workspace=self.workspace, pk=pk).first()
        if advance is None:
            raise exceptions.NotFound("No such advance.")
        svc.advance_delete(advance=advance, user=request.user)
        return Response(status=204)


class RightsSettingsView(_FinanceScope, APIView):
    @extend_schema(summary="Payout settings", responses={200: RightsSettingsSerializer})
    def get(self, request: Request, workspace_slug: str) -> Response:
        return Response(
            RightsSettingsSerializer(svc.rights_settings_get(workspace=self.workspace)).data
        )

    @extend_schema(summary="Change the payout settings", request=RightsSettingsSerializer,
                   responses={200: RightsSettingsSerializer, 400: _REFUSED})  # fmt: skip
    def put(self, request: Request, workspace_slug: str) -> Response:
        from collaborators.models import Person

        body = RightsSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payee = None
        if body.validated_data["default_payee_id"] is not None:
            payee = Person.objects.filter(
                workspace=self.workspace, pk=body.validated_data["default_payee_id"]
            ).first()
            if payee is None:
                raise exceptions.ValidationError({"default_payee_id": ["No such person here."]})
        settings = svc.rights_settings_update(
            workspace=self.workspace, default_payee=payee,
            minimum_payout=body.validated_data["minimum_payout"], user=request.user,
        )  # fmt: skip
        return Response(RightsSettingsSerializer(settings).data)


urlpatterns: list[URLPattern] = [
    path("exchange-rates/", ExchangeRatesView.as_view(), name="api-rights-exchange-rates"),
    path("advances/", AdvancesView.as_view(), name="api-rights-advances"),
    path("advances/<int:pk>/", AdvanceDetailView.as_view(), name="api-rights-advance"),
    path("rights-settings/", RightsSettingsView.as_view(), name="api-rights-settings"),
    path("periods/", PeriodListView.as_view(), name="api-rights-periods"),
    path("periods/<str:month>/", PeriodDetailView.as_view(), name="api-rights-period"),
    path("periods/<str:month>/calculate/", PeriodCalculateView.as_view(),
         name="api-rights-period-calculate"),
    path("periods/<str:month>/close/", PeriodCloseView.as_view(), name="api-rights-period-close"),
    path("periods/<str:month>/payees/", PeriodPayeesView.as_view(),
         name="api-rights-period-payees"),
    path("payee-statements/<int:statement_id>/", PayeeStatementView.as_view(),
         name="api-rights-payee-statement"),
    path("payee-statements/<int:statement_id>.pdf", PayeeStatementFileView.as_view(kind="pdf"),
         name="api-rights-payee-statement-pdf"),
    path("payee-statements/<int:statement_id>.csv", PayeeStatementFileView.as_view(kind="csv"),
         name="api-rights-payee-statement-csv"),
    path("me/statements/", MyStatementsView.as_view(), name="api-rights-my-statements"),
]  # fmt: skip
