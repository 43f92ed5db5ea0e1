"""The licences API: finance permission, filters, errors in one shape, documents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rights.models import Licence
from rights.services.licences import licence_create
from tests.conftest import assert_error_shape
from tests.factories import PersonFactory, TrackFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def parts(workspace):
    return {
        "counterparty": PersonFactory(workspace=workspace, name="Northlight Films"),
        "track": TrackFactory(release__workspace=workspace, title="Low Tide"),
    }


def make(workspace, owner, parts, days: int | None, **kw) -> Licence:
    today = timezone.localdate()
    end = None if days is None else today + timedelta(days=days)
    values = dict(direction="granted", kind="sync", title=f"Licence {days}", currency="EUR",
                  term_start=today - timedelta(days=400), status="active", term_end=end,
                  **parts)  # fmt: skip
    values.update(kw)
    return licence_create(workspace=workspace, user=owner, **values)


def url(workspace, rest: str = "") -> str:
    return f"/api/workspaces/{workspace.slug}/licences/{rest}"


def test_create_and_read(api, workspace, owner, parts):
    body = {"direction": "obtained", "kind": "sample", "title": "Drum break",
            "counterparty": parts["counterparty"].pk, "track": parts["track"].pk,
            "territories": ["se", "gb"], "term_start": "2026-01-01", "term_end": "2027-01-01",
            "fee": "250.00", "currency": "EUR", "status": "active"}  # fmt: skip
    r = api(owner).post(url(workspace), body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["territories"] == ["SE", "GB"] and r.json()["fee"] == "250.00"
    licence = Licence.objects.get()
    assert str(licence.fee) == "250.00" and licence.created_by == owner


@pytest.mark.parametrize(
    "change, field",
    [
        ({"term_end": "2025-01-01"}, "term_end"),
        ({"fee": "-1"}, "fee"),
        ({"territories": ["XX"]}, "territories"),
        ({"track": None}, "work"),
        ({"currency": "ZZZ"}, "currency"),
    ],
)
def test_bad_input_is_a_400_in_the_error_shape(api, workspace, owner, parts, change, field):
    body = {"direction": "granted", "kind": "sync", "title": "T",
            "counterparty": parts["counterparty"].pk, "track": parts["track"].pk,
            "term_start": "2026-01-01", "currency": "EUR"}  # fmt: skip
    body.update(change)
    r = api(owner).post(url(workspace), body, format="json")
    err = assert_error_shape(r, 400)
    assert field in err["fields"], err
    assert not Licence.objects.exists()


def test_another_workspaces_person_is_refused(api, workspace, owner, parts, other_workspace):
    stranger = PersonFactory(workspace=other_workspace)
    body = {"direction": "granted", "kind": "sync", "title": "T", "counterparty": stranger.pk,
            "track": parts["track"].pk, "term_start": "2026-01-01"}  # fmt: skip
    r = api(owner).post(url(workspace), body, format="json")
    assert r.status_code == 400 and "counterparty" in r.json()["fields"]


def test_state_filters(api, workspace, owner, parts):
    soon, later, ended, forever = (make(workspace, owner, parts, d) for d in (10, 200, -3, None))
    client = api(owner)

    def ids(state):
        return {r["id"] for r in client.get(url(workspace), {"state": state}).json()["results"]}

    assert ids("expiring") == {soon.pk}
    assert ids("expired") == {ended.pk}
    assert ids("active") == {soon.pk, later.pk, forever.pk}
    rows = {r["id"]: r for r in client.get(url(workspace)).json()["results"]}
    assert rows[soon.pk]["days_left"] == 10 and rows[forever.pk]["days_left"] is None


def test_finance_permission_and_isolation(api, workspace, member, manager, outsider, owner, parts):
    licence = make(workspace, owner, parts, 10)
    assert api(member).get(url(workspace)).status_code == 403
    assert api(outsider).get(url(workspace)).status_code == 404
    assert api(outsider).get(f"/api/workspaces/marchetti/licences/{licence.pk}/").status_code == 404
    assert api(manager).patch(url(workspace, f"{licence.pk}/"), {"title": "New"}).status_code == 200
    assert api(manager).delete(url(workspace, f"{licence.pk}/")).status_code == 204
    assert not Licence.objects.exists()


def test_list_queries_do_not_grow(api, workspace, owner, parts):
    client = api(owner)
    make(workspace, owner, parts, 10)
    with CaptureQueriesContext(connection) as few:
        client.get(url(workspace))
    for d in range(20):
        make(workspace, owner, parts, d)
    with CaptureQueriesContext(connection) as many:
        client.get(url(workspace))
    assert len(many) == len(few)


def test_document_upload_by_content_and_download(api, workspace, owner, member, parts):
    licence = make(workspace, owner, parts, 10)
    doc = url(workspace, f"{licence.pk}/document/")
    client = api(owner)
    fake = SimpleUploadedFile("contract.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    r = client.post(doc, {"document": fake}, format="multipart")
    assert r.status_code == 400 and "document" in r.json()["fields"]
    r = client.post(doc, {"document": SimpleUploadedFile("c.bin", PDF)}, format="multipart")
    assert r.status_code == 200, r.content
    got = client.get(doc)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    assert api(member).get(doc).status_code == 403


def test_a_failed_replacement_keeps_the_old_document(api, workspace, owner, parts, monkeypatch):
    licence = make(workspace, owner, parts, 10)
    doc = url(workspace, f"{licence.pk}/document/")
    client = api(owner)
    client.post(doc, {"document": SimpleUploadedFile("a.pdf", PDF)}, format="multipart")
    old = Licence.objects.get().document.name

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Licence, "save", boom)
    with pytest.raises(RuntimeError):
        client.post(doc, {"document": SimpleUploadedFile("b.pdf", PDF + b"2")}, format="multipart")
    monkeypatch.undo()
    kept = Licence.objects.get()
    assert kept.document.name == old and kept.document.storage.exists(old)
    assert b"".join(client.get(doc).streaming_content) == PDF


def test_too_large_is_refused(api, workspace, owner, parts, monkeypatch):
    monkeypatch.setattr("rights.services.licences.DOCUMENT_MAX_BYTES", 10)
    licence = make(workspace, owner, parts, 10)
    r = api(owner).post(
        url(workspace, f"{licence.pk}/document/"),
        {"document": SimpleUploadedFile("a.pdf", PDF)}, format="multipart",
    )  # fmt: skip
    assert r.status_code == 400 and "25 MB" in r.json()["fields"]["document"][0]
