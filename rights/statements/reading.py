"""Reading a statement file as rows: encoding, delimiter, header, each row with its bytes.

The file is read as a stream, a block (``BLOCK_BYTES``) at a time, so memory does not grow
with its length. A block of whole lines with nothing in it to look at closely (no quote, NUL,
stray CR, over-long line or byte outside the encoding) is split into rows at once; any other
block is read line by line as described below, with the same rows and errors either way.

Encoding: decided once, from the first 64 KB. A UTF-16 byte-order mark, or NUL bytes (UTF-16
without a mark, a spreadsheet's binary format, a zip), refuse the file. Otherwise, if those
64 KB are UTF-8 (with or without a byte-order mark), the file is read as UTF-8; if not, as
Latin-1, which is what Excel on Windows writes ("Inès" as one byte ``E8``). While every byte
read so far is ASCII (the same in both), the first line that is not UTF-8 switches the file
to Latin-1. A file that has already shown UTF-8 accents and then stops being UTF-8 is refused
at that line ("the file is not UTF-8 from line N; save it as UTF-8"): its two halves disagree,
and guessing would garble names silently.

Rows: each line is read as bytes (kept as the row's ``raw``) and decoded; a line without a
quote is split on the delimiter (the common case, and several times faster than ``csv``); a
line with a quote goes to ``csv.reader`` (strict), which pulls further lines only while a
quoted field is open, so a quoted field with a newline spans two lines and both are the row's
``raw``. Lines longer
than 1 MB and headers with more than 200 columns are refused before anything else is read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from typing import BinaryIO

from .base import StatementError

HEAD_BYTES = 64 * 1024
MAX_LINE_BYTES = 1024 * 1024
# How much of the stream rows() reads at once (tests make it small to put lines across blocks).
BLOCK_BYTES = 128 * 1024
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
        delimiter = self.delimiter
        read = self._lines.read
        block_bytes = BLOCK_BYTES
        limit = MAX_LINE_BYTES + 1
        line_no = self._line_no
        # Until a line with a byte over 127 has been read as UTF-8, every line so far reads
        # the same in UTF-8 and Latin-1, so a Latin-1 file whose first accent comes after the
        # first 64 KB can still switch without misreading anything.
        ascii_so_far = self.encoding == "utf-8" and self._head_ascii
        # The stream is read a block at a time; buf[pos:] is what is read but not yet used.
        buf = b""
        pos = 0

        def readline(size: int) -> bytes:
            """The next line from buf and then the stream, at most ``size`` bytes (as
            ``BufferedReader.readline(size)``)."""
            nonlocal buf, pos
            end = buf.find(b"\n", pos, pos + size)
            if end >= 0:
                line = buf[pos : end + 1]
                pos = end + 1
                return line
            if len(buf) - pos >= size:
                line = buf[pos : pos + size]
                pos += size
                return line
            # Pieces joined once, so a long line costs its length, not its length squared.
            pieces = [buf[pos:]]
            have = len(pieces[0])
            while True:
                more = read(block_bytes)
                if not more:
                    buf, pos = b"", 0
                    return b"".join(pieces)
                cut = more.find(b"\n", 0, size - have) + 1 or size - have
                if cut <= len(more):
                    pieces.append(more[:cut])
                    buf, pos = more, cut
                    return b"".join(pieces)
                pieces.append(more)
                have += len(more)

        def next_line(raw: bytes | None = None) -> tuple[bytes, str] | None:
            nonlocal line_no, ascii_so_far
            if raw is None:
                raw = readline(limit)
            if not raw:
                return None
            line_no += 1
            if len(raw) > MAX_LINE_BYTES:
                raise StatementError(
                    "the line is longer than 1 MB; this is not a statement line.",
                    line=line_no,
                    code="line_too_long",
                )
            if b"\x00" in raw:
                raise StatementError(
                    "the line holds binary data (NUL bytes); upload the statement as text.",
                    line=line_no,
                    code="bad_encoding",
                )
            try:
                text = raw.decode(self.encoding)
            except UnicodeDecodeError:
                if not ascii_so_far:
                    raise _not_utf8(line_no) from None
                self.encoding = "latin-1"
                text = raw.decode("latin-1")
            if ascii_so_far and not raw.isascii():
                ascii_so_far = False
            return raw, text

        encoding = self.encoding
        while True:
            # The complete lines in buf, reading a block if it holds none.
            end = buf.rfind(b"\n", pos)
            if end < 0:
                more = read(block_bytes)
                if more:
                    buf = buf[pos:] + more
                    pos = 0
                    end = buf.rfind(b"\n")
            if end < 0:
                stop = line_no + 1  # the last line, or one longer than a block
            else:
                block = buf[pos : end + 1]
                rows = _block_split(block, encoding, ascii_so_far)
                if rows is not None:
                    # Every line of the block is plain text of the file's encoding, without
                    # a quote, NUL or stray CR, and short enough: split it, nothing more.
                    pos = end + 1
                    raws, texts = rows
                    first = line_no + 1
                    line_no += len(raws)
                    for n, text, raw in zip(count(first), texts, raws):
                        fields = text.split(delimiter)
                        if len(fields) != width:
                            if len(fields) == 1 and not fields[0].strip():
                                continue  # a blank line (often the last one)
                            raise _width_error(len(fields), width, n)
                        yield n, fields, raw
                    continue
                # Something in the block needs a closer look: its lines one at a time, then
                # blocks again after the row that holds its last line.
                stop = line_no + block.count(b"\n")
            while line_no < stop:
                # The common line inline (next_line() does the same for a quoted row's
                # further lines): a function call per line is a tenth of the parse's time.
                raw = readline(limit)
                if not raw:
                    return
                line_no += 1
                first = line_no
                if (
                    len(raw) > MAX_LINE_BYTES
                    or b"\x00" in raw
                    or (ascii_so_far and not raw.isascii())
                ):
                    line_no -= 1
                    got = next_line(raw)
                    assert got is not None
                    raw, text = got
                    encoding = self.encoding
                else:
                    try:
                        text = raw.decode(encoding)
                    except UnicodeDecodeError:
                        raise _not_utf8(line_no) from None
                if '"' in text:
                    # Quoted fields (maybe with newlines in them): the csv module reads the
                    # record, pulling further lines only while a quote is open.
                    parts = [raw]

                    def record_lines(
                        text: str = text, parts: list[bytes] = parts, first: int = first
                    ) -> Iterator[str]:
                        yield text
                        size = len(parts[0])
                        while True:
                            more = next_line()
                            if more is None:
                                return
                            size += len(more[0])
                            if size > MAX_LINE_BYTES:
                                raise StatementError(
                                    "a quoted field is not closed (the row runs past 1 MB).",
                                    line=first,
                                    code="bad_row",
                                )
                            parts.append(more[0])
                            yield more[1]

                    try:
                        fields = next(csv.reader(record_lines(), delimiter=delimiter, strict=True))
                    except csv.Error as exc:
                        raise StatementError(_csv_reason(exc), line=first, code="bad_row") from None
                    if len(parts) > 1:
                        raw = b"".join(parts)
                    # The field's further lines may have switched the file to Latin-1.
                    encoding = self.encoding
                else:
                    fields = text.rstrip("\r\n").split(delimiter)
                if raw.endswith(b"\n"):
                    raw = raw[:-2] if raw.endswith(b"\r\n") else raw[:-1]
                elif raw.endswith(b"\r"):
                    raw = raw[:-1]
                if len(fields) != width:
                    if len(fields) == 1 and not fields[0].strip():
                        continue  # a blank line (often the last one)
                    raise _width_error(len(fields), width, first)
                yield first, fields, raw


def _block_split(
    block: bytes, encoding: str, ascii_so_far: bool
) -> tuple[list[bytes], list[str]] | None:
    """The lines of ``block`` (whole lines) as bytes and as text, both without line ends, if
    reading them one at a time would find nothing to do but split them: no quote, no NUL, no
    line over the limit, bytes of the encoding (ASCII while the file has been), and either no
    CR or a CR before every LF and nowhere else. Otherwise None."""
    if b'"' in block or b"\x00" in block or (ascii_so_far and not block.isascii()):
        return None
    crs = block.count(b"\r")
    if not crs:
        end = "\n"
    elif crs == block.count(b"\r\n") == block.count(b"\n"):
        end = "\r\n"
    else:
        return None
    try:
        text = block.decode(encoding)
    except UnicodeDecodeError:
        return None
    raws = block.split(end.encode())
    if len(block) > MAX_LINE_BYTES and max(map(len, raws)) + len(end) > MAX_LINE_BYTES:
        return None
    texts = text.split(end)
    # The empty piece after the last line end.
    raws.pop()
    texts.pop()
    return raws, texts


def _not_utf8(line: int) -> StatementError:
    return StatementError(
        f"the file is not UTF-8 from line {line}; save it as UTF-8 and upload it again.",
        line=line,
        code="bad_encoding",
    )


def _width_error(fields: int, width: int, line: int) -> StatementError:
    if fields < width:
        return StatementError(
            f"this row has {fields} fields where the header has {width}; the file may have "
            "been cut short (download it again).",
            line=line,
            code="truncated",
        )
    return StatementError(
        f"this row has {fields} fields where the header has {width}.",
        line=line,
        code="bad_row",
    )


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
        raise _not_utf8(1) from None
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
