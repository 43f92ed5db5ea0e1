"""Statement import end to end: each format into earnings, matching, idempotency, all or
nothing, closed months, the review queue's remembered rules, the command and the job."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from collaborators.models import Workspace
from releases.services import catalogue
from rights.models import Earning, MatchRule, Period, Statement, StatementJob
from rights.selectors.statements import unmatched_groups
from rights.services import matching
from rights.services.statements import statement_import, statement_source_line, statement_upload
from rights.statements import StatementError

from .statements.helpers import DK_NEWER, DK_OLDER, csv_text, dk_newer_row, tsv
from .statements.test_formats import BANDCAMP, CDBABY, TUNECORE

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_(workspace, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    album = catalogue.release_create(workspace=workspace, title="Harbour Lights", type="album")
    album.upc = "859700000017"
    album.save()
    low = catalogue.track_create(release=album, title="Low Tide")
    low.isrc = "QZABC2600001"
    low.save()
    second = catalogue.track_create(release=album, title="Low Tide, Pt. 2")
    single = catalogue.release_create(workspace=workspace, title="Café Noir", type="single")
    single.upc = "859700000024"
    single.save()
    cafe = catalogue.track_create(release=single, title="Café Noir")
    return {"album": album, "low": low, "second": second, "cafe": cafe}


def dk(rows: list[dict[str, str]]) -> bytes:
    return tsv(DK_NEWER, [dk_newer_row(**row) for row in rows]).encode()


def run(workspace, data: bytes, name: str = "statement.tsv", **kwargs):
    return statement_import(workspace=workspace, file=io.BytesIO(data), filename=name, **kwargs)


def test_distrokid_newer_layout_matches_by_isrc(workspace, catalogue_):
    data = dk(
        [
            {"Earnings_(USD)": "4.12345678901"},
            {"Store": "Apple Music", "Country_of_Sale": "GB", "Earnings_(USD)": "1.5"},
            {"ISRC": "QZABC2699999", "Title": "Unknown Song", "Earnings_(USD)": "0.25"},
        ]
    )
    result = run(workspace, data)
    assert (result.lines, result.matched, result.unmatched) == (3, 2, 1)
    assert result.total == Decimal("5.87345678901") and result.currency == "USD"
    assert not result.duplicate
    low = Earning.objects.filter(track=catalogue_["low"]).order_by("line_no")
    assert [e.store for e in low] == ["Spotify", "Apple Music"]
    first = low[0]
    assert first.net == Decimal("4.1234567890")  # the column keeps ten places
    assert first.sale_period == dt.date(2026, 2, 1) and first.booked_period == dt.date(2026, 2, 1)
    assert first.release_id == catalogue_["album"].pk and first.territory == "US"
    statement = Statement.objects.get()
    assert statement.source == "distrokid" and statement.status == "imported"
    assert "Low Tide" in statement_source_line(statement=statement, line_no=first.line_no)


def test_distrokid_older_layout(workspace, catalogue_):
    row = dict(zip(DK_NEWER, dk_newer_row(), strict=True))
    row["Song/Album"] = "Song"
    row["Songwriter Royalties Withheld"] = "0"
    data = tsv(DK_OLDER, [[row[c] for c in DK_OLDER]]).encode()
    result = run(workspace, data)
    assert (result.source, result.matched) == ("distrokid", 1)


def test_tunecore_matches_by_upc_and_title_and_cdbaby_by_the_singles_upc(workspace, catalogue_):
    tc_row = [
        "2026-01-01", "2026-03-15", "Apple Music", "UK", "Sam Reyes", "Song", "Harbour Lights",
        "Low Tide, Pt. 2", "Reyes Records", "859700000017", "", "991", "", "Streaming", "310",
        "0.0075", "2.325", "USD", "0.79", "1.83675", "GBP",
    ]  # fmt: skip
    result = run(workspace, csv_text(TUNECORE, [tc_row]).encode(), "tunecore.csv")
    assert (result.source, result.matched, result.currency) == ("tunecore", 1, "GBP")
    assert Earning.objects.get().track == catalogue_["second"]
    cd_row = [
        "03/2026", "Jan 2026", "Spotify", "France", "Inès Marlow", "Café Noir", "Café Noir",
        "859700000024", "", "Stream", "1200", "4.80", "4.32", "USD",
    ]  # fmt: skip
    result = run(workspace, tsv(CDBABY, [cd_row]).encode("latin-1"), "cdbaby.tsv")
    assert (result.source, result.matched) == ("cdbaby", 1)
    assert Earning.objects.get(statement_id=result.statement_id).track == catalogue_["cafe"]


def test_bandcamp_sales(workspace, catalogue_):
    row = [
        "1/15/2026 3:04:05 pm", "paypal", "track", "Low Tide", "Sam Reyes", "EUR", "1.00", "2",
        "", "2.00", "0", "0.40", "2.00", "1.60", "", "QZABC2600001", "Alex", "Germany", "DE",
    ]  # fmt: skip
    result = run(workspace, csv_text(BANDCAMP, [row]).encode(), "bandcamp.csv")
    assert (result.source, result.matched, result.currency) == ("bandcamp", 1, "EUR")
    assert Earning.objects.get().territory == "DE"


def test_the_same_file_twice_changes_nothing(workspace, catalogue_):
    data = dk([{}, {"Store": "Deezer"}])
    run(workspace, data)
    again = run(workspace, data, "renamed.tsv")
    assert again.duplicate and again.lines == 2
    assert Statement.objects.count() == 1 and Earning.objects.count() == 2


def test_overlapping_files_import_only_new_lines(workspace, catalogue_):
    run(workspace, dk([{}, {"Store": "Deezer"}]))
    second = run(workspace, dk([{}, {"Store": "Deezer"}, {"Store": "Tidal"}]), "march.tsv")
    assert (second.lines, second.skipped, second.matched, second.duplicate) == (3, 2, 1, False)
    assert Earning.objects.count() == 3


def test_a_re_export_of_two_months_skips_both_months_lines_and_counts_what_is_left(
    workspace, catalogue_
):
    april = [{}, {"Store": "Deezer", "ISRC": "QZABC2699999", "Title": "Unknown"}]
    may = [{"Reporting_Date": "2026-05-05", "Sale_Month": "2026-03"}]
    run(workspace, dk(april), "april.tsv")
    run(workspace, dk(may), "may.tsv")
    new = {"Reporting_Date": "2026-05-05", "Store": "Tidal", "Earnings_(USD)": "2"}
    both = run(workspace, dk([*april, *may, new]), "april-may.tsv")
    # The total is the file's; the figures are of the lines written (the new Tidal one).
    assert (both.lines, both.skipped, both.matched, both.unmatched) == (4, 3, 1, 0)
    assert both.total == Decimal("4.12345678901") * 3 + Decimal("2")
    assert Earning.objects.count() == 4
    assert Earning.objects.filter(statement_id=both.statement_id).get().store == "Tidal"
    statement = Statement.objects.get(pk=both.statement_id)
    assert (statement.reported_first, statement.reported_last) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 5, 1),
    )


def test_the_same_figures_reported_in_a_new_month_are_new_lines(workspace, catalogue_):
    run(workspace, dk([{}]), "april.tsv")
    # The same song, store and figures reported in May is a new line (its bytes differ).
    may = run(workspace, dk([{"Reporting_Date": "2026-05-05"}]), "may.tsv")
    assert (may.lines, may.skipped) == (1, 0)
    assert Earning.objects.count() == 2


def test_a_re_export_written_differently_repeats_nothing(workspace, catalogue_):
    """The same line is the same content, not the same bytes: "4.1" for "4.10" and another
    "Date Inserted" (a column Liner does not read) are still the line imported before."""
    run(workspace, dk([{"Earnings_(USD)": "4.10"}]), "april.tsv")
    again = run(workspace, dk([{"Earnings_(USD)": "4.1", "Date_Inserted": "2026-06-01"}]), "re.tsv")
    assert (again.lines, again.skipped, again.duplicate) == (1, 1, False)
    assert Earning.objects.count() == 1


def test_lines_repeated_inside_one_file_are_all_kept(workspace, catalogue_):
    """Two identical lines in one statement are what the distributor reported; only a line
    imported before, from another file, is skipped."""
    result = run(workspace, dk([{}, {}]))
    assert (result.lines, result.skipped, result.matched) == (2, 0, 2)
    assert result.total == Decimal("4.12345678901") * 2
    again = run(workspace, dk([{}, {}, {"Store": "Tidal"}]), "again.tsv")
    assert (again.lines, again.skipped) == (3, 2)


def test_a_bad_line_at_the_end_leaves_nothing(workspace, catalogue_, settings, tmp_path):
    data = dk([{}, {}, {"Store": "Deezer", "Earnings_(USD)": "twelve"}])
    with pytest.raises(StatementError) as raised:
        run(workspace, data)
    assert raised.value.line == 4
    assert Earning.objects.count() == 0 and Statement.objects.count() == 0
    media = tmp_path / "media"
    assert not [p for p in media.rglob("*") if p.is_file()]  # the stored copy went too


def test_unknown_columns_are_refused_in_words(workspace):
    with pytest.raises(StatementError, match="column"):
        run(workspace, b"Foo\tBar\n1\t2\n")
    assert not Statement.objects.exists()


def test_a_closed_month_books_late_lines_into_the_next_open_one(workspace, catalogue_):
    Period.objects.create(
        workspace=workspace, month=dt.date(2026, 2, 1), status="closed",
        closed_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC), currency="USD",
    )  # fmt: skip
    result = run(workspace, dk([{}, {"Sale_Month": "2026-03"}]))
    assert result.adjustments == 1 and result.booked_into == ["2026-03"]
    late = Earning.objects.get(adjustment=True)
    assert late.sale_period == dt.date(2026, 2, 1) and late.booked_period == dt.date(2026, 3, 1)


def test_the_review_queue_and_its_remembered_rule(workspace, catalogue_, owner):
    unknown = {"ISRC": "", "Title": "Low Tide (Live)", "Artist": "Maya Lind"}
    run(workspace, dk([unknown, {**unknown, "Store": "Deezer", "Earnings_(USD)": "2"}]))
    [group] = unmatched_groups(workspace=workspace)
    assert group.lines == 2 and group.stores == ["Deezer", "Spotify"]
    assert group.amounts == {"USD": Decimal("6.12")}
    rule = matching.match_rule_create(
        workspace=workspace, key=group.key, track=catalogue_["low"], user=owner
    )
    assert Earning.objects.filter(track=catalogue_["low"], rule=rule).count() == 2
    assert unmatched_groups(workspace=workspace) == []
    later = run(workspace, dk([{**unknown, "Sale_Month": "2026-03"}]), "march.tsv")
    assert (later.matched, later.unmatched) == (1, 0)
    assert matching.match_rule_delete(rule=rule, user=owner) == 3
    assert not MatchRule.objects.exists() and unmatched_groups(workspace=workspace)


def test_a_rule_for_a_track_of_another_workspace_is_refused(workspace, catalogue_, owner):
    run(workspace, dk([{"ISRC": "", "Title": "Nope"}]))
    [group] = unmatched_groups(workspace=workspace)
    other = Workspace.objects.create(name="Other", slug="other")
    foreign = catalogue.track_create(
        release=catalogue.release_create(workspace=other, title="X", type="single"), title="X"
    )
    with pytest.raises(Exception, match="workspace"):
        matching.match_rule_create(workspace=workspace, key=group.key, track=foreign, user=owner)


def test_a_matched_line_of_a_paid_month_moves_to_the_next_open_month(workspace, catalogue_):
    run(workspace, dk([{"ISRC": "", "Title": "Stray"}]))
    Period.objects.create(
        workspace=workspace, month=dt.date(2026, 2, 1), status="closed",
        closed_at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC), currency="USD",
    )  # fmt: skip
    [group] = unmatched_groups(workspace=workspace)
    matching.match_rule_create(workspace=workspace, key=group.key, track=catalogue_["low"])
    earning = Earning.objects.get()
    assert earning.booked_period == dt.date(2026, 3, 1) and earning.adjustment


def test_the_command_prints_one_json_object(workspace, catalogue_, tmp_path, capsys):
    path = tmp_path / "dk.tsv"
    path.write_bytes(dk([{}, {"ISRC": "QZABC2699999", "Earnings_(USD)": "1"}]))
    call_command("import_statement", str(path), "--workspace", workspace.slug, "--json")
    data = json.loads(capsys.readouterr().out)
    assert {k: data[k] for k in ("lines", "matched", "unmatched", "currency", "duplicate")} == {
        "lines": 2, "matched": 1, "unmatched": 1, "currency": "USD", "duplicate": False,
    }  # fmt: skip
    assert data["total"] == "5.12345678901"
    call_command("import_statement", str(path), "--workspace", workspace.slug, "--json")
    assert json.loads(capsys.readouterr().out)["duplicate"] is True


def test_the_command_refuses_bad_input_in_words(workspace, tmp_path):
    with pytest.raises(CommandError, match="no workspace"):
        call_command("import_statement", "x.tsv", "--workspace", "nope")
    with pytest.raises(CommandError, match="no file"):
        call_command("import_statement", str(tmp_path / "x.tsv"), "--workspace", workspace.slug)
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_statement", str(bad), "--workspace", workspace.slug)


def test_an_upload_runs_as_a_job_and_a_second_upload_is_a_duplicate(
    workspace, catalogue_, owner, django_capture_on_commit_callbacks
):
    data = dk([{}, {"Store": "Deezer"}])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = statement_upload(
            workspace=workspace, upload=SimpleUploadedFile("dk.tsv", data), user=owner
        )
    job = StatementJob.objects.get(pk=outcome.job.pk)
    assert job.status == "done" and job.progress == 100, job.error
    assert job.result["lines"] == 2 and job.result["matched"] == 2
    again = statement_upload(
        workspace=workspace, upload=SimpleUploadedFile("copy.tsv", data), user=owner
    )
    assert again.duplicate and again.statement.pk == outcome.statement.pk and again.job is None


def test_a_bad_upload_fails_its_job_readably_and_writes_nothing(
    workspace, catalogue_, owner, django_capture_on_commit_callbacks
):
    data = dk([{}, {"Earnings_(USD)": "=1+1"}])
    with django_capture_on_commit_callbacks(execute=True):
        outcome = statement_upload(
            workspace=workspace, upload=SimpleUploadedFile("dk.tsv", data), user=owner
        )
    job = StatementJob.objects.get(pk=outcome.job.pk)
    assert job.status == "failed" and "Line 3" in job.error
    statement = Statement.objects.get()
    assert statement.status == "failed" and "Line 3" in statement.error
    assert not Earning.objects.exists()
    # The same file fixed is a new import; the failed one is tried again from scratch.
    fixed = dk([{}, {"Earnings_(USD)": "1"}])
    with django_capture_on_commit_callbacks(execute=True):
        statement_upload(workspace=workspace, upload=SimpleUploadedFile("dk.tsv", fixed))
    assert Earning.objects.count() == 2


def test_an_empty_or_oversized_upload_is_refused(workspace, settings):
    with pytest.raises(Exception, match="empty"):
        statement_upload(workspace=workspace, upload=SimpleUploadedFile("x.tsv", b""))
    settings.RIGHTS_STATEMENT_MAX_BYTES = 10
    with pytest.raises(Exception, match="limit"):
        statement_upload(workspace=workspace, upload=SimpleUploadedFile("x.tsv", b"x" * 11))


def test_text_with_backslashes_and_quoted_line_breaks_reads_back_as_written(workspace, catalogue_):
    header = "\t".join(DK_NEWER)
    row = dict(zip(DK_NEWER, dk_newer_row(), strict=True))
    row.update({"Title": '"Back\\slash\nSong"', "Artist": "AC\\DC", "ISRC": ""})
    data = (header + "\n" + "\t".join(row[c] for c in DK_NEWER) + "\n").encode()
    run(workspace, data)
    earning = Earning.objects.get()
    assert (earning.item.title, earning.item.artist) == ("Back\\slash\nSong", "AC\\DC")


def test_a_file_over_the_limit_is_refused_from_the_command_line_too(workspace, settings):
    settings.RIGHTS_STATEMENT_MAX_BYTES = 100
    with pytest.raises(StatementError, match="the limit is") as caught:
        run(workspace, dk([{}, {}]))
    assert caught.value.code == "too_large" and not Statement.objects.exists()
