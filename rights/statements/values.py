"""Normalising one cell: periods, territories, codes, units, amounts and currencies.

Every function takes the cell as the file wrote it (already stripped of the csv quoting) and
returns the normalised value or raises ``ValueError`` with the reason in plain words; the
caller adds the line number and the column's name. Parsers call these a million times per
file, so the repeated ones (periods, territories, ISRCs, currencies) are cached in small dicts:
a statement has a few dozen distinct months and countries, not a million.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}

# "2026-03", "2026-03-01", "2026/03", "2026-03-01 12:00:00", "2026-03-01T12:00:00Z"
_ISO = re.compile(r"(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?:[ T].*)?")
# "03/2026", "3-2026"
_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})")
# "3/15/2026", "03/15/26 3:04pm" (US order: Bandcamp's and TuneCore's exports are American)
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:[ ,T].*)?")
# "Mar 2026", "March 2026", "04 Jan 2021 23:22:11 GMT", "Jan 4, 2021"
_NAMED = re.compile(r"(?:(\d{1,2})[ -])?([A-Za-z]{3,9})\.?[ -](?:(\d{1,2}),? )?(\d{4})(?: .*)?")

_CACHE_MAX = 4096


def _month(year: int, month: int) -> dt.date:
    if not 1900 <= year <= 2200 or not 1 <= month <= 12:
        raise ValueError("is not a month")
    return dt.date(year, month, 1)


def period_parse(text: str, *, cache: dict[str, dt.date] | None = None) -> dt.date:
    """The first day of the month a period names, in any of the forms statements use:
    "2026-03", "2026-03-15", "2026/03", "03/2026", "3/15/2026", "Mar 2026", "04 Jan 2021 …".

    A full date names its month (statements count per month). Slashed three-part dates are
    read in US order (month/day/year): Liner's sources that write them are American.
    """
    if cache is not None:
        found = cache.get(text)
        if found is not None:
            return found
    value = _period_parse(text.strip())
    if cache is not None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[text] = value
    return value


def _period_parse(text: str) -> dt.date:
    if not text:
        raise ValueError("is empty (a month was expected)")
    m = _ISO.fullmatch(text)
    if m:
        return _month(int(m[1]), int(m[2]))
    m = _MONTH_YEAR.fullmatch(text)
    if m:
        return _month(int(m[2]), int(m[1]))
    m = _US_DATE.fullmatch(text)
    if m:
        year = int(m[3])
        return _month(year + 2000 if year < 100 else year, int(m[1]))
    m = _NAMED.fullmatch(text)
    if m and m[2].casefold() in _MONTHS:
        return _month(int(m[4]), _MONTHS[m[2].casefold()])
    raise ValueError("is not a month (write it like 2026-03)")


def period_with_format(text: str, date_format: str) -> dt.date:
    """A period written in a column mapping's own ``strptime`` format, as its month."""
    try:
        parsed = dt.datetime.strptime(text.strip(), date_format)
    except ValueError:
        raise ValueError(f"does not match the date format {date_format}") from None
    return _month(parsed.year, parsed.month)


# Territories ---------------------------------------------------------------------------------

# Codes statements use that are not ISO 3166-1 alpha-2: the UK's old code and the EU's code for
# Greece. Worldwide and unknown markers read as no territory.
_TERRITORY_ALIASES = {"UK": "GB", "EL": "GR"}
_NO_TERRITORY = {"", "WW", "XX", "ZZ", "XW", "WORLD", "WORLDWIDE", "UNKNOWN", "N/A", "NA", "-"}
_territory_table: dict[str, str] | None = None


def _territories() -> dict[str, str]:
    """Every spelling Liner recognises (folded) → alpha-2, built once from pycountry."""
    global _territory_table
    if _territory_table is None:
        import pycountry

        table: dict[str, str] = {}
        for country in pycountry.countries:
            code = country.alpha_2
            table[code.casefold()] = code
            table[country.alpha_3.casefold()] = code
            for attribute in ("name", "official_name", "common_name"):
                name = getattr(country, attribute, None)
                if name:
                    table[name.casefold()] = code
        for alias, code in _TERRITORY_ALIASES.items():
            table[alias.casefold()] = code
        table.update(
            {
                "united states of america": "US",
                "usa": "US",
                "uk": "GB",
                "great britain": "GB",
                "england": "GB",
                "scotland": "GB",
                "wales": "GB",
                "northern ireland": "GB",
                "russia": "RU",
                "south korea": "KR",
                "korea": "KR",
                "north korea": "KP",
                "vietnam": "VN",
                "czech republic": "CZ",
                "turkey": "TR",
                "iran": "IR",
                "syria": "SY",
                "venezuela": "VE",
                "bolivia": "BO",
                "tanzania": "TZ",
                "moldova": "MD",
                "laos": "LA",
                "taiwan": "TW",
                "macau": "MO",
                "ivory coast": "CI",
                "cape verde": "CV",
                "swaziland": "SZ",
                "macedonia": "MK",
                "kosovo": "XK",
            }
        )
        _territory_table = table
    return _territory_table


