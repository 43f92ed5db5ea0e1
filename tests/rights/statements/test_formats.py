"""TuneCore, CD Baby, Bandcamp and column-mapped statements, as their exports write them."""

from __future__ import annotations

import codecs
import datetime as dt
from decimal import Decimal

import pytest

from rights.statements import (
    GenericMapping,
    StatementError,
    mapping_errors,
    statement_header,
    statement_open,
)

from .helpers import csv_text, stream, tsv

TUNECORE = [
    "Sales Period",
    "Posted Date",
    "Store Name",
    "Country Of Sale",
    "Artist",
    "Release Type",
    "Release Title",
    "Song Title",
    "Label",
    "UPC",
    "Optional UPC",
    "TC Song ID",
    "Optional ISRC",
    "Sales Type",
    "# Units Sold",
    "Per Unit Price",
    "Net Sales",
    "Net Sales Currency",
    "Exchange Rate",
    "Total Earned",
    "Currency",
]


def test_tunecore_csv_with_bom_crlf_and_quoted_commas():
    rows = [
        [
            "2026-01-01",
            "2026-03-15",
            "Apple Music",
            "UK",
            "Sam Reyes",
            "Song",
            "Harbour Lights",
            "Low Tide, Pt. 2",
            "Reyes Records",
            "859700000017",
            "",
            "991",
            "QZABC2600002",
            "Streaming",
            "310",
            "0.0075",
            "2.325",
            "USD",
            "0.79",
            "1.83675",
            "GBP",
        ],
        [
            "2026-01-01",
            "2026-03-15",
            "iTunes",
            "DE",
            "Sam Reyes",
            "Album",
            "Harbour Lights",
            "",
            "Reyes Records",
            "859700000017",
            "",
            "",
            "",
            "Download",
            "1",
            "6.93",
            "6.93",
            "USD",
            "0.79",
            "5.4747",
            "gbp",
        ],
    ]
    data = codecs.BOM_UTF8 + csv_text([h.lower() for h in TUNECORE], rows).encode()
    statement = statement_open(stream(data))
    assert statement.source == "tunecore"
    song, album = statement.lines()
    assert song.title == "Low Tide, Pt. 2"
    assert song.territory == "GB"
    assert song.sale_period == dt.date(2026, 1, 1)
    assert song.statement_period == dt.date(2026, 3, 1)
    assert (song.units, song.net, song.currency) == (310, Decimal("1.83675"), "GBP")
    assert song.upc == "859700000017"
    assert song.raw.startswith(b"2026-01-01,") and b'"Low Tide, Pt. 2"' in song.raw
    assert album.title == "Harbour Lights"  # album rows take the release's title
    assert album.isrc == "" and album.currency == "GBP"


CDBABY = [
    "Report Date",
    "Sales Date",
    "Partner",
    "Country",
    "Artist",
    "Album",
    "Track",
    "UPC",
    "ISRC",
    "Sale Type",
    "Quantity",
    "Subtotal",
    "Earnings",
    "Currency",
]


def test_cdbaby_tsv_in_latin1():
    rows = [
        [
            "03/2026",
            "Jan 2026",
            "Spotify",
            "France",
            "Inès Marlow",
            "Été",
            "Café Noir",
            "",
            "QZ-ABC-26-00003",
            "Stream",
            "1200",
            "4.80",
            "4.32",
            "USD",
        ],
        [
            "03/2026",
            "February 2026",
            "Amazon",
            "United Kingdom",
            "Inès Marlow",
            "Été",
            "Café Noir",
            "",
            "QZABC2600003",
            "Download",
            "2",
            "1.98",
            "1.78",
            "",
        ],
    ]
    data = tsv(CDBABY, rows).encode("latin-1")
    statement = statement_open(stream(data), source="cdbaby")
    assert statement.encoding == "latin-1"
    first, second = statement.lines()
    assert first.artist == "Inès Marlow" and first.title == "Café Noir"
    assert first.territory == "FR" and second.territory == "GB"
    assert first.sale_period == dt.date(2026, 1, 1)
    assert second.sale_period == dt.date(2026, 2, 1)
    assert first.statement_period == dt.date(2026, 3, 1)
    assert (first.gross, first.net) == (Decimal("4.80"), Decimal("4.32"))
    assert second.currency == "USD"  # an empty currency cell is the layout's dollars
    assert first.raw == "\t".join(rows[0]).encode("latin-1")


BANDCAMP = [
    "date",
    "paid to",
    "item type",
    "item name",
    "artist",
    "currency",
    "item price",
    "quantity",
    "discount code",
    "sub total",
    "additional fan contribution",
    "transaction fee",
    "item total",
    "net amount",
    "upc",
    "isrc",
    "buyer name",
    "buyer country name",
    "buyer country code",
]


