"""Reading a statement file as rows: encoding, delimiter, header, each row with its bytes.

The file is read as a stream, one line at a time, so memory does not grow with its length.

Encoding: decided once, from the first 64 KB. A UTF-16 byte-order mark, or NUL bytes (UTF-16
without a mark, a spreadsheet's binary format, a zip), refuse the file. Otherwise, if those
64 KB are UTF-8 (with or without a byte-order mark), the file is read as UTF-8; if not, as
Latin-1, which is what Excel on Windows writes ("Inès" as one byte ``E8``). While every byte
read so far is ASCII (the same in both), the first line that is not UTF-8 switches the file
to Latin-1. A file that has already shown UTF-8 accents and then stops being UTF-8 is refused
at that line ("the file is not UTF-8 from line N; save it as UTF-8"): its two halves disagree,
and guessing would garble names silently.

Rows: ``csv.reader`` (strict) reads the decoded lines, pulling them one at a time from a
generator that also keeps each line's bytes, so a row's ``raw`` is exactly its bytes in the
file (a quoted field with a newline spans two lines and both are the row's). Lines longer
than 1 MB and headers with more than 200 columns are refused before anything else is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from .base import StatementError

HEAD_BYTES = 64 * 1024
MAX_LINE_BYTES = 1024 * 1024
MAX_COLUMNS = 200

_SPACES = re.compile(r"\s+")


def header_key(name: str) -> str:
    """A header cell as Liner compares it: case, surrounding and repeated spaces ignored."""
    return _SPACES.sub(" ", name.replace("\ufeff", "")).strip().casefold()


class _Chain(io.RawIOBase):
    """The bytes already read from a stream (its head), then the rest of the stream."""

    def __init__(self, head: bytes, rest: BinaryIO):
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(buffer))
        if not data:
            return 0
        n = len(data)
        buffer[:n] = data
        return n


def _encoding_decide(head: bytes) -> tuple[str, int]:
    """(encoding, bytes of byte-order mark to skip) for a file starting with ``head``."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise StatementError(
            "The file is in UTF-16; save it as CSV (UTF-8) or tab-separated text and upload "
            "it again.",
            line=None,
            code="bad_encoding",
        )
    if b"\x00" in head:
        raise StatementError(
            "This is not a text file (it holds binary data): upload the statement as CSV or "
            "tab-separated text, not a spreadsheet or an archive.",
            code="bad_encoding",
        )
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8", len(codecs.BOM_UTF8)
    try:
        # final=False: the 64 KB may end in the middle of a character.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "latin-1", 0
    return "utf-8", 0


