"""Works API: CRUD, parties, split versions, the sheet, downloads, permissions and isolation."""

from __future__ import annotations

import pytest

from rights.models import SplitSet, Work
from tests.conftest import assert_error_shape
from tests.factories import PersonFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

BASE = "/api/workspaces/maya/"


@pytest.fixture
def song(workspace, member):
    track = TrackFactory(release=ReleaseFactory(workspace=workspace), title="Low Tide")
    maya = PersonFactory(workspace=workspace, name="Maya Lind", user=member)
    ines = PersonFactory(workspace=workspace, name="Inès Duarte")
    return track, maya, ines


def test_work_crud_and_bad_iswc(api, member, song):
    track, maya, ines = song
    client = api(member)
    bad = client.post(
        BASE + "works/", {"title": "Low Tide", "iswc": "T-034.524.680-2"}, format="json"
    )
    assert "iswc" in assert_error_shape(bad, 400)["fields"]
    made = client.post(BASE + "works/", {"title": "Low Tide", "iswc": "T-034.524.680-1",
                                         "recordings": [track.pk]}, format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    work_id = made.json()["id"]
    assert made.json()["iswc"] == "T0345246801" and made.json()["recordings"] == [track.pk]
    party = client.post(BASE + f"works/{work_id}/parties/",
                        {"person": maya.pk, "role": "composer"}, format="json")  # fmt: skip
    assert party.status_code == 201 and party.json()["name"] == "Maya Lind"
    assert client.patch(BASE + f"works/{work_id}/", {"title": "Low Tide (Edit)"},
                        format="json").json()["title"] == "Low Tide (Edit)"  # fmt: skip
    assert client.delete(BASE + f"works/{work_id}/").status_code == 204
    assert not Work.objects.exists()


def test_splits_need_finance_edit_and_total_100(api, member, manager, song, workspace):
    track, maya, ines = song
    ONLY_MAYA = [{"person": maya.pk, "role": "artist", "percent": "100"}]
    work = Work.objects.create(workspace=workspace, title="Low Tide")
    body = {"effective_from": "2026-03-01", "shares": [
        {"person": maya.pk, "role": "writer", "percent": "50"},
        {"person": ines.pk, "role": "writer", "percent": "49.99"}]}  # fmt: skip
    assert_error_shape(
        api(member).post(BASE + f"works/{work.pk}/splits/", body, format="json"), 403
    )
    refused = api(manager).post(BASE + f"works/{work.pk}/splits/", body, format="json")
    err = assert_error_shape(refused, 400)
    assert err["fields"]["shares"] == ["The shares add up to 99.99 %; 0.01 % is missing."]
    body["shares"][1]["percent"] = "50"
    made = api(manager).post(BASE + f"works/{work.pk}/splits/", body, format="json")
    assert made.status_code == 201 and made.json()["total"] == "100.0000"
    master = api(manager).post(BASE + f"tracks/{track.pk}/master-splits/", {
        "effective_from": "2026-03-01",
        "shares": ONLY_MAYA}, format="json")  # fmt: skip
    assert master.status_code == 201
    whole = api(manager).post(BASE + f"releases/{track.release_id}/master-splits/", {
        "effective_from": "2026-04-01",
        "shares": ONLY_MAYA}, format="json")  # fmt: skip
    assert whole.status_code == 201 and whole.json()[0]["version"] == 2
    assert SplitSet.objects.count() == 3


def test_sheet_state_sign_and_downloads(api, member, manager, song, workspace):
    track, maya, ines = song
    work = Work.objects.create(workspace=workspace, title="Low Tide")
    only = [{"person": maya.pk, "role": "writer", "percent": "100"}]
    api(manager).post(BASE + f"works/{work.pk}/splits/",
                      {"effective_from": "2026-03-01", "shares": only}, format="json")  # fmt: skip
    sheet = api(member).get(BASE + f"works/{work.pk}/sheet/").json()
    assert sheet["state"] == "waiting" and sheet["waiting_for"] == ["Maya Lind"]
    no = api(member).post(
        BASE + f"works/{work.pk}/sheet/sign/",
        {"signed_name": "Maya", "agree": False},
        format="json",
    )
    assert_error_shape(no, 400)
    sign = BASE + f"works/{work.pk}/sheet/sign/"
    signed = api(member).post(sign, {"signed_name": "Maya Lind", "agree": True}, format="json")
    assert signed.status_code == 200 and signed.json()["state"] == "agreed"
    assert api(member).get(BASE + f"works/{work.pk}/sheet.pdf").content.startswith(b"%PDF")
    assert b"Maya Lind" in api(member).get(BASE + f"works/{work.pk}/sheet.csv").content
    assert_error_shape(api(manager).post(BASE + f"works/{work.pk}/sheet/remind/"), 400)


def test_other_workspace_is_404(api, outsider, song, workspace):
    work = Work.objects.create(workspace=workspace, title="Low Tide")
    assert_error_shape(api(outsider).get(BASE + f"works/{work.pk}/"), 404)
    assert_error_shape(api(outsider).get(f"/api/workspaces/marchetti/works/{work.pk}/"), 404)


def test_works_list_query_count_does_not_grow(api, member, workspace, song):
    track, maya, ines = song
    client = api(member)

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(BASE + "works/").status_code == 200
        return len(ctx.captured_queries)

    first = Work.objects.create(workspace=workspace, title="A")
    first.recordings.add(track)
    first.parties.create(person=maya, role="composer")
    few = count()
    for i in range(10):
        work = Work.objects.create(workspace=workspace, title=f"W{i}")
        work.recordings.add(track)
        work.parties.create(person=maya, role="composer")
    assert count() == few
