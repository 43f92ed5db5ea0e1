"""Reads of payouts: months, a month's detail, payee statements with their breakdowns, and who
may see which statement (payee isolation)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404

from collaborators.models import Membership, Person, User, Workspace
from collaborators.permissions import Action, can

from ..models import Allocation, Earning, PayeeStatement, Period
from ..royalty import allocate

ZERO = Decimal("0.00")


def period_list(*, workspace: Workspace) -> QuerySet[Period]:
    return Period.objects.filter(workspace=workspace).order_by("-month")


def period_get(*, workspace: Workspace, month) -> Period:
    period = Period.objects.filter(workspace=workspace, month=month).first()
    if period is None:
        raise Http404("That month has not been calculated.")
    return period


def period_statements(*, period: Period) -> QuerySet[PayeeStatement]:
    return period.statements.select_related("payee").order_by("payee__name", "pk")


def period_default_allocations(*, period: Period) -> QuerySet[Allocation]:
    """The recordings whose money went to the default payee (they have no agreed split)."""
    return period.allocations.filter(via_default=True).select_related("track", "release", "payee")


@dataclass
class PayeeAccess:
    """Whom ``user`` may see statements of in a workspace: every payee (finance), or only the
    people linked to them."""

    workspace: Workspace
    finance: bool
    people: list[Person] = field(default_factory=list)


def access_payee(*, user: User, workspace_slug: str) -> PayeeAccess:
    """Fetch-and-authorize for statements: finance members see every payee; anyone else (a
    member without finance, a guest, an outside collaborator who is no member at all) only the
    people linked to their login that have statements. Everyone else: 404."""
    if not user.is_authenticated:
        raise Http404("No such workspace.")
    workspace = Workspace.objects.filter(slug=workspace_slug).first()
    if workspace is None:
        raise Http404("No such workspace.")
    membership = Membership.objects.filter(user=user, workspace=workspace).first()
    # Members get the sub-navigation (it reads ``workspace.membership``); outsiders do not.
    workspace.membership = membership
    if membership is not None and can(membership.role, Action.FINANCE_VIEW):
        return PayeeAccess(workspace=workspace, finance=True)
    people = list(
        Person.objects.filter(workspace=workspace, user=user, payee_statements__isnull=False)
        .distinct()
        .order_by("name")
    )
    if not people and membership is None:
        raise Http404("No such workspace.")
    return PayeeAccess(workspace=workspace, finance=False, people=people)


def payee_statements_visible(*, access: PayeeAccess) -> QuerySet[PayeeStatement]:
    statements = PayeeStatement.objects.filter(period__workspace=access.workspace)
    if not access.finance:
        statements = statements.filter(payee__in=access.people)
    return statements.select_related("period", "payee").order_by("-period__month", "payee__name")


def payee_statement_get(*, access: PayeeAccess, statement_id: int) -> PayeeStatement:
    statement = payee_statements_visible(access=access).filter(pk=statement_id).first()
    if statement is None:
        raise Http404("No such statement.")
    return statement


@dataclass
class StatementDetail:
    statement: PayeeStatement
    by_release: list[tuple[str, Decimal]]
    by_track: list[tuple[str, str, Decimal]]
    by_store: list[tuple[str, Decimal]]
    by_territory: list[tuple[str, Decimal]]
    recoupments: list
    payments: list


def payee_statement_detail(*, statement: PayeeStatement) -> StatementDetail:
    """The statement with its earnings by release, recording, store and territory. Each track's
    allocation is spread over the month's stores (and territories) of that track by the rounding
    rule, so every breakdown adds up to the payee's earnings exactly."""
    period = statement.period
    allocations = list(
        Allocation.objects.filter(period=period, payee=statement.payee)
        .select_related("track", "release")
        .order_by("release__title", "track__position", "track_id")
    )
    by_release: dict[str, Decimal] = defaultdict(lambda: ZERO)
    by_track = []
    for allocation in allocations:
        by_release[allocation.release.title] += allocation.amount
        by_track.append((allocation.release.title, allocation.track.title, allocation.amount))
    track_ids = [a.track_id for a in allocations]
    breakdowns = []
    for column in ("store", "territory"):
        net = defaultdict(list)
        for row in (
            Earning.objects.filter(workspace_id=period.workspace_id)
            .filter(
                booked_period=period.month,
                track_id__in=track_ids,
            )  # fmt: skip
            .values("track_id", column)
            .annotate(total=Sum("net"))
            .order_by("track_id", column)
        ):
            net[row["track_id"]].append((row[column] or "—", row["total"]))
        totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
        for allocation in allocations:
            parts = net.get(allocation.track_id) or [("—", Decimal(1))]
            weights = [abs(amount) for _, amount in parts]
            if sum(weights) == 0:
                weights = [Decimal(1)] * len(parts)
            for (name, _), share in zip(parts, allocate(allocation.amount, weights), strict=True):
                totals[name] += share
        breakdowns.append(sorted(totals.items(), key=lambda item: (-item[1], item[0])))
    return StatementDetail(
        statement=statement,
        by_release=sorted(by_release.items()),
        by_track=by_track,
        by_store=breakdowns[0],
        by_territory=breakdowns[1],
        recoupments=list(
            period.recoupments.filter(payee=statement.payee).select_related("advance", "release")
        ),
        payments=list(statement.payment_set.all()),
    )


def payee_statement_rows(*, detail: StatementDetail) -> list[list[object]]:
    """The statement as CSV rows (through ``collaborators.csv_export``)."""
    s = detail.statement
    rows: list[list[object]] = [
        ["Payee", s.payee.name],
        ["Period", s.period.label],
        ["Currency", s.period.currency],
        ["Opening balance", s.opening],
        ["Earnings", s.earnings],
        ["Recouped", s.recouped],
        ["Payments", s.payments],
        ["Closing balance", s.closing],
        ["Due", s.due],
        [],
        ["Release", "Recording", "Amount"],
    ]
    rows += [[release, track, amount] for release, track, amount in detail.by_track]
    rows += [[], ["Store", "Amount"], *[[n, a] for n, a in detail.by_store]]
    rows += [[], ["Territory", "Amount"], *[[n, a] for n, a in detail.by_territory]]
    return rows


def payee_statement_pdf(*, detail: StatementDetail) -> bytes:
    from ..pdf import PdfDocument

    s = detail.statement
    money = s.period.currency
    doc = PdfDocument(title=f"Royalty statement {s.period.label}", subtitle=s.payee.name)
    doc.pairs(
        [
            ("Opening balance", f"{money} {s.opening}"),
            ("Earnings", f"{money} {s.earnings}"),
            ("Recouped", f"{money} {s.recouped}"),
            ("Payments", f"{money} {s.payments}"),
            ("Closing balance", f"{money} {s.closing}"),
            ("Due", f"{money} {s.due}" + (" (carried forward)" if s.carried_forward else "")),
        ]
    )
    doc.heading("By recording")
    doc.table(["Release", "Recording", "Amount"], detail.by_track, align="LLR")
    doc.heading("By store")
    doc.table(["Store", "Amount"], detail.by_store, align="LR")
    doc.heading("By territory")
    doc.table(["Territory", "Amount"], detail.by_territory, align="LR")
    return doc.bytes()