@dataclass
class Reader:
    """An open statement: its header (as written and as keys) and its data rows."""

    header: list[str]
    keys: list[str]
    delimiter: str
    encoding: str
    _lines: BinaryIO
    _head_ascii: bool = False
    _line_no: int = 1  # the header's

    def rows(self) -> Iterator[tuple[int, list[str], bytes]]:
        """(line number of the row's first line, fields, raw bytes without line ending) for
        each non-blank data row. Raises ``StatementError`` for a row cut short, an unclosed
        quote, a line too long or bytes that are not the file's encoding."""
        width = len(self.header)
        pending: list[bytes] = []
        state = {"line": self._line_no}
        encoding = self.encoding
        stream = self._lines
        limit = MAX_LINE_BYTES + 1

        # Until a line with a byte over 127 has been read as UTF-8, every line so far reads
        # the same in UTF-8 and Latin-1, so a Latin-1 file whose first accent comes after the
        # first 64 KB can still switch without misreading anything.
        ascii_so_far = encoding == "utf-8" and self._head_ascii

        def text_lines() -> Iterator[str]:
            nonlocal encoding, ascii_so_far
            readline = stream.readline
            while True:
                raw = readline(limit)
                if not raw:
                    return
                state["line"] += 1
                if len(raw) > MAX_LINE_BYTES:
                    raise StatementError(
                        "the line is longer than 1 MB; this is not a statement line.",
                        line=state["line"],
                        code="line_too_long",
                    )
                if b"\x00" in raw:
                    raise StatementError(
                        "the line holds binary data (NUL bytes); upload the statement as text.",
                        line=state["line"],
                        code="bad_encoding",
                    )
                pending.append(raw)
                if ascii_so_far and not raw.isascii():
                    try:
                        text = raw.decode("utf-8")
                    except UnicodeDecodeError:
                        encoding = self.encoding = "latin-1"
                        text = raw.decode("latin-1")
                    ascii_so_far = False
                    yield text
                    continue
                try:
                    yield raw.decode(encoding)
                except UnicodeDecodeError:
                    raise StatementError(
                        f"the file is not UTF-8 from line {state['line']}; save it as UTF-8 "
                        "and upload it again.",
                        line=state["line"],
                        code="bad_encoding",
                    ) from None

        reader = csv.reader(text_lines(), delimiter=self.delimiter, strict=True)
        while True:
            first = state["line"] + 1
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise StatementError(_csv_reason(exc), line=first, code="bad_row") from None
            raw = b"".join(pending) if len(pending) > 1 else pending[0]
            pending.clear()
            if raw.endswith(b"\n"):
                raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
            elif raw.endswith(b"\r"):
                raw = raw[:-1]
            if not fields or (len(fields) == 1 and not fields[0].strip()):
                continue  # a blank line (often the last one)
            if len(fields) != width:
                if len(fields) < width:
                    raise StatementError(
                        f"this row has {len(fields)} fields where the header has {width}; the "
                        "file may have been cut short (download it again).",
                        line=first,
                        code="truncated",
                    )
                raise StatementError(
                    f"this row has {len(fields)} fields where the header has {width}.",
                    line=first,
                    code="bad_row",
                )
            yield first, fields, raw


def _csv_reason(exc: csv.Error) -> str:
    text = str(exc)
    if "unexpected end of data" in text:
        return (
            "a quoted field is not closed before the end of the file; the file may have been "
            "cut short (download it again)."
        )
    if "field larger than field limit" in text:
        return "a quoted field is not closed (or a field is longer than 128 KB)."
    if "expected after" in text:
        return "a quoted field is badly formed (a quote inside it is not doubled)."
    return f"the row cannot be read ({text})."


def _delimiter_sniff(line: str) -> str:
    """Tab, semicolon or comma: whichever the header line holds most of (outside quotes)."""
    unquoted = re.sub(r'"[^"]*"', "", line)
    counts = {d: unquoted.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def reader_open(stream: BinaryIO) -> Reader:
    """Read the header of ``stream`` (binary); the rest stays unread until ``rows()``."""
    head = stream.read(HEAD_BYTES)
    if isinstance(head, str):
        raise TypeError("statement streams are binary")
    encoding, skip = _encoding_decide(head)
    lines = io.BufferedReader(_Chain(head[skip:], stream), buffer_size=HEAD_BYTES)
    raw = lines.readline(MAX_LINE_BYTES + 1)
    if not raw.strip():
        raise StatementError(
            "The file is empty: it has no header row.", line=None, code="empty_file"
        )
    if len(raw) > MAX_LINE_BYTES:
        raise StatementError(
            "the header line is longer than 1 MB; this is not a statement.",
            line=1,
            code="line_too_long",
        )
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError:
        raise StatementError(
            "the file is not UTF-8 from line 1; save it as UTF-8 and upload it again.",
            line=1,
            code="bad_encoding",
        ) from None
    delimiter = _delimiter_sniff(text)
    columns = text.count(delimiter) + 1
    if columns > MAX_COLUMNS:
        raise StatementError(
            f"the header has {columns:,} columns; a statement has at most {MAX_COLUMNS}.",
            line=1,
            code="too_many_columns",
        )
    try:
        header = next(csv.reader([text], delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration) as exc:
        raise StatementError(
            "the header row cannot be read (a quote in it is not closed).",
            line=1,
            code="bad_header",
        ) from exc
    header = [cell.replace("\ufeff", "").strip() for cell in header]
    keys = [header_key(cell) for cell in header]
    return Reader(
        header=header,
        keys=keys,
        delimiter=delimiter,
        encoding=encoding,
        _lines=lines,
        _head_ascii=head.isascii(),
    )
