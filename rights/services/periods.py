"""Royalty periods are calendar months, named "YYYY-MM" and stored as their first day.

A closed (paid) month never changes again: money reported later for it is booked into the next
open month, as an adjustment. Months close in order, so "the next open month" of a closed one is
the first month after it that is not closed.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError

from collaborators.models import Workspace

from ..models import Period

_PERIOD = re.compile(r"^(\d{4})-(\d{2})$")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_next(month: dt.date) -> dt.date:
    return dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def month_previous(month: dt.date) -> dt.date:
    return dt.date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def period_parse(text: str) -> dt.date:
    """ "2026-03" -> 2026-03-01; ValidationError in words for anything else."""
    match = _PERIOD.match((text or "").strip())
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
        raise ValidationError(
            f"“{text}” is not a month: write it as YYYY-MM, like 2026-03.", code="bad_period"
        )
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


def period_label(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def closed_months(*, workspace: Workspace | int) -> set[dt.date]:
    """The months of ``workspace`` that are closed (paid), as first days."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    return set(
        Period.objects.filter(workspace_id=workspace_id, status=Period.Status.CLOSED).values_list(
            "month", flat=True
        )
    )


def period_booking(*, month: dt.date, closed: set[dt.date]) -> tuple[dt.date, bool]:
    """Where money of ``month`` is booked: itself while open, else the next open month
    (then ``True``: an adjustment). ``closed`` comes from ``closed_months``."""
    booked = month_start(month)
    adjustment = False
    while booked in closed:
        booked = month_next(booked)
        adjustment = True
    return booked, adjustment


def period_assert_open(*, workspace: Workspace | int, month: dt.date) -> None:
    """Refuse a change to a closed month, saying so."""
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    period = Period.objects.filter(
        workspace_id=workspace_id, month=month_start(month), status=Period.Status.CLOSED
    ).first()
    if period is not None:
        raise ValidationError(
            f"{period_label(period.month)} is closed: it was paid on "
            f"{period.closed_at:%Y-%m-%d} and cannot change. Changes are booked into the next "
            "open month.",
            code="period_closed",
        )
