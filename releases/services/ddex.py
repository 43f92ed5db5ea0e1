"""DDEX ERN 4.3: a release's NewReleaseMessage, and a release created from one.

``release_message`` is what every export calls (the download, the API, ``export_ddex``, the
delivery bundles). ``release_import`` reads an uploaded message and creates the release in
one transaction: all of it, or nothing and the reason in words.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collaborators.models import Person, Workspace

from ..ddex import adapter, build, cue, parse
from ..ddex.model import Artwork, AudioFile, DdexError, Message
from ..models import Release, Track
from . import catalogue


def release_message_warnings(*, release: Release) -> list[str]:
    """What an export of the release has to fill in or leave out, in words."""
    return adapter.release_description(release=release)[1]


def release_message(
    *,
    release: Release,
    created_at: dt.datetime | None = None,
    files: Mapping[tuple[int, int], AudioFile] | None = None,
    cover: Artwork | None = None,
) -> bytes:
    """The release's DDEX ERN 4.3 NewReleaseMessage (UTF-8 XML).

    The same release and ``created_at`` give the same bytes (default: now). Reads the
    release in a fixed number of queries whatever its number of tracks. ValidationError,
    in words, when the release lacks what the message needs (a main artist, a genre, a
    track).

    The message names what is delivered with it: by default each locked master as
    ``resources/<ICPN>_<disc:02>_<position:03>.<ext>`` and the cover as
    ``resources/<ICPN>.jpg``. A delivery that ships other files (a bundle's renders under its
    own names) passes ``files``, keyed by (disc, position), and ``cover``, so that the message
    and what travels with it agree.
    """
    description, _ = adapter.release_description(release=release)
    if files or cover:
        tracks = tuple(
            dataclasses.replace(t, file=files[(t.disc, t.position)])
            if files and (t.disc, t.position) in files
            else t
            for t in description.tracks
        )
        description = dataclasses.replace(
            description, tracks=tracks, artwork=cover or description.artwork
        )
    created_at = created_at or timezone.now().replace(microsecond=0)
    header = adapter.header_for(release=release, created_at=created_at)
    try:
        return build.build_message(Message(header=header, release=description))
    except DdexError as exc:
        raise ValidationError(str(exc), code="ddex_incomplete") from exc


def release_message_parse(*, data: bytes) -> Message:
    """The parsed message, or ValidationError saying why the file is refused."""
    try:
        return parse.read_message(data)
    except DdexError as exc:
        raise ValidationError(str(exc), code="ddex_invalid") from exc


@transaction.atomic
def release_import(*, workspace: Workspace, data: bytes, user: Any) -> Release:
    """A new release of ``workspace`` from an ERN 4.3 message: its tracks with their ISRCs,
    the artists and contributors as people of the address book (an existing person of the
    same name is reused, case aside), and their credits.

    Refuses, saving nothing: a file that is not a safe, well-formed ERN 4.3 message, a
    release without a title or tracks, and a UPC or ISRC the workspace already has.
    What Liner could not take over is on ``release.import_warnings``.
    """
    plan = adapter.import_plan(release_message_parse(data=data))
    fields = plan.fields
    if not fields["title"]:
        raise ValidationError("The message's release has no title.", code="ddex_invalid")
    if not plan.tracks:
        raise ValidationError("The message's release lists no sound recordings as tracks.",
                              code="ddex_invalid")  # fmt: skip
    _refuse_duplicates(workspace, fields["upc"], plan)
    date = fields["release_date"]
    # A message whose release date has passed describes a record that is already out.
    fields["status"] = (
        Release.Status.RELEASED if date and date < timezone.localdate() else Release.Status.PLANNING
    )
    people = _people(workspace, plan)
    with _refusal("The release"):
        release = catalogue.release_create(
            workspace=workspace, user=user,
            artists=[people[p.name.casefold()] for p in plan.artists], **fields,
        )  # fmt: skip
        for credit in plan.release_credits:
            catalogue.credit_add(
                release=release, person=people[credit.person.name.casefold()],
                role=credit.role, instrument=credit.instrument, recheck=False,
            )  # fmt: skip
    for spec in plan.tracks:
        f = spec.fields
        with _refusal(f"Track {f['disc']}-{f['position']} “{f['title']}”"):
            track = catalogue.track_create(release=release, **spec.fields)
            for position, credit in enumerate(spec.credits):
                catalogue.credit_add(
                    track=track, person=people[credit.person.name.casefold()], role=credit.role,
                    instrument=credit.instrument, position=position, recheck=False,
                )  # fmt: skip
    release.import_warnings = plan.warnings  # type: ignore[attr-defined]
    return release


@contextlib.contextmanager
def _refusal(what: str) -> Iterator[None]:
    """A model's refusal, said of what the message was describing; nothing is kept (the
    caller's transaction rolls back as the error passes through)."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            parts = [
                msg if field == "__all__" else f"{field.replace('_', ' ')}: {msg}"
                for field, msgs in exc.message_dict.items()
                for msg in msgs
            ]
        else:
            parts = exc.messages
        raise ValidationError(
            f"{what} in this message cannot be imported: {' '.join(parts)} Nothing was imported.",
            code="ddex_invalid",
        ) from exc


