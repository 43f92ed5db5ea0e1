"""Industry codes of a release, checked through python-stdnum and pycountry (no Django here).

- ISRC (ISO 3901): ``CC-XXX-YY-NNNNN``: a two-letter country code, a three-character
  registrant code, the last two digits of the year of assignment and a five-digit designation.
  Stored compact and upper-case (``GBEMI1900001``), shown with hyphens.
- UPC / EAN (GS1): 12 digits (UPC-A) or 13 (EAN-13) with a GS1 check digit. DDEX carries
  either as the release's ICPN.
- Territories: ISO 3166-1 alpha-2 codes; languages: ISO 639-1 (two letters) or 639-2/3.
"""

from __future__ import annotations

import re

import pycountry
from stdnum import ean, isrc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

_SEPARATORS = re.compile(r"[\s\-.]")
_PREFIX = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}$")
MAX_DESIGNATION = 99_999


class CodeError(ValueError):
    """The value is not a well-formed code; the message says why in plain words."""


def isrc_normalize(value: str) -> str:
    """The compact, upper-case ISRC, or CodeError."""
    compact = _SEPARATORS.sub("", value or "").upper()
    if compact.startswith("ISRC"):
        compact = compact[4:]
    try:
        return isrc.validate(compact)
    except InvalidLength as exc:
        raise CodeError(
            "An ISRC has 12 characters: country (2 letters), registrant (3), year (2 digits), "
            "number (5 digits), e.g. GB-EMI-19-00001."
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise CodeError(
            "That is not an ISRC: it reads country (2 letters), registrant (3 letters or "
            "digits), year (2 digits), number (5 digits), e.g. GB-EMI-19-00001."
        ) from exc


def isrc_format(compact: str) -> str:
    return isrc.format(compact) if compact else ""


def isrc_prefix_normalize(value: str) -> str:
    """The five-character ISRC prefix (country + registrant code, ``GBEMI``), or CodeError."""
    compact = _SEPARATORS.sub("", value or "").upper()
    if not _PREFIX.match(compact):
        raise CodeError(
            "A registrant prefix is the first five characters of your ISRCs: a two-letter "
            "country code and your three-character registrant code, e.g. GB-EMI."
        )
    if pycountry.countries.get(alpha_2=compact[:2]) is None and compact[:2] not in _ISRC_EXTRA:
        raise CodeError(f"“{compact[:2]}” is not a country code an ISRC can start with.")
    return compact


# ISRC agencies also issue prefixes outside ISO 3166 (the IFPI's QM/QZ and others for the US,
# ZZ for the international agency, CP/DG reserved); they are valid ISRC country parts.
_ISRC_EXTRA = frozenset({"QM", "QN", "QT", "QZ", "CP", "DG", "ZZ", "UK", "FX"})


def isrc_build(*, prefix: str, year: int, number: int) -> str:
    """The compact ISRC for a registrant prefix, a year of assignment and a designation."""
    if not 1 <= number <= MAX_DESIGNATION:
        raise CodeError(f"The ISRC designation must be 1 to {MAX_DESIGNATION}.")
    return f"{prefix}{year % 100:02d}{number:05d}"


def upc_normalize(value: str) -> str:
    """The UPC (12 digits) or EAN (13 digits) as digits only, or CodeError."""
    compact = _SEPARATORS.sub("", value or "")
    if not compact.isdigit() or len(compact) not in (12, 13):
        raise CodeError("A UPC has 12 digits and an EAN 13 (the barcode number of the release).")
    try:
        return ean.validate(compact)
    except InvalidChecksum as exc:
        raise CodeError("This barcode's check digit does not match: look for a typo.") from exc
    except (InvalidFormat, InvalidLength) as exc:
        raise CodeError("A UPC has 12 digits and an EAN 13.") from exc


def territory_normalize(value: str) -> str:
    code = (value or "").strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise CodeError(f"“{value}” is not an ISO 3166 country code (e.g. SE, GB, US).")
    return code


def territory_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code)
    return getattr(country, "common_name", None) or (country.name if country else code)


def language_normalize(value: str) -> str:
    """An ISO 639 code in its shortest form (``sv``, not ``swe``), or CodeError."""
    code = (value or "").strip().lower()
    if not code:
        return ""
    lang = None
    if len(code) == 2:
        lang = pycountry.languages.get(alpha_2=code)
    elif len(code) == 3:
        lang = pycountry.languages.get(alpha_3=code)
    if lang is None:
        raise CodeError(f"“{value}” is not an ISO 639 language code (e.g. en, sv, es).")
    return getattr(lang, "alpha_2", None) or lang.alpha_3


def language_name(code: str) -> str:
    if not code:
        return ""
    lang = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    lang = lang or pycountry.languages.get(alpha_3=code)
    return lang.name if lang else code
