"""Bandcamp's sales report (CSV from Tools → sales report), one row per sale or transaction.

Columns from Bandcamp's help, "Reading your sales report"
(https://get.bandcamp.help/hc/articles/23020652228759 and https://bandcamp.com/help/
sales_report), and its Sales Report API (line items with the same names, snake-cased): date
(of the order, in UTC), paid to, item type (album / track / package / payout / reversal /
refund), item name, artist, currency, item price, quantity, discount code, sub total,
additional fan contribution, seller tax, marketplace tax, tax rate, shipping, transaction fee,
fee type, item total, amount you received, net amount, package, option, item url, catalog
number, upc, isrc, buyer name, buyer email and the buyer's country (Liner reads "buyer country
code", "country code", "ship to country code", "buyer country", "country" or "ship to
country", first one present).

Each sale is its own line: the month is the order's, the statement month is the same (Bandcamp
pays as it sells), the store is "Bandcamp". Gross is "item total" (what the fan paid for the
item, with any extra they chose to give), else "sub total"; net is "net amount", what the
artist received after Bandcamp's and the payment processor's fees. Payout rows are money moving
to the artist's own account, not earnings, and are skipped. Refunds and reversals are negative
amounts; their units count as negative (a sale taken back), whatever sign the file gives.
"""

from __future__ import annotations

from .layouts import Layout, Row

_SKIPPED_TYPES = {"payout"}
_TAKEN_BACK = {"refund", "reversal", "chargeback"}


def _adjust(position: dict[str, int]):
    i_type = position.get("item type")

    def adjust(f: Row, values: dict) -> dict | None:
        kind = f[i_type].strip().casefold() if i_type is not None else ""
        if kind in _TAKEN_BACK:
            values["units"] = -abs(values["units"])
            values["net"] = -abs(values["net"])
            values["gross"] = -abs(values["gross"])
        return values

    return adjust


def _skip(position: dict[str, int]):
    i_type = position.get("item type")

    def skip(f: Row) -> bool:
        return i_type is not None and f[i_type].strip().casefold() in _SKIPPED_TYPES

    return skip


BANDCAMP = Layout(
    source="bandcamp",
    name="bandcamp-sales",
    label="Bandcamp sales report",
    columns={
        "sale_period": ("date",),
        "store": (),
        "territory": (
            "buyer country code",
            "country code",
            "ship to country code",
            "buyer country",
            "country",
            "ship to country",
        ),
        "isrc": ("isrc",),
        "upc": ("upc",),
        "title": ("item name",),
        "artist": ("artist",),
        "units": ("quantity",),
        "gross": ("item total", "sub total"),
        "net": ("net amount",),
        "currency": ("currency",),
    },
    required=("sale_period", "title", "units", "net", "currency"),
    signature=("date", "item type", "item name", "net amount", "currency"),
    ignored=(
        "paid to",
        "item type",
        "item price",
        "discount code",
        "sub total",
        "additional fan contribution",
        "seller tax",
        "marketplace tax",
        "tax rate",
        "collection society share",
        "shipping",
        "ship from country name",
        "transaction fee",
        "fee type",
        "amount you received",
        "paypal transaction id",
        "package",
        "option",
        "item url",
        "catalog number",
        "buyer name",
        "buyer email",
        "buyer phone",
        "buyer note",
        "bandcamp transaction id",
        "bandcamp transaction item id",
        "bandcamp related transaction id",
    ),
    constants={"store": "Bandcamp"},
    adjust=_adjust,
    skip=_skip,
)

LAYOUTS = (BANDCAMP,)
