"""Works pages: list (search, sheet state, fixed query count), create, a split version through
the form, permissions and isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rights.models import SplitSet, Work
from rights.services.splits import split_set_create
from tests.factories import PersonFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db

MAR = dt.date(2026, 3, 1)


def test_list_search_state_and_query_count(client, member, workspace):
    maya = PersonFactory(workspace=workspace, name="Maya Lind")
    client.force_login(member)
    url = reverse("rights-works", args=[workspace.slug])

    def make(title):
        work = Work.objects.create(workspace=workspace, title=title)
        work.parties.create(person=maya, role="composer")
        only = [{"person": maya, "role": "writer", "percent": "100"}]
        split_set_create(kind="publishing", work=work, effective_from=MAR, shares=only)
        return work

    make("Low Tide")
    client.get(url)  # the first request saves the session
    with CaptureQueriesContext(connection) as few:
        page = client.get(url)
    assert "Waiting" in page.content.decode() and "for Maya Lind" in page.content.decode()
    for i in range(8):
        make(f"Song {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many.captured_queries) == len(few.captured_queries)
    found = client.get(url, {"q": "tide"}).content.decode()
    assert "Low Tide" in found and "Song 3" not in found


def test_create_with_bad_iswc_shows_the_error_next_to_the_field(client, member, workspace):
    client.force_login(member)
    url = reverse("rights-work-create", args=[workspace.slug])
    page = client.post(url, {"title": "Low Tide", "iswc": "T-034.524.680-2"})
    assert page.status_code == 400 and "last digit does not match" in page.content.decode()
    assert client.post(url, {"title": "Low Tide", "iswc": "T-034.524.680-1"}).status_code == 302
    assert Work.objects.get().iswc == "T0345246801"


def test_split_form_needs_finance_edit_and_checks_the_total(client, member, manager, workspace):
    work = Work.objects.create(workspace=workspace, title="Low Tide")
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    url = reverse("rights-split-create", args=[workspace.slug, work.pk])
    client.force_login(member)
    assert client.get(url).status_code == 403
    client.force_login(manager)
    data = {"person": [a.pk, b.pk], "role": ["writer", "writer"], "percent": ["50", "50.01"],
            "effective_from": "2026-03"}  # fmt: skip
    page = client.post(url, data)
    assert page.status_code == 400
    assert "The shares add up to 100.01 %; 0.01 % is too much." in page.content.decode()
    data["percent"] = ["50", "50"]
    assert client.post(url, data).status_code == 302
    assert SplitSet.objects.get(work=work).version == 1


def test_other_workspace_and_person_of_another_workspace(client, outsider, member, workspace,
                                                         other_workspace):  # fmt: skip
    work = Work.objects.create(workspace=workspace, title="Low Tide")
    client.force_login(outsider)
    assert (
        client.get(reverse("rights-work-detail", args=[workspace.slug, work.pk])).status_code == 404
    )
    theirs = Work.objects.create(workspace=other_workspace, title="Theirs")
    client.force_login(member)
    assert (
        client.get(reverse("rights-work-detail", args=[workspace.slug, theirs.pk])).status_code
        == 404
    )
    track = TrackFactory(release=ReleaseFactory(workspace=other_workspace))
    url = reverse("rights-work-recordings", args=[workspace.slug, work.pk])
    page = client.post(url, {"recordings": [track.pk]}, follow=True)
    assert "not a track of this workspace" in page.content.decode()
    assert not work.recordings.exists()
