"""Any other distributor's CSV, read through a column mapping the person saved.

The fields are Liner's own (``GENERIC_FIELDS``); the mapping says which of the file's headers
holds each, how its dates are written (a ``strptime`` format such as ``%Y-%m`` or
``%d/%m/%Y``) and the currency when the file has no currency column.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial

from .layouts import Layout
from .reading import header_key
from .values import period_parse, period_with_format

# Field → what a person sees next to the field's column picker.
GENERIC_FIELDS: dict[str, str] = {
    "sale_period": "Sale month (required)",
    "store": "Store",
    "territory": "Country",
    "isrc": "ISRC",
    "upc": "UPC",
    "title": "Title",
    "artist": "Artist",
    "units": "Units (streams, downloads)",
    "gross": "Gross amount",
    "net": "Net amount (required)",
    "currency": "Currency",
    "statement_period": "Statement month",
}
GENERIC_REQUIRED = ("sale_period", "net")
FIELDS = tuple(GENERIC_FIELDS)  # the name rights.models.ColumnMapping's docstring uses

_CURRENCY = re.compile(r"[A-Z]{3}")


@dataclass(frozen=True)
class GenericMapping:
    """Which header holds each field (``columns``: field → header as written in the file),
    the dates' ``strptime`` format ("" reads the forms Liner knows: 2026-03, 03/2026,
    Mar 2026 …), and the currency used when no column holds one."""

    columns: dict[str, str] = field(default_factory=dict)
    date_format: str = "%Y-%m"
    currency: str = ""


def mapping_errors(*, mapping: GenericMapping, header: list[str]) -> dict[str, str]:
    """What is wrong with ``mapping`` for a file with ``header``, per field ("" key for the
    mapping as a whole); empty when it can be used. Messages are for the mapping form."""
    errors: dict[str, str] = {}
    keys = {header_key(h) for h in header}
    for name in mapping.columns:
        if name not in GENERIC_FIELDS:
            errors[name] = f"“{name}” is not one of Liner's fields."
    for name in GENERIC_REQUIRED:
        if not (mapping.columns.get(name) or "").strip():
            what = GENERIC_FIELDS[name].split(" (")[0].lower()
            errors[name] = f"Choose the column that holds the {what}."
    chosen: dict[str, str] = {}
    for name, column in mapping.columns.items():
        if name in errors or not (column or "").strip():
            continue
        key = header_key(column)
        if key not in keys:
            errors[name] = f"The file has no column “{column}”."
        elif key in chosen:
            errors[name] = f"“{column}” is already chosen for {GENERIC_FIELDS[chosen[key]]}."
        else:
            chosen[key] = name
    fmt = mapping.date_format or ""
    if not fmt:
        pass  # Liner's own period forms
    elif "%" not in fmt:
        errors["date_format"] = "Write the date format with % codes, for example %Y-%m."
    else:
        try:
            sample = dt.date(2026, 3, 1).strftime(fmt)
            dt.datetime.strptime(sample, fmt)
        except ValueError:
            errors["date_format"] = "This date format cannot be read (try %Y-%m or %d/%m/%Y)."
        else:
            if "%m" not in fmt and "%b" not in fmt and "%B" not in fmt:
                errors["date_format"] = "The date format must include the month (%m, %b or %B)."
            elif "%Y" not in fmt and "%y" not in fmt:
                errors["date_format"] = "The date format must include the year (%Y or %y)."
    currency = (mapping.currency or "").strip().upper()
    if not (mapping.columns.get("currency") or "").strip() and not _CURRENCY.fullmatch(currency):
        errors["currency"] = "Choose the currency column or write the currency (USD, EUR …)."
    elif currency and not _CURRENCY.fullmatch(currency):
        errors["currency"] = "A currency is three letters (USD, EUR …)."
    return errors


def generic_layout(mapping: GenericMapping) -> Layout:
    columns = {
        name: (header_key(column),)
        for name, column in mapping.columns.items()
        if name in GENERIC_FIELDS and (column or "").strip()
    }
    return Layout(
        source="generic",
        name="generic",
        label="column-mapped",
        columns=columns,
        required=GENERIC_REQUIRED,
        signature=tuple(key for (key,) in columns.values()),
        constants={"currency": (mapping.currency or "").strip().upper()},
        period=(
            partial(period_with_format, date_format=mapping.date_format)
            if mapping.date_format
            else period_parse
        ),
    )
