"""What a statement layout is (its columns, found by header name) and how its rows become
records.

A ``Layout`` names, for each of Liner's fields, the header names that hold it (case and spaces
ignored, the first one present wins), which fields must be present, and which headers
recognise it. ``Layout.builder(keys)`` maps the columns to indexes once and returns a function
that turns the reader's rows into records (plain tuples, see ``RECORD_FIELDS``;
``record_line`` makes one a ``ParsedLine``): its loop runs a million times for a large DistroKid
file, so it does only lookups, small cached parses and one regular expression per amount;
``Decimal`` only for an amount with a minus sign.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from .base import ParsedLine, StatementError
from .reading import header_key
from .values import (
    AMOUNT,
    PLAIN_AMOUNT,
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
# A record, what a layout's builder returns for a row: the line number, the row's bytes, then
# these in this order, amounts as plain text ("2.4771754355", "-1.50"), already checked.
RECORD_FIELDS = ("statement_period", "sale_period", *FIELDS[2:])

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
    # Made once per file like ``adjust``: rows it returns True for are not statement lines
    # (Bandcamp's payouts) and are skipped before their cells are read.
    skip: Callable[[dict[str, int]], Callable[[Row], bool]] | None = None
    period: Callable[[str], dt.date] = period_parse
    # The headers as the source spells them, for messages ("Earnings (USD)", not the key).
    names: tuple[str, ...] = ()

    def display(self, key: str) -> str:
        for name in self.names:
            if header_key(name) == key:
                return name
        return key

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

    def builder(
        self, keys: list[str], header: list[str]
    ) -> Callable[[Iterable[tuple[int, Row, bytes]]], Iterator[tuple]]:
        return _builder(self, keys, header)


def _builder(layout: Layout, keys: list[str], header: list[str]):
    idx = layout.indexes(keys)
    missing = [f for f in layout.required if f not in idx]
    if missing:
        names = ", ".join(f"“{layout.display(layout.columns[f][0])}”" for f in missing)
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
        if len(period_cache) >= 4096:
            period_cache.clear()
        value = period_cache[text] = period(text)
        return value

    width = len(keys)
    # Fields this file lacks read from constants appended to each row, so that the hot path
    # below has no branches: one list extend per row instead of a test per field.
    extras: list[str] = []

    def column(name: str, default: str) -> int:
        if name in idx:
            return idx[name]
        extras.append(default)
        return width + len(extras) - 1

    i_sale = idx["sale_period"]
    i_net = idx["net"]
    i_stmt = idx.get("statement_period", i_sale)
    i_store = column("store", constants.get("store", "")[:STORE_MAX])
    i_terr = column("territory", "")
    i_isrc = column("isrc", "")
    i_upc = column("upc", "")
    i_title = column("title", "")
    i_artist = column("artist", "")
    i_units = column("units", "0")
    i_gross = idx.get("gross", i_net)
    currency_const = constants.get("currency", "")
    i_cur = column("currency", currency_const)
    i_upc_given = "upc" in idx
    position: dict[str, int] = {}
    for i, key in enumerate(keys):
        position.setdefault(key, i)
    adjust = layout.adjust(position) if layout.adjust else None
    skip = layout.skip(position) if layout.skip else None
    zero = Decimal(0)
    plain_match = PLAIN_AMOUNT.fullmatch
    period_get = period_cache.get
    territory_get = territory_cache.get
    isrc_get = isrc_cache.get
    currency_get = currency_cache.get

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
            value = f[i]
            if name == "currency":
                value = value or currency_const
            try:
                check(value)
            except ValueError as exc:
                return StatementError(
                    f"{header[i]} {exc}.", line=line_no, code=f"bad_{name.split('_')[-1]}"
                )
        return StatementError("the row cannot be read.", line=line_no, code="bad_row")

    def refuse_sign(line_no: int) -> StatementError:
        return StatementError(
            "a negative amount with a positive number of units: a refund or chargeback has "
            "zero or negative units. Check the row in the statement.",
            line=line_no,
            code="bad_sign",
        )

    def adjusted(line_no: int, f: Row, record: tuple) -> tuple | None:
        values = dict(zip(RECORD_FIELDS, record[2:], strict=True))
        values["gross"], values["net"] = Decimal(values["gross"]), Decimal(values["net"])
        try:
            values = adjust(f, values)
        except ValueError as exc:
            raise StatementError(f"{exc}.", line=line_no, code="bad_row") from None
        if values is None:
            return None
        if values["units"] > 0 and (values["net"] < zero or values["gross"] < zero):
            raise refuse_sign(line_no)
        values["gross"] = format(values["gross"], "f")
        values["net"] = format(values["net"], "f")
        return (line_no, record[1], *(values[name] for name in RECORD_FIELDS))

    def records(rows: Iterable[tuple[int, Row, bytes]]) -> Iterator[tuple]:
        # One loop with everything inline: a function call per row would be a tenth of it.
        for line_no, f, raw in rows:
            if skip is not None and skip(f):
                continue
            try:
                if extras:
                    f += extras
                text = f[i_sale]
                sale = period_get(text) or cached_period(text)
                text = f[i_stmt]
                stmt = period_get(text) or (cached_period(text) if text.strip() else sale)
                net = f[i_net]
                if not plain_match(net):
                    net = amount_text(net)
                if i_gross == i_net:
                    gross = net
                else:
                    gross = f[i_gross]
                    if not plain_match(gross):
                        gross = amount_text(gross)
                text = f[i_units]
                if text.isdigit() and text.isascii() and len(text) < 16:
                    units = int(text)
                else:
                    units = units_parse(text)
                text = f[i_terr]
                territory = territory_get(text)
                if territory is None:
                    territory = territory_parse(text, cache=territory_cache)
                text = f[i_isrc]
                isrc = isrc_get(text)
                if isrc is None:
                    isrc = isrc_parse(text, cache=isrc_cache)
                text = f[i_cur] or currency_const
                currency = currency_get(text) or currency_parse(text, cache=currency_cache)
            except ValueError:
                raise diagnose(line_no, f) from None
            record = (
                line_no,
                raw,
                stmt,
                sale,
                f[i_store].strip()[:STORE_MAX],
                territory,
                isrc,
                upc_parse(f[i_upc]) if i_upc_given and f[i_upc] else "",
                f[i_title].strip()[:TEXT_MAX],
                f[i_artist].strip()[:TEXT_MAX],
                units,
                gross,
                net,
                currency,
            )
            if adjust is not None:
                record = adjusted(line_no, f, record)
                if record is None:
                    continue
            # A minus sign is rare, and Decimal only for one.
            elif units > 0 and (
                (net[0] == "-" and Decimal(net) < zero)
                or (gross[0] == "-" and Decimal(gross) < zero)
            ):
                raise refuse_sign(line_no)
            yield record

    return records


def amount_text(text: str) -> str:
    """An amount cell that is not written plainly ("+1.50", " 2 ", ".5") as plain text
    ("1.50", "2", "0.5"); raises ``ValueError`` for one that is not an amount."""
    if not AMOUNT.fullmatch(text):
        raise ValueError
    return format(Decimal(text), "f")


def record_line(record: tuple) -> ParsedLine:
    """A record (what ``build`` returns: line number, raw bytes, then ``FIELDS`` in order with
    amounts as text) as a ``ParsedLine``."""
    (line_no, raw, stmt, sale, store, territory, isrc, upc, title, artist, units, gross, net,
     currency) = record  # fmt: skip
    return ParsedLine(
        line_no=line_no, raw=raw, statement_period=stmt, sale_period=sale, store=store,
        territory=territory, isrc=isrc, upc=upc, title=title, artist=artist, units=units,
        gross=Decimal(gross), net=Decimal(net), currency=currency,
    )  # fmt: skip
