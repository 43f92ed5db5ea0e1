"""DistroKid's "Excruciating Detail" bank export: tab-separated, one row per song (or album) per
store per country per month.

Columns of the older layout, from TrackShift's column definitions
(https://github.com/SuperHyperInstantFutureTime/TrackShift/wiki/Column-Definitions:-Distrokid,
2023) and Infinite Catalog's DistroKid import notes (https://help.infinitecatalog.com/article/
62-distrokid: "File is a .tsv"): Reporting Date (YYYY-MM-DD, when DistroKid received the
report), Sale Month (YYYY-MM, when the usage happened), Store, Artist, Title, ISRC (blank for
album rows), UPC, Quantity, Team Percentage, Song/Album, Country of Sale, Songwriter Royalties
Withheld, Earnings (USD). "Earnings (USD) reflects the team percentage", so it is this account's
share as it is: Liner does not apply the percentage again.

The newer layout drops "Song/Album" and adds "Date Inserted", "Source Type", "Songwriter
Royalties Withheld (USD)" and "Recoup (USD)". No public column reference for it was found; its
columns are as Liner expects them from exports users brought (the older columns plus those four),
and every column is found by its header name, so their order does not matter.

Both layouts report in US dollars and have a single amount: gross and net are both the
"Earnings (USD)" figure (what reaches the DistroKid bank, after the withheld songwriter
royalties and any recoup). Song rows often have an ISRC and no UPC; they are matched by ISRC.
"""

from __future__ import annotations

from .layouts import Layout

_COLUMNS = {
    "statement_period": ("reporting date",),
    "sale_period": ("sale month",),
    "store": ("store",),
    "territory": ("country of sale",),
    "isrc": ("isrc",),
    "upc": ("upc",),
    "title": ("title",),
    "artist": ("artist",),
    "units": ("quantity",),
    "net": ("earnings (usd)",),
}
_REQUIRED = ("statement_period", "sale_period", "store", "units", "net")

DISTROKID_OLDER = Layout(
    source="distrokid",
    name="distrokid-2019",
    label="DistroKid (older layout, with Song/Album)",
    columns=_COLUMNS,
    required=_REQUIRED,
    signature=("reporting date", "sale month", "store", "quantity", "earnings (usd)", "song/album"),
    excludes=("recoup (usd)",),
    ignored=("team percentage", "song/album", "songwriter royalties withheld"),
    constants={"currency": "USD"},
    names=(
        "Reporting Date",
        "Sale Month",
        "Store",
        "Artist",
        "Title",
        "ISRC",
        "UPC",
        "Quantity",
        "Team Percentage",
        "Song/Album",
        "Country of Sale",
        "Songwriter Royalties Withheld",
        "Earnings (USD)",
    ),
)

DISTROKID_NEWER = Layout(
    source="distrokid",
    name="distrokid-2023",
    label="DistroKid (newer layout, with Recoup)",
    columns=_COLUMNS,
    required=_REQUIRED,
    signature=(
        "reporting date",
        "sale month",
        "store",
        "quantity",
        "earnings (usd)",
        "recoup (usd)",
    ),
    ignored=(
        "team percentage",
        "date inserted",
        "source type",
        "songwriter royalties withheld (usd)",
        "recoup (usd)",
    ),
    constants={"currency": "USD"},
    names=(
        "Reporting Date",
        "Sale Month",
        "Store",
        "Artist",
        "Title",
        "ISRC",
        "UPC",
        "Quantity",
        "Team Percentage",
        "Source Type",
        "Country of Sale",
        "Songwriter Royalties Withheld (USD)",
        "Earnings (USD)",
        "Recoup (USD)",
        "Date Inserted",
    ),
)

LAYOUTS = (DISTROKID_NEWER, DISTROKID_OLDER)
