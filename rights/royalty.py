"""Money arithmetic of royalties, with no Django: the project's rounding rule.

**The rounding rule (largest remainder).** To share an amount between parts by weight, every
part first gets its exact share ``total × weight / Σweights`` rounded *down* to the cent. The
cents left over (fewer than the number of parts) then go one each to the parts whose
dropped remainders were largest; ties go to the larger weight, then to the earlier part. So:

- the parts always add up to the total exactly, to the cent;
- each part is within one cent of its exact share;
- the same inputs always give the same parts (nothing depends on dict or set order).

A negative total (a refund or chargeback) is shared as the negation of sharing its absolute
value, so a -10.00 correction mirrors a 10.00 payment cent for cent. A part with weight 0 gets
0. The weights must add up to more than 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_EVEN, Decimal
from fractions import Fraction

__all__ = ["allocate", "money"]


def money(value: Decimal, *, places: int = 2) -> Decimal:
    """``value`` rounded half-even to ``places`` decimals (used for conversions)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def allocate(total: Decimal, weights: Sequence[Decimal], *, places: int = 2) -> list[Decimal]:
    """Share ``total`` between ``weights`` by the largest-remainder rule (module docstring).

    ``total`` must already have at most ``places`` decimals (it is an amount of money).
    """
    weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in weights):
        raise ValueError("Weights cannot be negative.")
    weight_sum = sum(weights, Decimal(0))
    if weight_sum <= 0:
        raise ValueError("The weights must add up to more than 0.")
    total = Decimal(total)
    if total < 0:
        return [-part for part in allocate(-total, weights, places=places)]
    unit = Decimal(1).scaleb(-places)
    if total != total.quantize(unit, rounding=ROUND_DOWN):
        raise ValueError(f"{total} has more than {places} decimal places.")
    # Whole cents and exact fractions, so no step rounds (Decimal division would, at 28 digits).
    cents = int(total.scaleb(places))
    fraction_sum = Fraction(weight_sum)
    parts: list[int] = []
    remainders: list[Fraction] = []
    for w in weights:
        exact = cents * Fraction(w) / fraction_sum
        floor = exact.numerator // exact.denominator
        parts.append(floor)
        remainders.append(exact - floor)
    leftover = cents - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in order[:leftover]:
        parts[i] += 1
    return [Decimal(p).scaleb(-places).quantize(unit) for p in parts]
