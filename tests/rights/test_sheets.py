"""Split sheets: versions on change, emails to parties, signing by login and by link, agreement,
downloads, the readiness check and the master lock."""

from __future__ import annotations

import datetime as dt
import re
import time
from decimal import Decimal

import pytest
from django.core import signing
from django.urls import reverse

from rights import pdf
from rights.models import SignatureRequest, SplitSet, SplitSignature
from rights.readiness import split_sheets_check
from rights.services import sheets
from rights.services.splits import split_set_create
from rights.services.works import work_create, work_delete, work_recordings_set
from tests.factories import PersonFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

MAR = dt.date(2026, 3, 1)


@pytest.fixture
def song(workspace, member):
    """A work with one recording; Maya (the member, with a login), Inès (email only) and Jo
    (no email) share it."""
    work = work_create(workspace=workspace, title="Low Tide", iswc="T-034.524.680-1")
    track = TrackFactory(release=ReleaseFactory(workspace=workspace), title="Low Tide",
                         isrc="SEABC2600001")  # fmt: skip
    work_recordings_set(work=work, tracks=[track])
    maya = PersonFactory(workspace=workspace, name="Maya Lind", user=member, email="")
    ines = PersonFactory(workspace=workspace, name="Inès Duarte", email="ines@example.org")
    return work, track, maya, ines


@pytest.fixture(autouse=True)
def _commit(django_capture_on_commit_callbacks):
    """Run what the services do after commit (the emails) as each call returns."""
    global _after
    _after = django_capture_on_commit_callbacks
    yield


_after = None


def publishing(work, people, percents, start=MAR):
    with _after(execute=True):
        return _publishing(work, people, percents, start)


def _publishing(work, people, percents, start):
    return split_set_create(
        kind="publishing", work=work, effective_from=start,
        shares=[{"person": p, "role": "writer", "percent": v}
                for p, v in zip(people, percents, strict=True)],
    )  # fmt: skip


def link_from(mail) -> str:
    return re.search(r"https?://\S+/sign/\S+/", mail.body).group(0)


def test_new_split_makes_a_sheet_version_and_tells_the_parties(song, mailoutbox, member):
    work, track, maya, ines = song
    publishing(work, [maya, ines], ["50", "50"])
    version = sheets.current_version(work=work)
    assert version.number == 1
    assert {p["name"] for p in version.snapshot["parties"]} == {"Maya Lind", "Inès Duarte"}
    to = sorted(m.to[0] for m in mailoutbox)
    assert to == sorted([member.email, "ines@example.org"])
    login_mail = next(m for m in mailoutbox if m.to == [member.email])
    assert f"/rights/works/{work.pk}/" in login_mail.body
    assert "/sign/" in next(m for m in mailoutbox if m.to == ["ines@example.org"]).body
    assert SignatureRequest.objects.get(person=ines).sent_at is not None
    # Nothing changed: no new version, no more emails.
    assert sheets.split_sheet_refresh(work=work, reason="again") is None
    assert len(mailoutbox) == 2


def test_a_change_supersedes_the_version_and_old_signatures_do_not_count(song, member):
    work, track, maya, ines = song
    publishing(work, [maya, ines], ["50", "50"])
    first = sheets.current_version(work=work)
    sheets.split_sheet_sign(version=first, person=maya, signed_name="Maya Lind", via="login",
                            user=member)  # fmt: skip
    publishing(work, [maya, ines], ["60", "40"], start=dt.date(2026, 4, 1))
    second = sheets.current_version(work=work)
    assert second.number == 2
    first.refresh_from_db()
    assert first.superseded_at is not None
    with pytest.raises(Exception, match="sign the new version"):
        sheets.split_sheet_sign(version=first, person=ines, signed_name="Inès", via="link")
    assert sheets.sheet_state(version=second)["waiting_for"] == ["Inès Duarte", "Maya Lind"]


