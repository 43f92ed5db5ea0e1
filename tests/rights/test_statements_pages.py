"""The statements pages: upload and its progress, a statement's lines and their source, the
review queue and its rules, column mappings. Finance view to see, finance edit to change."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaborators.permissions import Role
from releases.models import ReleaseGuest
from rights.models import ColumnMapping, Earning, MatchRule, Statement, StatementJob
from rights.services.statements import statement_import
from tests.factories import TrackFactory, UserFactory
from tests.rights.statements.helpers import DK_NEWER, dk_newer_row, stream, tsv

ISRC = "QZ-ABC-26-00001"
OTHER = "QZ-ABC-26-00099"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def track(workspace):
    return TrackFactory(release__workspace=workspace, release__title="Shorelines",
                        title="Low Tide", isrc="QZABC2600001")  # fmt: skip


def dk_file(rows: int = 2, unmatched: int = 1, month: str = "2026-02") -> bytes:
    lines = [
        dk_newer_row(Sale_Month=month, **{"Earnings (USD)": f"1.{i:02d}"}) for i in range(rows)
    ]
    lines += [
        dk_newer_row(Sale_Month=month, ISRC=OTHER, Title="Paper Boats", Store=f"Store {i}",
                     **{"Earnings (USD)": f"2.{i:02d}"})
        for i in range(unmatched)
    ]  # fmt: skip
    return tsv(DK_NEWER, lines).encode()


def url(name, workspace, *args):
    return reverse(name, args=[workspace.slug, *args])


def upload(client, workspace, content: bytes, name="dk.tsv", **extra):
    return client.post(
        url("rights-statements", workspace),
        {"file": SimpleUploadedFile(name, content), "source": "", **extra},
    )


def imported(workspace, owner, content: bytes) -> Statement:
    result = statement_import(workspace=workspace, file=stream(content), filename="dk.tsv",
                              user=owner)  # fmt: skip
    return Statement.objects.get(pk=result.statement_id)


def test_upload_imports_and_the_statement_page_shows_figures(
    client, workspace, owner, track, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, workspace, dk_file(rows=3, unmatched=1))
    statement = Statement.objects.get()
    assert r.status_code == 302
    assert r["Location"] == url("rights-statement-detail", workspace, statement.pk)
    assert statement.status == Statement.Status.IMPORTED
    assert (statement.lines, statement.matched, statement.unmatched) == (4, 3, 1)
    page = client.get(r["Location"]).content.decode()
    assert "dk.tsv" in page and "DistroKid" in page
    assert "Low Tide" in page and "Unmatched" in page
    line_url = url("rights-statement-line", workspace, statement.pk, 2)
    assert f'href="{line_url}"' in page
    listing = client.get(url("rights-statements", workspace)).content.decode()
    assert "dk.tsv" in listing and "2026-02" in listing and "USD" in listing


def test_the_same_file_again_changes_nothing(
    client, workspace, owner, track, django_capture_on_commit_callbacks
):
    content = dk_file()
    first = imported(workspace, owner, content)
    client.force_login(owner)
    r = upload(client, workspace, content, name="again.tsv")
    assert r.status_code == 302 and r["Location"] == url("rights-statements", workspace)
    page = client.get(r["Location"]).content.decode()
    assert "nothing changed" in page
    assert url("rights-statement-detail", workspace, first.pk) in page
    assert Statement.objects.count() == 1 and Earning.objects.count() == 3


def test_upload_errors_are_shown_next_to_the_file(client, workspace, owner):
    client.force_login(owner)
    r = upload(client, workspace, b"")
    assert r.status_code == 400
    assert "The submitted file is empty." in r.content.decode()
    r = upload(client, workspace, dk_file(), source="generic")
    assert r.status_code == 400 and "Choose the column mapping" in r.content.decode()
    assert not Statement.objects.exists()


def test_a_bad_file_fails_readably_and_books_nothing(
    client, workspace, owner, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, workspace, b"Name,Colour\nAda,green\n", name="what.csv")
    statement = Statement.objects.get()
    assert statement.status == Statement.Status.FAILED and statement.error
    assert not Earning.objects.exists()
    page = client.get(r["Location"]).content.decode()
    assert "This file was not imported" in page and statement.error[:30] in page


def test_a_running_import_shows_its_progress_bar_and_polls(client, workspace, owner):
    statement = Statement.objects.create(workspace=workspace, source="distrokid",
                                         filename="big.tsv", sha256="a" * 64)  # fmt: skip
    job = StatementJob.objects.create(workspace=workspace, statement=statement, kind="import",
                                      key="k", status="running", progress=40,
                                      stage="Reading lines")  # fmt: skip
    client.force_login(owner)
    page = client.get(url("rights-statement-detail", workspace, statement.pk)).content.decode()
    poll = url("rights-statement-job", workspace, statement.pk, job.pk)
    assert 'role="progressbar"' in page and poll in page
    r = client.get(poll, HTTP_ACCEPT="application/json")
    assert r.json()["progress"] == 40 and r.json()["status"] == "running"
    job.status, job.progress = "done", 100
    job.save()
    r = client.get(poll + "?was=running")
    assert r["HX-Refresh"] == "true"


def test_the_source_line_page_shows_the_raw_line(client, workspace, owner, track):
    statement = imported(workspace, owner, dk_file(rows=1, unmatched=1))
    client.force_login(owner)
    page = client.get(url("rights-statement-line", workspace, statement.pk, 3)).content.decode()
    assert "Paper Boats" in page and OTHER in page and "Reporting Date" in page
    assert client.get(url("rights-statement-line", workspace, statement.pk, 99)).status_code == 404


def test_statement_page_is_paginated_with_a_fixed_number_of_queries(
    client, workspace, owner, track
):
    small = imported(workspace, owner, dk_file(rows=3, unmatched=0))
    big = imported(workspace, owner, dk_file(rows=60, unmatched=5, month="2026-03"))
    client.force_login(owner)
    client.get(url("rights-statement-detail", workspace, small.pk))  # session, caches
    with CaptureQueriesContext(connection) as few:
        client.get(url("rights-statement-detail", workspace, small.pk))
    with CaptureQueriesContext(connection) as many:
        page = client.get(url("rights-statement-detail", workspace, big.pk)).content.decode()
    assert len(many) == len(few)
    assert "Page 1 of 2" in page
    second = client.get(url("rights-statement-detail", workspace, big.pk) + "?page=2")
    assert "Paper Boats" in second.content.decode()


def test_review_queue_matches_a_group_and_remembers_it(client, workspace, owner, track):
    later = TrackFactory(release__workspace=workspace, release__title="Shorelines",
                         title="Paper Boats")  # fmt: skip
    imported(workspace, owner, dk_file(rows=1, unmatched=2))
    client.force_login(owner)
    page = client.get(url("rights-review-queue", workspace)).content.decode()
    assert "Paper Boats" in page and "Shorelines — Paper Boats" in page
    key = Earning.objects.filter(track__isnull=True).first().item.match_key
    r = client.post(url("rights-review-queue", workspace), {"key": key, "track": later.pk})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "Matched 2 lines to “Paper Boats”; later statements will match too" in page
    assert not Earning.objects.filter(track__isnull=True).exists()
    # A later statement with the same line matches by the rule.
    imported(workspace, owner, dk_file(rows=0, unmatched=1, month="2026-04"))
    assert not Earning.objects.filter(track__isnull=True).exists()
    rules = client.get(url("rights-match-rules", workspace)).content.decode()
    assert "Paper Boats" in rules
    rule = MatchRule.objects.get()
    r = client.post(url("rights-match-rule-delete", workspace, rule.pk))
    assert r.status_code == 302 and not MatchRule.objects.exists()
    assert Earning.objects.filter(track__isnull=True).count() == 3


def test_review_queue_without_a_track_says_so(client, workspace, owner, track, other_workspace):
    foreign = TrackFactory(release__workspace=other_workspace, title="Not ours")
    imported(workspace, owner, dk_file(rows=0, unmatched=1))
    key = Earning.objects.get().item.match_key
    client.force_login(owner)
    for chosen in ("", foreign.pk):
        r = client.post(url("rights-review-queue", workspace), {"key": key, "track": chosen})
        assert r.status_code == 400
        assert "Choose the recording these lines are for." in r.content.decode()
    assert not MatchRule.objects.exists()


def test_column_mapping_checked_against_a_file_and_saved(client, workspace, owner):
    client.force_login(owner)
    data = {"name": "Amuse", "date_format": "%Y-%m", "currency": "eur",
            "col_sale_period": "Month", "col_net": "Payout", "col_title": "Song"}  # fmt: skip
    sample = SimpleUploadedFile("amuse.csv", b"Month,Song,Amount\n2026-02,Low Tide,1.00\n")
    r = client.post(url("rights-column-mappings", workspace), {**data, "check_file": sample,
                                                               "check": "1"})  # fmt: skip
    assert r.status_code == 400
    assert "The file has no column “Payout”." in r.content.decode()
    assert not ColumnMapping.objects.exists()
    r = client.post(url("rights-column-mappings", workspace), {**data, "save": "1"})
    assert r.status_code == 302
    mapping = ColumnMapping.objects.get()
    assert mapping.columns["net"] == "Payout" and mapping.currency == "EUR"
    page = client.get(url("rights-column-mappings", workspace)).content.decode()
    assert "Amuse" in page
    r = client.post(url("rights-column-mapping-delete", workspace, mapping.pk))
    assert r.status_code == 302 and not ColumnMapping.objects.exists()


def test_column_mapping_without_the_required_fields_is_refused(client, workspace, owner):
    client.force_login(owner)
    r = client.post(url("rights-column-mappings", workspace), {"name": "Half", "save": "1"})
    assert r.status_code == 400 and not ColumnMapping.objects.exists()


PAGES = ["rights-statements", "rights-review-queue", "rights-match-rules",
         "rights-column-mappings"]  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_member_without_finance_gets_403_and_no_link(client, workspace, member, name):
    client.force_login(member)
    assert client.get(url(name, workspace)).status_code == 403
    overview = client.get(url("rights-index", workspace)).content.decode()
    assert url("rights-statements", workspace) not in overview


def test_viewer_cannot_write(client, workspace, viewer, member_of, track):
    manager = member_of(Role.MANAGER)
    statement = imported(workspace, manager, dk_file(rows=0, unmatched=1))
    client.force_login(manager)
    assert client.get(url("rights-statements", workspace)).status_code == 200
    client.force_login(viewer)
    r = upload(client, workspace, dk_file(rows=5))
    assert r.status_code == 403 and Statement.objects.count() == 1
    key = statement.earnings.get().item.match_key
    r = client.post(url("rights-review-queue", workspace), {"key": key, "track": track.pk})
    assert r.status_code == 403 and not MatchRule.objects.exists()


def test_outsider_and_guest_get_404(client, workspace, owner, outsider, track):
    statement = imported(workspace, owner, dk_file())
    guest = UserFactory(email="guest@example.org")
    ReleaseGuest.objects.create(release=track.release, user=guest)
    for user in (outsider, guest):
        client.force_login(user)
        for name in PAGES:
            assert client.get(url(name, workspace)).status_code == 404
        assert (
            client.get(url("rights-statement-detail", workspace, statement.pk)).status_code == 404
        )


def test_another_workspaces_statement_is_404(client, workspace, owner, other_workspace):
    theirs = imported(other_workspace, owner, dk_file())
    client.force_login(owner)
    assert client.get(url("rights-statement-detail", workspace, theirs.pk)).status_code == 404
    assert client.get(url("rights-statement-line", workspace, theirs.pk, 2)).status_code == 404
