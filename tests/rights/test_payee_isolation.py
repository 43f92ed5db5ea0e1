"""Payees see their own statements and nothing else of the workspace; finance sees all."""

import pytest
from django.urls import reverse

from collaborators.permissions import Role
from rights.services.payouts import period_calculate
from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.rights.payout_helpers import MARCH, agreed_split, earn, track_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(workspace):
    outsider_user = UserFactory(email="ola@example.org")
    maya = PersonFactory(workspace=workspace, name="Mia Holm")
    ola = PersonFactory(workspace=workspace, name="Ola Berg", user=outsider_user)
    track = track_of(workspace)
    agreed_split(track, [(maya, "60"), (ola, "40")])
    earn(workspace, track, "100.00", store='=HYPERLINK("x")')
    period = period_calculate(workspace=workspace, month=MARCH)
    return {
        "period": period, "ola_user": outsider_user,
        "ola": period.statements.get(payee=ola), "maya": period.statements.get(payee=maya),
    }  # fmt: skip


def _url(name, statement):
    return reverse(name, args=["maya", statement.pk])


def test_outside_payee_sees_only_their_own(client, month):
    client.login(email="ola@example.org", password=PASSWORD)
    page = client.get(reverse("rights-my-statements", args=["maya"]))
    assert page.status_code == 200
    assert "Ola Berg" in page.content.decode() and "Mia Holm" not in page.content.decode()
    own = client.get(_url("rights-payee-statement", month["ola"]))
    assert own.status_code == 200 and "40.00" in own.content.decode()
    for name in ("rights-payee-statement", "rights-payee-statement-pdf",
                 "rights-payee-statement-csv"):  # fmt: skip
        assert client.get(_url(name, month["maya"])).status_code == 404
    # Nothing else of the workspace: the payouts page and the workspace's other pages.
    assert client.get(reverse("rights-payouts", args=["maya"])).status_code == 404
    assert client.get(reverse("rights-period", args=["maya", "2026-03"])).status_code == 404


def test_stranger_and_other_workspace_get_404(client, month, other_workspace):
    UserFactory(email="nobody@example.org")
    client.login(email="nobody@example.org", password=PASSWORD)
    assert client.get(reverse("rights-my-statements", args=["maya"])).status_code == 404
    assert client.get(_url("rights-payee-statement", month["ola"])).status_code == 404
    client.login(email="ola@example.org", password=PASSWORD)
    assert (
        client.get(
            reverse("rights-payee-statement", args=["marchetti", month["ola"].pk])
        ).status_code
        == 404
    )


def test_member_without_finance_sees_only_their_own(client, month, member_of):
    member = member_of(Role.MEMBER, email="member@example.com")
    client.login(email="member@example.com", password=PASSWORD)
    assert client.get(reverse("rights-payouts", args=["maya"])).status_code == 403
    page = client.get(reverse("rights-my-statements", args=["maya"]))
    assert page.status_code == 200 and "No statements yet" in page.content.decode()
    assert client.get(_url("rights-payee-statement", month["ola"])).status_code == 404
    assert member


def test_finance_downloads_any_payee(client, month, owner):
    client.login(email="owner@example.com", password=PASSWORD)
    csv = client.get(_url("rights-payee-statement-csv", month["maya"]))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    # The store name from the distributor's file is neutralised, not a live formula.
    assert "'=HYPERLINK" in text and "60.00" in text
    pdf = client.get(_url("rights-payee-statement-pdf", month["maya"]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_finance_sees_every_payee(client, month, owner):
    # (The page shows the rights sub-navigation, so it needs the statements pages' URLs.)
    client.login(email="owner@example.com", password=PASSWORD)
    page = client.get(reverse("rights-my-statements", args=["maya"])).content.decode()
    assert "Ola Berg" in page and "Mia Holm" in page