def test_signing_by_login_then_by_link_agrees_the_sets(song, client, member, mailoutbox):
    work, track, maya, ines = song
    split = publishing(work, [maya, ines], ["33.3333", "66.6667"])
    client.force_login(member)
    url = reverse("rights-sheet-sign", args=[work.workspace.slug, work.pk])
    response = client.post(url, {"signed_name": "Maya Lind", "agree": "1"})
    assert response.status_code == 302
    assert SplitSignature.objects.get(person=maya).via == "login"
    # Signing twice is refused with a message, not a second row.
    again = client.post(url, {"signed_name": "Maya Lind", "agree": "1"}, follow=True)
    assert "signed this version already" in again.content.decode()
    client.logout()
    link = link_from(next(m for m in mailoutbox if m.to == ["ines@example.org"]))
    path = link[link.index("/sign/") :]
    page = client.get(path)
    assert page.status_code == 200 and "66.6667" in page.content.decode()
    assert client.post(path, {"signed_name": "Inès Duarte"}).status_code == 400  # no "I agree"
    done = client.post(path, {"signed_name": "Inès Duarte", "agree": "1"})
    assert done.status_code == 200 and "You signed" in done.content.decode()
    version = sheets.current_version(work=work)
    assert version.agreed_at is not None
    split.refresh_from_db()
    assert split.agreed_at is not None


def test_expired_tampered_and_old_links(song, client, mailoutbox, monkeypatch):
    work, track, maya, ines = song
    publishing(work, [maya, ines], ["50", "50"])
    token = sheets.sign_token(version=sheets.current_version(work=work), person=ines)
    assert client.get(f"/sign/{token}x/").status_code == 400
    assert client.get("/sign/not-a-token/").status_code == 400
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 15 * 24 * 3600)
    assert client.get(f"/sign/{token}/").status_code == 410
    monkeypatch.setattr(time, "time", real)
    with pytest.raises(signing.SignatureExpired):
        sheets.sign_token_read(token, max_age=-1)
    publishing(work, [maya, ines], ["70", "30"], start=dt.date(2026, 5, 1))
    sent = len(mailoutbox)
    old = client.get(f"/sign/{token}/")
    assert old.status_code == 409 and "new version was sent" in old.content.decode()
    assert len(mailoutbox) == sent  # the new version's request went out already: not twice


def test_party_without_email_is_listed(song, client, member, workspace):
    work, track, maya, ines = song
    jo = PersonFactory(workspace=workspace, name="Jo", email="")
    publishing(work, [maya, jo], ["50", "50"])
    client.force_login(member)
    page = client.get(reverse("rights-work-detail", args=[workspace.slug, work.pk]))
    assert "add an email to send Jo the link" in page.content.decode()


def test_pdf_and_csv_downloads(song, client, member, workspace):
    work, track, maya, ines = song
    evil = PersonFactory(workspace=workspace, name="=cmd|' /C calc'!A0", email="")
    publishing(work, [ines, evil], ["50", "50"])
    client.force_login(member)
    args = [workspace.slug, work.pk]
    response = client.get(reverse("rights-sheet-pdf", args=args))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    csv = client.get(reverse("rights-sheet-csv", args=args)).content.decode()
    assert "T0345246801" in csv and "SEABC2600001" in csv and "Inès Duarte" in csv
    assert "\n=cmd" not in csv and ",=cmd" not in csv
    assert client.get(reverse("rights-sheet-pdf", args=args) + "?version=9").status_code == 404


@pytest.mark.parametrize("with_font", [True, False])
def test_pdf_builder_handles_any_text(with_font):
    doc = pdf.PdfDocument(
        title="Split sheet — “Ça” ℗", subtitle="Inès Duarte’s",
        unicode_font=pdf.FONT_REGULAR if with_font else None, compress=False,
    )  # fmt: skip
    doc.heading("Parties").pairs([("Name", "Inès Duarte")]).paragraph("中文 ✓")
    doc.table(["Name", "Share"], [["Inès Duarte", "50 %"]] * 120, align="LR")
    data = doc.bytes()
    assert data.startswith(b"%PDF")
    assert doc.unicode is (with_font and pdf.FONT_REGULAR.is_file())
    if not with_font:
        # Core font: the text is there in Latin-1, the rest spelled out ("℗" -> "(P)").
        assert b"In\xe8s Duarte" in data and b"\\(P\\)" in data
    # 120 rows run onto more than one page (the header row repeats there).
    assert int(re.search(rb"/Count (\d+)", data).group(1)) >= 2
    assert pdf.latin1("Ça — ℗ ’") == "Ça - (P) '"


