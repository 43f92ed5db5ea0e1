"""Splits: new versions of a work's publishing split or a track's master split.

A set is never edited (``rights.models.splits``): each change is a new version, written under a
row lock on its target so two people saving at once get versions n+1 and n+2, never two n+1.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from collaborators.audit import audit_record
from collaborators.models import Person
from releases.models import Release, Track

from ..models import RecoupOrder, Share, SplitKind, SplitSet, Work
from ..models.splits import HUNDRED
from .periods import closed_months, month_next, period_label

FOUR_PLACES = Decimal("0.0001")
MASTER_ROLES = tuple(r for r in Share.Role.values if r not in Share.PUBLISHING_ROLES)


def _percent(value: Any, index: int) -> Decimal:
    try:
        percent = (
            value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
        )
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({"shares": f"Row {index}: “{value}” is not a percentage."}) from exc
    if not percent.is_finite():
        raise ValidationError({"shares": f"Row {index}: “{value}” is not a percentage."})
    if percent != percent.quantize(FOUR_PLACES):
        raise ValidationError(
            {"shares": f"Row {index}: a share has at most four decimal places ({value})."}
        )
    if percent <= 0:
        raise ValidationError({"shares": f"Row {index}: a share is more than 0 %."})
    return percent.quantize(FOUR_PLACES)


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def shares_validate(*, workspace_id: int, kind: str, shares: list[dict]) -> list[dict]:
    """Check rows of ``person``, ``role``, ``percent``; return them cleaned. Raises
    ValidationError (field ``shares``) in words."""
    if not shares:
        raise ValidationError({"shares": "Add at least one share."})
    allowed = Share.PUBLISHING_ROLES if kind == SplitKind.PUBLISHING else MASTER_ROLES
    person_ids = {r["person"] if isinstance(r["person"], int) else r["person"].pk for r in shares}
    people = Person.objects.filter(workspace_id=workspace_id, pk__in=person_ids).in_bulk()
    cleaned, seen = [], set()
    for index, row in enumerate(shares, start=1):
        pid = row["person"] if isinstance(row["person"], int) else row["person"].pk
        person = people.get(pid)
        if person is None:
            raise ValidationError(
                {"shares": f"Row {index}: that person is not in this address book."}
            )
        role = str(row.get("role") or "")
        if role not in allowed:
            names = ", ".join(str(Share.Role(r).label).lower() for r in allowed)
            kind_name = SplitKind(kind).label.lower()
            raise ValidationError(
                {"shares": f"Row {index}: a {kind_name} split's roles are {names}."}
            )
        if (pid, role) in seen:
            role_name = Share.Role(role).label.lower()
            raise ValidationError(
                {"shares": f"{person.name} is in the split twice as {role_name}."}
            )
        seen.add((pid, role))
        cleaned.append(
            {"person": person, "role": role, "percent": _percent(row.get("percent"), index)}
        )
    total = sum((r["percent"] for r in cleaned), Decimal(0))
    if total != HUNDRED:
        gap = abs(HUNDRED - total)
        which = "is missing" if total < HUNDRED else "is too much"
        raise ValidationError(
            {"shares": f"The shares add up to {_fmt(total)} %; {_fmt(gap)} % {which}."},
            code="split_total",
        )
    return cleaned


def effective_from_validate(*, workspace_id: int, effective_from: dt.date) -> None:
    if not isinstance(effective_from, dt.date) or effective_from.day != 1:
        raise ValidationError(
            {"effective_from": "A split starts on the first day of a month: earnings are "
             "reported by month."}
        )  # fmt: skip
    closed = closed_months(workspace=workspace_id)
    if closed:
        latest = max(closed)
        if effective_from <= latest:
            raise ValidationError(
                {"effective_from": f"{period_label(latest)} is paid; this split can start from "
                 f"{period_label(month_next(latest))} at the earliest."},
                code="period_closed",
            )  # fmt: skip


def _describe(shares: list[dict]) -> str:
    return ", ".join(f"{r['person'].name} {_fmt(r['percent'])} %" for r in shares)


def _create(
    *, kind: str, work: Work | None, track: Track | None, workspace_id: int, shares: list[dict],
    effective_from: dt.date, recoup_order: str, note: str, user: Any,
) -> SplitSet:  # fmt: skip
    if kind == SplitKind.PUBLISHING:
        Work.objects.select_for_update().filter(pk=work.pk).first()
        previous = SplitSet.objects.filter(kind=kind, work=work)
    else:
        Track.objects.select_for_update().filter(pk=track.pk).first()
        previous = SplitSet.objects.filter(kind=kind, track=track)
    version = (previous.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    if recoup_order not in RecoupOrder.values:
        raise ValidationError({"recoup_order": "Choose what is recouped first."})
    split = SplitSet(
        workspace_id=workspace_id, kind=kind, work=work, track=track, version=version,
        effective_from=effective_from, total=sum((r["percent"] for r in shares), Decimal(0)),
        recoup_order=recoup_order, note=note or "",
        created_by=user if getattr(user, "pk", None) else None,
    )  # fmt: skip
    split.full_clean()
    split.save()
    Share.objects.bulk_create(
        Share(split_set=split, person=r["person"], role=r["role"], percent=r["percent"], position=i)
        for i, r in enumerate(shares)
    )
    target = work.title if work is not None else track.title
    audit_record(
        workspace=workspace_id, action="rights.split_changed", actor=user, subject=split,
        summary=f"{split.get_kind_display()} split of “{target}” v{version} from "
        f"{effective_from:%Y-%m}: {_describe(shares)}",
        data={
            "kind": kind, "work": work.pk if work else None, "track": track.pk if track else None,
            "version": version, "effective_from": effective_from.isoformat(),
            "shares": [[r["person"].pk, r["role"], str(r["percent"])] for r in shares],
        },
    )  # fmt: skip
    return split


@transaction.atomic
def split_set_create(
    *,
    kind: str,
    work: Work | None = None,
    track: Track | None = None,
    shares: list[dict],
    effective_from: dt.date,
    recoup_order: str = RecoupOrder.EXPENSES_FIRST,
    note: str = "",
    user: Any = None,
) -> SplitSet:
    """A new version of the publishing split of ``work`` or the master split of ``track``.

    Checks the shares (exactly 100 %, each > 0, four places, one row per person and role) and
    the start month (a first of the month after the latest paid month). A master change ends
    the track's master lock if it held the old split; the sheet(s) refresh.
    """
    from . import sheets

    if kind == SplitKind.PUBLISHING:
        if work is None or track is not None:
            raise ValidationError("A publishing split belongs to a work.")
        workspace_id = work.workspace_id
    elif kind == SplitKind.MASTER:
        if track is None or work is not None:
            raise ValidationError("A master split belongs to a recording.")
        workspace_id = track.workspace_id
    else:
        raise ValidationError({"kind": "A split is publishing or master."})
    cleaned = shares_validate(workspace_id=workspace_id, kind=kind, shares=shares)
    effective_from_validate(workspace_id=workspace_id, effective_from=effective_from)
    split = _create(
        kind=kind, work=work, track=track, workspace_id=workspace_id, shares=cleaned,
        effective_from=effective_from, recoup_order=recoup_order, note=note, user=user,
    )  # fmt: skip
    if kind == SplitKind.MASTER:
        _after_master_change(track=track, user=user)
    else:
        sheets.split_sheet_refresh(work=work, reason="the publishing split changed", actor=user)
    return split


def _after_master_change(*, track: Track, user: Any) -> None:
    from releases.services.review.lock import master_lock_recheck

    from . import sheets

    master_lock_recheck(track=track, reason="the master split changed")
    for work in Work.objects.filter(recordings=track):
        sheets.split_sheet_refresh(
            work=work, reason=f"the master split of “{track.title}” changed", actor=user
        )


@transaction.atomic
def master_split_for_release(
    *,
    release: Release,
    shares: list[dict],
    effective_from: dt.date,
    recoup_order: str = RecoupOrder.EXPENSES_FIRST,
    note: str = "",
    user: Any = None,
) -> list[SplitSet]:
    """The same master split as a new version on every track of ``release``, all or none."""
    tracks = list(release.tracks.order_by("position", "id"))
    if not tracks:
        raise ValidationError("This release has no tracks yet.")
    cleaned = shares_validate(
        workspace_id=release.workspace_id, kind=SplitKind.MASTER, shares=shares
    )
    effective_from_validate(workspace_id=release.workspace_id, effective_from=effective_from)
    sets = []
    for track in tracks:
        sets.append(
            _create(
                kind=SplitKind.MASTER,
                work=None,
                track=track,
                workspace_id=release.workspace_id,
                shares=cleaned,
                effective_from=effective_from,
                recoup_order=recoup_order,
                note=note,
                user=user,
            )  # fmt: skip
        )
        _after_master_change(track=track, user=user)
    return sets
