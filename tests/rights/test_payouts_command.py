"""python manage.py payouts."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import PersonFactory
from tests.rights.payout_helpers import agreed_split, earn, track_of

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command("payouts", *args, stdout=out)
    return out.getvalue()


def test_json_sums_exactly(workspace):
    workspace.default_currency = "EUR"
    workspace.save()
    people = [PersonFactory(workspace=workspace, name=n) for n in ("Ada", "Bo", "Cy")]
    track = track_of(workspace)
    agreed_split(track, [(p, "33.3333") for p in people[:2]] + [(people[2], "33.3334")])
    earn(workspace, track, "123.45")
    data = json.loads(_run("--workspace", "maya", "--period", "2026-03", "--json"))
    assert data["period"] == "2026-03" and data["currency"] == "EUR"
    assert data["total"] == "123.45"
    assert [p["name"] for p in data["payees"]] == ["Ada", "Bo", "Cy"]
    assert sum(Decimal(p["amount"]) for p in data["payees"]) == Decimal("123.45")
    assert "Total: 123.45" in _run("--workspace", "maya", "--period", "2026-03")


def test_empty_period_is_zero(workspace):
    data = json.loads(_run("--workspace", "maya", "--period", "2026-03", "--json"))
    assert data == {"period": "2026-03", "currency": "USD", "total": "0.00", "payees": []}


def test_closed_period_reported_as_stored(workspace):
    from rights.services.payouts import period_calculate, period_close
    from tests.rights.payout_helpers import MARCH

    track = track_of(workspace)
    agreed_split(track, [(PersonFactory(workspace=workspace, name="Ada"), "100")])
    earn(workspace, track, "20")
    period_close(period=period_calculate(workspace=workspace, month=MARCH), user=None)
    earn(workspace, track, "5")  # booked into March by hand: a closed month must not move
    assert "closed, as stored" in _run("--workspace", "maya", "--period", "2026-03")
    data = json.loads(_run("--workspace", "maya", "--period", "2026-03", "--json"))
    assert data["total"] == "20.00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workspace", "maya", "--period", "March"], "YYYY-MM"),
        (["--workspace", "maya", "--period", "2026-13"], "YYYY-MM"),
        (["--workspace", "nobody", "--period", "2026-03"], "no workspace “nobody”"),
    ],
)
def test_bad_input_is_a_clear_error(workspace, args, message):
    with pytest.raises(CommandError, match=message):
        _run(*args)
