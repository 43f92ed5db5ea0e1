"""Reading a release's budget: totals per currency and per category, planned against actual.

Amounts in different currencies are never added together: there is no honest exchange rate
to add them with (the rate on the day of the invoice, of the payment, of today?), so each
currency has its own totals, and a release paid in EUR and GBP shows two columns of sums.

Physical editions (``PhysicalEdition``: quantity x unit cost) appear as *computed*
``manufacturing`` lines, planned amounts read from the edition each time, not copied into
``Expense`` rows: the edition stays the one place its cost is kept, so changing the pressing
quantity changes the budget with nothing to keep in sync, and deleting an edition cannot leave
a stale expense behind. The pressing plant's invoice, when it comes, is recorded as an expense
in ``manufacturing`` with its actual amount.

Two queries, whatever the number of lines: the expenses (with their payees) and the editions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from .models import Expense, ExpenseCategory, PhysicalEdition, Release

ZERO = Decimal("0.00")
CURRENCY_NOTE = (
    "Amounts in different currencies are never added together: each currency has its own totals."
)
_CATEGORY_ORDER = {value: i for i, value in enumerate(ExpenseCategory.values)}


@dataclass
class BudgetLine:
    """One line: an expense, or an edition's manufacturing cost (``edition`` set, read-only)."""

    category: str
    category_label: str
    description: str
    payee: str
    currency: str
    planned: Decimal | None
    actual: Decimal | None
    recoupable: bool
    spent_on: dt.date | None = None
    notes: str = ""
    expense: Expense | None = None
    edition: PhysicalEdition | None = None

    @property
    def kind(self) -> str:
        return "edition" if self.edition is not None else "expense"

    @property
    def difference(self) -> Decimal | None:
        """Actual minus planned, where both are known (positive: over the plan)."""
        if self.planned is None or self.actual is None:
            return None
        return self.actual - self.planned


@dataclass
class Totals:
    planned: Decimal = ZERO
    actual: Decimal = ZERO
    # What it will most likely cost: the actual amount where there is one, else the plan.
    forecast: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        """Actual minus planned (positive: more spent than planned)."""
        return self.actual - self.planned

    def add(self, line: BudgetLine) -> None:
        self.planned += line.planned or ZERO
        self.actual += line.actual or ZERO
        self.forecast += line.actual if line.actual is not None else (line.planned or ZERO)


@dataclass
class CategoryTotals(Totals):
    category: str = ""
    label: str = ""
    lines: list[BudgetLine] = field(default_factory=list)


@dataclass
class CurrencyBudget(Totals):
    """Everything in one currency: its totals, its recoupable part, its categories."""

    currency: str = ""
    recoupable: Totals = field(default_factory=Totals)
    categories: list[CategoryTotals] = field(default_factory=list)


@dataclass
class Budget:
    release: Release
    currencies: list[CurrencyBudget]
    lines: list[BudgetLine]
    note: str = CURRENCY_NOTE

    @property
    def mixed_currencies(self) -> bool:
        return len(self.currencies) > 1


def _expense_line(e: Expense, labels: dict[str, str]) -> BudgetLine:
    return BudgetLine(
        category=e.category, category_label=labels.get(e.category, e.category),
        description=e.description,
        payee=e.payee.name if e.payee_id and e.payee else e.payee_name,
        currency=e.currency, planned=e.planned, actual=e.actual, recoupable=e.recoupable,
        spent_on=e.spent_on, notes=e.notes, expense=e,
    )  # fmt: skip


def _edition_line(ed: PhysicalEdition, labels: dict[str, str]) -> BudgetLine:
    what = ed.get_vinyl_display() if ed.vinyl else ed.get_format_display()
    description = f"{what} × {ed.quantity} at {ed.unit_cost.normalize():f} {ed.currency} each"
    if ed.description:
        description += f" ({ed.description})"
    return BudgetLine(
        category=ExpenseCategory.MANUFACTURING,
        category_label=labels[ExpenseCategory.MANUFACTURING],
        description=description, payee=ed.manufacturer, currency=ed.currency,
        planned=ed.manufacturing_cost, actual=None, recoupable=False, edition=ed,
    )  # fmt: skip


def budget_lines(*, release: Release) -> list[BudgetLine]:
    """The expenses and the editions' manufacturing lines, by category then date."""
    labels = dict(ExpenseCategory.choices)
    expenses = Expense.objects.filter(release=release).select_related("payee")
    lines = [_expense_line(e, labels) for e in expenses]
    editions = PhysicalEdition.objects.filter(release=release).order_by("format", "id")
    lines += [_edition_line(ed, labels) for ed in editions if ed.quantity and ed.unit_cost]
    lines.sort(key=lambda ln: (_CATEGORY_ORDER.get(ln.category, 99), ln.kind == "expense",
                               ln.spent_on or dt.date.max))  # fmt: skip
    return lines


def budget_summary(*, release: Release) -> Budget:
    """The release's budget: per currency (default currency first), per category, planned,
    actual, difference, forecast and the recoupable part. Exact: sums of Decimals."""
    lines = budget_lines(release=release)
    labels = dict(ExpenseCategory.choices)
    by_currency: dict[str, CurrencyBudget] = {}
    by_category: dict[tuple[str, str], CategoryTotals] = {}
    for line in lines:
        money = by_currency.setdefault(line.currency, CurrencyBudget(currency=line.currency))
        money.add(line)
        if line.recoupable:
            money.recoupable.add(line)
        key = (line.currency, line.category)
        if key not in by_category:
            by_category[key] = CategoryTotals(
                category=line.category, label=labels.get(line.category, line.category)
            )
            money.categories.append(by_category[key])
        by_category[key].add(line)
        by_category[key].lines.append(line)
    default = release.workspace.default_currency
    currencies = sorted(by_currency.values(), key=lambda c: (c.currency != default, c.currency))
    return Budget(release=release, currencies=currencies, lines=lines)


def budget_totals_by_currency(*, release: Release) -> dict[str, dict[str, Decimal]]:
    """``{"EUR": {"planned": …, "actual": …, "difference": …, "recoupable_actual": …}}``, for
    other apps (the rights app's recoupment) that want figures, not the page's structure."""
    out: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for c in budget_summary(release=release).currencies:
        out[c.currency] = {
            "planned": c.planned, "actual": c.actual, "difference": c.difference,
            "forecast": c.forecast, "recoupable_planned": c.recoupable.planned,
            "recoupable_actual": c.recoupable.actual,
        }  # fmt: skip
    return dict(out)
