"""Rights pages: payouts (finance view to read, finance edit to calculate, close and change
settings), and payee statements, which their payees see too (``access_payee``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_POST

from collaborators.csv_export import csv_bytes
from collaborators.decorators import workspace_page
from collaborators.models import Person, Workspace
from collaborators.permissions import Action, can

from ..selectors import payouts as sel
from ..services import payouts as svc
from ..services.periods import period_parse


def _month(text: str):
    try:
        return period_parse(text)
    except ValidationError:
        raise Http404("No such month.") from None


class SettingsForm(forms.Form):
    default_payee = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label="Default payee",
        help_text="Receives the money of recordings without an agreed master split.",
    )  # fmt: skip
    minimum_payout = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=2, max_digits=14, label="Minimum payout"
    )

    def __init__(self, *args, workspace: Workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["default_payee"].queryset = Person.objects.filter(workspace=workspace)


class CalculateForm(forms.Form):
    month = forms.CharField(label="Month (YYYY-MM)", max_length=7)

    def clean_month(self):
        try:
            return period_parse(self.cleaned_data["month"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def payouts(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    settings = svc.rights_settings_get(workspace=workspace)
    return render(request, "rights/payouts/index.html", {
        "workspace": workspace, "periods": sel.period_list(workspace=workspace),
        "settings_form": SettingsForm(workspace=workspace, initial={
            "default_payee": settings.default_payee_id,
            "minimum_payout": settings.minimum_payout,
        }),
        "calculate_form": CalculateForm(),
        "can_edit": can(workspace.membership.role, Action.FINANCE_EDIT),
    })  # fmt: skip


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def payouts_calculate(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = CalculateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["month"]))
        return redirect("rights-payouts", workspace.slug)
    try:
        period = svc.period_calculate(
            workspace=workspace, month=form.cleaned_data["month"], user=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("rights-payouts", workspace.slug)
    messages.success(request, f"{period.label} calculated.")
    return redirect("rights-period", workspace.slug, period.label)


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def payouts_settings(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = SettingsForm(request.POST, workspace=workspace)
    if form.is_valid():
        svc.rights_settings_update(
            workspace=workspace, default_payee=form.cleaned_data["default_payee"],
            minimum_payout=form.cleaned_data["minimum_payout"], user=request.user,
        )  # fmt: skip
        messages.success(request, "Payout settings saved.")
        return redirect("rights-payouts", workspace.slug)
    return render(request, "rights/payouts/index.html", {
        "workspace": workspace, "periods": sel.period_list(workspace=workspace),
        "settings_form": form, "calculate_form": CalculateForm(), "can_edit": True,
    }, status=400)  # fmt: skip


def _period_context(workspace: Workspace, period) -> dict:
    return {
        "workspace": workspace,
        "period": period,
        "statements": list(sel.period_statements(period=period)),
        "via_default": list(sel.period_default_allocations(period=period)),
        "conversions": list(period.conversions.all()),
        "recoupments": list(
            period.recoupments.select_related("expense", "advance", "release", "payee")
        ),
        "can_edit": can(workspace.membership.role, Action.FINANCE_EDIT),
    }


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def period_detail(request: HttpRequest, workspace: Workspace, month: str) -> HttpResponse:
    period = sel.period_get(workspace=workspace, month=_month(month))
    return render(request, "rights/payouts/period.html", _period_context(workspace, period))


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def period_close(request: HttpRequest, workspace: Workspace, month: str) -> HttpResponse:
    period = sel.period_get(workspace=workspace, month=_month(month))
    statements = {str(s.pk): s for s in sel.period_statements(period=period)}
    payments, errors = [], []
    for pk, statement in statements.items():
        raw = (request.POST.get(f"amount-{pk}") or "").strip()
        if not raw:
            continue
        try:
            amount = Decimal(raw)
        except InvalidOperation:
            errors.append(f"{statement.payee}: “{raw}” is not an amount.")
            continue
        if amount == 0:
            continue
        payments.append({
            "payee": statement.payee, "amount": amount,
            "paid_on": request.POST.get(f"paid_on-{pk}") or None,
            "reference": request.POST.get(f"reference-{pk}", ""),
        })  # fmt: skip
    if not errors:
        try:
            for item in payments:
                if item["paid_on"]:
                    item["paid_on"] = forms.DateField().clean(item["paid_on"])
            svc.period_close(period=period, payments=payments, user=request.user)
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        period.refresh_from_db()
        context = _period_context(workspace, period) | {"close_errors": errors}
        return render(request, "rights/payouts/period.html", context, status=400)
    messages.success(request, f"{period.label} marked as paid and closed.")
    return redirect("rights-period", workspace.slug, period.label)


# --- Exchange rates and advances ------------------------------------------------------------


class RateForm(forms.Form):
    month = forms.CharField(label="Month (YYYY-MM)", max_length=7)
    currency = forms.CharField(label="Currency", max_length=3)
    rate = forms.DecimalField(label="Rate (units of your currency per 1)", max_digits=18,
                              decimal_places=8, min_value=Decimal("0.00000001"))  # fmt: skip

    def clean_month(self):
        try:
            return period_parse(self.cleaned_data["month"])
        except ValidationError as error:
            raise forms.ValidationError(error.messages[0]) from None


class AdvanceForm(forms.ModelForm):
    class Meta:
        from ..models import Advance

        model = Advance
        fields = ["release", "recipient", "amount", "currency", "paid_on", "recoup_from",
                  "description"]  # fmt: skip
        widgets = {"paid_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, workspace: Workspace, **kwargs):
        from releases.models import Release

        super().__init__(*args, **kwargs)
        self.fields["release"].queryset = Release.objects.filter(workspace=workspace)
        self.fields["recipient"].queryset = Person.objects.filter(workspace=workspace)


def _rates_page(request, workspace, form=None, status=200):
    from ..models import ExchangeRate

    return render(request, "rights/payouts/rates.html", {
        "workspace": workspace, "form": form or RateForm(),
        "rates": ExchangeRate.objects.filter(workspace=workspace).order_by("-period", "currency"),
        "can_edit": can(workspace.membership.role, Action.FINANCE_EDIT),
    }, status=status)  # fmt: skip


@workspace_page(Action.FINANCE_VIEW)
def rates(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    if request.method != "POST":
        return _rates_page(request, workspace)
    if not can(workspace.membership.role, Action.FINANCE_EDIT):
        raise PermissionDenied
    if request.FILES.get("file"):
        try:
            done = svc.exchange_rates_import(
                workspace=workspace, data=request.FILES["file"].read(), user=request.user
            )
        except ValidationError as error:
            return render(
                request, "rights/payouts/rates.html", {
                    "workspace": workspace, "form": RateForm(), "import_errors": error.messages,
                    "rates": [], "can_edit": True,
                }, status=400)  # fmt: skip
        messages.success(request, f"{len(done)} rate(s) imported.")
        return redirect("rights-rates", workspace.slug)
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            svc.exchange_rate_set(
                workspace=workspace, month=form.cleaned_data["month"],
                currency=form.cleaned_data["currency"], rate=form.cleaned_data["rate"],
                user=request.user,
            )  # fmt: skip
            messages.success(request, "Rate saved.")
            return redirect("rights-rates", workspace.slug)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, error.messages)
    return _rates_page(request, workspace, form, status=400)


@workspace_page(Action.FINANCE_VIEW)
def advances(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    from ..models import Advance

    form = AdvanceForm(workspace=workspace)
    status = 200
    if request.method == "POST":
        if not can(workspace.membership.role, Action.FINANCE_EDIT):
            raise PermissionDenied
        form = AdvanceForm(request.POST, workspace=workspace)
        if form.is_valid():
            try:
                svc.advance_create(workspace=workspace, user=request.user, **form.cleaned_data)
                messages.success(request, "Advance saved.")
                return redirect("rights-advances", workspace.slug)
            except ValidationError as error:
                form.add_error(None, error.messages)
        status = 400
    return render(request, "rights/payouts/advances.html", {
        "workspace": workspace, "form": form,
        "advances": Advance.objects.filter(workspace=workspace).select_related(
            "release", "recipient"),
        "can_edit": can(workspace.membership.role, Action.FINANCE_EDIT),
    }, status=status)  # fmt: skip


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def advance_delete(request: HttpRequest, workspace: Workspace, advance_id: int) -> HttpResponse:
    from ..models import Advance

    advance = Advance.objects.filter(pk=advance_id, workspace=workspace).first()
    if advance is None:
        raise Http404("No such advance.")
    try:
        svc.advance_delete(advance=advance, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Advance deleted.")
    return redirect("rights-advances", workspace.slug)


# --- Payee statements (payees see their own) --------------------------------------------------


@require_GET
@login_required
def my_statements(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    access = _access(request, workspace_slug)
    return render(request, "rights/payouts/mine.html", {
        "workspace": access.workspace, "access": access,
        "statements": list(sel.payee_statements_visible(access=access)),
    })  # fmt: skip


def _access(request: HttpRequest, workspace_slug: str) -> sel.PayeeAccess:
    access = sel.access_payee(user=request.user, workspace_slug=workspace_slug)
    if access.workspace.membership is not None:
        request.workspace = access.workspace  # type: ignore[attr-defined]
    return access


def _statement(request: HttpRequest, workspace_slug: str, statement_id: int):
    access = _access(request, workspace_slug)
    statement = sel.payee_statement_get(access=access, statement_id=statement_id)
    return access, sel.payee_statement_detail(statement=statement)


@require_GET
@login_required
def payee_statement(request: HttpRequest, workspace_slug: str, statement_id: int) -> HttpResponse:
    access, detail = _statement(request, workspace_slug, statement_id)
    return render(request, "rights/payouts/statement.html", {
        "workspace": access.workspace, "access": access, "detail": detail,
        "statement": detail.statement,
    })  # fmt: skip


def _filename(detail, ext: str) -> str:
    name = "".join(c if c.isalnum() else "-" for c in detail.statement.payee.name).strip("-")
    return f"statement-{detail.statement.period.label}-{name or 'payee'}.{ext}"


@require_GET
@login_required
def payee_statement_csv(request: HttpRequest, workspace_slug: str, statement_id: int):
    _, detail = _statement(request, workspace_slug, statement_id)
    response = HttpResponse(
        csv_bytes(sel.payee_statement_rows(detail=detail)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(detail, "csv")}"'
    return response


@require_GET
@login_required
def payee_statement_pdf(request: HttpRequest, workspace_slug: str, statement_id: int):
    _, detail = _statement(request, workspace_slug, statement_id)
    response = HttpResponse(sel.payee_statement_pdf(detail=detail), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(detail, "pdf")}"'
    return response


urlpatterns: list[URLPattern] = [
    path("payouts/", payouts, name="rights-payouts"),
    path("payouts/calculate/", payouts_calculate, name="rights-payouts-calculate"),
    path("payouts/settings/", payouts_settings, name="rights-payouts-settings"),
    path("payouts/rates/", rates, name="rights-rates"),
    path("payouts/advances/", advances, name="rights-advances"),
    path("payouts/advances/<int:advance_id>/delete/", advance_delete,
         name="rights-advance-delete"),
    path("payouts/<str:month>/", period_detail, name="rights-period"),
    path("payouts/<str:month>/close/", period_close, name="rights-period-close"),
    path("mine/", my_statements, name="rights-my-statements"),
    path("statements/payee/<int:statement_id>/", payee_statement, name="rights-payee-statement"),
    path("statements/payee/<int:statement_id>.pdf", payee_statement_pdf,
         name="rights-payee-statement-pdf"),
    path("statements/payee/<int:statement_id>.csv", payee_statement_csv,
         name="rights-payee-statement-csv"),
]  # fmt: skip
