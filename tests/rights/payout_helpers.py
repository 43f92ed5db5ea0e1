"""Rows the payout tests build: earnings, agreed master splits, expenses (helpers of
test_payouts*.py, test_recoupment.py, test_closed_periods.py)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from collaborators.models import PersonRole, PersonRoleLink
from releases.models import Expense
from rights.models import (
    Earning,
    ReportedItem,
    Share,
    SplitKind,
    SplitSet,
    Statement,
    earning_id,
)
from rights.statements import item_id
from tests.factories import PersonFactory, ReleaseFactory, TrackFactory

_lines = itertools.count(1)
MARCH = dt.date(2026, 3, 1)
APRIL = dt.date(2026, 4, 1)
FEB = dt.date(2026, 2, 1)


def statement(workspace):
    return Statement.objects.create(
        workspace=workspace,
        source="distrokid",
        filename="s.csv",
        file="s.csv",
        sha256=f"{next(_lines):064d}",
    )


def reported_item(workspace, *, title, key=None):
    """The item statement lines name (made once per title)."""
    item, _ = ReportedItem.objects.get_or_create(
        id=item_id(workspace_id=workspace.pk, isrc="", upc="", title=title, artist=""),
        defaults={"workspace": workspace, "title": title, "match_key": key or f"k-{title}"},
    )
    return item


def earn(workspace, track, net, *, month=MARCH, currency=None, store="Spotify", territory="SE"):
    number = next(_lines)
    item = reported_item(workspace, title=track.title if track else f"Unknown {number}")
    source = statement(workspace)
    return Earning.objects.create(
        id=earning_id(statement_id=source.pk, line_no=number),
        workspace=workspace, statement=source, line_no=number, item=item,
        statement_period=month, sale_period=month, booked_period=month,
        store=store, territory=territory, net=Decimal(net), gross=Decimal(net),
        currency=currency or workspace.default_currency,
        track=track, release=track.release if track else None,
    )  # fmt: skip


def agreed_split(track, shares, *, month=FEB, version=1, recoup_order="expenses_first"):
    split_set = SplitSet.objects.create(
        workspace=track.workspace, kind=SplitKind.MASTER, track=track, version=version,
        effective_from=month, total=Decimal(100), agreed_at=timezone.now(),
        recoup_order=recoup_order,
    )  # fmt: skip
    for position, (person, percent) in enumerate(shares):
        Share.objects.create(
            split_set=split_set, person=person, role="artist", percent=Decimal(percent),
            position=position,
        )  # fmt: skip
    return split_set


def expense(release, amount, *, currency=None, spent_on=dt.date(2026, 1, 5)):
    return Expense.objects.create(
        release=release, category="mixing", description="Mixing", actual=Decimal(amount),
        currency=currency or release.workspace.default_currency, recoupable=True,
        spent_on=spent_on,
    )  # fmt: skip


def artist(workspace, name="Maya Lind"):
    person = PersonFactory(workspace=workspace, name=name)
    PersonRoleLink.objects.create(person=person, role=PersonRole.ARTIST)
    return person


def track_of(workspace, title="Harbour Lights"):
    release = ReleaseFactory(workspace=workspace, title=f"{title} (single)")
    return TrackFactory(release=release, title=title)


__all__ = ["PersonFactory"]
