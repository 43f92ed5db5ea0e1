"""The payouts API: finance reads and writes, payees read their own, errors in one shape."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rights.models import Period
from rights.services.payouts import period_calculate
from tests.conftest import assert_error_shape
from tests.factories import PersonFactory, UserFactory
from tests.rights.payout_helpers import MARCH, agreed_split, earn, track_of

pytestmark = pytest.mark.django_db
BASE = "/api/workspaces/maya/"


@pytest.fixture
def month(workspace):
    payee_user = UserFactory(email="ola@example.org")
    ada = PersonFactory(workspace=workspace, name="Ada")
    ola = PersonFactory(workspace=workspace, name="Ola", user=payee_user)
    track = track_of(workspace)
    agreed_split(track, [(ada, "50"), (ola, "50")])
    earn(workspace, track, "30.01")
    return {"ada": ada, "ola": ola, "user": payee_user}


def test_calculate_payees_and_close(api, month, owner):
    client = api(owner)
    response = client.post(f"{BASE}periods/2026-03/calculate/")
    assert response.status_code == 200 and response.json()["allocated"] == "30.01"
    payees = client.get(f"{BASE}periods/2026-03/payees/").json()
    assert sum(Decimal(p["earnings"]) for p in payees) == Decimal("30.01")
    too_much = client.post(
        f"{BASE}periods/2026-03/close/",
        {"payments": [{"payee_id": month["ada"].pk, "amount": "99.00"}]}, format="json",
    )  # fmt: skip
    assert_error_shape(too_much, 400)
    assert "more than the 15.01 due" in too_much.json()["detail"]
    closed = client.post(f"{BASE}periods/2026-03/close/", {}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = client.post(f"{BASE}periods/2026-03/calculate/")
    assert again.status_code == 400 and "closed" in again.json()["detail"]
    assert client.get(f"{BASE}periods/2026-13/").status_code == 404


def test_member_refused_and_payee_sees_own(api, month, member_of, workspace):
    period_calculate(workspace=workspace, month=MARCH)
    member = member_of("member", email="m@example.com")
    assert api(member).get(f"{BASE}periods/").status_code == 403
    payee = api(month["user"])
    assert payee.get(f"{BASE}periods/").status_code == 404
    mine = payee.get(f"{BASE}me/statements/").json()
    assert [s["payee_name"] for s in mine] == ["Ola"]
    period = Period.objects.get()
    other = period.statements.get(payee=month["ada"])
    assert payee.get(f"{BASE}payee-statements/{other.pk}/").status_code == 404
    assert payee.get(f"{BASE}payee-statements/{other.pk}.csv").status_code == 404
    own = period.statements.get(payee=month["ola"])
    assert payee.get(f"{BASE}payee-statements/{own.pk}/").json()["earnings"] == "15.00"
    assert payee.get(f"{BASE}payee-statements/{own.pk}.pdf").content.startswith(b"%PDF")


def test_period_list_query_count(api, owner, workspace):
    client = api(owner)
    earn(workspace, None, "1.00")
    period_calculate(workspace=workspace, month=MARCH)
    client.get(f"{BASE}periods/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{BASE}periods/")
    for m in (4, 5, 6, 7):
        period_calculate(workspace=workspace, month=MARCH.replace(month=m))
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{BASE}periods/").json()) == 5
    assert len(many) == len(few)


def test_rates_advances_and_settings(api, owner, workspace, assert_shape=assert_error_shape):
    client = api(owner)
    response = client.post(
        f"{BASE}exchange-rates/",
        {"period": "2026-03", "currency": "sek", "rate": "0.09"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["currency"] == "SEK"
    refused = client.post(
        f"{BASE}exchange-rates/",
        {"period": "2026-03", "currency": "SEK", "rate": "-1"},
        format="json",
    )
    assert_shape(refused, 400)
    assert [r["rate"] for r in client.get(f"{BASE}exchange-rates/").json()] == ["0.09000000"]
    person = PersonFactory(workspace=workspace)
    release = track_of(workspace).release
    created = client.post(f"{BASE}advances/", {
        "release_id": release.pk, "recipient_id": person.pk, "amount": "100.00",
        "currency": "USD", "paid_on": "2026-01-01"}, format="json")  # fmt: skip
    assert created.status_code == 201
    assert len(client.get(f"{BASE}advances/").json()) == 1
    gone = client.delete(f"{BASE}advances/{created.json()['id']}/")
    assert gone.status_code == 204 and client.get(f"{BASE}advances/").json() == []
    assert_shape(client.delete(f"{BASE}advances/{created.json()['id']}/"), 404)
    changed = client.put(
        f"{BASE}rights-settings/",
        {"default_payee_id": person.pk, "minimum_payout": "25.00"},
        format="json",
    )
    assert changed.json() == {"default_payee_id": person.pk, "minimum_payout": "25.00"}
    bad = client.put(
        f"{BASE}rights-settings/",
        {"default_payee_id": 999999, "minimum_payout": "1"},
        format="json",
    )
    assert_shape(bad, 400)
