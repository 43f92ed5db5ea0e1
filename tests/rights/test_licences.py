"""The licences pages: finance to see, finance edit to change, errors next to the fields."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rights.models import Licence
from rights.services.licences import licence_create
from tests.factories import PersonFactory, TrackFactory

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def parts(workspace):
    return {
        "counterparty": PersonFactory(workspace=workspace, name="Northlight Films"),
        "track": TrackFactory(release__workspace=workspace, title="Low Tide"),
    }


def make(workspace, owner, parts, days, **kw):
    today = timezone.localdate()
    values = dict(direction="granted", kind="sync", title=f"Trailer {days}", currency="EUR",
                  term_start=today - timedelta(days=400), status="active",
                  term_end=today + timedelta(days=days), territories=["SE"], **parts)  # fmt: skip
    values.update(kw)
    return licence_create(workspace=workspace, user=owner, **values)


def form(parts, **kw):
    data = {"title": "Low Tide in a trailer", "direction": "granted", "kind": "sync",
            "counterparty": parts["counterparty"].pk, "track": parts["track"].pk, "media": "film",
            "territories": "se gb", "term_start": "2026-01-01", "term_end": "2027-01-01",
            "fee": "1500.00", "currency": "EUR", "status": "active", "notes": ""}  # fmt: skip
    data.update(kw)
    return data


def test_create_shows_days_left_and_what_it_covers(client, workspace, owner, parts):
    client.force_login(owner)
    r = client.post(reverse("rights-licence-create", args=[workspace.slug]), form(parts))
    licence = Licence.objects.get()
    assert r.status_code == 302 and r["Location"].endswith(f"/licences/{licence.pk}/")
    assert licence.territories == ["SE", "GB"] and str(licence.fee) == "1500.00"
    page = client.get(reverse("rights-licences", args=[workspace.slug])).content.decode()
    assert "“Low Tide” (recording)" in page and "Sweden" in page and "Northlight Films" in page
    days = (licence.term_end - timezone.localdate()).days
    assert f"<td>{days}</td>" in page


@pytest.mark.parametrize(
    "change, words",
    [
        ({"term_end": "2025-01-01"}, "ends on or after"),
        ({"fee": "-5"}, "greater than or equal to 0"),
        ({"territories": "SE XX"}, "not an ISO 3166"),
        ({"track": ""}, "what the licence covers"),
    ],
)
def test_bad_input_is_shown_next_to_the_field(client, workspace, owner, parts, change, words):
    client.force_login(owner)
    r = client.post(reverse("rights-licence-create", args=[workspace.slug]), form(parts, **change))
    assert r.status_code == 400 and words in r.content.decode()
    assert not Licence.objects.exists()


def test_the_counterparty_is_labelled_for_both_directions(client, workspace, owner, parts):
    client.force_login(owner)
    page = client.get(reverse("rights-licence-create", args=[workspace.slug])).content.decode()
    assert "Licensee (granted) or licensor (obtained)" in page


def test_filters(client, workspace, owner, parts):
    make(workspace, owner, parts, 10, title="Alpha")
    make(workspace, owner, parts, 300, title="Bravo")
    make(
        workspace,
        owner,
        parts,
        -2,
        title="Charlie",
        term_start=timezone.localdate() - timedelta(days=30),
    )
    client.force_login(owner)
    url = reverse("rights-licences", args=[workspace.slug])
    expiring = client.get(url, {"state": "expiring"}).content.decode()
    assert (
        ">Alpha</a>" in expiring and ">Bravo</a>" not in expiring and ">Charlie</a>" not in expiring
    )
    expired = client.get(url, {"state": "expired"}).content.decode()
    assert ">Charlie</a>" in expired and ">Alpha</a>" not in expired
    assert ">Alpha</a>" not in client.get(url, {"kind": "mechanical"}).content.decode()


def test_a_member_without_finance_gets_403_and_no_link(client, workspace, owner, member, parts):
    licence = make(workspace, owner, parts, 10)
    client.force_login(member)
    assert client.get(reverse("rights-licences", args=[workspace.slug])).status_code == 403
    assert (
        client.get(reverse("rights-licence-detail", args=[workspace.slug, licence.pk])).status_code
        == 403
    )
    page = client.get(reverse("rights-index", args=[workspace.slug])).content.decode()
    assert reverse("rights-licences", args=[workspace.slug]) not in page


def test_another_workspaces_licence_is_a_404(client, workspace, owner, outsider, parts):
    licence = make(workspace, owner, parts, 10)
    client.force_login(outsider)
    r = client.get(reverse("rights-licence-detail", args=["marchetti", licence.pk]))
    assert r.status_code == 404


def test_edit_delete_and_the_document(
    client, workspace, owner, manager, parts, django_capture_on_commit_callbacks
):
    licence = make(workspace, owner, parts, 10)
    client.force_login(manager)
    edit = reverse("rights-licence-edit", args=[workspace.slug, licence.pk])
    assert client.post(edit, form(parts, title="Renamed")).status_code == 302
    assert Licence.objects.get().title == "Renamed"
    up = reverse("rights-licence-document-upload", args=[workspace.slug, licence.pk])
    r = client.post(up, {"document": SimpleUploadedFile("scan.pdf", b"not really")}, follow=True)
    assert "PDF, PNG, JPEG or Word" in r.content.decode()
    client.post(up, {"document": SimpleUploadedFile("scan.png", PNG)})
    got = client.get(reverse("rights-licence-document", args=[workspace.slug, licence.pk]))
    assert b"".join(got.streaming_content) == PNG
    stored = Licence.objects.get().document
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("rights-licence-delete", args=[workspace.slug, licence.pk]))
    assert not Licence.objects.exists() and not stored.storage.exists(stored.name)
