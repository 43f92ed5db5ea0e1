"""Writes to the catalogue: releases, tracks, credits, physical editions, ISRC assignment.

Every write is one transaction that validates before saving. A change to what a locked master
covers (a track's ISRC, its credits, the release's credits) is followed by the lock's recheck,
which ends the lock and its sign-offs when the snapshot no longer matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from collaborators.models import Person, Workspace

from ..codes import CodeError, isrc_build, isrc_normalize
from ..models import CatalogueSettings, Credit, IsrcCounter, PhysicalEdition, Release, Track
from . import review

AUTO = "auto"

RELEASE_FIELDS = frozenset(
    {
        "title", "version", "type", "label", "upc", "catalogue_number", "genre", "subgenre",
        "language", "explicit", "release_date", "original_release_date", "p_year", "p_owner",
        "c_year", "c_owner", "territory_mode", "territories", "status", "moods", "keywords",
        "genre_tags", "guest_downloads", "distributor", "delivery_lead_days",
    }
)  # fmt: skip
TRACK_FIELDS = frozenset(
    {
        "disc", "position", "title", "version", "isrc", "explicit", "language", "lyrics", "bpm",
        "key", "preview_start_s",
    }
)  # fmt: skip
EDITION_FIELDS = frozenset(
    {"format", "vinyl", "tape_minutes", "description", "quantity", "manufacturer", "unit_cost",
     "currency", "stock", "units_sold"}
)  # fmt: skip


def _only(fields: dict[str, Any], allowed: frozenset[str]) -> dict[str, Any]:
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    return fields


def _save(obj: Any, *, unique_messages: dict[str, tuple[str, str]]) -> None:
    """full_clean and save; a unique constraint, found by validation or won by a racing
    request, is an error on its field in words."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        general = []
        for message in errors.pop("__all__", []):
            for constraint, (field, words) in unique_messages.items():
                if constraint in message:
                    errors.setdefault(field, []).append(words)
                    break
            else:
                general.append(message)
        if general:
            errors["__all__"] = general
        raise ValidationError(errors) from exc
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        for constraint, (field, message) in unique_messages.items():
            if constraint in str(exc):
                raise ValidationError({field: message}) from exc
        raise


_RELEASE_UNIQUE = {"release_upc_unique": ("upc", "Another release of yours has this UPC.")}
_TRACK_UNIQUE = {
    "track_isrc_unique": ("isrc", "Another track of yours has this ISRC."),
    "track_position_unique": ("position", "Another track is at this position on this disc."),
    # full_clean words an unconditional unique constraint by its fields, not its name
    "Release, Disc and Position": ("position", "Another track is at this position on this disc."),
}


# --- Settings ---------------------------------------------------------------------------------


def catalogue_settings_get(*, workspace: Workspace) -> CatalogueSettings:
    found, _ = CatalogueSettings.objects.get_or_create(workspace=workspace)
    return found


@transaction.atomic
def catalogue_settings_update(
    *, workspace: Workspace, isrc_prefix: str | None = None, default_label: str | None = None
) -> CatalogueSettings:
    found = CatalogueSettings.objects.select_for_update().get_or_create(workspace=workspace)[0]
    if isrc_prefix is not None:
        found.isrc_prefix = isrc_prefix.strip()
    if default_label is not None:
        found.default_label = default_label.strip()
    found.full_clean()
    found.save()
    return found


# --- Releases ---------------------------------------------------------------------------------


@transaction.atomic
def release_create(
    *, workspace: Workspace, user: Any = None, artists: Sequence[Person] = (), **fields: Any
) -> Release:
    """A release with at least a title; everything else can follow. ``artists`` become its
    main-artist credits in that order."""
    _only(fields, RELEASE_FIELDS)
    release = Release(workspace=workspace, created_by=_user(user), **fields)
    _check_release_date(release)
    if not release.label:
        release.label = catalogue_settings_get(workspace=workspace).default_label
    _save(release, unique_messages=_RELEASE_UNIQUE)
    for position, person in enumerate(artists):
        credit_add(release=release, person=person, role=Credit.Role.MAIN_ARTIST, position=position)
    return release


@transaction.atomic
def release_update(*, release: Release, **fields: Any) -> Release:
    _only(fields, RELEASE_FIELDS)
    release = Release.objects.select_for_update().get(pk=release.pk)
    before = (release.release_date, release.status)
    for name, value in fields.items():
        setattr(release, name, value)
    if (release.release_date, release.status) != before:
        _check_release_date(release)
    _save(release, unique_messages=_RELEASE_UNIQUE)
    if release.status == Release.Status.READY != before[1]:
        _ready_gate(release)
    return release


def _ready_gate(release: Release) -> None:
    """Moving to "ready" is refused while the readiness report (``releases.readiness``) has a
    blocker: the caller's transaction (``release_update``'s) rolls the change back."""
    from ..readiness import readiness_report  # it reads selectors, which import services

    blockers = readiness_report(release=release).blockers
    if blockers:
        n = len(blockers)
        first = " ".join(f.message for f in blockers[:3])
        more = f" … and {n - 3} more." if n > 3 else ""
        raise ValidationError(
            {"status": f"Not ready yet: {n} blocker{' remains' if n == 1 else 's remain'}. "
                       f"{first}{more} The release's readiness page lists them all."}
        )  # fmt: skip


