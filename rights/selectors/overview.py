"""The rights overview: what a person opening the section needs to know first, in a fixed number
of queries whatever the size of the catalogue (counts and sums are done by the database)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Sum

from collaborators.models import Workspace
from releases.models import Track

from ..models import (
    Earning,
    Licence,
    Period,
    SplitSheetVersion,
    SplitSignature,
    Statement,
    Work,
)

# How far ahead a licence counts as "ending soon": the earliest expiry alert (ALERT_DAYS).
ENDING_SOON_DAYS = 90
LATEST_STATEMENTS = 5
TRACKS_WITHOUT_WORK_SHOWN = 5


@dataclass(frozen=True)
class SheetWaiting:
    work_id: int
    title: str
    version: int
    # Who still has to sign the current version, by name.
    unsigned: list[str]


@dataclass(frozen=True)
class UnmatchedTotal:
    currency: str
    lines: int
    net: Decimal


@dataclass
class OpenMonth:
    """A month not yet paid: what was booked into it (per currency, as reported) and, once
    calculated, its period with the figures in the workspace's currency."""

    month: dt.date
    lines: int = 0
    net: dict[str, Decimal] = field(default_factory=dict)
    period: Period | None = None

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"


@dataclass
class RightsOverview:
    works: int
    sheets_agreed: int
    sheets_waiting: list[SheetWaiting]
    tracks_without_work: int
    tracks_without_work_sample: list[Track]
    finance: bool
    licences_ending: list[Licence] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    statements_total: int = 0
    unmatched: list[UnmatchedTotal] = field(default_factory=list)
    open_months: list[OpenMonth] = field(default_factory=list)
    last_closed: Period | None = None

    @property
    def unmatched_lines(self) -> int:
        return sum(u.lines for u in self.unmatched)

    @property
    def is_new(self) -> bool:
        """Nothing entered yet: the page says where to start rather than showing zeros."""
        return not (self.works or self.sheets_agreed or self.sheets_waiting or self.statements)


def rights_overview_get(
    *, workspace: Workspace, finance: bool, today: dt.date | None = None
) -> RightsOverview:
    """The overview's figures; the money ones only when ``finance`` (the caller checked the
    finance permission): without it they are not even read."""
    today = today or dt.date.today()
    works = Work.objects.filter(workspace=workspace).count()
    agreed, waiting = _sheets(workspace)
    without_work = Track.objects.filter(workspace=workspace, works__isnull=True)
    sample = list(
        without_work.select_related("release").order_by("release__title", "disc", "position")[
            :TRACKS_WITHOUT_WORK_SHOWN
        ]
    )
    overview = RightsOverview(
        works=works,
        sheets_agreed=agreed,
        sheets_waiting=waiting,
        tracks_without_work=without_work.count(),
        tracks_without_work_sample=sample,
        finance=finance,
    )
    if not finance:
        return overview
    overview.licences_ending = list(
        Licence.objects.filter(
            workspace=workspace,
            status=Licence.Status.ACTIVE,
            term_end__gte=today,
            term_end__lte=today + dt.timedelta(days=ENDING_SOON_DAYS),
        )
        .select_related("counterparty", "work", "track")
        .order_by("term_end", "id")
    )
    statements = Statement.objects.filter(workspace=workspace)
    overview.statements = list(statements.order_by("-created_at", "-id")[:LATEST_STATEMENTS])
    overview.statements_total = statements.count()
    overview.unmatched = [
        UnmatchedTotal(currency=row["currency"], lines=row["lines"], net=row["net"] or Decimal(0))
        for row in Earning.objects.filter(workspace=workspace, track__isnull=True)
        .values("currency")
        .annotate(lines=Count("id"), net=Sum("net"))
        .order_by("currency")
    ]
    overview.open_months = _open_months(workspace)
    overview.last_closed = (
        Period.objects.filter(workspace=workspace, status=Period.Status.CLOSED)
        .order_by("-month")
        .select_related("closed_by")
        .first()
    )
    return overview


def _open_months(workspace: Workspace) -> list[OpenMonth]:
    """Every month with money booked into it or a period row, that is not closed (two queries:
    the earnings' sums by month and currency, and the open periods)."""
    closed = Period.objects.filter(workspace=workspace, status=Period.Status.CLOSED)
    months: dict[dt.date, OpenMonth] = {}
    for row in (
        Earning.objects.filter(workspace=workspace)
        .exclude(booked_period__in=closed.values("month"))
        .values("booked_period", "currency")
        .annotate(lines=Count("id"), net=Sum("net"))
        .order_by("booked_period", "currency")
    ):
        month = months.setdefault(row["booked_period"], OpenMonth(month=row["booked_period"]))
        month.lines += row["lines"]
        month.net[row["currency"]] = row["net"] or Decimal(0)
    for period in Period.objects.filter(workspace=workspace, status=Period.Status.OPEN):
        months.setdefault(period.month, OpenMonth(month=period.month)).period = period
    return [months[m] for m in sorted(months)]


def _sheets(workspace: Workspace) -> tuple[int, list[SheetWaiting]]:
    """How many sheets are agreed, and who each of the others waits for (two queries).

    A sheet's current version is the one its ``version`` number names; its parties are those
    its snapshot lists (the people holding a share in the sets it was drawn up from).
    """
    current = list(
        SplitSheetVersion.objects.filter(
            sheet__workspace=workspace, number=F("sheet__version"), superseded_at__isnull=True
        )
        .select_related("sheet__work")
        .order_by("sheet__work__title", "sheet_id")
    )
    agreed = sum(1 for v in current if v.agreed_at is not None)
    pending = [v for v in current if v.agreed_at is None]
    if not pending:
        return agreed, []
    signed = set(
        SplitSignature.objects.filter(version__in=pending).values_list("version_id", "person_id")
    )
    waiting = [
        SheetWaiting(
            work_id=v.sheet.work_id,
            title=v.sheet.work.title,
            version=v.number,
            unsigned=sorted(
                party["name"]
                for party in (v.snapshot or {}).get("parties", [])
                if (v.pk, party["id"]) not in signed
            ),
        )
        for v in pending
    ]
    return agreed, waiting