def territory_parse(text: str, *, cache: dict[str, str] | None = None) -> str:
    """ISO 3166-1 alpha-2, upper-case, or "" when the statement names none or names a place
    Liner does not know.

    An unknown name is not an error: one odd country in a million lines must not refuse the
    whole statement, and a line without a territory is still money to share (only per-country
    reports lose it). "UK" becomes "GB"; alpha-3 codes and English names are read too.
    """
    if cache is not None:
        found = cache.get(text)
        if found is not None:
            return found
    key = text.strip()
    value = "" if key.upper() in _NO_TERRITORY else _territories().get(key.casefold(), "")
    if cache is not None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[text] = value
    return value


# Codes ---------------------------------------------------------------------------------------

_ISRC = re.compile(r"[A-Z]{2}[A-Z0-9]{3}\d{7}")


def isrc_parse(text: str, *, cache: dict[str, str] | None = None) -> str:
    """Compact upper-case ISRC ("QZABC2600001") or "" when the cell holds none or is not a
    valid one: matching then falls back to UPC and title, which is better than refusing the
    statement over a typo in one code."""
    if cache is not None:
        found = cache.get(text)
        if found is not None:
            return found
    compact = text.replace("-", "").replace(" ", "").strip().upper()
    value = compact if _ISRC.fullmatch(compact) else ""
    if cache is not None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[text] = value
    return value


def upc_parse(text: str) -> str:
    """The UPC/EAN/GTIN's digits (12–14) or "" when the cell holds none that fits (a
    spreadsheet that wrote "1.23457E+11" has lost the code; matching falls back to the title)."""
    digits = text.strip().replace(" ", "").replace("-", "")
    if digits.isdigit() and digits.isascii() and 12 <= len(digits) <= 14:
        return digits
    return ""


# Numbers -------------------------------------------------------------------------------------

_INTEGER = re.compile(r"[-+]?\d+")
# What an amount may look like (spaces around it allowed, as Decimal allows them). At most ten
# digits before the point: Earning's amounts are numeric(20, 10), and a larger figure on a
# statement line is a broken file, not an earning.
AMOUNT = re.compile(r"\s*[-+]?(?:\d{1,10}(?:\.\d*)?|\.\d+)\s*")
# The common way an amount is written, which every database reads as it is.
PLAIN_AMOUNT = re.compile(r"-?\d{1,10}(?:\.\d{1,30})?")
_AMOUNT_TOO_LARGE = re.compile(r"\s*[-+]?\d{11,}(?:\.\d*)?\s*")
# Units fit a bigint with room to add a statement's lines up.
UNITS_MAX = 10**15
_UNITS_AS_DECIMAL = re.compile(r"[-+]?\d+\.0*")


def units_parse(text: str) -> int:
    """A whole number of units. "12.0" (a spreadsheet's rewrite) is 12; "1,200" is refused
    rather than guessed."""
    text = text.strip()
    if _INTEGER.fullmatch(text) or _UNITS_AS_DECIMAL.fullmatch(text):
        if len(text) > 30:
            raise ValueError(f"is “{text[:40]}”, too large for a number of units")
        value = int(text.split(".", 1)[0])
        if abs(value) >= UNITS_MAX:
            raise ValueError(f"is “{text[:40]}”, too large for a number of units")
        return value
    if not text:
        raise ValueError("is empty (a number of units was expected)")
    raise ValueError(f"is “{text[:40]}”, not a whole number")


def amount_parse(text: str) -> Decimal:
    """The amount exactly as written (a Decimal from the string, never through a float).

    Only a point is a decimal separator: "12,50" is refused rather than read as 1250 or as
    12.50, since no layout Liner reads writes decimal commas and a guess would move money.
    """
    if AMOUNT.fullmatch(text):
        return Decimal(text)
    text = text.strip()
    if not text:
        raise ValueError("is empty (an amount was expected)")
    if _AMOUNT_TOO_LARGE.fullmatch(text):
        raise ValueError(f"is “{text[:40]}”, too large for a statement line")
    if "," in text:
        raise ValueError(
            f"is “{text[:40]}”, not an amount: write it with a point and no thousands "
            "separator (12.50)"
        )
    raise ValueError(f"is “{text[:40]}”, not an amount")


_CURRENCY = re.compile(r"[A-Z]{3}")


def currency_parse(text: str, *, cache: dict[str, str] | None = None) -> str:
    """A three-letter currency code, upper-case."""
    if cache is not None:
        found = cache.get(text)
        if found is not None:
            return found
    code = text.strip().upper()
    if not _CURRENCY.fullmatch(code):
        raise ValueError(f"is “{text[:40]}”, not a three-letter currency code (USD, EUR …)")
    if cache is not None:
        if len(cache) >= _CACHE_MAX:
            cache.clear()
        cache[text] = code
    return code
