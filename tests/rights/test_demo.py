"""seed_demo's rights: works with writers and a publisher, an agreed and a pending split sheet, a
licence ending within 30 days, a year of statements from two distributors, the older months
paid with payees that add up to the cent, and nothing new on a second run."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from collaborators import demo as registry
from collaborators.models import Workspace
from rights import demo
from rights.codes import iswc_normalize
from rights.models import (
    Allocation,
    Earning,
    Licence,
    PayeeStatement,
    Period,
    Recoupment,
    SplitSheet,
    Statement,
    Work,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _counts() -> tuple[int, ...]:
    return (
        Work.objects.count(),
        Statement.objects.count(),
        Earning.objects.count(),
        Licence.objects.count(),
        Period.objects.count(),
        Allocation.objects.count(),
        PayeeStatement.objects.count(),
    )


@pytest.fixture
def seeded(monkeypatch):
    """seed_demo with short demo audio (the rights part does not depend on its length)."""
    from audio import demo as audio_demo
    from releases import demo as releases_demo

    def short_audio(**kwargs):
        return audio_demo.seed_audio(**{**kwargs, "seconds": 3.0})

    def short_releases(**kwargs):
        return releases_demo.seed_releases(**{**kwargs, "seconds": 3.0})

    monkeypatch.setitem(registry._SEEDERS, "audio", short_audio)
    monkeypatch.setitem(registry._SEEDERS, "releases", short_releases)
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return Workspace.objects.get(slug="maya-lind")


def test_seed_demo_brings_works_sheets_and_licences_once(seeded):
    workspace = seeded
    works = Work.objects.filter(workspace=workspace).prefetch_related("parties__person")
    assert works.count() >= 4
    for work in works:
        assert work.iswc and iswc_normalize(work.iswc) == work.iswc  # a valid check digit
        roles = {p.role for p in work.parties.all()}
        assert roles & {"composer", "lyricist", "composer_lyricist"}, work
    assert any(
        p.person.name == "Harbour Lights Publishing" and p.role == "publisher"
        for w in works
        for p in w.parties.all()
    )

    # Sheets: "Low Tide" agreed by everyone; one album song waits for a party's signature.
    sheets = {s.work.title: s for s in SplitSheet.objects.filter(workspace=workspace)}
    low = sheets["Low Tide"].versions.get(number=sheets["Low Tide"].version)
    assert low.agreed_at is not None
    pending = [
        s
        for s in sheets.values()
        if s.version and s.versions.get(number=s.version).agreed_at is None
    ]
    assert pending, "one album song's sheet waits for a signature"
    version = pending[0].versions.get(number=pending[0].version)
    assert version.signatures.exists() and version.requests.exists()

    # A master split in three exact shares on one recording.
    from rights.models import Share

    three = Share.objects.filter(split_set__workspace=workspace, split_set__kind="master")
    assert {str(s.percent) for s in three} >= {"33.3334", "33.3333"}

    # A licence ending within 30 days, still active, and another one.
    today = dt.date.today()
    licences = Licence.objects.filter(workspace=workspace)
    assert licences.count() >= 2
    assert licences.filter(
        status="active",
        term_end__gt=today,
        term_end__lte=today + dt.timedelta(days=30),
    ).exists()

    # A second run changes nothing.
    counts = _counts()
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert _counts() == counts


def test_seed_demo_brings_a_year_of_statements_and_the_paid_months(seeded):
    workspace = seeded
    today = dt.date.today()
    # A year of statements from DistroKid and TuneCore, with a few lines left to match.
    statements = Statement.objects.filter(workspace=workspace, status="imported")
    assert set(statements.values_list("source", flat=True)) == {"distrokid", "tunecore"}
    months = set(Earning.objects.filter(workspace=workspace).values_list("sale_period", flat=True))
    assert months == set(demo.demo_months(today))
    assert Earning.objects.filter(workspace=workspace).count() > 12 * 200
    assert Earning.objects.filter(workspace=workspace, track__isnull=True).exists()

    # Every month calculated; all but the last two closed (paid), those two open.
    periods = list(Period.objects.filter(workspace=workspace).order_by("month"))
    assert [p.month for p in periods] == demo.demo_months(today)
    assert [p.status for p in periods] == ["closed"] * 10 + ["open"] * 2
    for period in periods:
        paid = Allocation.objects.filter(period=period).aggregate(s=Sum("amount"))["s"]
        assert period.allocated > 0 and paid == period.allocated, period
    # The release budget's recoupable expenses and the album advance are recouped first.
    assert sum((p.recouped for p in periods), Decimal(0)) > 0
    assert Recoupment.objects.filter(period__workspace=workspace, advance__isnull=False).exists()
    assert Recoupment.objects.filter(period__workspace=workspace, expense__isnull=False).exists()

    # The overview says it all to the owner: the waiting sheet, the licence, the open months.
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(workspace.memberships.get(role="owner").user)
    page = client.get(reverse("rights-index", args=[workspace.slug])).content.decode()
    assert "waiting for Harbour Lights Publishing" in page and "Tidewater" in page
    assert f"Last paid month: <strong>{periods[-3].label}</strong>" in page
