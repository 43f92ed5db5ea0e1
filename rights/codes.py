"""Codes of the rights side (no Django here).

ISWC: python-stdnum 2.2 ships no ISWC module, so the check is ours, built on stdnum's cleaning
and exceptions the way its own modules are. ISO 15707 (ISWC), as the ISWC International Agency
publishes it: "T", nine digits, a check digit; the check digit is
``(10 - (1 + sum(i * d_i for i = 1..9)) mod 10) mod 10``. Written "T-034.524.680-1", stored
compact as "T0345246801".
"""

from __future__ import annotations

from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError
from stdnum.util import clean


class CodeError(ValueError):
    """The value is not a well-formed code; the message says why in plain words."""


def _iswc_compact(value: str) -> str:
    return clean(value, " -.").strip().upper()


def iswc_check_digit(digits: str) -> str:
    """The check digit of the nine digits after the "T"."""
    total = 1 + sum(i * int(d) for i, d in enumerate(digits, start=1))
    return str((10 - total % 10) % 10)


def _iswc_validate(value: str) -> str:
    compact = _iswc_compact(value)
    if len(compact) != 11:
        raise InvalidLength()
    if not compact.startswith("T") or not compact[1:].isdigit() or not compact.isascii():
        raise InvalidFormat()
    if iswc_check_digit(compact[1:10]) != compact[10]:
        raise InvalidChecksum()
    return compact


def iswc_normalize(value: str) -> str:
    """The compact ISWC ("T0345246801"), or "" for an empty value; CodeError says what's wrong."""
    if not (value or "").strip():
        return ""
    try:
        return _iswc_validate(value)
    except InvalidChecksum as exc:
        raise CodeError(
            f"“{value}” is not a valid ISWC: its last digit does not match (check for a typo)."
        ) from exc
    except ValidationError as exc:
        raise CodeError(
            f"“{value}” is not an ISWC: it is “T” and ten digits, like T-034.524.680-1."
        ) from exc


def iswc_format(compact: str) -> str:
    """ "T0345246801" as it is written: "T-034.524.680-1"."""
    if len(compact) != 11:
        return compact
    return f"T-{compact[1:4]}.{compact[4:7]}.{compact[7:10]}-{compact[10]}"
