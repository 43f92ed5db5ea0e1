"""The rights overview: where sheets, licences, statements and months stand, money only for
the finance roles, a fixed number of queries, and a first step for a new workspace."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rights.models import (
    Earning,
    Licence,
    Period,
    Share,
    SplitSet,
    SplitSheet,
    SplitSheetVersion,
    SplitSignature,
    Statement,
    Work,
    earning_id,
)
from rights.selectors.overview import rights_overview_get
from tests.factories import PersonFactory, ReleaseFactory, TrackFactory
from tests.rights.payout_helpers import reported_item

pytestmark = pytest.mark.django_db

# The page reads today's date: the licences' ends are set from it.
TODAY = dt.date.today()


def _sheet(workspace, title: str, parties, signed, *, agreed: bool, track=None):
    """A work with a publishing split among ``parties`` and a sheet at version 1 signed by
    ``signed`` (rows written directly: the overview only reads them)."""
    work = Work.objects.create(workspace=workspace, title=title)
    if track is not None:
        work.recordings.add(track)
    split = SplitSet.objects.create(
        workspace=workspace, kind="publishing", work=work, version=1,
        effective_from=dt.date(2026, 1, 1), total=Decimal("100"),
    )  # fmt: skip
    share = Decimal("100") / len(parties)
    for i, person in enumerate(parties):
        Share.objects.create(split_set=split, person=person, role="writer",
                             percent=share.quantize(Decimal("0.0001")), position=i)  # fmt: skip
    sheet = SplitSheet.objects.create(workspace=workspace, work=work, version=1)
    snapshot = {"parties": [{"id": p.pk, "name": p.name} for p in parties]}
    version = SplitSheetVersion.objects.create(
        sheet=sheet, number=1, snapshot=snapshot, fingerprint="f" * 64,
        agreed_at=timezone.now() if agreed else None,
    )  # fmt: skip
    version.split_sets.add(split)
    for person in signed:
        SplitSignature.objects.create(version=version, person=person, via="link",
                                      signed_name=person.name, fingerprint="f" * 64)  # fmt: skip
    return work


def _statement(workspace, n, track, *, lines: int, unmatched: int, month: dt.date, currency="USD"):
    statement = Statement.objects.create(
        workspace=workspace, source="distrokid", filename=f"dk-{n}.tsv", sha256=f"{n:064d}",
        status="imported", lines=lines, unmatched=unmatched, total=Decimal("1.50") * lines,
        currency=currency, period_first=month, period_last=month,
    )  # fmt: skip
    statement.created_at = timezone.now() + dt.timedelta(seconds=n)  # the latest is the last
    statement.save(update_fields=["created_at"])
    for i in range(lines):
        Earning.objects.create(
            id=earning_id(statement_id=statement.pk, line_no=i + 1),
            workspace=workspace, statement=statement, line_no=i + 1,
            statement_period=month, sale_period=month, booked_period=month, store="Spotify",
            territory="SE", units=10, gross=Decimal("1.50"), net=Decimal("1.50"),
            currency=currency, item=reported_item(workspace, title=f"Song {n}-{i}"),
            track=None if i < unmatched else track,
        )  # fmt: skip
    return statement


@pytest.fixture
def catalogue(workspace):
    maya = PersonFactory(workspace=workspace, name="Maya Lind")
    ines = PersonFactory(workspace=workspace, name="Ines Duarte")
    harbour = PersonFactory(workspace=workspace, name="Harbour Lights Publishing")
    release = ReleaseFactory(workspace=workspace, title="Glasshouse")
    low, paper, salt = (TrackFactory(release=release, title=t)
                        for t in ("Low Tide", "Paper Boats", "Salt and Static"))  # fmt: skip
    _sheet(workspace, "Low Tide", [maya, ines], [maya, ines], agreed=True, track=low)
    _sheet(workspace, "Paper Boats", [maya, ines, harbour], [maya], agreed=False, track=paper)
    Licence.objects.create(
        workspace=workspace, direction="granted", kind="sync", title="Low Tide in a trailer",
        counterparty=harbour, track=low, term_start=dt.date(2026, 1, 1),
        term_end=TODAY + dt.timedelta(days=25), currency="EUR", status="active",
    )  # fmt: skip
    for title, end, status in [
        ("Far off", TODAY + dt.timedelta(days=200), "active"),
        ("Ended", TODAY - dt.timedelta(days=3), "active"),
        ("Dropped", TODAY + dt.timedelta(days=10), "terminated"),
    ]:
        Licence.objects.create(
            workspace=workspace, direction="granted", kind="sync", title=title,
            counterparty=harbour, track=low, term_start=dt.date(2025, 1, 1), term_end=end,
            currency="EUR", status=status,
        )  # fmt: skip
    _statement(workspace, 1, low, lines=4, unmatched=1, month=dt.date(2026, 9, 1))
    _statement(workspace, 2, low, lines=3, unmatched=0, month=dt.date(2026, 10, 1))
    _statement(workspace, 3, low, lines=2, unmatched=2, month=dt.date(2026, 11, 1), currency="EUR")
    Period.objects.create(workspace=workspace, month=dt.date(2026, 9, 1), status="closed",
                          currency="EUR", allocated=Decimal("5.40"),
                          closed_at=timezone.now())  # fmt: skip
    Period.objects.create(workspace=workspace, month=dt.date(2026, 10, 1), currency="EUR",
                          allocated=Decimal("4.05"), calculated_at=timezone.now())  # fmt: skip
    return {"low": low, "salt": salt}


def test_overview_figures(workspace, catalogue):
    o = rights_overview_get(workspace=workspace, finance=True, today=TODAY)
    assert o.works == 2 and o.sheets_agreed == 1
    [waiting] = o.sheets_waiting
    assert waiting.title == "Paper Boats"
    assert waiting.unsigned == ["Harbour Lights Publishing", "Ines Duarte"]
    assert o.tracks_without_work == 1
    assert [t.title for t in o.tracks_without_work_sample] == ["Salt and Static"]
    # Only the active licence ending within 90 days: not the far one, the ended or terminated.
    assert [lc.title for lc in o.licences_ending] == ["Low Tide in a trailer"]
    assert o.statements_total == 3 and o.statements[0].filename == "dk-3.tsv"
    assert {(u.currency, u.lines, u.net) for u in o.unmatched} == {
        ("USD", 1, Decimal("1.50")),
        ("EUR", 2, Decimal("3.00")),
    }
    # September is closed: the open months are October (calculated) and November (not yet).
    assert [m.label for m in o.open_months] == ["2026-10", "2026-11"]
    october, november = o.open_months
    assert october.net == {"USD": Decimal("4.50")} and october.period.allocated == Decimal("4.05")
    assert november.net == {"EUR": Decimal("3.00")} and november.period is None
    assert o.last_closed.label == "2026-09"


def test_overview_without_finance_reads_no_money(workspace, catalogue):
    with CaptureQueriesContext(connection) as queries:
        o = rights_overview_get(workspace=workspace, finance=False, today=TODAY)
    assert o.works == 2 and not o.licences_ending and not o.statements and not o.open_months
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    for table in ("rights_earning", "rights_statement", "rights_period", "rights_licence"):
        assert table not in sql


def test_page_shows_money_to_a_manager_only(client, workspace, catalogue, manager, member):
    url = reverse("rights-index", args=[workspace.slug])
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert "Paper Boats" in page and "waiting for Harbour Lights Publishing, Ines Duarte" in page
    assert "Low Tide in a trailer" in page
    assert "3 lines to match" in page
    assert "2026-10" in page and "Last paid month: <strong>2026-09</strong>" in page
    assert reverse("rights-payouts", args=[workspace.slug]) in page

    client.force_login(member)
    page = client.get(url).content.decode()
    assert "Paper Boats" in page and "Salt and Static" in page
    for money in ("Low Tide in a trailer", "lines to match", "Last paid month",
                  reverse("rights-payouts", args=[workspace.slug]),
                  reverse("rights-statements", args=[workspace.slug])):  # fmt: skip
        assert money not in page


def test_another_workspace_cannot_open_it(client, workspace, outsider):
    client.force_login(outsider)
    assert client.get(reverse("rights-index", args=[workspace.slug])).status_code == 404


def test_a_new_workspace_is_told_where_to_start(client, workspace, owner):
    client.force_login(owner)
    page = client.get(reverse("rights-index", args=[workspace.slug])).content.decode()
    assert "Where to start" in page and "Add your songs" in page
    assert "Import a statement" in page


def test_page_queries_do_not_grow_with_rows(client, workspace, catalogue, manager):
    url = reverse("rights-index", args=[workspace.slug])
    client.force_login(manager)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    people = [PersonFactory(workspace=workspace) for _ in range(3)]
    for i in range(4):
        _sheet(workspace, f"More {i}", people, people[:1], agreed=False)
        _sheet(workspace, f"Agreed {i}", people, people, agreed=True)
    for n in range(4, 10):
        _statement(
            workspace, n, catalogue["low"], lines=2, unmatched=1, month=dt.date(2026, 3 + n % 6, 1)
        )
    with CaptureQueriesContext(connection) as many:
        page = client.get(url).content.decode()
    assert "More 3" in page
    assert len(many.captured_queries) == len(few.captured_queries)
