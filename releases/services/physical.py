"""Planning a release's tracks onto the sides of a record or a tape (``EditionTrack``).

A plan is refused, in words, when a side would run over what the medium takes: the
recommended cutting maximum for a record's size and speed, half the tape for a cassette
(``releases.readiness.figures``). Track lengths are the locked masters', else the latest
mixes'; a track with neither counts as 0 s until it has one (the readiness report says so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from .. import selectors
from ..models import EditionTrack, PhysicalEdition, Track
from ..readiness.checks.physical import side_limit, side_too_long_message
from ..readiness.figures import SideLimit
from ..readiness.sides import LETTERS, split_sides

SIDED = (PhysicalEdition.Format.VINYL, PhysicalEdition.Format.CASSETTE)


def _limit(edition: PhysicalEdition) -> SideLimit:
    if edition.format not in SIDED:
        raise ValidationError({"sides": "Only records and cassettes have sides to plan."})
    limit = side_limit(edition)
    if limit is None:
        what = (
            "the record's size and speed"
            if edition.format == PhysicalEdition.Format.VINYL
            else "the tape's length"
        )
        raise ValidationError({"sides": f"Choose {what} first, so Liner knows what fits."})
    return limit


def _lengths(edition: PhysicalEdition) -> tuple[list[Track], dict[int, float]]:
    release = selectors.release_detail(release=edition.release)
    tracks = list(release.tracks.all())
    return tracks, {t.pk: selectors.track_length_s(t) or 0.0 for t in tracks}


@transaction.atomic
def edition_sides_plan(
    *, edition: PhysicalEdition, sides: Mapping[str, Sequence[Any]]
) -> list[EditionTrack]:
    """Replace the edition's plan: ``sides`` maps a side letter to its tracks (ids or rows),
    in playing order. Tracks left out stay unplanned. Refused (ValidationError on ``sides``)
    when a letter is not a side of this medium, a track is not on the release or is named
    twice, or a side runs over the limit."""
    edition = (
        PhysicalEdition.objects.select_for_update().select_related("release").get(pk=edition.pk)
    )
    limit = _limit(edition)
    tracks, lengths = _lengths(edition)
    by_id = {t.pk: t for t in tracks}
    seen: set[int] = set()
    rows: list[EditionTrack] = []
    for side in sorted(sides):
        letter = str(side).strip().upper()
        if letter not in limit.sides:
            raise ValidationError(
                {"sides": f"{limit.label.capitalize()} has sides {', '.join(limit.sides)}; "
                          f"“{side}” is not one of them."}
            )  # fmt: skip
        total = 0.0
        for position, item in enumerate(sides[side], start=1):
            pk = getattr(item, "pk", item)
            try:
                track = by_id[int(pk)]
            except (KeyError, TypeError, ValueError):
                raise ValidationError({"sides": "Choose tracks of this release."}) from None
            if track.pk in seen:
                raise ValidationError({"sides": f"“{track}” is on more than one side."})
            seen.add(track.pk)
            total += lengths[track.pk]
            rows.append(EditionTrack(edition=edition, track=track, side=letter, position=position))
        if total > limit.max_s:
            raise ValidationError({"sides": side_too_long_message(letter, total, limit)})
    EditionTrack.objects.filter(edition=edition).delete()
    for row in rows:
        row.full_clean(validate_unique=False)
    EditionTrack.objects.bulk_create(rows)
    return rows


def edition_sides_current(*, edition: PhysicalEdition) -> dict[str, list[int]]:
    """The edition's plan as side letter -> track ids, in order."""
    out: dict[str, list[int]] = {}
    for row in EditionTrack.objects.filter(edition=edition).order_by("side", "position"):
        out.setdefault(row.side, []).append(row.track_id)
    return out


@transaction.atomic
def edition_track_place(*, edition: PhysicalEdition, track: Track, side: str) -> None:
    """Move ``track`` to the end of ``side`` (or off the plan, with ``side`` empty); refused
    like ``edition_sides_plan`` when the side would run over the limit."""
    plan = edition_sides_current(edition=edition)
    for ids in plan.values():
        if track.pk in ids:
            ids.remove(track.pk)
    letter = (side or "").strip().upper()
    if letter:
        plan.setdefault(letter, []).append(track.pk)
    edition_sides_plan(edition=edition, sides={k: v for k, v in plan.items() if v})


def edition_sides_suggest(*, edition: PhysicalEdition) -> dict[str, list[int]]:
    """A split of the tracks in release order onto as few sides as fit (two at least; a
    record's sides come in pairs), the longest side as short as it can be. Refused when no
    split fits (a track longer than a side, or more music than the medium holds)."""
    limit = _limit(edition)
    tracks, lengths = _lengths(edition)
    if not tracks:
        raise ValidationError({"sides": "Add the release's tracks first."})
    durations = [lengths[t.pk] for t in tracks]
    groups = split_sides(
        durations, limit_s=limit.max_s, max_sides=len(limit.sides),
        even=edition.format == PhysicalEdition.Format.VINYL,
    )  # fmt: skip
    if groups is None:
        raise ValidationError(
            {"sides": f"The tracks do not fit on {limit.label}: one is longer than a side, or "
                      "there is more music than it holds. Choose a longer medium or fewer "
                      "tracks."}
        )  # fmt: skip
    return {
        letter: [tracks[i].pk for i in group]
        for letter, group in zip(LETTERS, groups, strict=False)
        if group
    }


@transaction.atomic
def edition_sides_apply_suggestion(*, edition: PhysicalEdition) -> list[EditionTrack]:
    return edition_sides_plan(edition=edition, sides=edition_sides_suggest(edition=edition))
