"""Industry identifiers a person carries, checked by their check digits (no Django here).

ISNI — ISO 27729: 15 digits and a check character computed with ISO 7064 MOD 11-2
(the check character may be ``X`` for 10).
IPI name number — CISAC IPI system: 11 digits, the last two are check digits: the first nine
digits weighted 10, 9, …, 2, summed, taken modulo 101; the check is ``(101 - r) mod 101``,
written as two digits (a result of 100 is written ``00``).
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s\-.]")


class IdentifierError(ValueError):
    """The value is not a well-formed identifier; the message says why in plain words."""


def isni_normalize(value: str) -> str:
    """Return the 16-character ISNI, or raise IdentifierError."""
    compact = _SEPARATORS.sub("", value or "").upper()
    if compact.startswith("ISNI"):
        compact = compact[4:]
    if not re.fullmatch(r"[0-9]{15}[0-9X]", compact):
        raise IdentifierError("An ISNI has 16 characters: 15 digits and a final digit or X.")
    if isni_check_char(compact[:15]) != compact[15]:
        raise IdentifierError("This ISNI's check character does not match: look for a typo.")
    return compact


def isni_check_char(first15: str) -> str:
    total = 0
    for ch in first15:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isni_format(compact: str) -> str:
    return " ".join(compact[i : i + 4] for i in range(0, 16, 4))


def ipi_normalize(value: str) -> str:
    """Return the 11-digit IPI name number, or raise IdentifierError.

    Older CAE numbers (9 digits) are written with two leading zeros in IPI, so a 9-digit
    value is accepted as its 11-digit form when its check digits then work out.
    """
    compact = _SEPARATORS.sub("", value or "")
    if compact.upper().startswith("IPI"):
        compact = compact[3:]
    # isascii: str.isdigit() also takes '²' and other digits int() cannot read.
    if not (compact.isascii() and compact.isdigit()) or len(compact) not in (9, 11):
        raise IdentifierError("An IPI name number has 11 digits.")
    compact = compact.zfill(11)
    if ipi_check_digits(compact[:9]) != compact[9:]:
        raise IdentifierError("This IPI name number's check digits do not match: look for a typo.")
    return compact


def ipi_check_digits(first9: str) -> str:
    total = sum(int(d) * w for d, w in zip(first9, range(10, 1, -1), strict=True))
    return f"{(101 - total % 101) % 101 % 100:02d}"
