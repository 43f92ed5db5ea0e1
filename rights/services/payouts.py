"""Payouts: calculating a month (conversion, recoupment, allocation, payee statements),
closing it by marking it paid, and the settings, advances and exchange rates they use.

Every amount is rounded by the project's one rule, ``rights.royalty.allocate`` (largest
remainder), so the parts of any amount add up to it exactly: the tracks' converted amounts to a
currency's converted total, a recoupment's reduction over the release's tracks, a track's money
over its payees.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from collaborators.audit import audit_record
from collaborators.models import Person, PersonRole, PersonRoleLink, Workspace
from releases.models import Expense, Release

from ..models import (
    Advance,
    Allocation,
    Conversion,
    Earning,
    ExchangeRate,
    PayeeStatement,
    Payment,
    Period,
    Recoupment,
    RecoupOrder,
    RightsSettings,
)
from ..royalty import allocate, money
from ..selectors.works import master_splits_in_effect
from .periods import month_start, period_assert_open, period_label, period_parse

ZERO = Decimal("0.00")
NO_PAYEE_PROBLEM = "Choose who receives money of recordings without an agreed split"


def rights_settings_get(*, workspace: Workspace) -> RightsSettings:
    """The workspace's payout settings, created with their defaults the first time."""
    settings, _ = RightsSettings.objects.get_or_create(workspace=workspace)
    return settings


@transaction.atomic
def rights_settings_update(
    *,
    workspace: Workspace,
    default_payee: Person | None,
    minimum_payout: Decimal,
    user=None,
) -> RightsSettings:
    if default_payee is not None and default_payee.workspace_id != workspace.pk:
        raise ValidationError({"default_payee": "Choose someone from this workspace's people."})
    settings = rights_settings_get(workspace=workspace)
    settings.default_payee = default_payee
    settings.minimum_payout = minimum_payout
    settings.full_clean()
    settings.save()
    audit_record(
        workspace=workspace, action="rights.settings_changed", actor=user, subject=settings,
        summary=f"Payout settings: default payee {default_payee or 'none'}, "
        f"minimum payout {minimum_payout}",
        finance=True,
    )  # fmt: skip
    return settings


def default_payee_get(*, workspace: Workspace) -> Person | None:
    """Who receives the money of recordings without an agreed split: the settings' choice, else
    the workspace's first person with the artist role."""
    settings = rights_settings_get(workspace=workspace)
    if settings.default_payee_id:
        return settings.default_payee
    link = (
        PersonRoleLink.objects.filter(person__workspace=workspace, role=PersonRole.ARTIST)
        .select_related("person")
        .order_by("person__id")
        .first()
    )
    return link.person if link else None


@transaction.atomic
def advance_create(
    *,
    workspace: Workspace,
    release: Release,
    recipient: Person,
    amount: Decimal,
    currency: str,
    paid_on: dt.date,
    recoup_from: str = Advance.RecoupFrom.RECIPIENT,
    description: str = "",
    user=None,
) -> Advance:
    if release.workspace_id != workspace.pk:
        raise ValidationError({"release": "Choose a release of this workspace."})
    if recipient.workspace_id != workspace.pk:
        raise ValidationError({"recipient": "Choose someone from this workspace's people."})
    advance = Advance(
        workspace=workspace, release=release, recipient=recipient, amount=amount,
        currency=(currency or "").upper(), paid_on=paid_on, recoup_from=recoup_from,
        description=description, created_by=user,
    )  # fmt: skip
    advance.full_clean()
    advance.save()
    audit_record(
        workspace=workspace, action="rights.advance_created", actor=user, subject=advance,
        summary=f"Advance of {advance.currency} {advance.amount} to {recipient} "
        f"against {release}",
        finance=True,
    )  # fmt: skip
    return advance


