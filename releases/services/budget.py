"""A release's budget: expenses written with their amounts checked, in Decimal with a currency.

Amounts arrive as text (a form, a JSON string), ``Decimal`` or ``int``; never as ``float``
(0.1 has no exact binary form, and money must add up to the cent). ``amount_parse`` is the one
reader both the pages and the API use, so a musician reads the same words in either.

Preconditions of every service here: the caller may edit the release's finances
(``Action.FINANCE_EDIT``, checked by ``releases.access`` / the API's scoping).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from collaborators.models import Person

from ..models import Expense, Release

CENT = Decimal("0.01")
# Expense.planned/actual: 14 digits, 2 after the point.
AMOUNT_MAX = Decimal("999999999999.99")
# ISO 4217 currencies with no minor unit: a fraction of a yen is not an amount anyone pays.
# (Currencies with three decimals, such as KWD, are kept to two: the column has two places.)
ZERO_DECIMAL_CURRENCIES = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX VND VUV XAF XOF XPF".split()
)

_FIELDS = ("category", "description", "payee", "payee_name", "currency", "planned", "actual",
           "recoupable", "spent_on", "notes")  # fmt: skip


def amount_parse(value: Any, *, label: str = "The amount") -> Decimal | None:
    """``value`` as an exact amount of at most two decimals, or None when empty.

    Refuses, with a sentence for a person: a float, text that is not a number (a comma, a
    currency sign), NaN or infinity, a negative amount, more than two decimals, too large.
    """
    if value is None:
        return None
    if isinstance(value, (bool, float)):
        raise ValidationError(
            f"{label} must be given as text or a Decimal, not a floating-point number.",
            code="invalid",
        )
    if isinstance(value, int):
        value = Decimal(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if "," in text:
            raise ValidationError(
                f"{label} “{text}” has a comma: write it with a point for the cents and no "
                "thousands separator, e.g. 1250.50.",
                code="invalid",
            )
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                f"{label} “{text[:40]}” is not a number. Write digits, with a point for the "
                "cents, e.g. 1250.50.",
                code="invalid",
            ) from None
    if not isinstance(value, Decimal):
        raise ValidationError(f"{label} is not a number.", code="invalid")
    if not value.is_finite():
        raise ValidationError(f"{label} is not a number.", code="invalid")
    if value < 0:
        raise ValidationError(
            f"{label} cannot be negative. Record money that came back (a refund) as a lower "
            "actual amount.",
            code="min_value",
        )
    if value > AMOUNT_MAX:  # before quantize, which cannot hold 1e999999
        raise ValidationError(f"{label} is too large.", code="max_value")
    if value != value.quantize(CENT):
        raise ValidationError(
            f"{label} {str(value)[:40]} has more than two decimals: give it to the cent.",
            code="max_decimal_places",
        )
    return value.quantize(CENT)


def _label(name: str) -> str:
    return "The planned amount" if name == "planned" else "The actual amount"


def _check_and_save(expense: Expense, raw_amounts: dict[str, Any]) -> Expense:
    """Parse ``raw_amounts`` onto ``expense``, validate everything at once, then save.

    Every field's message is collected before anything is written, so a form can show them
    all next to their fields and nothing is half-saved.
    """
    errors: dict[str, list[str]] = {}
    for name, raw in raw_amounts.items():
        try:
            setattr(expense, name, amount_parse(raw, label=_label(name)))
        except ValidationError as exc:
            errors[name] = exc.messages
            setattr(expense, name, None)
    expense.currency = (expense.currency or "").strip().upper()
    if not errors and expense.planned is None and expense.actual is None:
        errors["planned"] = ["Give a planned amount, an actual amount, or both."]
    if expense.currency in ZERO_DECIMAL_CURRENCIES:
        for name in ("planned", "actual"):
            value = getattr(expense, name)
            if name not in errors and value is not None and value != value.to_integral_value():
                errors[name] = [f"{expense.currency} has no cents: give a whole amount."]
    if expense.payee_id and expense.payee.workspace_id != expense.release.workspace_id:
        errors["payee"] = ["Choose someone from this workspace's people."]
    expense.description = (expense.description or "").strip()
    expense.payee_name = (expense.payee_name or "").strip()
    try:
        # Fields already refused are left out, and so are the constraints on them (Django
        # skips a constraint that names an excluded field): one message per field.
        expense.full_clean(exclude=list(errors))
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    expense.save()
    return expense


@transaction.atomic
def expense_create(
    *,
    release: Release,
    category: str,
    description: str,
    currency: str,
    planned: Any = None,
    actual: Any = None,
    payee: Person | None = None,
    payee_name: str = "",
    recoupable: bool = False,
    spent_on: dt.date | None = None,
    notes: str = "",
    user: Any = None,
) -> Expense:
    """Add a line to the release's budget. Raises ValidationError (per field) and saves
    nothing when any value is refused."""
    expense = Expense(
        release=release, category=category, description=description, currency=currency,
        payee=payee, payee_name=payee_name, recoupable=recoupable, spent_on=spent_on,
        notes=notes, created_by=user if getattr(user, "is_authenticated", False) else None,
    )  # fmt: skip
    return _check_and_save(expense, {"planned": planned, "actual": actual})


@transaction.atomic
def expense_update(*, expense: Expense, **changes: Any) -> Expense:
    """Change some of an expense's fields (``category``, ``description``, ``payee``,
    ``payee_name``, ``currency``, ``planned``, ``actual``, ``recoupable``, ``spent_on``,
    ``notes``). All or nothing: the stored row is unchanged when anything is refused."""
    unknown = set(changes) - set(_FIELDS)
    if unknown:
        raise TypeError(f"expense_update() got unknown fields: {', '.join(sorted(unknown))}")
    locked = Expense.objects.select_for_update().select_related("release").get(pk=expense.pk)
    raw_amounts = {name: getattr(locked, name) for name in ("planned", "actual")}
    for name, value in changes.items():
        if name in raw_amounts:
            raw_amounts[name] = value
        else:
            setattr(locked, name, value)
    return _check_and_save(locked, raw_amounts)


@transaction.atomic
def expense_delete(*, expense: Expense) -> None:
    Expense.objects.filter(pk=expense.pk).delete()
