"""REST API of a release's budget, under ``/api/workspaces/<slug>/releases/<release_id>/``:
``expenses/`` (GET the lines, POST one), ``expenses/<id>/`` (GET, PATCH, DELETE) and
``expenses/totals/`` (totals per currency and category, with the editions' manufacturing lines).

Owners and managers only (``Action.FINANCE_VIEW`` to read, ``FINANCE_EDIT`` to write): a
member gets a 403, someone outside the workspace a 404. Amounts are strings with two decimals
("1250.00"); a JSON number is read through its decimal text, never as a float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from collaborators.models import Person
from collaborators.permissions import Action
from collaborators.serializers import CurrencyField

from ..models import Expense, ExpenseCategory, Release
from ..selectors_budget import CURRENCY_NOTE, budget_summary
from ..services import budget
from .catalogue import CatalogueScopedMixin

AMOUNT_HELP = 'An amount with at most two decimals, never negative, e.g. "1250.50".'


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d{1,12}(\.\d{1,2})?$",
                      "nullable": True, "example": "1250.50"})  # fmt: skip
class AmountField(serializers.Field):
    """An amount read by ``releases.services.budget.amount_parse`` (its words on refusal)."""

    def to_internal_value(self, data: Any) -> Decimal | None:
        if isinstance(data, float):
            data = repr(data)  # the shortest text of the number as sent: 1.005 stays 1.005
        elif isinstance(data, bool) or not isinstance(data, (str, int)):
            raise ValidationError('An amount is a number written as text, e.g. "1250.50".')
        try:
            return budget.amount_parse(data)
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None

    def to_representation(self, value: Any) -> str | None:
        return None if value is None else f"{value:.2f}"


class ExpenseOutputSerializer(serializers.ModelSerializer):
    planned = AmountField(allow_null=True)
    actual = AmountField(allow_null=True)
    payee_display = serializers.SerializerMethodField()

    class Meta:
        model = Expense
        fields = ["id", "category", "description", "payee", "payee_name", "payee_display",
                  "currency", "planned", "actual", "recoupable", "spent_on", "notes",
                  "created_at"]  # fmt: skip

    def get_payee_display(self, obj: Expense) -> str:
        return obj.payee.name if obj.payee_id and obj.payee else obj.payee_name


class ExpenseInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=ExpenseCategory.choices)
    description = serializers.CharField(max_length=200)
    currency = CurrencyField()
    planned = AmountField(required=False, allow_null=True, help_text=AMOUNT_HELP)
    actual = AmountField(required=False, allow_null=True, help_text=AMOUNT_HELP)
    payee = serializers.IntegerField(
        required=False, allow_null=True, help_text="The id of someone in the workspace's people."
    )
    payee_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    recoupable = serializers.BooleanField(required=False)
    spent_on = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class BudgetLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["expense", "edition"],
        help_text="`edition`: computed from a physical edition (quantity × unit cost).",
    )
    expense = serializers.IntegerField(source="expense.pk", allow_null=True, read_only=True)
    edition = serializers.IntegerField(source="edition.pk", allow_null=True, read_only=True)
    category = serializers.CharField()
    description = serializers.CharField()
    payee = serializers.CharField()
    planned = AmountField(allow_null=True)
    actual = AmountField(allow_null=True)
    difference = AmountField(allow_null=True, help_text="Actual − planned, where both are known.")
    recoupable = serializers.BooleanField()


class BudgetAmountsSerializer(serializers.Serializer):
    planned = AmountField()
    actual = AmountField()
    difference = AmountField(help_text="Actual − planned (positive: over the plan).")
    forecast = AmountField(help_text="Actual where known, planned otherwise.")


class BudgetCategorySerializer(BudgetAmountsSerializer):
    category = serializers.CharField()
    label = serializers.CharField()
    lines = BudgetLineSerializer(many=True)


class BudgetCurrencySerializer(BudgetAmountsSerializer):
    currency = serializers.CharField()
    recoupable = BudgetAmountsSerializer(help_text="The recoupable lines' totals.")
    categories = BudgetCategorySerializer(many=True)


class BudgetTotalsSerializer(serializers.Serializer):
    currencies = BudgetCurrencySerializer(
        many=True, help_text=f"One entry per currency, the workspace's first. {CURRENCY_NOTE}"
    )
    note = serializers.CharField()


class FinanceScopedMixin(CatalogueScopedMixin):
    read_action = Action.FINANCE_VIEW
    write_action = Action.FINANCE_EDIT


@extend_schema_view(
    list=extend_schema(
        summary="The release's expenses", responses=ExpenseOutputSerializer(many=True)
    ),
    retrieve=extend_schema(summary="One expense"),
    create=extend_schema(
        summary="Add an expense (planned, actual or both)",
        request=ExpenseInputSerializer, responses={201: ExpenseOutputSerializer},
    ),
    partial_update=extend_schema(
        summary="Change an expense (all or nothing)",
        request=ExpenseInputSerializer, responses=ExpenseOutputSerializer,
    ),
    destroy=extend_schema(summary="Remove an expense"),
)  # fmt: skip
class ExpenseViewSet(FinanceScopedMixin, viewsets.GenericViewSet):
    serializer_class = ExpenseOutputSerializer
    queryset = Expense.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None
    parser_classes = [JSONParser]
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "patch", "delete"]

    def _expense(self, release: Release) -> Expense:
        expense = (
            Expense.objects.filter(release=release, pk=self.kwargs["pk"])
            .select_related("payee", "release")
            .first()
        )
        if expense is None:
            raise Http404("No such expense on this release.")
        return expense

    def _fields(self, release: Release, *, partial: bool) -> dict[str, Any]:
        data = ExpenseInputSerializer(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if fields.get("payee") is not None:
            person = Person.objects.filter(
                workspace_id=release.workspace_id, pk=fields["payee"]
            ).first()
            if person is None:
                raise ValidationError({"payee": ["No such person in this workspace's people."]})
            fields["payee"] = person
        return fields

    def _out(self, expense: Expense, code: int = 200) -> Response:
        expense = Expense.objects.select_related("payee").get(pk=expense.pk)
        return Response(ExpenseOutputSerializer(expense).data, status=code)

    def list(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        rows = Expense.objects.filter(release=release).select_related("payee")
        return Response(ExpenseOutputSerializer(rows, many=True).data)

    def retrieve(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Response:
        return Response(ExpenseOutputSerializer(self._expense(self.url_release())).data)

    def create(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        fields = self._fields(release, partial=False)
        expense = budget.expense_create(release=release, user=request.user, **fields)
        return self._out(expense, status.HTTP_201_CREATED)

    def partial_update(
        self, request: Request, workspace_slug: str, release_id: int, pk: int
    ) -> Response:
        release = self.url_release()
        expense = self._expense(release)
        fields = self._fields(release, partial=True)
        return self._out(budget.expense_update(expense=expense, **fields))

    def destroy(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Response:
        budget.expense_delete(expense=self._expense(self.url_release()))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="The budget's totals per currency and category (editions' manufacturing "
        "cost included as computed lines)",
        responses=BudgetTotalsSerializer,
    )
    @action(detail=False, methods=["get"])
    def totals(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        summary = budget_summary(release=self.url_release())
        return Response(BudgetTotalsSerializer(summary).data)
