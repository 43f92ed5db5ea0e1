"""TuneCore's sales report (CSV), one row per release or song per store per country per month.

Columns from TrackShift's column definitions
(https://github.com/SuperHyperInstantFutureTime/TrackShift/wiki/Column-Definitions:-Tunecore,
2023): Sales Period (YYYY-MM-DD, when the sales happened), Posted Date (when they were paid
out), Store Name, Country Of Sale (two letters; "UK" for Britain), Artist, Release Type
(Song / Album), Release Title, Song Title, Label, UPC, Optional UPC (the artist's own), TC Song
ID, Optional ISRC, Sales Type, # Units Sold, Per Unit Price, Net Sales (in Net Sales Currency),
Net Sales Currency, Exchange Rate, Total Earned (Net Sales × Exchange Rate) and Currency (of
Total Earned).

Liner books "Total Earned" in "Currency" (what reaches the account) as both gross and net:
"Net Sales" may be in another currency, and a line has one. Album rows have no song title;
their title is the release's. The artist's own UPC wins over TuneCore's when both are there.
"""

from __future__ import annotations

from .layouts import Layout, Row
from .values import upc_parse


def _adjust(position: dict[str, int]):
    i_release = position.get("release title")
    i_upc = position.get("upc")

    def adjust(f: Row, values: dict) -> dict:
        if not values["title"] and i_release is not None:
            values["title"] = f[i_release].strip()[:200]
        if not values["upc"] and i_upc is not None:
            values["upc"] = upc_parse(f[i_upc])
        return values

    return adjust


TUNECORE = Layout(
    source="tunecore",
    name="tunecore-sales",
    label="TuneCore sales report",
    columns={
        "sale_period": ("sales period",),
        "statement_period": ("posted date",),
        "store": ("store name",),
        "territory": ("country of sale",),
        "isrc": ("optional isrc", "isrc"),
        "upc": ("optional upc", "upc"),
        "title": ("song title", "release title"),
        "artist": ("artist",),
        "units": ("# units sold", "units sold"),
        "net": ("total earned",),
        "currency": ("currency",),
    },
    required=("sale_period", "store", "units", "net", "currency"),
    signature=("sales period", "store name", "# units sold", "total earned"),
    ignored=(
        "release type",
        "release title",
        "label",
        "upc",
        "tc song id",
        "sales type",
        "per unit price",
        "net sales",
        "net sales currency",
        "exchange rate",
    ),
    adjust=_adjust,
    names=(
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
    ),
)

LAYOUTS = (TUNECORE,)
