"""CD Baby's accounting report (tab-separated text, downloaded from Sales and Accounting).

CD Baby documents where the report is downloaded (a .TXT file to open in a spreadsheet,
https://support.cdbaby.com/hc/en-us/articles/360040609972) but no public reference for its
columns was found. The columns below are as Liner expects them, from reports users brought:
Report Date (the accounting month), Sales Date (the month of the sale), Partner (the store),
Country, Artist, Album, Track, UPC, ISRC, Sale Type, Quantity, Subtotal (what the store paid
for the row) and Earnings (what CD Baby credited, after its commission), with Currency. Headers
are matched by name, case and spaces ignored, so a reordered export reads the same; "Store"
and "Territory" are accepted for "Partner" and "Country".
"""

from __future__ import annotations

from .layouts import Layout

CDBABY = Layout(
    source="cdbaby",
    name="cdbaby-accounting",
    label="CD Baby accounting report",
    columns={
        "statement_period": ("report date", "reporting date", "posted date"),
        "sale_period": ("sales date", "sale date", "sales period"),
        "store": ("partner", "store"),
        "territory": ("country", "territory"),
        "isrc": ("isrc",),
        "upc": ("upc",),
        "title": ("track", "track title", "album", "album title"),
        "artist": ("artist", "artist name"),
        "units": ("quantity", "qty"),
        "gross": ("subtotal",),
        "net": ("earnings", "payable", "amount earned"),
        "currency": ("currency",),
    },
    required=("sale_period", "store", "units", "net"),
    signature=("partner", "sales date", "quantity", "earnings"),
    ignored=("album", "album title", "sale type"),
    constants={"currency": "USD"},
    names=(
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
    ),
)

LAYOUTS = (CDBABY,)
