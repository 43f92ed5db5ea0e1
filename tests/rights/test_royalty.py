"""The rounding rule: largest remainder, property-tested."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights.royalty import allocate

amounts = st.integers(min_value=-(10**9), max_value=10**9).map(lambda c: Decimal(c).scaleb(-2))
weights = st.lists(
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
    min_size=1,
    max_size=12,
).filter(lambda ws: sum(ws) > 0)


@st.composite
def split_percents(draw):
    """Percents with four places that add up to exactly 100 (a real master split)."""
    n = draw(st.integers(min_value=1, max_value=8))
    cuts = sorted(draw(st.lists(st.integers(0, 1_000_000), min_size=n - 1, max_size=n - 1)))
    edges = [0, *cuts, 1_000_000]
    return [Decimal(b - a).scaleb(-4) for a, b in zip(edges, edges[1:], strict=False)]


def _exact(total, ws, i):
    return Fraction(total) * Fraction(ws[i]) / Fraction(sum(ws))


@settings(deadline=None)  # a loaded test machine is no reason to fail
@given(amounts, weights)
def test_parts_add_up_and_stay_within_a_cent(total, ws):
    parts = allocate(total, ws)
    assert sum(parts) == total
    for i, part in enumerate(parts):
        assert part.as_tuple().exponent == -2
        assert abs(Fraction(part) - _exact(total, ws, i)) < Fraction(1, 100)
        if ws[i] == 0:
            assert part == 0


@settings(deadline=None)  # a loaded test machine is no reason to fail
@given(amounts, split_percents())
def test_split_percents(total, percents):
    assert sum(percents) == 100
    parts = allocate(total, percents)
    assert sum(parts) == total
    assert all(
        abs(Fraction(p) - _exact(total, percents, i)) < Fraction(1, 100)
        for i, p in enumerate(parts)
    )


@settings(deadline=None)  # a loaded test machine is no reason to fail
@given(amounts, weights)
def test_deterministic_and_negative_mirrors(total, ws):
    assert allocate(total, ws) == allocate(total, list(ws))
    assert allocate(-total, ws) == [-p for p in allocate(total, ws)]


@settings(deadline=None)  # a loaded test machine is no reason to fail
@given(amounts, weights)
def test_order_consistent(total, ws):
    """A larger weight never gets less than a smaller one (for a non-negative total)."""
    parts = allocate(abs(total), ws)
    for i in range(len(ws)):
        for j in range(len(ws)):
            if ws[i] > ws[j]:
                assert parts[i] >= parts[j]


def test_known_answers():
    assert allocate(Decimal("10.00"), [Decimal(1)] * 3) == [
        Decimal("3.34"),
        Decimal("3.33"),
        Decimal("3.33"),
    ]
    # Ties on the remainder go to the larger weight first.
    assert allocate(Decimal("0.01"), [Decimal(1), Decimal(2)]) == [Decimal("0.00"), Decimal("0.01")]
    assert allocate(Decimal("-0.05"), [Decimal(1), Decimal(1)]) == [
        Decimal("-0.03"),
        Decimal("-0.02"),
    ]


def test_bad_weights_refused():
    with pytest.raises(ValueError, match="more than 0"):
        allocate(Decimal("1.00"), [Decimal(0)])
    with pytest.raises(ValueError, match="decimal places"):
        allocate(Decimal("1.001"), [Decimal(1)])