@transaction.atomic
def advance_delete(*, advance: Advance, user=None) -> None:
    """Delete an advance; refused once a closed period recouped some of it."""
    if advance.recoupments.filter(period__status=Period.Status.CLOSED).exists():
        raise ValidationError(
            "This advance was partly recouped in a paid month, so it cannot be deleted.",
            code="advance_recouped",
        )
    audit_record(
        workspace=advance.workspace_id, action="rights.advance_deleted", actor=user,
        summary=f"Advance of {advance.currency} {advance.amount} to {advance.recipient} deleted",
        finance=True,
    )  # fmt: skip
    Recoupment.objects.filter(advance=advance).delete()
    advance.delete()


@transaction.atomic
def exchange_rate_set(
    *,
    workspace: Workspace,
    month: dt.date,
    currency: str,
    rate: Decimal,
    source: str = "entered",
    user=None,
) -> ExchangeRate:
    """Set how many units of the workspace's currency one ``currency`` was worth in ``month``."""
    month = month_start(month)
    period_assert_open(workspace=workspace, month=month)
    currency = (currency or "").strip().upper()
    if currency == workspace.default_currency:
        raise ValidationError(
            {"currency": f"{currency} is this workspace's own currency: its rate is always 1."}
        )
    existing = ExchangeRate.objects.filter(
        workspace=workspace, period=month, currency=currency
    ).first()
    row = existing or ExchangeRate(workspace=workspace, period=month, currency=currency)
    if rate is None or rate <= 0:
        raise ValidationError({"rate": "A rate is a number above 0."})
    row.rate = rate
    row.source = source
    row.full_clean(validate_unique=False)
    row.save()
    audit_record(
        workspace=workspace, action="rights.rate_set", actor=user, subject=row,
        summary=f"{period_label(month)}: 1 {currency} = {rate} {workspace.default_currency}",
        finance=True,
    )  # fmt: skip
    return row


