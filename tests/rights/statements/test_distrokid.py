"""DistroKid's bank export, both layouts, read by header name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rights.statements import ParsedLine, StatementError, statement_open

from .helpers import DK_NEWER, DK_OLDER, dk_newer_row, stream, tsv


def test_newer_layout_lines_are_normalised():
    rows = [
        dk_newer_row(),
        dk_newer_row(
            Store="Apple Music",
            Title="Low Tide",
            ISRC="qzabc2600001",
            UPC="0 196922 123456",
            Quantity="3",
            **{"Country of Sale": "UK", "Earnings (USD)": "0.0123"},
        ),
        dk_newer_row(Title="Harbour Lights (Album)", ISRC="", UPC="196922123456"),
    ]
    statement = statement_open(stream(tsv(DK_NEWER, rows)))
    assert (statement.source, statement.layout) == ("distrokid", "distrokid-2023")
    lines = list(statement.lines())
    assert [line.line_no for line in lines] == [2, 3, 4]
    first = lines[0]
    assert first.statement_period == dt.date(2026, 4, 1)
    assert first.sale_period == dt.date(2026, 2, 1)
    assert first.store == "Spotify"
    assert first.territory == "US"
    assert first.isrc == "QZABC2600001"
    assert first.upc == ""
    assert first.artist == "Inès Marlow"
    assert first.units == 1234
    assert first.net == Decimal("4.12345678901")  # exactly as written
    assert first.gross == first.net
    assert first.currency == "USD"
    assert first.raw == "\t".join(rows[0]).encode()
    assert lines[1].territory == "GB"
    assert lines[1].isrc == "QZABC2600001"
    assert lines[1].upc == "0196922123456"
    assert lines[1].net == Decimal("0.0123")
    assert lines[2].isrc == "" and lines[2].upc == "196922123456"
    # Built through its slots for speed, the line is the dataclass it would be otherwise.
    fields = {name: getattr(first, name) for name in ParsedLine.__slots__}
    assert first == ParsedLine(**fields)
    assert hash(first) == hash(ParsedLine(**fields))


def test_older_layout_is_told_apart_from_newer():
    row = [
        "2025-11-02",
        "2025-09",
        "Deezer",
        "Sam Reyes",
        "Night Bus",
        "QZABC2500007",
        "",
        "87",
        "50",
        "Song",
        "FR",
        "0.01",
        "0.21",
    ]
    statement = statement_open(stream(tsv(DK_OLDER, [row])), source="distrokid")
    assert statement.layout == "distrokid-2019"
    (line,) = statement.lines()
    assert (line.sale_period, line.territory, line.units, line.net) == (
        dt.date(2025, 9, 1),
        "FR",
        87,
        Decimal("0.21"),
    )


def test_columns_are_found_by_name_whatever_their_order_case_and_spaces():
    order = list(reversed(range(len(DK_NEWER))))
    header = [f"  {DK_NEWER[i].upper()} " for i in order]
    row = dk_newer_row()
    text = tsv(header, [[row[i] for i in order]], newline="\r\n")
    (line,) = statement_open(stream(text)).lines()
    assert line.title == "Low Tide"
    assert line.net == Decimal("4.12345678901")
    assert line.raw == "\t".join(row[i] for i in order).encode()  # no \r


def test_header_only_file_has_no_lines():
    statement = statement_open(stream(tsv(DK_NEWER, [])))
    assert list(statement.lines()) == []


def test_negative_amount_is_a_reversal_only_with_units_not_positive():
    refund = dk_newer_row(Quantity="-2", **{"Earnings (USD)": "-0.0100"})
    (line,) = statement_open(stream(tsv(DK_NEWER, [refund]))).lines()
    assert (line.units, line.net) == (-2, Decimal("-0.0100"))

    wrong = dk_newer_row(Quantity="2", **{"Earnings (USD)": "-0.01"})
    with pytest.raises(StatementError) as caught:
        list(statement_open(stream(tsv(DK_NEWER, [dk_newer_row(), wrong]))).lines())
    assert caught.value.line == 3
    assert "negative amount with a positive number of units" in str(caught.value)


def test_decimal_comma_is_refused_naming_column_and_value():
    bad = dk_newer_row(**{"Earnings (USD)": "12,50"})
    lines = statement_open(stream(tsv(DK_NEWER, [dk_newer_row(), bad]))).lines()
    assert next(lines).line_no == 2
    with pytest.raises(StatementError) as caught:
        next(lines)
    message = str(caught.value)
    assert caught.value.line == 3
    assert "Earnings (USD)" in message and "12,50" in message
    assert caught.value.code == "bad_net"


def test_missing_column_is_named():
    header = [c for c in DK_NEWER if c != "Earnings (USD)"]
    with pytest.raises(StatementError) as caught:
        statement_open(stream(tsv(header, [])), source="distrokid")
    assert "“Earnings (USD)”" in str(caught.value)
