"""The statements API: upload (202 with a job, 200 for the same file again), statements and
their earnings, the job, the review queue and its rules, column mappings; permissions,
isolation, the error shape and fixed query counts of lists."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rights.models import ColumnMapping, Earning, MatchRule, Statement
from tests.conftest import assert_error_shape
from tests.factories import TrackFactory
from tests.rights.test_statements_pages import dk_file, imported

BASE = "/api/workspaces/maya/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def track(workspace):
    return TrackFactory(release__workspace=workspace, release__title="Shorelines",
                        title="Low Tide", isrc="QZABC2600001")  # fmt: skip


def post_file(client, content: bytes, name="dk.tsv", **extra):
    data = {"file": SimpleUploadedFile(name, content), **extra}
    return client.post(BASE + "statements/", data, format="multipart")


def test_upload_returns_202_with_the_job_then_200_for_the_same_file(
    api, workspace, owner, track, django_capture_on_commit_callbacks
):
    client = api(owner)
    content = dk_file(rows=2, unmatched=1)
    with django_capture_on_commit_callbacks(execute=True):
        r = post_file(client, content)
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["duplicate"] is False and body["job"]["kind"] == "import"
    sid = body["statement"]["id"]
    one = client.get(f"{BASE}statements/{sid}/").json()
    assert one["status"] == "imported" and (one["lines"], one["matched"]) == (3, 2)
    assert one["total"].startswith("4.01") and one["currency"] == "USD"
    job = client.get(f"{BASE}statements/{sid}/job/").json()
    assert job["status"] == "done" and job["id"] == body["job"]["id"]
    again = post_file(client, content, name="again.tsv")
    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["statement"]["id"] == sid
    assert again.json()["job"] is None and Statement.objects.count() == 1


def test_upload_errors_have_the_error_shape(api, workspace, owner):
    client = api(owner)
    body = assert_error_shape(post_file(client, b""), 400)
    assert "file" in body["fields"]
    body = assert_error_shape(post_file(client, dk_file(), source="generic"), 400)
    assert "mapping" in body["fields"]
    body = assert_error_shape(post_file(client, dk_file(), source="napster"), 400)
    assert "source" in body["fields"]
    assert_error_shape(post_file(client, dk_file(), source="generic", mapping=999999), 400)
    assert not Statement.objects.exists()


def test_earnings_are_paginated_with_a_fixed_number_of_queries(api, workspace, owner, track):
    small = imported(workspace, owner, dk_file(rows=2, unmatched=0))
    big = imported(workspace, owner, dk_file(rows=40, unmatched=5, month="2026-03"))
    client = api(owner)
    client.get(f"{BASE}statements/{small.pk}/earnings/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}statements/{small.pk}/earnings/")
    with CaptureQueriesContext(connection) as many:
        r = client.get(f"{BASE}statements/{big.pk}/earnings/")
    assert len(many) == len(few)
    rows = r.json()["results"]
    assert r.json()["count"] == 45 and rows[0]["line_no"] == 2
    assert rows[0]["track_title"] == "Low Tide" and rows[0]["net"] == "1.0000000000"
    with CaptureQueriesContext(connection) as listing:
        assert len(client.get(BASE + "statements/").json()["results"]) == 2
    imported(workspace, owner, dk_file(rows=1, unmatched=1, month="2026-05"))
    with CaptureQueriesContext(connection) as longer:
        assert len(client.get(BASE + "statements/").json()["results"]) == 3
    assert len(longer) == len(listing)


def test_unmatched_then_a_rule_matches_them_and_delete_sends_them_back(
    api, workspace, owner, track
):
    boats = TrackFactory(release__workspace=workspace, title="Paper Boats")
    imported(workspace, owner, dk_file(rows=1, unmatched=2))
    client = api(owner)
    groups = client.get(BASE + "unmatched/").json()
    assert len(groups) == 1 and groups[0]["lines"] == 2
    assert groups[0]["amounts"] == {"USD": "4.01"}
    r = client.post(BASE + "match-rules/", {"key": groups[0]["key"], "track": boats.pk},
                    format="json")  # fmt: skip
    assert r.status_code == 201 and r.json()["matched"] == 2
    assert r.json()["track_title"] == "Paper Boats"
    assert client.get(BASE + "unmatched/").json() == []
    again = client.post(BASE + "match-rules/", {"key": groups[0]["key"], "track": boats.pk},
                        format="json")  # fmt: skip
    assert_error_shape(again, 400)
    rules = client.get(BASE + "match-rules/").json()["results"]
    assert [x["track"] for x in rules] == [boats.pk]
    assert client.delete(f"{BASE}match-rules/{rules[0]['id']}/").status_code == 204
    assert Earning.objects.filter(track__isnull=True).count() == 2


def test_match_rule_input_errors(api, workspace, owner, track, other_workspace):
    foreign = TrackFactory(release__workspace=other_workspace)
    imported(workspace, owner, dk_file(rows=0, unmatched=1))
    key = Earning.objects.get().item.match_key
    client = api(owner)
    body = assert_error_shape(
        client.post(BASE + "match-rules/", {"key": key, "track": foreign.pk}, format="json"), 400
    )
    assert "track" in body["fields"]
    body = assert_error_shape(
        client.post(BASE + "match-rules/", {"key": "nope", "track": track.pk}, format="json"), 400
    )
    assert "key" in body["fields"]
    assert_error_shape(client.post(BASE + "match-rules/", {}, format="json"), 400)
    assert not MatchRule.objects.exists()


def test_column_mappings_crud(api, workspace, owner):
    client = api(owner)
    data = {"name": "Amuse", "columns": {"sale_period": "Month", "net": "Payout"},
            "date_format": "%Y-%m", "currency": "eur"}  # fmt: skip
    r = client.post(BASE + "column-mappings/", data, format="json")
    assert r.status_code == 201 and r.json()["currency"] == "EUR"
    mid = r.json()["id"]
    dup = client.post(BASE + "column-mappings/", data, format="json")
    assert_error_shape(dup, 400)
    bad = client.post(BASE + "column-mappings/", {**data, "name": "B", "columns": {"net": "X"}},
                      format="json")  # fmt: skip
    assert "columns" in assert_error_shape(bad, 400)["fields"]
    r = client.put(f"{BASE}column-mappings/{mid}/", {**data, "name": "Amuse v2"}, format="json")
    assert r.status_code == 200 and ColumnMapping.objects.get().name == "Amuse v2"
    assert client.get(BASE + "column-mappings/").json()["results"][0]["name"] == "Amuse v2"
    assert client.delete(f"{BASE}column-mappings/{mid}/").status_code == 204
    assert not ColumnMapping.objects.exists()


def test_permissions_and_isolation(api, workspace, owner, member, viewer, outsider, track,
                                   other_workspace):  # fmt: skip
    mine = imported(workspace, owner, dk_file())
    theirs = imported(other_workspace, owner, dk_file(rows=1, unmatched=0, month="2026-06"))
    theirs_mapping = ColumnMapping.objects.create(
        workspace=other_workspace, name="X", columns={"sale_period": "M", "net": "N"},
        currency="EUR",
    )  # fmt: skip
    for user in (member, viewer):
        assert_error_shape(api(user).get(BASE + "statements/"), 403)
        assert_error_shape(api(user).get(BASE + "unmatched/"), 403)
    assert_error_shape(api(outsider).get(BASE + "statements/"), 404)
    assert_error_shape(api(outsider).get(f"{BASE}statements/{mine.pk}/"), 404)
    client = api(owner)
    paths = (f"statements/{theirs.pk}/", f"statements/{theirs.pk}/earnings/",
             f"statements/{theirs.pk}/job/", f"column-mappings/{theirs_mapping.pk}/")  # fmt: skip
    for path in paths:
        assert_error_shape(client.get(BASE + path), 404)
    assert_error_shape(client.delete(f"{BASE}column-mappings/{theirs_mapping.pk}/"), 404)
    assert ColumnMapping.objects.filter(pk=theirs_mapping.pk).exists()
    # The file was imported without a job (the command line): no job to show.
    assert_error_shape(client.get(f"{BASE}statements/{mine.pk}/job/"), 404)
