"""What a statement layout is (its columns, found by header name) and how its rows become
``ParsedLine``s.

A ``Layout`` names, for each of Liner's fields, the header names that hold it (case and spaces
ignored, the first one present wins), which fields must be present, and which headers
recognise it. ``Layout.builder(keys)`` maps the columns to indexes once and returns a function
that turns one row into a ``ParsedLine``: it is called a million times for a large DistroKid
file, so it does only lookups, small cached parses and ``Decimal(str)``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from .base import ParsedLine, StatementError
from .values import (
    amount_parse,
    currency_parse,
    isrc_parse,
    period_parse,
    territory_parse,
    units_parse,
    upc_parse,
)

FIELDS = (
    "sale_period",
    "statement_period",
    "store",
    "territory",
    "isrc",
    "upc",
    "title",
    "artist",
    "units",
    "gross",
    "net",
    "currency",
)

# The model's column lengths (rights.models.Earning): longer text is cut, not refused.
STORE_MAX = 80
TEXT_MAX = 200

Row = list[str]
# (fields of the row, the values built so far) -> the values to keep, or None to skip the row
Adjust = Callable[[Row, dict], dict | None]
# Made once per file from its header (header key -> column index), for columns of its own.
AdjustFactory = Callable[[dict[str, int]], Adjust]


@dataclass(frozen=True)
class Layout:
    source: str
    name: str
    label: str  # for people: "DistroKid (2023 layout)"
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    # Header keys that must all be present for the file to be recognised as this layout, and
    # keys whose presence rules it out (how the older and newer DistroKid layouts differ).
    signature: tuple[str, ...]
    excludes: tuple[str, ...] = ()
    # Columns the layout has that Liner does not read (so they are not reported as unknown).
    ignored: tuple[str, ...] = ()
    constants: dict[str, str] = field(default_factory=dict)
    adjust: AdjustFactory | None = None
    period: Callable[[str], dt.date] = period_parse

    def known_keys(self) -> set[str]:
        keys = set(self.signature) | set(self.ignored)
        for names in self.columns.values():
            keys.update(names)
        return keys

    def fits(self, keys: set[str]) -> bool:
        return all(k in keys for k in self.signature) and not any(k in keys for k in self.excludes)

    def indexes(self, keys: list[str]) -> dict[str, int]:
        """Field → column index for the fields this file has."""
        position = {}
        for i, key in enumerate(keys):
            position.setdefault(key, i)
        found = {}
        for name, aliases in self.columns.items():
            for alias in aliases:
                if alias in position:
                    found[name] = position[alias]
                    break
        return found

    def missing(self, keys: list[str]) -> list[str]:
        """The header names of required fields this file lacks (the first alias of each)."""
        found = self.indexes(keys)
        return [self.columns[f][0] for f in self.required if f not in found]

    def builder(self, keys: list[str], header: list[str]) -> Callable[[int, Row, bytes], object]:
        return _builder(self, keys, header)


def _builder(layout: Layout, keys: list[str], header: list[str]):
    idx = layout.indexes(keys)
    missing = [f for f in layout.required if f not in idx]
    if missing:
        names = ", ".join(f"“{layout.columns[f][0]}”" for f in missing)
        raise StatementError(
            f"the header has no {names} column, which a {layout.label} statement has.",
            line=1,
            code="missing_columns",
        )
    constants = layout.constants
    period = layout.period
    period_cache: dict[str, dt.date] = {}
    territory_cache: dict[str, str] = {}
    isrc_cache: dict[str, str] = {}
    currency_cache: dict[str, str] = {}

    def cached_period(text: str) -> dt.date:
        value = period_cache.get(text)
        if value is None:
            if len(period_cache) >= 4096:
                period_cache.clear()
            value = period_cache[text] = period(text)
        return value

    i_sale = idx["sale_period"]
    i_stmt = idx.get("statement_period")
    i_store = idx.get("store")
    i_terr = idx.get("territory")
    i_isrc = idx.get("isrc")
    i_upc = idx.get("upc")
    i_title = idx.get("title")
    i_artist = idx.get("artist")
    i_units = idx.get("units")
    i_gross = idx.get("gross")
    i_net = idx["net"]
    i_cur = idx.get("currency")
    store_const = constants.get("store", "")[:STORE_MAX]
    currency_const = constants.get("currency", "")
    position: dict[str, int] = {}
    for i, key in enumerate(keys):
        position.setdefault(key, i)
    adjust = layout.adjust(position) if layout.adjust else None
    zero = Decimal(0)

    def convert(f: Row) -> tuple:
        sale = cached_period(f[i_sale])
        stmt = sale if i_stmt is None or not f[i_stmt].strip() else cached_period(f[i_stmt])
        net = amount_parse(f[i_net])
        gross = net if i_gross is None else amount_parse(f[i_gross])
        units = 0 if i_units is None else units_parse(f[i_units])
        if i_cur is None:
            currency = currency_const
        else:
            currency = currency_parse(f[i_cur] or currency_const, cache=currency_cache)
        return (
            stmt,
            sale,
            store_const if i_store is None else f[i_store].strip()[:STORE_MAX],
            "" if i_terr is None else territory_parse(f[i_terr], cache=territory_cache),
            "" if i_isrc is None else isrc_parse(f[i_isrc], cache=isrc_cache),
            "" if i_upc is None else upc_parse(f[i_upc]),
            "" if i_title is None else f[i_title].strip()[:TEXT_MAX],
            "" if i_artist is None else f[i_artist].strip()[:TEXT_MAX],
            units,
            gross,
            net,
            currency,
        )

    def diagnose(line_no: int, f: Row) -> StatementError:
        """Which column made ``convert`` fail (the slow path, run only for a bad row)."""
        checks = [
            ("sale_period", period),
            ("statement_period", period),
            ("net", amount_parse),
            ("gross", amount_parse),
            ("units", units_parse),
            ("currency", currency_parse),
        ]
        for name, check in checks:
            i = idx.get(name)
            if i is None or (name == "statement_period" and not f[i].strip()):
                continue
            if name == "currency" and not f[i]:
                continue
            try:
                check(f[i])
            except ValueError as exc:
                return StatementError(
                    f"{header[i]} {exc}.", line=line_no, code=f"bad_{name.split('_')[-1]}"
                )
        if i_cur is None and not currency_const:  # pragma: no cover - layouts set one
            return StatementError("the statement names no currency.", line=line_no)
        return StatementError("the row cannot be read.", line=line_no, code="bad_row")

    def refuse_sign(line_no: int) -> StatementError:
        return StatementError(
            "a negative amount with a positive number of units: a refund or chargeback has "
            "zero or negative units. Check the row in the statement.",
            line=line_no,
            code="bad_sign",
        )

    if adjust is None:

        def build(line_no: int, f: Row, raw: bytes) -> ParsedLine:
            try:
                v = convert(f)
            except ValueError:
                raise diagnose(line_no, f) from None
            if v[8] > 0 and (v[10] < zero or v[9] < zero):
                raise refuse_sign(line_no)
            return ParsedLine(line_no, raw, *v)

        return build

    names = FIELDS[1:2] + FIELDS[0:1] + FIELDS[2:]

    def build_adjusted(line_no: int, f: Row, raw: bytes) -> ParsedLine | None:
        try:
            values = dict(zip(names, convert(f), strict=True))
        except ValueError:
            raise diagnose(line_no, f) from None
        try:
            values = adjust(f, values)
        except ValueError as exc:
            raise StatementError(f"{exc}.", line=line_no, code="bad_row") from None
        if values is None:
            return None
        if values["units"] > 0 and (values["net"] < zero or values["gross"] < zero):
            raise refuse_sign(line_no)
        return ParsedLine(line_no=line_no, raw=raw, **values)

    return build_adjusted
