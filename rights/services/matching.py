"""The review queue's decisions and the generic format's column mappings.

Matching a group of unmatched lines to a track remembers the decision as a ``MatchRule`` for
their key, which every later import applies. Lines of a closed (paid) month are corrections
now: they move to the next open month as adjustments, like late lines do.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef

from collaborators.currencies import CURRENCY_CODES
from collaborators.models import Workspace
from releases.models import Track

from ..models import ColumnMapping, Earning, MatchRule, ReportedItem
from ..statements import GENERIC_FIELDS
from ..statements.base import match_label
from .periods import closed_months, period_booking


@transaction.atomic
def match_rule_create(
    *, workspace: Workspace, key: str, track: Track, user: Any = None
) -> MatchRule:
    """Match every unmatched line with ``key`` to ``track`` and remember it for later imports
    (``rule.matched`` says how many lines it matched now).

    Lines booked into a closed month move to the next open one (``adjustment``)."""
    if track.workspace_id != workspace.pk:
        raise ValidationError({"track": "Choose a track of this workspace."})
    key = (key or "").strip()
    lines = Earning.objects.filter(workspace=workspace, item__match_key=key, track__isnull=True)
    sample = (
        ReportedItem.objects.filter(workspace=workspace, match_key=key)
        .filter(Exists(Earning.objects.filter(item=OuterRef("pk"), track__isnull=True)))
        .order_by("title", "id")
        .first()
    )
    if sample is None:
        raise ValidationError({"key": "No unmatched lines have this key (matched already?)."})
    if MatchRule.objects.filter(workspace=workspace, key=key).exists():
        raise ValidationError({"key": "These lines have a rule already; delete it first."})
    rule = MatchRule(
        workspace=workspace, key=key, label=match_label(
            isrc=sample.isrc, upc=sample.upc, title=sample.title, artist=sample.artist
        )[:300], track=track,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )  # fmt: skip
    rule.full_clean()
    rule.save()
    closed = closed_months(workspace=workspace)
    matched = 0
    for month in set(lines.values_list("booked_period", flat=True)):
        booked, moved = period_booking(month=month, closed=closed)
        update: dict[str, Any] = {"track": track, "release_id": track.release_id, "rule": rule}
        if moved:
            update.update(booked_period=booked, adjustment=True)
        matched += lines.filter(booked_period=month).update(**update)
    rule.matched = matched  # type: ignore[attr-defined]  # the lines it matched now
    return rule


@transaction.atomic
def match_rule_delete(*, rule: MatchRule, user: Any = None) -> int:
    """Forget a rule. Its lines in open months go back to the review queue; paid months keep
    what they were paid on. Returns how many lines went back."""
    closed = closed_months(workspace=rule.workspace_id)
    lines = Earning.objects.filter(rule=rule).exclude(booked_period__in=closed)
    back = lines.update(track=None, release=None, rule=None)
    Earning.objects.filter(rule=rule).update(rule=None)
    rule.delete()
    return back


def _columns(columns: Any) -> dict[str, str]:
    if not isinstance(columns, dict):
        raise ValidationError({"columns": "Map each field to one of the file's column names."})
    cleaned: dict[str, str] = {}
    for field, header in columns.items():
        if field not in GENERIC_FIELDS:
            raise ValidationError({"columns": f"“{field}” is not a field Liner reads."})
        header = str(header or "").strip()
        if len(header) > 200:
            raise ValidationError({"columns": f"The column name for {field} is too long."})
        if header:
            cleaned[field] = header
    missing = [GENERIC_FIELDS[f] for f in ("sale_period", "net") if f not in cleaned]
    if missing:
        raise ValidationError({"columns": f"Say which column holds: {', '.join(missing)}."})
    return cleaned


@transaction.atomic
def column_mapping_save(
    *,
    workspace: Workspace,
    name: str,
    columns: dict[str, str],
    date_format: str = "",
    currency: str = "",
    mapping: ColumnMapping | None = None,
) -> ColumnMapping:
    """Create or change a saved column mapping for the generic format."""
    if mapping is not None and mapping.workspace_id != workspace.pk:
        raise ValidationError("That mapping is not of this workspace.")
    cleaned = _columns(columns)
    currency = (currency or "").strip().upper()
    if currency and currency not in CURRENCY_CODES:
        raise ValidationError({"currency": f"“{currency}” is not a currency code (e.g. USD)."})
    if "currency" not in cleaned and not currency:
        raise ValidationError(
            {"currency": "The file has no currency column: say which currency it is in."}
        )
    date_format = (date_format or "").strip()
    if date_format and "%" not in date_format:
        raise ValidationError({"date_format": "A date format looks like %Y-%m or %d/%m/%Y."})
    target = mapping or ColumnMapping(workspace=workspace)
    target.name = (name or "").strip()
    target.columns = cleaned
    target.date_format = date_format
    target.currency = currency
    target.full_clean()
    target.save()
    return target


def column_mapping_delete(*, mapping: ColumnMapping) -> None:
    mapping.delete()
