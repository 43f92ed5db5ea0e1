"""Recoupment off the top (expenses and advances, in the agreement's order, over months) and
from a recipient's own share."""

import datetime as dt
from decimal import Decimal

import pytest

from rights.models import Advance, ExchangeRate, Recoupment
from rights.services.payouts import advance_create, period_calculate
from tests.factories import PersonFactory
from tests.rights.payout_helpers import APRIL, MARCH, agreed_split, earn, expense, track_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(workspace):
    maya, ola = (
        PersonFactory(workspace=workspace, name="Maya"),
        PersonFactory(workspace=workspace, name="Ola"),
    )
    track = track_of(workspace)
    return workspace, track, maya, ola


def _advance(workspace, track, person, amount, recoup_from):
    return advance_create(
        workspace=workspace, release=track.release, recipient=person, amount=Decimal(amount),
        currency=workspace.default_currency, paid_on=dt.date(2026, 1, 2), recoup_from=recoup_from,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("order", "first"), [("expenses_first", "expense"), ("advances_first", "advance")]
)
def test_order_of_the_agreement(setup, order, first):
    workspace, track, maya, ola = setup
    agreed_split(track, [(maya, "50"), (ola, "50")], recoup_order=order)
    cost = expense(track.release, "60.00")
    advance = _advance(workspace, track, maya, "60.00", Advance.RecoupFrom.TOP)
    earn(workspace, track, "100.00")
    period = period_calculate(workspace=workspace, month=MARCH)
    recouped = {
        ("expense" if r.expense_id else "advance"): r.amount for r in period.recoupments.all()
    }
    assert recouped[first] == Decimal("60.00")
    assert sum(recouped.values()) == Decimal("100.00")
    assert period.allocated == Decimal("0.00")
    assert cost.pk and advance.pk


def test_partial_over_two_months(setup):
    workspace, track, maya, ola = setup
    agreed_split(track, [(maya, "50"), (ola, "50")])
    expense(track.release, "150.00")
    earn(workspace, track, "100.00")
    earn(workspace, track, "100.00", month=APRIL)
    march = period_calculate(workspace=workspace, month=MARCH)
    assert march.recouped == Decimal("100.00") and march.allocated == 0
    april = period_calculate(workspace=workspace, month=APRIL)
    assert april.recouped == Decimal("50.00")
    assert {s.payee.name: s.earnings for s in april.statements.all()} == {
        "Maya": Decimal("25.00"), "Ola": Decimal("25.00"),
    }  # fmt: skip
    # Calculating March again does not count April's recoupment as earlier.
    assert period_calculate(workspace=workspace, month=MARCH).recouped == Decimal("100.00")


def test_expense_in_another_currency_needs_the_rate(setup):
    workspace, track, maya, _ = setup
    agreed_split(track, [(maya, "100")])
    expense(track.release, "10.00", currency="SEK")
    earn(workspace, track, "100.00")
    period = period_calculate(workspace=workspace, month=MARCH)
    assert period.problems == ["Enter the SEK → USD rate for 2026-03"]
    ExchangeRate.objects.create(workspace=workspace, period=MARCH, currency="SEK", rate="0.1")
    period = period_calculate(workspace=workspace, month=MARCH)
    assert period.problems == [] and period.recouped == Decimal("1.00")
    assert period.allocated == Decimal("99.00")


def test_recipient_advance_comes_from_their_share_only(setup):
    workspace, track, maya, ola = setup
    agreed_split(track, [(maya, "50"), (ola, "50")])
    _advance(workspace, track, maya, "30.00", Advance.RecoupFrom.RECIPIENT)
    earn(workspace, track, "40.00")
    period = period_calculate(workspace=workspace, month=MARCH)
    statements = {s.payee.name: s for s in period.statements.all()}
    assert statements["Maya"].earnings == Decimal("20.00")
    assert statements["Maya"].recouped == Decimal("20.00")
    assert statements["Maya"].closing == Decimal("0.00")
    assert statements["Ola"].closing == Decimal("20.00")
    assert Recoupment.objects.get(period=period).payee == maya
    earn(workspace, track, "40.00", month=APRIL)
    april = period_calculate(workspace=workspace, month=APRIL)
    maya_april = april.statements.get(payee=maya)
    assert maya_april.recouped == Decimal("10.00")
    assert maya_april.closing == Decimal("10.00")


def test_an_advance_recouped_in_a_paid_month_cannot_be_deleted(setup):
    from django.core.exceptions import ValidationError

    from rights.services.payouts import advance_delete, period_close

    workspace, track, maya, ola = setup
    agreed_split(track, [(maya, "50"), (ola, "50")])
    advance = _advance(workspace, track, maya, "30.00", Advance.RecoupFrom.TOP)
    earn(workspace, track, "100.00")
    period_close(period=period_calculate(workspace=workspace, month=MARCH))
    with pytest.raises(ValidationError, match="recouped in a paid month"):
        advance_delete(advance=advance)
    assert Advance.objects.filter(pk=advance.pk).exists()
