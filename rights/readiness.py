"""What rights adds to releases: the "agreed split sheet" readiness check and the splits as a
part of every master lock (``releases.registry``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.urls import NoReverseMatch, reverse

from releases.models import Track
from releases.readiness.findings import Finding, blocker, warning


def master_split_lock_part(track: Track) -> dict[str, Any] | None:
    """The track's latest master set (agreed or not) as stable JSON, for the master lock: a
    new split version changes it, so a locked master needs a new sign-off."""
    from .models import SplitKind, SplitSet

    split = (
        SplitSet.objects.filter(kind=SplitKind.MASTER, track_id=track.pk)
        .order_by("-version")
        .prefetch_related("shares")
        .first()
    )
    if split is None:
        return None
    shares = sorted([s.person_id, s.role, str(s.percent)] for s in split.shares.all())
    return {
        "id": split.pk,
        "version": split.version,
        "effective_from": split.effective_from.isoformat(),
        "shares": shares,
    }


def _work_url(slug: str, work_id: int) -> str:
    try:
        return reverse("rights-work-detail", args=[slug, work_id])
    except NoReverseMatch:
        return ""


def split_sheets_check(ctx: Any) -> Iterator[Finding]:
    """Per track: linked to a work, its sheet agreed, a master split on it. Four queries for
    the whole release."""
    from .models import SplitKind, SplitSet, SplitSheetVersion, Work

    track_ids = [t.pk for t in ctx.tracks]
    if not track_ids:
        return
    links = list(Work.recordings.through.objects.filter(track_id__in=track_ids).values_list(
        "track_id", "work_id"
    ))  # fmt: skip
    works = (
        Work.objects.filter(pk__in={w for _, w in links}).select_related("split_sheet").in_bulk()
    )
    current_ids = []
    for work in works.values():
        sheet = getattr(work, "split_sheet", None)
        if sheet is not None and sheet.version:
            current_ids.append((sheet.pk, sheet.version))
    versions: dict[int, SplitSheetVersion] = {}
    if current_ids:
        from django.db.models import Q

        query = Q()
        for sheet_id, number in current_ids:
            query |= Q(sheet_id=sheet_id, number=number)
        for version in SplitSheetVersion.objects.filter(query).prefetch_related("signatures"):
            versions[version.sheet_id] = version
    with_master = set(
        SplitSet.objects.filter(kind=SplitKind.MASTER, track_id__in=track_ids).values_list(
            "track_id", flat=True
        )
    )
    works_of: dict[int, list[Work]] = {}
    for track_id, work_id in links:
        works_of.setdefault(track_id, []).append(works[work_id])
    slug = ctx.slug
    told: set[int] = set()
    for track in ctx.tracks:
        linked = works_of.get(track.pk, [])
        if not linked:
            yield warning(
                "rights_no_work",
                f"Link “{track.title}” to its song and agree a split sheet",
                ctx.track_url(track), track_id=track.pk,
            )  # fmt: skip
            continue
        for work in linked:
            sheet = getattr(work, "split_sheet", None)
            version = versions.get(sheet.pk) if sheet is not None else None
            if version is not None and version.agreed_at is None and work.pk not in told:
                told.add(work.pk)
                signed = {s.person_id for s in version.signatures.all()}
                names = [p["name"] for p in version.snapshot["parties"] if p["id"] not in signed]
                yield blocker(
                    "rights_sheet_unsigned",
                    f"The split sheet of “{work.title}” is waiting for {', '.join(names)} to sign",
                    _work_url(slug, work.pk), track_id=track.pk,
                )  # fmt: skip
        if track.pk not in with_master:
            yield warning(
                "rights_no_master_split",
                f"“{track.title}” has no master split on its split sheet",
                _work_url(slug, linked[0].pk), track_id=track.pk,
            )  # fmt: skip


def register() -> None:
    """Called from ``RightsConfig.ready()``."""
    from releases.registry import register_lock_part, register_readiness_check

    register_lock_part("splits", master_split_lock_part, label="the master split")
    register_readiness_check("split_sheets", split_sheets_check)