def _check_release_date(release: Release) -> None:
    """A release still being planned cannot come out on a day that has passed. One that is
    already out (delivered, released) or back catalogue (it has an original release date) may
    carry a past date."""
    date = release.release_date
    if date is None or not hasattr(date, "toordinal") or date >= timezone.localdate():
        return
    if release.status in (Release.Status.DELIVERED, Release.Status.RELEASED):
        return
    if release.original_release_date:
        return
    raise ValidationError(
        {"release_date": f"{date:%-d %B %Y} has passed. Choose a date from today on; if this "
                         "record is already out, set its status to Released (or give its "
                         "original release date for back catalogue)."}
    )  # fmt: skip


@transaction.atomic
def release_artists_set(*, release: Release, artists: Sequence[Person]) -> Release:
    """Replace the release's main artists with ``artists``, in that order."""
    _check_people(release.workspace_id, artists)
    wanted = [p.pk for p in artists]
    if len(set(wanted)) != len(wanted):
        raise ValidationError({"artists": "Each artist once."})
    current = list(release.credits.filter(role=Credit.Role.MAIN_ARTIST).order_by("position"))
    if [c.person_id for c in current] == wanted:
        return release
    release.credits.filter(role=Credit.Role.MAIN_ARTIST).delete()
    for position, person in enumerate(artists):
        credit_add(release=release, person=person, role=Credit.Role.MAIN_ARTIST, position=position,
                   recheck=False)  # fmt: skip
    review.master_locks_recheck_release(release=release, reason="the release's artists changed")
    return release


@transaction.atomic
def release_delete(*, release: Release) -> None:
    """Delete a release that has not gone out. Delivered or released ones stay on record."""
    if release.status in (Release.Status.DELIVERED, Release.Status.RELEASED):
        raise ValidationError(
            "A delivered or released record stays in the catalogue; take it down at the "
            "distributor, then mark it as planning if you really mean to delete it."
        )
    release.delete()


# --- Tracks -----------------------------------------------------------------------------------


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def isrc_assign_next(*, workspace: Workspace, when: Any = None) -> str:
    """The next ISRC from the workspace's registrant prefix, never handed out before.

    The counter row is incremented by an UPDATE before it is read, inside this transaction:
    on PostgreSQL the row lock, on SQLite the database write lock (IMMEDIATE transactions)
    make concurrent callers wait for each other, so no two read the same number. Codes already
    taken in the workspace (typed in by hand, imported) are skipped.
    """
    prefix = catalogue_settings_get(workspace=workspace).isrc_prefix
    if not prefix:
        raise ValidationError(
            {"isrc": "Set your ISRC registrant prefix in the catalogue settings first, or type "
                     "the ISRC your distributor gave you."}
        )  # fmt: skip
    year = (when or timezone.localdate()).year % 100
    IsrcCounter.objects.get_or_create(workspace=workspace, prefix=prefix, year=year)
    for _ in range(1000):
        updated = IsrcCounter.objects.filter(
            workspace=workspace, prefix=prefix, year=year, last__lt=99_999
        ).update(last=F("last") + 1)
        if not updated:
            raise ValidationError(
                {"isrc": f"All 99,999 ISRCs of {prefix} for 20{year:02d} are used; ask your "
                         "ISRC agency for another registrant code."}
            )  # fmt: skip
        number = IsrcCounter.objects.get(workspace=workspace, prefix=prefix, year=year).last
        code = isrc_build(prefix=prefix, year=year, number=number)
        if not Track.objects.filter(workspace=workspace, isrc=code).exists():
            return code
    raise ValidationError({"isrc": "Could not find a free ISRC; set one by hand."})


def _resolve_isrc(workspace: Workspace, value: Any) -> str:
    if isinstance(value, str) and value.strip().lower() == AUTO:
        return isrc_assign_next(workspace=workspace)
    return value or ""


@transaction.atomic
def track_create(*, release: Release, featured: Sequence[Person] = (), **fields: Any) -> Track:
    """A track of the release. ``position`` defaults to the next free one on its disc;
    ``isrc="auto"`` assigns the next code of the workspace's sequence."""
    _only(fields, TRACK_FIELDS)
    release = Release.objects.select_for_update().get(pk=release.pk)
    disc = fields.get("disc") or 1
    if not fields.get("position"):
        last = release.tracks.filter(disc=disc).aggregate(m=Max("position"))["m"] or 0
        fields["position"] = last + 1
    fields["isrc"] = _resolve_isrc(release.workspace, fields.get("isrc"))
    track = Track(release=release, workspace_id=release.workspace_id, **fields)
    _save(track, unique_messages=_TRACK_UNIQUE)
    for position, person in enumerate(featured):
        credit_add(track=track, person=person, role=Credit.Role.FEATURED_ARTIST,
                   position=position)  # fmt: skip
    return track


