"""Payouts pages: who sees them, what a month's page says, its query count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaborators.permissions import Role
from rights.models import Period
from tests.factories import PASSWORD, PersonFactory
from tests.rights.payout_helpers import MARCH, agreed_split, artist, earn, track_of

pytestmark = pytest.mark.django_db


def _login(client, user):
    client.login(email=user.email, password=PASSWORD)


def test_member_without_finance_gets_403(client, workspace, member_of):
    _login(client, member_of(Role.MEMBER, email="m@example.com"))
    assert client.get(reverse("rights-payouts", args=["maya"])).status_code == 403
    response = client.post(reverse("rights-payouts-calculate", args=["maya"]), {"month": "2026-03"})
    assert response.status_code == 403
    assert not Period.objects.exists()


def test_calculate_and_the_page_names_the_default_payee(client, workspace, owner):
    artist(workspace, "Maya Artist")
    earn(workspace, track_of(workspace, "Harbour Lights"), "12.00")
    _login(client, owner)
    bad = client.post(reverse("rights-payouts-calculate", args=["maya"]), {"month": "March"})
    assert bad.status_code == 302 and not Period.objects.exists()
    response = client.post(
        reverse("rights-payouts-calculate", args=["maya"]), {"month": "2026-03"}, follow=True
    )
    page = response.content.decode()
    assert "Recordings paid to the default payee" in page
    assert "Harbour Lights" in page and "Maya Artist" in page


def test_mark_as_paid_form(client, workspace, owner):
    maya = PersonFactory(workspace=workspace, name="Ada")
    track = track_of(workspace)
    agreed_split(track, [(maya, "100")])
    earn(workspace, track, "40.00")
    _login(client, owner)
    client.post(reverse("rights-payouts-calculate", args=["maya"]), {"month": "2026-03"})
    statement = Period.objects.get().statements.get()
    url = reverse("rights-period-close", args=["maya", "2026-03"])
    too_much = client.post(url, {f"amount-{statement.pk}": "41"})
    assert too_much.status_code == 400 and "more than the 40.00 due" in too_much.content.decode()
    assert not Period.objects.get().closed
    client.post(url, {f"amount-{statement.pk}": "40.00", f"reference-{statement.pk}": "SEPA"})
    period = Period.objects.get()  # closing recalculates first: the statement rows are new
    assert period.closed and period.statements.get().payments == Decimal("40.00")
    # A paid month says so, not what was due.
    page = client.get(reverse("rights-period", args=["maya", "2026-03"])).content.decode()
    assert "<td>Paid</td>" in page
    mine = reverse("rights-payee-statement", args=["maya", period.statements.get().pk])
    assert "Paid (40.00)" in client.get(mine).content.decode()


def test_period_page_query_count_is_constant(client, workspace, owner):
    from rights.services.payouts import period_calculate

    _login(client, owner)
    url = reverse("rights-period", args=["maya", "2026-03"])

    def build(n):
        for i in range(n):
            track = track_of(workspace, f"Song {i}")
            agreed_split(track, [(PersonFactory(workspace=workspace), "100")])
            earn(workspace, track, "20.00")
            earn(workspace, track_of(workspace, f"Unsplit {i}"), "1.00")
        artist(workspace, f"Artist {n}")
        period_calculate(workspace=workspace, month=MARCH)

    build(2)
    client.get(url)  # the first visit also remembers the workspace in the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    build(6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_rates_page_sets_and_imports_all_or_nothing(client, workspace, owner):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rights.models import ExchangeRate

    _login(client, owner)
    url = reverse("rights-rates", args=["maya"])
    bad = client.post(url, {"month": "2026-03", "currency": "EUR", "rate": "0"})
    assert bad.status_code == 400 and not ExchangeRate.objects.exists()
    client.post(url, {"month": "2026-03", "currency": "EUR", "rate": "1.08"})
    assert ExchangeRate.objects.get().rate == Decimal("1.08")
    data = b"period,currency,rate\n2026-04,SEK,0.09\n2026-4x,NOK,0.1\n"
    page = client.post(url, {"file": SimpleUploadedFile("r.csv", data)})
    assert page.status_code == 400 and "Line 3" in page.content.decode()
    assert ExchangeRate.objects.count() == 1
    client.post(url, {"file": SimpleUploadedFile("r.csv", data.replace(b"4x", b"04"))})
    assert ExchangeRate.objects.count() == 3


def test_advances_page_adds_one(client, workspace, owner):
    from rights.models import Advance

    release = track_of(workspace).release
    person = PersonFactory(workspace=workspace)
    _login(client, owner)
    url = reverse("rights-advances", args=["maya"])
    form = {"release": release.pk, "recipient": person.pk, "amount": "250.00",
            "currency": "USD", "paid_on": "2026-01-10", "recoup_from": "recipient"}  # fmt: skip
    assert client.post(url, form | {"amount": "-1"}).status_code == 400
    assert client.post(url, form).status_code == 302
    advance = Advance.objects.get()
    assert advance.amount == Decimal("250.00")
    assert (
        reverse("rights-advance-delete", args=["maya", advance.pk])
        in client.get(url).content.decode()
    )
    delete = reverse("rights-advance-delete", args=["maya", advance.pk])
    assert client.post(delete).status_code == 302 and not Advance.objects.exists()
    assert client.post(delete).status_code == 404