def _refuse_duplicates(workspace: Workspace, upc: str, plan: adapter.ImportPlan) -> None:
    if upc:
        existing = Release.objects.filter(workspace=workspace, upc=upc).first()
        if existing is not None:
            raise ValidationError(
                f"This workspace already has a release with UPC {upc}: “{existing}”. Nothing "
                "was imported.",
                code="duplicate",
            )
    isrcs = [t.fields["isrc"] for t in plan.tracks if t.fields["isrc"]]
    repeated = sorted({code for code in isrcs if isrcs.count(code) > 1})
    if repeated:
        raise ValidationError(
            f"The message gives two tracks the same ISRC ({', '.join(repeated)}). Nothing was "
            "imported.",
            code="duplicate",
        )
    taken = list(
        Track.objects.filter(workspace=workspace, isrc__in=isrcs)
        .select_related("release")
        .order_by("isrc")
    )
    if taken:
        listed = "; ".join(f"{t.isrc} (“{t}” on “{t.release}”)" for t in taken[:5])
        raise ValidationError(
            f"This workspace already has tracks with these ISRCs: {listed}. Nothing was imported.",
            code="duplicate",
        )


def _people(workspace: Workspace, plan: adapter.ImportPlan) -> dict[str, Person]:
    """Everyone the message credits, by case-folded name: existing people of the workspace
    (the oldest of a name), and new ones for the rest."""
    specs: dict[str, adapter.PersonSpec] = {p.name.casefold(): p for p in plan.artists}
    for credit in plan.release_credits + [c for t in plan.tracks for c in t.credits]:
        specs.setdefault(credit.person.name.casefold(), credit.person)
    found: dict[str, Person] = {}
    for person in Person.objects.filter(workspace=workspace).order_by("id"):
        found.setdefault(person.name.casefold(), person)
    out = {}
    for key, spec in specs.items():
        if key in found:
            out[key] = found[key]
            continue
        person = Person(workspace=workspace, name=spec.name[:200], isni=spec.isni, ipi=spec.ipi)
        try:
            person.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                f"{spec.name!r} cannot be added to your people: {' '.join(exc.messages)}"
            ) from exc
        person.save()
        out[key] = person
    return out


def release_cue_sheet(*, release: Release, disc: int = 1) -> str:
    """The CD cue sheet of one disc (``releases.ddex.cue``): only locked masters' lengths
    count, so a track still being mixed is named instead of guessed. ValidationError in words."""
    description, _ = adapter.release_description(release=release)
    tracks = tuple(
        t if t.file is not None else dataclasses.replace(t, duration_s=None)
        for t in description.tracks
    )
    try:
        return cue.cue_sheet(dataclasses.replace(description, tracks=tracks), disc=disc)
    except DdexError as exc:
        raise ValidationError(str(exc), code="cue_incomplete") from exc