@transaction.atomic
def track_update(*, track: Track, **fields: Any) -> Track:
    """Change a track. A new ISRC on a locked master ends the lock (and its sign-offs)."""
    _only(fields, TRACK_FIELDS)
    track = Track.objects.select_for_update().select_related("release").get(pk=track.pk)
    old_isrc = track.isrc
    if "isrc" in fields:
        fields["isrc"] = _resolve_isrc(track.workspace, fields["isrc"])
    for name, value in fields.items():
        setattr(track, name, value)
    _save(track, unique_messages=_TRACK_UNIQUE)
    if track.isrc != old_isrc:
        review.master_lock_recheck(
            track=track,
            reason=f"the ISRC changed from {old_isrc or 'none'} to {track.isrc or 'none'}",
        )
    return track


@transaction.atomic
def tracks_reorder(*, release: Release, order: Sequence[tuple[int, int, int]]) -> None:
    """Put tracks in a new order: ``order`` holds (track id, disc, position) for every track.

    Positions move through a free range first, so the unique (disc, position) never clashes
    halfway.
    """
    tracks = {t.pk: t for t in Release.objects.select_for_update().get(pk=release.pk).tracks.all()}
    ids = [pk for pk, _, _ in order]
    if sorted(ids) != sorted(tracks) or len(set(ids)) != len(ids):
        raise ValidationError("Give every track of the release exactly one place.")
    places = [(d, p) for _, d, p in order]
    if len(set(places)) != len(places) or any(d < 1 or p < 1 for d, p in places):
        raise ValidationError("Two tracks cannot share a place, and places start at 1.")
    for offset, pk in enumerate(ids):
        Track.objects.filter(pk=pk).update(position=30_000 + offset)
    for pk, disc, position in order:
        Track.objects.filter(pk=pk).update(disc=disc, position=position)


@transaction.atomic
def track_delete(*, track: Track) -> None:
    if track.locks.filter(ended_at__isnull=True).exists():
        raise ValidationError("This track's master is locked; unlock it before deleting.")
    track.delete()


# --- Credits ----------------------------------------------------------------------------------


def _check_people(workspace_id: int, people: Iterable[Person]) -> None:
    for person in people:
        if person.workspace_id != workspace_id:
            raise ValidationError({"person": "Choose someone from this workspace's people."})


@transaction.atomic
def credit_add(
    *,
    person: Person,
    role: str,
    release: Release | None = None,
    track: Track | None = None,
    instrument: str = "",
    position: int | None = None,
    recheck: bool = True,
) -> Credit:
    """Credit a person of the address book on a release or a track (exactly one of them)."""
    if (release is None) == (track is None):
        raise ValidationError("A credit is on a release or on a track.")
    workspace_id = release.workspace_id if release else track.workspace_id  # type: ignore[union-attr]
    _check_people(workspace_id, [person])
    if position is None:
        siblings = (release or track).credits.filter(role=role)  # type: ignore[union-attr]
        position = (siblings.aggregate(m=Max("position"))["m"] or -1) + 1
    credit = Credit(
        workspace_id=workspace_id, release=release, track=track, person=person, role=role,
        instrument=instrument or "", position=position,
    )  # fmt: skip
    credit.full_clean(validate_constraints=False)
    if Credit.objects.filter(
        release=release, track=track, person=person, role=role, instrument=credit.instrument
    ).exists():
        raise ValidationError(f"{person.name} already has this credit.")
    credit.save()
    if recheck:
        _recheck_after_credit(credit, what=f"{person.name} was credited as {credit.label}")
    return credit


@transaction.atomic
def credit_remove(*, credit: Credit) -> None:
    what = f"{credit.person.name}'s credit as {credit.label} was removed"
    credit.delete()
    _recheck_after_credit(credit, what=what)


def _recheck_after_credit(credit: Credit, *, what: str) -> None:
    if credit.track_id:
        review.master_lock_recheck(track=credit.track, reason=what)
    else:
        review.master_locks_recheck_release(release=credit.release, reason=what)


# --- Physical editions ------------------------------------------------------------------------


@transaction.atomic
def edition_create(*, release: Release, **fields: Any) -> PhysicalEdition:
    _only(fields, EDITION_FIELDS)
    fields.setdefault("currency", release.workspace.default_currency)
    edition = PhysicalEdition(release=release, **fields)
    edition.full_clean()
    edition.save()
    return edition


@transaction.atomic
def edition_update(*, edition: PhysicalEdition, **fields: Any) -> PhysicalEdition:
    _only(fields, EDITION_FIELDS)
    for name, value in fields.items():
        setattr(edition, name, value)
    edition.full_clean()
    edition.save()
    return edition


def edition_delete(*, edition: PhysicalEdition) -> None:
    edition.delete()


def isrc_check(value: str) -> str:
    """A typed ISRC in its stored form, or a ValidationError for the field."""
    try:
        return isrc_normalize(value)
    except CodeError as exc:
        raise ValidationError({"isrc": str(exc)}) from exc