def test_other_workspace_work_is_404(song, client, outsider):
    work, *_ = song
    client.force_login(outsider)
    for name in ("rights-work-detail", "rights-sheet-pdf", "rights-sheet-csv"):
        assert client.get(reverse(name, args=["maya", work.pk])).status_code == 404
        assert client.get(reverse(name, args=["marchetti", work.pk])).status_code == 404


def test_work_with_a_licence_cannot_be_deleted(song):
    from rights.models import Licence

    work, track, maya, ines = song
    Licence.objects.create(
        workspace=work.workspace, title="Sync", direction="granted", kind="sync",
        counterparty=ines, work=work, term_start=MAR, currency="EUR",
    )  # fmt: skip
    with pytest.raises(Exception, match="has licences"):
        work_delete(work=work)


def test_readiness_blocker_and_warnings(song, workspace):
    from releases.readiness.context import readiness_context

    work, track, maya, ines = song
    lonely = TrackFactory(release=track.release, title="B-side")
    publishing(work, [maya, ines], ["50", "50"])
    findings = list(split_sheets_check(readiness_context(release=track.release)))
    by_code = {(f.code, f.track_id): f for f in findings}
    blocker = by_code[("rights_sheet_unsigned", track.pk)]
    assert blocker.severity == "blocker"
    assert (
        blocker.message
        == "The split sheet of “Low Tide” is waiting for Inès Duarte, Maya Lind to sign"
    )
    assert blocker.fix_url == reverse("rights-work-detail", args=[workspace.slug, work.pk])
    assert by_code[("rights_no_work", lonely.pk)].severity == "warning"
    assert "Link “B-side” to its song" in by_code[("rights_no_work", lonely.pk)].message
    assert by_code[("rights_no_master_split", track.pk)].severity == "warning"
    for person in (maya, ines):
        sheets.split_sheet_sign(version=sheets.current_version(work=work), person=person,
                                signed_name=person.name, via="link")  # fmt: skip
    findings = list(split_sheets_check(readiness_context(release=track.release)))
    assert not [f for f in findings if f.severity == "blocker"]


def test_master_split_change_ends_the_master_lock(song, workspace, owner, manager, member):
    from releases.models import MasterLock
    from releases.services import review
    from tests.releases.test_review import wav

    work, track, maya, ines = song
    only_maya = [{"person": maya, "role": "artist", "percent": Decimal("100")}]
    split_set_create(kind="master", track=track, effective_from=MAR, shares=only_maya)
    version = review.mix_version_add(track=track, upload=wav("m.wav"), user=member, note="")
    for u in (owner, manager):
        review.approver_add(release=track.release, user=u, actor=owner)
        review.signoff_record(track=track, version=version, user=u, decision="approved")
    review.master_lock(track=track, version=version, user=member)
    assert MasterLock.objects.filter(track=track, ended_at__isnull=True).exists()
    split_set_create(kind="master", track=track, effective_from=dt.date(2026, 4, 1),
                     shares=[{"person": maya, "role": "artist", "percent": "60"},
                             {"person": ines, "role": "producer", "percent": "40"}])  # fmt: skip
    lock = MasterLock.objects.get(track=track)
    assert lock.ended_at is not None
    assert SplitSet.objects.filter(track=track).count() == 2


def test_remind_sends_again_and_a_request_is_sent_once(song, mailoutbox):
    work, track, maya, ines = song
    publishing(work, [maya, ines], ["50", "50"])
    sent = len(mailoutbox)
    with _after(execute=True):
        assert sheets.split_sheet_remind(work=work) == 2
    assert len(mailoutbox) == sent + 2
    request = SignatureRequest.objects.filter(person=ines).first()
    assert sheets.signature_request_send(request_id=request.pk) is False  # sent already
    assert len(mailoutbox) == sent + 2
