"""The release's budget page: lines by category with totals per currency, and the forms to add,
change and remove an expense. Owners and managers only (``Action.FINANCE_VIEW``): a member
gets the 403 page, someone outside the workspace a 404.

Thin: ``releases.services.budget`` checks and writes, ``releases.selectors_budget`` reads; the
form only shapes input, and amounts reach the service as typed, so its words are the ones
shown next to the field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from collaborators.currencies import COMMON_CURRENCIES, CURRENCY_CODES
from collaborators.forms import apply_errors
from collaborators.models import Person
from collaborators.permissions import Action

from ..models import Expense, ExpenseCategory, Release
from ..selectors_budget import budget_summary
from ..services import budget
from .common import release_page


def _currency_choices() -> list[tuple[str, str]]:
    rest = sorted(CURRENCY_CODES - set(COMMON_CURRENCIES))
    return [(c, c) for c in (*COMMON_CURRENCIES, *rest)]


class ExpenseForm(forms.Form):
    category = forms.ChoiceField(choices=ExpenseCategory.choices)
    description = forms.CharField(max_length=200, help_text="e.g. Two days at Studio Nord")
    # Text, not a DecimalField: the service reads amounts (``amount_parse``) and says what is
    # wrong in the same words as the API.
    planned = forms.CharField(
        label="Planned amount", required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="What you expect to pay, e.g. 1250.00.",
    )  # fmt: skip
    actual = forms.CharField(
        label="Actual amount", required=False, max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="What the invoice says, once you have it.",
    )  # fmt: skip
    # A select of ISO codes, read as text so that an unknown code gets the model's message.
    currency = forms.CharField(max_length=10, widget=forms.Select(choices=_currency_choices))
    payee = forms.ModelChoiceField(
        queryset=Person.objects.none(), required=False, label="Paid to",
        help_text="Someone from your people, or type a name below.",
    )  # fmt: skip
    payee_name = forms.CharField(label="Or paid to (name)", max_length=200, required=False)
    recoupable = forms.BooleanField(
        required=False, help_text="Paid back from the artist's royalties before they share in them."
    )
    spent_on = forms.DateField(
        label="Date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            max_length=2000)  # fmt: skip

    def __init__(self, *args: Any, release: Release, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payee"].queryset = Person.objects.filter(
            workspace_id=release.workspace_id
        ).order_by("name")

    @classmethod
    def initial_from(cls, expense: Expense) -> dict[str, Any]:
        return {
            "category": expense.category, "description": expense.description,
            "planned": expense.planned, "actual": expense.actual, "currency": expense.currency,
            "payee": expense.payee_id, "payee_name": expense.payee_name,
            "recoupable": expense.recoupable, "spent_on": expense.spent_on, "notes": expense.notes,
        }  # fmt: skip


def _budget_url(release: Release) -> str:
    return reverse("release-budget", args=[release.workspace.slug, release.pk])


def _page(
    request: HttpRequest, release: Release, *, form: ExpenseForm, editing: Expense | None = None
) -> HttpResponse:
    summary = budget_summary(release=release)
    context = {
        "release": release,
        "viewer": release.viewer,
        "budget": summary,
        "form": form,
        "editing": editing,
        "may_edit": release.viewer.can(Action.FINANCE_EDIT),
    }
    return render(request, "releases/budget.html", context, status=400 if form.errors else 200)


def _expense_of(release: Release, expense_id: Any) -> Expense:
    try:
        return Expense.objects.select_related("release").get(release=release, pk=int(expense_id))
    except (Expense.DoesNotExist, TypeError, ValueError):
        raise Http404("No such expense on this release.") from None


@require_http_methods(["GET", "POST"])
@release_page(Action.FINANCE_VIEW)
def budget_page(request: HttpRequest, release: Release) -> HttpResponse:
    """The budget; POST adds an expense (owners and managers)."""
    form = ExpenseForm(
        request.POST or None, release=release,
        initial={"currency": release.workspace.default_currency},
    )  # fmt: skip
    if request.method == "POST":
        release.viewer.require(Action.FINANCE_EDIT)
        if form.is_valid():
            try:
                expense = budget.expense_create(
                    release=release, user=request.user, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"“{expense.description}” added to the budget.")
                return redirect(_budget_url(release))
    return _page(request, release, form=form)


@require_http_methods(["GET", "POST"])
@release_page(Action.FINANCE_EDIT)
def expense_edit(request: HttpRequest, release: Release, expense_id: int) -> HttpResponse:
    expense = _expense_of(release, expense_id)
    form = ExpenseForm(
        request.POST or None, release=release, initial=ExpenseForm.initial_from(expense)
    )
    if request.method == "POST" and form.is_valid():
        try:
            budget.expense_update(expense=expense, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{form.cleaned_data['description']}” saved.")
            return redirect(_budget_url(release))
    return _page(request, release, form=form, editing=expense)


@require_POST
@release_page(Action.FINANCE_EDIT)
def expense_delete(request: HttpRequest, release: Release, expense_id: int) -> HttpResponse:
    expense = _expense_of(release, expense_id)
    budget.expense_delete(expense=expense)
    messages.success(request, f"“{expense.description}” removed from the budget.")
    return redirect(_budget_url(release))