def test_bandcamp_sales_payouts_skipped_refunds_negative():
    def row(kind, name, qty, total, net, country="DE", date="1/15/2026 3:04:05 pm"):
        return [
            date,
            "paypal",
            kind,
            name,
            "Sam Reyes",
            "EUR",
            "7.00",
            qty,
            "",
            "7.00",
            "1.00",
            "0.62",
            total,
            net,
            "",
            "",
            "Alex",
            "Germany",
            country,
        ]

    rows = [
        row("album", "Harbour Lights", "1", "8.00", "6.58"),
        row("payout", "", "", "", "-6.58", country=""),
        row("refund", "Harbour Lights", "1", "8.00", "-6.58", date="2/02/2026 9:00am"),
        row("track", "Low Tide", "2", "2.00", "1.60", country="gb"),
    ]
    statement = statement_open(stream(csv_text(BANDCAMP, rows)))
    assert statement.source == "bandcamp"
    sale, refund, track = statement.lines()
    assert [line.line_no for line in (sale, refund, track)] == [2, 4, 5]
    assert sale.store == "Bandcamp" and sale.title == "Harbour Lights"
    assert sale.sale_period == sale.statement_period == dt.date(2026, 1, 1)
    assert (sale.units, sale.gross, sale.net, sale.currency) == (
        1,
        Decimal("8.00"),
        Decimal("6.58"),
        "EUR",
    )
    assert sale.territory == "DE"
    assert (refund.units, refund.net, refund.gross) == (-1, Decimal("-6.58"), Decimal("-8.00"))
    assert refund.sale_period == dt.date(2026, 2, 1)
    assert track.territory == "GB" and track.units == 2


GENERIC_HEADER = ["Month", "Shop", "Land", "Code", "Song", "Who", "Plays", "Payable", "Cur"]


def generic_mapping(**over) -> GenericMapping:
    columns = {
        "sale_period": "Month",
        "store": "Shop",
        "territory": "Land",
        "isrc": "Code",
        "title": "Song",
        "artist": "Who",
        "units": "Plays",
        "net": "Payable",
    }
    columns.update(over.pop("columns", {}))
    return GenericMapping(columns=columns, date_format="%d.%m.%Y", currency="EUR", **over)


def test_generic_mapping_semicolons_and_own_date_format():
    rows = [
        ["15.03.2026", "Qobuz", "AT", "QZABC2600004", "Night Bus", "Inès", "7", "0.0700", ""],
        ["01.04.2026", "Qobuz", "Atlantis", "bad isrc", "Night Bus", "Inès", "0", "0", "CHF"],
    ]
    text = "\n".join(";".join(r) for r in [GENERIC_HEADER, *rows]) + "\n"
    assert statement_header(stream(text)) == GENERIC_HEADER
    mapping = generic_mapping(columns={"currency": "Cur"})
    statement = statement_open(stream(text), mapping=mapping)
    assert statement.source == "generic"
    first, second = statement.lines()
    assert first.sale_period == first.statement_period == dt.date(2026, 3, 1)
    assert (first.store, first.territory, first.isrc) == ("Qobuz", "AT", "QZABC2600004")
    assert (first.net, first.gross, first.currency) == (Decimal("0.0700"), Decimal("0.0700"), "EUR")
    assert second.territory == ""  # an unknown country is kept as none, not a refusal
    assert second.isrc == ""  # an invalid ISRC falls back to matching by title
    assert second.currency == "CHF"


def test_generic_mapping_errors_are_per_field():
    errors = mapping_errors(
        mapping=GenericMapping(
            columns={"sale_period": "Month", "net": "Nope", "title": "Month", "colour": "Who"},
            date_format="%d",
            currency="euro",
        ),
        header=GENERIC_HEADER,
    )
    assert errors["net"] == "The file has no column “Nope”."
    assert "already chosen" in errors["title"]
    assert "not one of Liner's fields" in errors["colour"]
    assert "month" in errors["date_format"]
    assert "three letters" in errors["currency"] or "currency" in errors["currency"]
    assert mapping_errors(mapping=generic_mapping(), header=GENERIC_HEADER) == {}

    with pytest.raises(StatementError) as caught:
        statement_open(
            stream(";".join(GENERIC_HEADER) + "\n"),
            mapping=generic_mapping(columns={"net": "Betrag"}),
        )
    assert caught.value.code == "bad_mapping"
    assert "Betrag" in str(caught.value)


def test_generic_date_that_does_not_match_the_format_names_the_column():
    text = ";".join(GENERIC_HEADER) + "\n2026-03;Qobuz;AT;;Song;Who;1;0.01;\n"
    with pytest.raises(StatementError) as caught:
        list(statement_open(stream(text), mapping=generic_mapping()).lines())
    assert caught.value.line == 2
    assert "Month" in str(caught.value) and "%d.%m.%Y" in str(caught.value)


def test_generic_mapping_without_date_format_reads_liners_own_period_forms():
    text = "Month,Payable\n2026-03,0.50\nMar 2026,0.25\n04/2026,-0.10\n"
    mapping = GenericMapping(
        columns={"sale_period": "Month", "net": "Payable"}, date_format="", currency="usd"
    )
    assert mapping_errors(mapping=mapping, header=["Month", "Payable"]) == {}
    lines = list(statement_open(stream(text), mapping=mapping).lines())
    assert [line.sale_period for line in lines] == [
        dt.date(2026, 3, 1),
        dt.date(2026, 3, 1),
        dt.date(2026, 4, 1),
    ]
    assert [line.units for line in lines] == [0, 0, 0]  # no units column: reversals allowed
    assert {line.currency for line in lines} == {"USD"}
