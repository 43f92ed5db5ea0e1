"""Closing months: in order, only without problems, then never changed again."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collaborators.audit import AuditEntry
from rights.models import Payment
from rights.services.payouts import exchange_rate_set, period_calculate, period_close
from tests.factories import PersonFactory
from tests.rights.payout_helpers import APRIL, FEB, MARCH, agreed_split, earn, track_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(workspace, owner):
    track = track_of(workspace)
    maya, ola = (
        PersonFactory(workspace=workspace, name="Maya"),
        PersonFactory(workspace=workspace, name="Ola"),
    )
    agreed_split(track, [(maya, "50"), (ola, "50")])
    earn(workspace, track, "100.00")
    return workspace, track, maya, ola


def test_close_pays_every_due_statement_and_audits(paid, owner):
    workspace, _, maya, _ = paid
    period = period_close(period=period_calculate(workspace=workspace, month=MARCH), user=owner)
    assert period.closed and period.closed_by == owner
    assert sorted(Payment.objects.values_list("amount", flat=True)) == [Decimal("50.00")] * 2
    statement = period.statements.get(payee=maya)
    assert statement.payments == Decimal("50.00") and statement.closing == 0
    actions = list(
        AuditEntry.objects.filter(workspace=workspace, finance=True).values_list(
            "action", flat=True
        )
    )
    assert actions.count("rights.payout_paid") == 2 and "rights.period_closed" in actions


def test_partial_payment_and_too_much_refused(paid, owner):
    workspace, _, maya, ola = paid
    period = period_calculate(workspace=workspace, month=MARCH)
    with pytest.raises(ValidationError, match="more than the 50.00 due"):
        period_close(period=period, payments=[{"payee": maya, "amount": Decimal("51")}], user=owner)
    period.refresh_from_db()
    assert not period.closed and Payment.objects.count() == 0
    period = period_close(
        period=period,
        payments=[{"payee": maya, "amount": Decimal("20"), "reference": "SEPA 1"}],
        user=owner,
    )
    assert period.statements.get(payee=maya).closing == Decimal("30.00")
    earn(workspace, paid[1], "0.00", month=APRIL)
    april = period_calculate(workspace=workspace, month=APRIL)
    assert april.statements.get(payee=maya).opening == Decimal("30.00")
    # Ola was not paid in March: the whole balance is still owed.
    assert april.statements.get(payee=ola).opening == Decimal("50.00")


def test_months_close_in_order(paid, owner):
    workspace, track, _, _ = paid
    earn(workspace, track, "5.00", month=FEB)
    with pytest.raises(ValidationError, match="Close 2026-02 first"):
        period_close(period=period_calculate(workspace=workspace, month=MARCH), user=owner)
    period_close(period=period_calculate(workspace=workspace, month=FEB), user=owner)
    assert period_close(
        period=period_calculate(workspace=workspace, month=MARCH), user=owner
    ).closed


def test_closed_month_is_immutable(paid, owner):
    workspace, _, _, _ = paid
    period = period_close(period=period_calculate(workspace=workspace, month=MARCH), user=owner)
    with pytest.raises(ValidationError, match="2026-03 is closed"):
        period_calculate(workspace=workspace, month=MARCH)
    with pytest.raises(ValidationError, match="2026-03 is closed"):
        period_close(period=period, user=owner)
    with pytest.raises(ValidationError, match="2026-03 is closed"):
        exchange_rate_set(workspace=workspace, month=MARCH, currency="SEK", rate=Decimal("0.1"))
    assert Payment.objects.count() == 2
