"""Calculating a month: conversion, allocation by agreed splits, the default payee, problems."""

from decimal import Decimal

import pytest

from rights.models import Allocation, Conversion, ExchangeRate, RightsSettings
from rights.services.payouts import NO_PAYEE_PROBLEM, period_calculate, period_close
from tests.factories import PersonFactory
from tests.rights.payout_helpers import MARCH, agreed_split, artist, earn, track_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def eur(workspace):
    workspace.default_currency = "EUR"
    workspace.save()
    return workspace


def _by_payee(period):
    return {s.payee.name: s for s in period.statements.select_related("payee")}


def test_split_allocates_every_cent(eur):
    maya, ola, kim = (PersonFactory(workspace=eur, name=n) for n in ("Maya", "Ola", "Kim"))
    track = track_of(eur)
    agreed_split(track, [(maya, "33.3333"), (ola, "33.3333"), (kim, "33.3334")])
    earn(eur, track, "0.0040000001")
    earn(eur, track, "100.00")
    period = period_calculate(workspace=eur, month=MARCH)
    statements = _by_payee(period)
    assert period.earnings == Decimal("100.00")
    assert period.allocated == Decimal("100.00")
    assert sum(s.earnings for s in statements.values()) == Decimal("100.00")
    assert statements["Kim"].earnings == Decimal("33.34")
    assert statements["Maya"].due == Decimal("33.33")
    assert period.problems == []


def test_usd_converted_at_the_months_rate_and_parts_add_up(eur):
    maya = PersonFactory(workspace=eur, name="Maya")
    one, two, three = (track_of(eur, t) for t in ("One", "Two", "Three"))
    for track in (one, two, three):
        agreed_split(track, [(maya, "100")])
        earn(eur, track, "1.0000000001", currency="USD")
    ExchangeRate.objects.create(workspace=eur, period=MARCH, currency="USD", rate=Decimal("0.9"))
    period = period_calculate(workspace=eur, month=MARCH)
    conversion = Conversion.objects.get(period=period)
    assert conversion.rate == Decimal("0.9")
    assert conversion.amount == Decimal("2.70")
    amounts = sorted(Allocation.objects.filter(period=period).values_list("amount", flat=True))
    assert amounts == [Decimal("0.90")] * 3
    assert period.allocated == Decimal("2.70")


def test_missing_rate_is_a_problem_and_blocks_closing(eur):
    track = track_of(eur)
    agreed_split(track, [(PersonFactory(workspace=eur), "100")])
    earn(eur, track, "50", currency="USD")
    earn(eur, track, "10")
    period = period_calculate(workspace=eur, month=MARCH)
    assert period.problems == ["Enter the USD → EUR rate for 2026-03"]
    assert period.allocated == Decimal("10.00")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="USD → EUR"):
        period_close(period=period, user=None)
    period.refresh_from_db()
    assert not period.closed


def test_recording_without_agreed_split_goes_to_the_default_payee(eur):
    maya = artist(eur, "Maya Lind")
    track = track_of(eur)
    unagreed = agreed_split(track, [(PersonFactory(workspace=eur), "100")])
    unagreed.agreed_at = None
    unagreed.save()
    earn(eur, track, "12.00")
    period = period_calculate(workspace=eur, month=MARCH)
    allocation = Allocation.objects.get(period=period)
    assert allocation.payee == maya and allocation.via_default
    assert allocation.amount == Decimal("12.00")

    chosen = PersonFactory(workspace=eur, name="Label Account")
    RightsSettings.objects.filter(workspace=eur).update(default_payee=chosen)
    period = period_calculate(workspace=eur, month=MARCH)
    assert Allocation.objects.get(period=period).payee == chosen


def test_no_default_payee_is_a_problem(eur):
    earn(eur, track_of(eur), "12.00")
    period = period_calculate(workspace=eur, month=MARCH)
    assert period.problems == [NO_PAYEE_PROBLEM]
    assert period.allocated == Decimal("0.00")
    assert period.earnings == Decimal("12.00")


def test_unmatched_money_is_told_not_allocated(eur):
    earn(eur, None, "7.50")
    period = period_calculate(workspace=eur, month=MARCH)
    assert period.unmatched == Decimal("7.50")
    assert period.allocated == Decimal("0.00")
    assert period.statements.count() == 0


def test_split_version_in_effect_decides(eur):
    maya, ola = PersonFactory(workspace=eur, name="Maya"), PersonFactory(workspace=eur, name="Ola")
    track = track_of(eur)
    agreed_split(track, [(maya, "100")], version=1)
    agreed_split(track, [(maya, "50"), (ola, "50")], version=2, month=MARCH.replace(month=4))
    earn(eur, track, "20")
    period = period_calculate(workspace=eur, month=MARCH)
    assert {s.payee.name: s.earnings for s in period.statements.all()} == {"Maya": Decimal("20")}


def test_minimum_payout_carries_forward_across_two_months(eur):
    from tests.rights.payout_helpers import APRIL

    maya = PersonFactory(workspace=eur, name="Maya")
    track = track_of(eur)
    agreed_split(track, [(maya, "100")])
    earn(eur, track, "6.00")
    earn(eur, track, "5.00", month=APRIL)
    march = period_calculate(workspace=eur, month=MARCH)
    statement = march.statements.get()
    assert statement.due == 0 and statement.carried_forward
    assert statement.closing == Decimal("6.00")
    period_close(period=march, user=None)
    assert march.statements.get().payment_set.count() == 0
    april = period_calculate(workspace=eur, month=APRIL)
    statement = april.statements.get()
    assert statement.opening == Decimal("6.00")
    assert statement.closing == statement.due == Decimal("11.00")
    assert not statement.carried_forward
