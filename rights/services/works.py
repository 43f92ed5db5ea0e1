"""Works: create, change, delete; their writers and publishers; the recordings of them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from collaborators.models import Person, Workspace
from releases.models import Track

from ..codes import CodeError, iswc_normalize
from ..models import Work, WorkParty

WORK_FIELDS = ("title", "alternative_titles", "iswc", "language", "notes")


def _iswc(value: str) -> str:
    try:
        return iswc_normalize(value or "")
    except CodeError as exc:
        raise ValidationError({"iswc": str(exc)}) from exc


def _save(work: Work) -> Work:
    if (
        work.iswc
        and Work.objects.filter(workspace=work.workspace, iswc=work.iswc)
        .exclude(pk=work.pk)
        .exists()
    ):
        raise ValidationError({"iswc": "Another work of this workspace has this ISWC."})
    work.full_clean()
    work.save()
    return work


@transaction.atomic
def work_create(*, workspace: Workspace, user: Any = None, **fields: Any) -> Work:
    unknown = set(fields) - set(WORK_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    fields["iswc"] = _iswc(fields.get("iswc", ""))
    work = Work(
        workspace=workspace, created_by=user if getattr(user, "pk", None) else None, **fields
    )
    return _save(work)


@transaction.atomic
def work_update(*, work: Work, **fields: Any) -> Work:
    for name, value in fields.items():
        if name not in WORK_FIELDS:
            raise ValidationError(f"Unknown field: {name}.")
        setattr(work, name, _iswc(value) if name == "iswc" else value)
    return _save(work)


@transaction.atomic
def work_delete(*, work: Work) -> None:
    if work.licences.exists():
        raise ValidationError(
            f"“{work.title}” has licences: end or delete them first.", code="work_has_licences"
        )
    work.delete()


def _person(workspace_id: int, person: Person | int | None, field: str) -> Person | None:
    if person is None:
        return None
    pid = person if isinstance(person, int) else person.pk
    found = Person.objects.filter(pk=pid, workspace_id=workspace_id).first()
    if found is None:
        raise ValidationError({field: "That person is not in this workspace's address book."})
    return found


@transaction.atomic
def work_party_add(
    *, work: Work, person: Person | int, role: str, publisher: Person | int | None = None,
    controlled: bool = False,
) -> WorkParty:  # fmt: skip
    found = _person(work.workspace_id, person, "person")
    if role not in WorkParty.Role.values:
        raise ValidationError({"role": "Choose what this person did on the work."})
    if WorkParty.objects.filter(work=work, person=found, role=role).exists():
        raise ValidationError({"person": f"{found.name} is on this work in that role already."})
    position = work.parties.count()
    party = WorkParty(
        work=work, person=found, role=role, controlled=controlled, position=position,
        publisher=_person(work.workspace_id, publisher, "publisher"),
    )  # fmt: skip
    party.full_clean()
    party.save()
    return party


@transaction.atomic
def work_party_remove(*, party: WorkParty) -> None:
    party.delete()


@transaction.atomic
def work_recordings_set(*, work: Work, tracks: list[Track | int]) -> list[Track]:
    ids = {t if isinstance(t, int) else t.pk for t in tracks}
    found = list(Track.objects.filter(pk__in=ids, workspace_id=work.workspace_id))
    if len(found) != len(ids):
        raise ValidationError({"recordings": "A recording is not a track of this workspace."})
    work.recordings.set(found)
    from .sheets import split_sheet_refresh

    split_sheet_refresh(work=work, reason="the recordings changed")
    return found
