"""Sample statements the tests write: realistic headers and rows, as each source writes them."""

from __future__ import annotations

import io

DK_NEWER = [
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
]
DK_OLDER = [
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
]


def dk_newer_row(**over: str) -> list[str]:
    row = {
        "Reporting Date": "2026-04-05",
        "Sale Month": "2026-02",
        "Store": "Spotify",
        "Artist": "Inès Marlow",
        "Title": "Low Tide",
        "ISRC": "QZ-ABC-26-00001",
        "UPC": "",
        "Quantity": "1234",
        "Team Percentage": "100",
        "Source Type": "Streaming",
        "Country of Sale": "US",
        "Songwriter Royalties Withheld (USD)": "0",
        "Earnings (USD)": "4.12345678901",
        "Recoup (USD)": "0",
        "Date Inserted": "2026-04-06",
    }
    row.update({k.replace("_", " "): v for k, v in over.items()})
    return [row[c] for c in DK_NEWER]


def tsv(header: list[str], rows: list[list[str]], *, newline: str = "\n") -> str:
    return newline.join("\t".join(r) for r in [header, *rows]) + newline


def csv_text(header: list[str], rows: list[list[str]], *, newline: str = "\r\n") -> str:
    def cell(value: str) -> str:
        if any(c in value for c in ',"\n\r'):
            return '"' + value.replace('"', '""') + '"'
        return value

    return newline.join(",".join(cell(v) for v in r) for r in [header, *rows]) + newline


def stream(text: str | bytes, encoding: str = "utf-8") -> io.BytesIO:
    return io.BytesIO(text if isinstance(text, bytes) else text.encode(encoding))
