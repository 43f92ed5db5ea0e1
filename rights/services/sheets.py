"""Split sheets: one per work, versioned by content, signed by every party.

``split_sheet_refresh`` freezes what the sheet shows now (the work's latest publishing set and
the latest master set of each recording, agreed or not) into a snapshot; when its fingerprint
differs from the current version's, a new version supersedes it and every party is told after
commit: members with a login by an email linking to the sheet page, others by a signed link
(``SignatureRequest``, sent once through ``rights.signature_request_send``). When every party
has signed a version, it and its sets become agreed: from then on payouts use those sets.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from collaborators.audit import audit_record
from collaborators.models import Person

from ..models import (
    SignatureRequest,
    SplitSet,
    SplitSheet,
    SplitSheetVersion,
    SplitSignature,
    Work,
)

logger = logging.getLogger(__name__)

SIGN_SALT = "rights.split-sheet"
SIGN_MAX_AGE = 14 * 24 * 60 * 60  # a link is good for 14 days


def _absolute(path: str) -> str:
    return settings.LINER_BASE_URL.rstrip("/") + path


def sheet_url(work: Work) -> str:
    return _absolute(f"/w/{work.workspace.slug}/rights/works/{work.pk}/")


def sign_token(*, version: SplitSheetVersion | int, person: Person | int) -> str:
    vid = version if isinstance(version, int) else version.pk
    pid = person if isinstance(person, int) else person.pk
    return signing.TimestampSigner(salt=SIGN_SALT).sign_object([vid, pid])


def sign_token_read(token: str, *, max_age: int = SIGN_MAX_AGE) -> tuple[int, int]:
    """(version id, person id); ``signing.SignatureExpired`` / ``BadSignature`` otherwise."""
    value = signing.TimestampSigner(salt=SIGN_SALT).unsign_object(token, max_age=max_age)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise signing.BadSignature("not a sheet link")
    return value[0], value[1]


def sign_url(*, version: SplitSheetVersion, person: Person) -> str:
    return _absolute(f"/sign/{sign_token(version=version, person=person)}/")


# --- Snapshot ---------------------------------------------------------------------------------


def _set_json(split: SplitSet) -> dict[str, Any]:
    return {
        "id": split.pk, "kind": split.kind, "version": split.version,
        "track": split.track_id, "effective_from": split.effective_from.isoformat(),
        "recoup_order": split.recoup_order,
        "shares": [
            {"person": s.person_id, "name": s.person.name, "role": s.role,
             "percent": str(s.percent)}
            for s in split.shares.all()
        ],
    }  # fmt: skip


def sheet_sets(*, work: Work) -> list[SplitSet]:
    """The sets the sheet holds now: the latest publishing set, then the latest master set of
    each recording (by track id)."""
    from ..selectors.works import latest_master_sets, latest_publishing_set

    sets = []
    publishing = latest_publishing_set(work=work)
    if publishing is not None:
        sets.append(publishing)
    track_ids = list(work.recordings.values_list("id", flat=True))
    masters = latest_master_sets(track_ids=track_ids)
    sets.extend(masters[t] for t in sorted(masters))
    return sets


def sheet_snapshot(*, work: Work, sets: list[SplitSet]) -> dict[str, Any]:
    person_ids = sorted({s.person_id for split in sets for s in split.shares.all()})
    people = Person.objects.filter(pk__in=person_ids).order_by("name", "id")
    return {
        "work": {"id": work.pk, "title": work.title, "iswc": work.iswc},
        "recordings": [
            {"id": t.pk, "title": t.title, "isrc": t.isrc}
            for t in work.recordings.order_by("id")
        ],
        "sets": [_set_json(s) for s in sets],
        "parties": [
            {"id": p.pk, "name": p.name, "email": p.email, "pro": p.pro, "ipi": p.ipi,
             "isni": p.isni}
            for p in people
        ],
    }  # fmt: skip


def fingerprint_of(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def current_version(*, work: Work) -> SplitSheetVersion | None:
    sheet = SplitSheet.objects.filter(work=work).first()
    if sheet is None or sheet.version == 0:
        return None
    return sheet.versions.filter(number=sheet.version).first()


@transaction.atomic
def split_sheet_refresh(*, work: Work, reason: str, actor: Any = None) -> SplitSheetVersion | None:
    """A new sheet version if what the sheet shows changed (None if not), parties told after
    commit."""
    sheet, _ = SplitSheet.objects.get_or_create(work=work, defaults={"workspace": work.workspace})
    sheet = SplitSheet.objects.select_for_update().get(pk=sheet.pk)
    sets = sheet_sets(work=work)
    if not sets:
        return None
    snapshot = sheet_snapshot(work=work, sets=sets)
    fingerprint = fingerprint_of(snapshot)
    previous = sheet.versions.filter(number=sheet.version).first() if sheet.version else None
    if previous is not None and previous.fingerprint == fingerprint:
        return None
    now = timezone.now()
    if previous is not None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    version = SplitSheetVersion.objects.create(
        sheet=sheet, number=sheet.version + 1, snapshot=snapshot, fingerprint=fingerprint,
        reason=(reason or "")[:500],
    )  # fmt: skip
    version.split_sets.set(sets)
    sheet.version = version.number
    sheet.save(update_fields=["version", "updated_at"])
    _parties_tell(version=version, work=work)
    return version


def _parties_tell(*, version: SplitSheetVersion, work: Work, only: set[int] | None = None) -> None:
    """Email every party (or those in ``only``) who has not signed, after commit."""
    signed = set(version.signatures.values_list("person_id", flat=True))
    ids = [p["id"] for p in version.snapshot["parties"] if p["id"] not in signed]
    if only is not None:
        ids = [i for i in ids if i in only]
    people = Person.objects.filter(pk__in=ids).select_related("user")
    login_mails: list[tuple[str, str]] = []
    request_ids: list[int] = []
    for person in people:
        if person.user_id and (person.user.email or person.email):
            login_mails.append((person.user.email or person.email, person.name))
        elif person.email:
            request_ids.append(
                SignatureRequest.objects.create(
                    version=version, person=person, email=person.email
                ).pk
            )
    title = work.title
    link = sheet_url(work)

    def send() -> None:
        from .. import tasks

        for email, name in login_mails:
            try:
                send_mail(
                    f"Split sheet of “{title}”: please check and sign",
                    f"Hello {name},\n\nThe split sheet of “{title}” changed ({version.reason}). "
                    f"Please check your share and sign it:\n\n{link}\n\n— Liner\n",
                    None, [email],
                )  # fmt: skip
            except Exception:  # a mail server down must not undo the change
                logger.exception("split sheet email to %s failed", email)
        for pk in request_ids:
            tasks.signature_request_send.delay(request_id=pk)

    transaction.on_commit(send)


def signature_request_send(*, request_id: int) -> bool:
    """Send one signing link by email, once (``sent_at``)."""
    with transaction.atomic():
        row = (
            SignatureRequest.objects.select_for_update()
            .select_related("version__sheet__work", "person")
            .filter(pk=request_id)
            .first()
        )
        if row is None or row.sent_at is not None:
            return False
        work = row.version.sheet.work
        link = sign_url(version=row.version, person=row.person)
        send_mail(
            f"Split sheet of “{work.title}”: please check and sign",
            f"Hello {row.person.name},\n\nYou are asked to check your share on the split sheet of "
            f"“{work.title}” and sign it. Open this link (it is good for 14 days):\n\n{link}\n\n"
            "Nothing to install, no account needed.\n\n— Liner\n",
            None, [row.email],
        )  # fmt: skip
        row.sent_at = timezone.now()
        row.save(update_fields=["sent_at"])
    return True


# --- State and signing ------------------------------------------------------------------------


def sheet_state(*, version: SplitSheetVersion | None) -> dict[str, Any]:
    """``{"state": "agreed"|"waiting"|"empty", "waiting_for": [names], "no_email": [names]}``"""
    if version is None:
        return {"state": "empty", "waiting_for": [], "no_email": [], "signed": []}
    signed = {s.person_id: s for s in version.signatures.all()}
    waiting = [p for p in version.snapshot["parties"] if p["id"] not in signed]
    return {
        "state": "agreed" if version.agreed_at else "waiting",
        "waiting_for": [p["name"] for p in waiting],
        "no_email": [p["name"] for p in waiting if not p.get("email")],
        "signed": list(signed.values()),
    }


@transaction.atomic
def split_sheet_sign(
    *, version: SplitSheetVersion, person: Person, signed_name: str, via: str, user: Any = None
) -> SplitSignature:
    """``person`` signs ``version``; when it is the last party, the version and its sets are
    agreed."""
    version = (
        SplitSheetVersion.objects.select_for_update()
        .select_related("sheet__work")
        .get(pk=version.pk)
    )
    sheet = version.sheet
    if version.number != sheet.version or version.superseded_at is not None:
        raise ValidationError(
            "This sheet changed since; sign the new version.", code="sheet_changed"
        )
    party_ids = {p["id"] for p in version.snapshot["parties"]}
    if person.pk not in party_ids:
        raise ValidationError("You are not a party to this split sheet.", code="not_a_party")
    if version.signatures.filter(person=person).exists():
        raise ValidationError(f"{person.name} signed this version already.", code="signed_already")
    name = (signed_name or "").strip()
    if not name:
        raise ValidationError({"signed_name": "Type your full name to sign."})
    if via not in SplitSignature.Via.values:
        raise ValidationError({"via": "Signed by login or by link."})
    signature = SplitSignature(
        version=version, person=person, via=via, user=user if getattr(user, "pk", None) else None,
        signed_name=name[:200], fingerprint=version.fingerprint,
    )  # fmt: skip
    signature.full_clean()
    signature.save()
    work = sheet.work
    audit_record(
        workspace=sheet.workspace_id, action="rights.split_signed", subject=signature,
        actor=user if getattr(user, "pk", None) else None, actor_name=name,
        summary=f"{person.name} signed the split sheet of “{work.title}” v{version.number} "
        f"({signature.get_via_display().lower()})",
        data={"version": version.number, "person": person.pk, "via": via,
              "fingerprint": version.fingerprint},
    )  # fmt: skip
    signed = set(version.signatures.values_list("person_id", flat=True))
    if party_ids <= signed:
        now = timezone.now()
        version.agreed_at = now
        version.save(update_fields=["agreed_at"])
        version.split_sets.filter(agreed_at__isnull=True).update(agreed_at=now)
        audit_record(
            workspace=sheet.workspace_id, action="rights.split_agreed", actor_name="Liner",
            subject=version,
            summary=f"The split sheet of “{work.title}” v{version.number} is agreed by all",
            data={"version": version.number,
                  "sets": sorted(version.split_sets.values_list("id", flat=True))},
        )  # fmt: skip
    return signature


@transaction.atomic
def split_sheet_remind(*, work: Work, user: Any = None) -> int:
    """Send the current version again to every party who has not signed; how many."""
    version = current_version(work=work)
    if version is None or version.agreed_at is not None:
        raise ValidationError(
            "Nothing is waiting to be signed on this sheet.", code="nothing_to_sign"
        )
    _parties_tell(version=version, work=work)
    return len(sheet_state(version=version)["waiting_for"])


def version_for_link(*, version_id: int, person_id: int) -> tuple[SplitSheetVersion, Person]:
    """The version and party a link names; a new request is sent when the version is old."""
    version = SplitSheetVersion.objects.select_related("sheet__work__workspace").get(pk=version_id)
    person = Person.objects.get(pk=person_id, workspace_id=version.sheet.workspace_id)
    return version, person


@transaction.atomic
def request_current(*, work: Work, person: Person) -> bool:
    """After an old link: send ``person`` the current version unless a request exists."""
    version = current_version(work=work)
    if version is None or version.agreed_at is not None:
        return False
    if SignatureRequest.objects.filter(version=version, person=person).exists():
        return False
    _parties_tell(version=version, work=work, only={person.pk})
    return True


# --- Downloads --------------------------------------------------------------------------------

ROLE_NAMES = {"writer": "Writer", "publisher": "Publisher", "artist": "Artist",
              "featured": "Featured artist", "producer": "Producer", "mixer": "Mixer",
              "label": "Label", "other": "Other"}  # fmt: skip


def _set_title(split: dict[str, Any], recordings: dict[int, dict[str, Any]]) -> str:
    if split["kind"] == "publishing":
        return f"Publishing split v{split['version']} from {split['effective_from'][:7]}"
    title = recordings.get(split["track"], {}).get("title", "")
    return f"Master split of “{title}” v{split['version']} from {split['effective_from'][:7]}"


def sheet_rows(*, version: SplitSheetVersion) -> list[list[Any]]:
    """The version as rows (CSV): a section column, then its values."""
    snap = version.snapshot
    recordings = {r["id"]: r for r in snap["recordings"]}
    rows: list[list[Any]] = [
        ["section", "name", "role / identifier", "value", "detail"],
        ["work", snap["work"]["title"], "ISWC", snap["work"]["iswc"], f"version {version.number}"],
    ]
    for rec in snap["recordings"]:
        rows.append(["recording", rec["title"], "ISRC", rec["isrc"], ""])
    for p in snap["parties"]:
        rows.append(
            ["party", p["name"], "PRO / IPI / ISNI", p["pro"], f"{p['ipi']} {p['isni']}".strip()]
        )
    for split in snap["sets"]:
        title = _set_title(split, recordings)
        for share in split["shares"]:
            rows.append(["share", share["name"], ROLE_NAMES.get(share["role"], share["role"]),
                         share["percent"], title])  # fmt: skip
    for sig in version.signatures.select_related("person").order_by("signed_at", "id"):
        rows.append(["signature", sig.person.name, sig.get_via_display(),
                     sig.signed_at.isoformat(timespec="seconds"), sig.signed_name])  # fmt: skip
    return rows


def sheet_pdf(*, version: SplitSheetVersion) -> bytes:
    from ..pdf import PdfDocument

    snap = version.snapshot
    recordings = {r["id"]: r for r in snap["recordings"]}
    state = "agreed" if version.agreed_at else "waiting for signatures"
    doc = PdfDocument(
        title=f"Split sheet — {snap['work']['title']}",
        subtitle=f"Version {version.number}, {state}",
        created=version.created_at,
    )
    doc.pairs([("Work", snap["work"]["title"]), ("ISWC", snap["work"]["iswc"] or "—")])
    if snap["recordings"]:
        doc.heading("Recordings")
        doc.table(["Title", "ISRC"], [[r["title"], r["isrc"] or "—"] for r in snap["recordings"]])
    doc.heading("Parties")
    doc.table(
        ["Name", "PRO", "IPI", "ISNI"],
        [[p["name"], p["pro"] or "—", p["ipi"] or "—", p["isni"] or "—"] for p in snap["parties"]],
    )
    for split in snap["sets"]:
        doc.heading(_set_title(split, recordings))
        doc.table(
            ["Name", "Role", "Share"],
            [[s["name"], ROLE_NAMES.get(s["role"], s["role"]), f"{s['percent']} %"]
             for s in split["shares"]],
            align="LLR",
        )  # fmt: skip
    doc.heading("Signatures")
    signatures = list(version.signatures.select_related("person").order_by("signed_at", "id"))
    if signatures:
        doc.table(
            ["Party", "Signed as", "When (UTC)", "How"],
            [[s.person.name, s.signed_name, f"{s.signed_at:%Y-%m-%d %H:%M}", s.get_via_display()]
             for s in signatures],
        )  # fmt: skip
    else:
        doc.paragraph("No one has signed this version yet.")
    doc.paragraph(f"Fingerprint (SHA-256): {version.fingerprint}")
    return doc.bytes()
