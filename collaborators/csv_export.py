"""Every CSV Liner writes goes through here, so no cell can run as a spreadsheet formula.

A text cell starting with =, +, -, @, a tab or a carriage return is what a spreadsheet runs as
a formula (OWASP, "CSV Injection"); such a cell gets a leading apostrophe. Numbers passed as
numbers (int, Decimal) stay numbers: "-12.50" from a Decimal cannot be a formula, and a money
column must stay summable. Text that looks like a number ("-1" typed into a field) is still
neutralised, since it came from a person.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """The cell as text a spreadsheet shows as it is."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so spreadsheets read ℗ and accents right), CRLF lines
    (RFC 4180), every cell neutralised."""
    return b"".join(csv_stream(rows))


def csv_stream(rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """``csv_bytes`` a row at a time, for a ``StreamingHttpResponse`` of a long export."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    yield "\ufeff".encode()
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        yield buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
