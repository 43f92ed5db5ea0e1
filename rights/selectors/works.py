"""Read side of works and splits: the split in effect for a month (payouts use it), the latest
sets, and the works list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from collaborators.models import Workspace
from releases.models import Track

from ..models import Share, SplitKind, SplitSet, Work


def _shares_prefetch() -> Prefetch:
    return Prefetch(
        "shares", queryset=Share.objects.select_related("person").order_by("position", "id")
    )


def master_split_in_effect(*, track: Track | int, month: dt.date) -> SplitSet | None:
    """The agreed master split of ``track`` for ``month``: the latest (by effective date, then
    version) agreed set that starts on or before it. An unagreed set never counts."""
    track_id = track if isinstance(track, int) else track.pk
    return (
        SplitSet.objects.filter(
            kind=SplitKind.MASTER, track_id=track_id, agreed_at__isnull=False,
            effective_from__lte=month,
        )
        .order_by("-effective_from", "-version")
        .prefetch_related(_shares_prefetch())
        .first()
    )  # fmt: skip


def publishing_split_in_effect(*, work: Work | int, month: dt.date) -> SplitSet | None:
    """As ``master_split_in_effect``, for a work's publishing split."""
    work_id = work if isinstance(work, int) else work.pk
    return (
        SplitSet.objects.filter(
            kind=SplitKind.PUBLISHING, work_id=work_id, agreed_at__isnull=False,
            effective_from__lte=month,
        )
        .order_by("-effective_from", "-version")
        .prefetch_related(_shares_prefetch())
        .first()
    )  # fmt: skip


def master_splits_in_effect(
    *,
    month: dt.date,
    tracks: Iterable[Track] | None = None,
    track_ids: Iterable[int] | None = None,
) -> dict[int, SplitSet]:
    """``master_split_in_effect`` for many tracks in two queries: track id -> set (shares
    prefetched). Tracks with no agreed split for the month are absent."""
    ids = {t.pk for t in tracks or ()} | set(track_ids or ())
    if not ids:
        return {}
    candidates = (
        SplitSet.objects.filter(
            kind=SplitKind.MASTER, track_id__in=ids, agreed_at__isnull=False,
            effective_from__lte=month,
        )
        .order_by("track_id", "-effective_from", "-version")
        .only("id", "track_id", "effective_from", "version")
    )  # fmt: skip
    chosen: dict[int, int] = {}
    for candidate in candidates:
        chosen.setdefault(candidate.track_id, candidate.pk)
    sets = SplitSet.objects.filter(pk__in=chosen.values()).prefetch_related(_shares_prefetch())
    return {s.track_id: s for s in sets}


def latest_master_sets(*, track_ids: Iterable[int]) -> dict[int, SplitSet]:
    """The highest-version master set of each track, agreed or not (shares prefetched)."""
    ids = set(track_ids)
    if not ids:
        return {}
    chosen: dict[int, int] = {}
    for pk, track_id in (
        SplitSet.objects.filter(kind=SplitKind.MASTER, track_id__in=ids)
        .order_by("track_id", "-version")
        .values_list("id", "track_id")
    ):
        chosen.setdefault(track_id, pk)
    sets = SplitSet.objects.filter(pk__in=chosen.values()).prefetch_related(_shares_prefetch())
    return {s.track_id: s for s in sets}


def latest_publishing_set(*, work: Work) -> SplitSet | None:
    return (
        SplitSet.objects.filter(kind=SplitKind.PUBLISHING, work=work)
        .order_by("-version")
        .prefetch_related(_shares_prefetch())
        .first()
    )


def split_history(*, work: Work | None = None, track: Track | None = None) -> QuerySet[SplitSet]:
    """Every version of a work's publishing split or a track's master split, newest first."""
    qs = (
        SplitSet.objects.filter(work=work)
        if work is not None
        else SplitSet.objects.filter(track=track)
    )
    return qs.order_by("-version").prefetch_related(_shares_prefetch())


def works_list(*, workspace: Workspace, search: str = "") -> QuerySet[Work]:
    """The workspace's works with counts and their sheet (fixed number of queries)."""
    qs = Work.objects.filter(workspace=workspace)
    if search.strip():
        qs = qs.filter(title__icontains=search.strip())
    return (
        qs.select_related("split_sheet")
        .annotate(recording_count=Count("recordings", distinct=True))
        .prefetch_related("parties__person")
        .order_by("title", "id")
    )


def sheet_states(*, works: list[Work]) -> dict[int, dict[str, Any]]:
    """Work id -> {"state": "agreed"|"waiting"|"empty", "waiting_for": [names]}, in two
    queries for any number of works (the works come with ``split_sheet`` selected)."""
    from django.db.models import Q

    from ..models import SplitSheetVersion

    query = Q()
    wanted = False
    for work in works:
        sheet = getattr(work, "split_sheet", None) if _has_sheet(work) else None
        if sheet is not None and sheet.version:
            query |= Q(sheet_id=sheet.pk, number=sheet.version)
            wanted = True
    versions = {}
    if wanted:
        for version in (
            SplitSheetVersion.objects.filter(query)
            .select_related("sheet")
            .prefetch_related("signatures")
        ):
            versions[version.sheet.work_id] = version
    out: dict[int, dict[str, Any]] = {}
    for work in works:
        version = versions.get(work.pk)
        if version is None:
            out[work.pk] = {"state": "empty", "waiting_for": []}
            continue
        signed = {s.person_id for s in version.signatures.all()}
        waiting = [p["name"] for p in version.snapshot["parties"] if p["id"] not in signed]
        out[work.pk] = {
            "state": "agreed" if version.agreed_at else "waiting",
            "waiting_for": waiting,
        }
    return out


def _has_sheet(work: Work) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        work.split_sheet  # noqa: B018 - selected with the work; raises when there is none
    except ObjectDoesNotExist:
        return False
    return True