@transaction.atomic
def exchange_rates_import(*, workspace: Workspace, data: bytes, user=None) -> list[ExchangeRate]:
    """Rates from a small CSV with the header ``period,currency,rate`` (one rate a line):
    all of them, or none with every bad line said."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("The file is not UTF-8 text.", code="bad_file") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if header[:3] != ["period", "currency", "rate"]:
        raise ValidationError(
            "The first line must be the header period,currency,rate.", code="bad_header"
        )
    wanted: list[tuple[dt.date, str, Decimal]] = []
    errors: list[str] = []
    for number, row in enumerate(reader, start=2):
        values = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        try:
            month = period_parse(values.get("period", ""))
            rate = Decimal(values.get("rate", ""))
            if not rate.is_finite() or rate <= 0:
                raise InvalidOperation
            wanted.append((month, values.get("currency", "").upper(), rate))
        except ValidationError as error:
            errors.append(f"Line {number}: {error.messages[0]}")
        except InvalidOperation:
            errors.append(f"Line {number}: “{values.get('rate', '')}” is not a rate above 0.")
    if not wanted and not errors:
        errors.append("The file has no rates.")
    rows = []
    if not errors:
        for number, (month, currency, rate) in enumerate(wanted, start=2):
            try:
                with transaction.atomic():
                    rows.append(
                        exchange_rate_set(
                            workspace=workspace,
                            month=month,
                            currency=currency,
                            rate=rate,
                            source="imported",
                            user=user,
                        )  # fmt: skip
                    )
            except ValidationError as error:
                errors.append(f"Line {number}: {' '.join(error.messages)}")
    if errors:
        # Raising rolls back every rate this call wrote: all or nothing.
        raise ValidationError(errors, code="bad_rates")
    return rows


# --- Calculating a month ---------------------------------------------------------------------


@dataclass
class _Work:
    """What one calculation accumulates before it writes."""

    problems: list[str] = field(default_factory=list)
    track_amount: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    track_release: dict[int, int] = field(default_factory=dict)


def _share_signed(total: Decimal, amounts: list[Decimal]) -> list[Decimal]:
    """Share ``total`` over ``amounts`` that may mix refunds (negative) with sales.

    Same-signed amounts use the rounding rule directly. Mixed ones (rare: a refund bigger than
    the month's sales of one track, next to sales of another) are each scaled and the rounding
    difference goes to the largest, so the parts still add up to the total.
    """
    if all(a >= 0 for a in amounts) and sum(amounts) > 0:
        return allocate(total, amounts)
    if all(a <= 0 for a in amounts) and sum(amounts) < 0:
        return allocate(total, [-a for a in amounts])
    source_total = sum(amounts)
    if source_total == 0:
        parts = [ZERO for _ in amounts]
    else:
        parts = [money(total * a / source_total) for a in amounts]
    biggest = max(range(len(amounts)), key=lambda i: (abs(amounts[i]), -i))
    parts[biggest] += total - sum(parts)
    return parts


def _rates(*, workspace: Workspace, month: dt.date) -> dict[str, Decimal]:
    rates = dict(
        ExchangeRate.objects.filter(workspace=workspace, period=month).values_list(
            "currency", "rate"
        )
    )
    rates[workspace.default_currency] = Decimal(1)
    return rates


def _rate_problem(*, currency: str, workspace: Workspace, month: dt.date) -> str:
    return f"Enter the {currency} → {workspace.default_currency} rate for {period_label(month)}"


def _aggregate(*, workspace: Workspace, period: Period, work: _Work) -> Decimal:
    """Convert each currency's matched earnings of the month, and write the conversions.
    Returns the converted unmatched money (told on the page, allocated once matched)."""
    month = period.month
    rates = _rates(workspace=workspace, month=month)
    by_currency: dict[str, list[tuple[int, int, Decimal]]] = defaultdict(list)
    rows = (
        Earning.objects.filter(workspace=workspace)
        .filter(booked_period=month, track__isnull=False)
        .values("track_id", "track__release_id", "currency")
        .annotate(total=Sum("net"))
        .order_by("currency", "track_id")
    )
    for row in rows:
        by_currency[row["currency"]].append(
            (row["track_id"], row["track__release_id"], row["total"])
        )
    conversions = []
    for currency, items in sorted(by_currency.items()):
        rate = rates.get(currency)
        if rate is None:
            work.problems.append(_rate_problem(currency=currency, workspace=workspace, month=month))
            continue
        source_total = sum((amount for _, _, amount in items), Decimal(0))
        converted = money(source_total * rate)
        conversions.append(
            Conversion(
                period=period,
                currency=currency,
                rate=rate,
                source_amount=source_total,
                amount=converted,
            )  # fmt: skip
        )
        parts = _share_signed(converted, [amount for _, _, amount in items])
        for (track_id, release_id, _), part in zip(items, parts, strict=True):
            work.track_amount[track_id] += part
            work.track_release[track_id] = release_id
    Conversion.objects.bulk_create(conversions)
    unmatched = ZERO
    for row in (
        Earning.objects.filter(workspace=workspace)
        .filter(booked_period=month, track__isnull=True)
        .values("currency")
        .annotate(total=Sum("net"))
        .order_by("currency")
    ):
        rate = rates.get(row["currency"])
        if rate is not None:
            unmatched += money(row["total"] * rate)
    return unmatched


def _recoupables(*, workspace: Workspace, period: Period, release_ids, work: _Work):
    """Per release: the expenses and advances still to recoup, each with its balance in the
    workspace's currency, oldest first."""
    month = period.month
    rates = _rates(workspace=workspace, month=month)
    earlier = defaultdict(lambda: ZERO)
    for row in (
        Recoupment.objects.filter(period__workspace=workspace, period__month__lt=month)
        .values("expense_id", "advance_id")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        key = ("e", row["expense_id"]) if row["expense_id"] else ("a", row["advance_id"])
        # SQLite sums decimals as floats ("195.190000000000"); every part is whole cents.
        earlier[key] = money(row["total"])

    def balance(kind: str, item, amount: Decimal, currency: str) -> Decimal | None:
        rate = rates.get(currency)
        if rate is None:
            problem = _rate_problem(currency=currency, workspace=workspace, month=month)
            if problem not in work.problems:
                work.problems.append(problem)
            return None
        return money(amount * rate) - earlier[(kind, item.pk)]

    expenses = defaultdict(list)
    for expense in Expense.objects.filter(
        release_id__in=release_ids, recoupable=True, actual__gt=0
    ).order_by("spent_on", "created_at", "id"):
        left = balance("e", expense, expense.actual, expense.currency)
        if left is not None and left > 0:
            expenses[expense.release_id].append((expense, left))
    top = defaultdict(list)
    recipient = defaultdict(list)
    for advance in Advance.objects.filter(workspace=workspace, release_id__in=release_ids):
        left = balance("a", advance, advance.amount, advance.currency)
        if left is not None and left > 0:
            target = top if advance.recoup_from == Advance.RecoupFrom.TOP else recipient
            target[advance.release_id].append((advance, left))
    return expenses, top, recipient


@transaction.atomic
def period_calculate(*, workspace: Workspace, month: dt.date, user=None) -> Period:
    """Work the month out again from its earnings: conversions, recoupment, allocations and
    payee statements are deleted and rewritten. Refused for a closed month."""
    month = month_start(month)
    period_assert_open(workspace=workspace, month=month)
    period, _ = Period.objects.select_for_update().get_or_create(
        workspace=workspace, month=month, defaults={"currency": workspace.default_currency}
    )
    period.currency = workspace.default_currency
    period.statements.all().delete()
    period.allocations.all().delete()
    period.recoupments.all().delete()
    period.conversions.all().delete()

    work = _Work()
    unmatched = _aggregate(workspace=workspace, period=period, work=work)
    earnings = sum(work.track_amount.values(), ZERO)
    splits = master_splits_in_effect(track_ids=work.track_amount.keys(), month=month)

    release_tracks: dict[int, list[int]] = defaultdict(list)
    for track_id in sorted(work.track_amount):
        release_tracks[work.track_release[track_id]].append(track_id)
    expenses, top_advances, recipient_advances = _recoupables(
        workspace=workspace, period=period, release_ids=list(release_tracks), work=work
    )

    recoupments: list[Recoupment] = []
    for release_id, track_ids in release_tracks.items():
        order = next(
            (splits[t].recoup_order for t in track_ids if t in splits),
            RecoupOrder.EXPENSES_FIRST,
        )
        if order == RecoupOrder.NONE:
            recipient_advances.pop(release_id, None)
            continue
        items = [("expense", e, b) for e, b in expenses.get(release_id, [])]
        advances = [("advance", a, b) for a, b in top_advances.get(release_id, [])]
        items = advances + items if order == RecoupOrder.ADVANCES_FIRST else items + advances
        for kind, item, left in items:
            available = sum((work.track_amount[t] for t in track_ids), ZERO)
            take = min(left, available)
            if take <= 0:
                break
            weights = [max(work.track_amount[t], ZERO) for t in track_ids]
            for track_id, part in zip(track_ids, allocate(take, weights), strict=True):
                work.track_amount[track_id] -= part
            recoupments.append(
                Recoupment(period=period, release_id=release_id, amount=take, **{kind: item})
            )

    default_payee = None
    needs_default = [t for t in work.track_amount if t not in splits and work.track_amount[t]]
    if needs_default:
        default_payee = default_payee_get(workspace=workspace)
        if default_payee is None:
            work.problems.append(NO_PAYEE_PROBLEM)

    allocations: list[Allocation] = []
    for track_id in sorted(work.track_amount):
        amount = work.track_amount[track_id]
        if amount == 0:
            continue
        release_id = work.track_release[track_id]
        split_set = splits.get(track_id)
        if split_set is None:
            if default_payee is None:
                continue
            allocations.append(
                Allocation(
                    period=period,
                    track_id=track_id,
                    release_id=release_id,
                    payee=default_payee,
                    percent=Decimal(100),
                    via_default=True,
                    amount=amount,
                )  # fmt: skip
            )
            continue
        # A person may hold two shares of one recording (artist and producer): one payee row.
        percents: dict[int, Decimal] = defaultdict(Decimal)
        for share in split_set.shares.all():
            percents[share.person_id] += share.percent
        people = list(percents)
        for person_id, part in zip(
            people, allocate(amount, [percents[p] for p in people]), strict=True
        ):
            allocations.append(
                Allocation(
                    period=period,
                    track_id=track_id,
                    release_id=release_id,
                    payee_id=person_id,
                    split_set=split_set,
                    percent=percents[person_id],
                    amount=part,
                )  # fmt: skip
            )
    Allocation.objects.bulk_create(allocations)

    # Advances recouped from their recipient's own earnings on the release.
    payee_release = defaultdict(lambda: ZERO)
    for allocation in allocations:
        payee_release[(allocation.payee_id, allocation.release_id)] += allocation.amount
    recouped_from = defaultdict(lambda: ZERO)
    for release_id, items in recipient_advances.items():
        for advance, left in items:
            key = (advance.recipient_id, release_id)
            take = min(left, payee_release[key])
            if take <= 0:
                continue
            payee_release[key] -= take
            recouped_from[advance.recipient_id] += take
            recoupments.append(
                Recoupment(
                    period=period,
                    release_id=release_id,
                    advance=advance,
                    payee_id=advance.recipient_id,
                    amount=take,
                )  # fmt: skip
            )
    Recoupment.objects.bulk_create(recoupments)

    _statements_write(
        workspace=workspace, period=period, allocations=allocations, recouped_from=recouped_from
    )

    allocated = sum((a.amount for a in allocations), ZERO)
    period.earnings = earnings
    period.recouped = sum((r.amount for r in recoupments), ZERO)
    period.allocated = allocated
    period.unmatched = unmatched
    period.problems = work.problems
    period.calculated_at = timezone.now()
    period.full_clean()
    period.save()
    return period


def _statements_write(*, workspace, period, allocations, recouped_from) -> None:
    minimum = rights_settings_get(workspace=workspace).minimum_payout
    earned = defaultdict(lambda: ZERO)
    for allocation in allocations:
        earned[allocation.payee_id] += allocation.amount
    opening: dict[int, Decimal] = {}
    for payee_id, closing in (
        PayeeStatement.objects.filter(period__workspace=workspace, period__month__lt=period.month)
        .order_by("payee_id", "-period__month")
        .values_list("payee_id", "closing")
    ):
        opening.setdefault(payee_id, closing)
    payees = set(earned) | {p for p, c in opening.items() if c != 0} | set(recouped_from)
    statements = []
    for payee_id in sorted(payees):
        statement = PayeeStatement(
            period=period, payee_id=payee_id, opening=opening.get(payee_id, ZERO),
            earnings=earned[payee_id], recouped=recouped_from[payee_id], payments=ZERO,
        )  # fmt: skip
        _statement_settle(statement, minimum=minimum)
        statements.append(statement)
    PayeeStatement.objects.bulk_create(statements)


def _statement_settle(statement: PayeeStatement, *, minimum: Decimal) -> None:
    statement.closing = (
        statement.opening + statement.earnings - statement.recouped - statement.payments
    )
    if statement.closing >= minimum and statement.closing > 0:
        statement.due, statement.carried_forward = statement.closing, False
    else:
        statement.due, statement.carried_forward = ZERO, statement.closing != 0


# --- Closing a month -------------------------------------------------------------------------


@transaction.atomic
def period_close(*, period: Period, payments: list[dict] | None = None, user=None) -> Period:
    """Mark the month paid: record the payments (by default every due statement in full) and
    close it, after which nothing changes it. Refused while it has problems or while an earlier
    month with earnings is still open (months close in order)."""
    workspace = period.workspace
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.closed:
        period_assert_open(workspace=workspace, month=period.month)
    earlier_open = (
        Earning.objects.filter(workspace=workspace)
        .filter(booked_period__lt=period.month)
        .exclude(booked_period__in=_closed(workspace))
        .order_by("booked_period")
        .values_list("booked_period", flat=True)
        .first()
    )
    if earlier_open is not None:
        raise ValidationError(
            f"Close {period_label(earlier_open)} first: months are paid in order, and it has "
            "earnings and is still open.",
            code="earlier_month_open",
        )
    # Pay what the data says now, not what a page showed some time ago.
    period = period_calculate(workspace=workspace, month=period.month, user=user)
    if period.problems:
        raise ValidationError(
            "This month cannot be closed yet: " + "; ".join(period.problems) + ".",
            code="period_has_problems",
        )
    statements = {s.payee_id: s for s in period.statements.select_related("payee")}
    today = timezone.localdate()
    if payments is None:
        payments = [
            {"payee": s.payee, "amount": s.due, "paid_on": today, "reference": ""}
            for s in statements.values()
            if s.due > 0
        ]
    rows = []
    errors = []
    for item in payments:
        payee = item["payee"]
        payee_id = payee if isinstance(payee, int) else payee.pk
        statement = statements.get(payee_id)
        amount = item.get("amount")
        if statement is None:
            errors.append(f"{payee} has no statement for {period.label}.")
            continue
        if amount is None or amount <= 0:
            errors.append(f"{statement.payee}: a payment is an amount above 0.")
            continue
        if amount > statement.due:
            errors.append(f"{statement.payee}: {amount} is more than the {statement.due} due.")
            continue
        rows.append(
            Payment(
                statement=statement,
                amount=amount,
                paid_on=item.get("paid_on") or today,
                reference=(item.get("reference") or "")[:200],
                created_by=user,
            )  # fmt: skip
        )
    if errors:
        raise ValidationError(errors, code="bad_payments")
    for payment in rows:
        payment.full_clean()
        payment.save()
        statement = payment.statement
        statement.payments += payment.amount
        audit_record(
            workspace=workspace, action="rights.payout_paid", actor=user, subject=payment,
            summary=f"Paid {period.currency} {payment.amount} to {statement.payee} for "
            f"{period.label}",
            data={"period": period.label, "payee": statement.payee_id,
                  "amount": str(payment.amount), "reference": payment.reference},
            finance=True,
        )  # fmt: skip
    for statement in {p.statement.pk: p.statement for p in rows}.values():
        statement.closing = (
            statement.opening + statement.earnings - statement.recouped - statement.payments
        )
        statement.save(update_fields=["payments", "closing"])
    period.status = Period.Status.CLOSED
    period.closed_at = timezone.now()
    period.closed_by = user
    period.full_clean()
    period.save()
    audit_record(
        workspace=workspace, action="rights.period_closed", actor=user, subject=period,
        summary=f"{period.label} closed: {len(rows)} payment(s), "
        f"{period.currency} {sum((p.amount for p in rows), ZERO)} paid",
        data={"period": period.label, "allocated": str(period.allocated)},
        finance=True,
    )  # fmt: skip
    return period


def _closed(workspace: Workspace) -> list[dt.date]:
    return list(
        Period.objects.filter(workspace=workspace, status=Period.Status.CLOSED).values_list(
            "month", flat=True
        )
    )


__all__ = [
    "NO_PAYEE_PROBLEM",
    "advance_create",
    "advance_delete",
    "default_payee_get",
    "exchange_rate_set",
    "exchange_rates_import",
    "period_calculate",
    "period_close",
    "rights_settings_get",
    "rights_settings_update",
]
