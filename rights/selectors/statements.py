"""Reads of imported statements: the list, a statement's earnings, the review queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, QuerySet, Sum

from collaborators.models import Workspace

from ..models import Earning, Statement
from ..statements.base import match_label


def statement_list(*, workspace: Workspace) -> QuerySet[Statement]:
    return Statement.objects.filter(workspace=workspace).select_related("created_by", "mapping")


def statement_earnings(*, statement: Statement) -> QuerySet[Earning]:
    return (
        Earning.objects.of_statement(statement)
        .select_related("item", "track", "release")
        .order_by("line_no")
    )


@dataclass
class UnmatchedGroup:
    """Unmatched lines sharing a match key: what a person matches once in the review queue."""

    key: str
    label: str
    title: str
    artist: str
    isrc: str
    upc: str
    lines: int = 0
    amounts: dict[str, Decimal] = field(default_factory=dict)
    stores: list[str] = field(default_factory=list)
    first_period: dt.date | None = None
    last_period: dt.date | None = None

    @property
    def weight(self) -> Decimal:
        return sum(self.amounts.values(), Decimal(0))


def unmatched_groups(*, workspace: Workspace, limit: int = 200) -> list[UnmatchedGroup]:
    """The review queue: unmatched lines by key, the most money first (two queries, whatever
    the number of lines; the partial index on unmatched lines serves both)."""
    base = Earning.objects.filter(workspace=workspace, track__isnull=True)
    groups: dict[str, UnmatchedGroup] = {}
    rows = (
        base.values("item__match_key", "currency")
        .annotate(
            n=Count("id"),
            net=Sum("net"),
            title=Max("item__title"),
            artist=Max("item__artist"),
            isrc=Max("item__isrc"),
            upc=Max("item__upc"),
            first=Min("sale_period"),
            last=Max("sale_period"),
        )  # fmt: skip
        .order_by()
    )
    for row in rows:
        key = row["item__match_key"]
        group = groups.get(key)
        if group is None:
            group = groups[key] = UnmatchedGroup(
                key=key,
                label=match_label(
                    isrc=row["isrc"], upc=row["upc"], title=row["title"], artist=row["artist"]
                ),
                title=row["title"], artist=row["artist"], isrc=row["isrc"], upc=row["upc"],
            )  # fmt: skip
        group.lines += row["n"]
        group.amounts[row["currency"]] = (row["net"] or Decimal(0)).quantize(Decimal("0.01"))
        group.first_period = min(filter(None, (group.first_period, row["first"])))
        group.last_period = max(filter(None, (group.last_period, row["last"])))
    ordered = sorted(groups.values(), key=lambda g: (-g.weight, g.label))[:limit]
    keys = [g.key for g in ordered]
    stores = (
        base.filter(item__match_key__in=keys)
        .values_list("item__match_key", "store")
        .distinct()
        .order_by()
    )
    by_key = {g.key: g for g in ordered}
    for key, store in stores:
        if store and store not in by_key[key].stores:
            by_key[key].stores.append(store)
    for group in ordered:
        group.stores.sort()
    return ordered


def unmatched_count(*, workspace: Workspace) -> int:
    return Earning.objects.filter(workspace=workspace, track__isnull=True).count()
