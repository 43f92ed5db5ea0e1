"""Reading files: detection, encodings, delimiters, and every way a file can be bad."""

from __future__ import annotations

import codecs
import io
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights.statements import StatementError, reading, statement_open

from .helpers import DK_NEWER, dk_newer_row, stream, tsv


def read_all(data: bytes | str, **kwargs) -> list:
    return list(statement_open(stream(data), **kwargs).lines())


def error_of(data: bytes | str, **kwargs) -> StatementError:
    with pytest.raises(StatementError) as caught:
        read_all(data, **kwargs)
    return caught.value


# Detection -----------------------------------------------------------------------------------


def test_unknown_columns_say_what_was_tried_missing_and_unknown():
    error = error_of("Reporting Date,Sale Month,Store,Colour,Flavour\n")
    message = str(error)
    assert error.code == "unknown_format" and error.line == 1
    for source in ("DistroKid", "TuneCore", "CD Baby", "Bandcamp"):
        assert source in message
    assert "“Quantity”" in message and "“Earnings (USD)”" in message  # expected, missing
    assert "“Colour”" in message and "“Flavour”" in message  # the file's unknown columns


def test_source_given_is_checked_against_the_file():
    tunecore = "Sales Period,Posted Date,Store Name,# Units Sold,Total Earned,Currency\n"
    error = error_of(tunecore, source="distrokid")
    assert str(error) == "Line 1: This looks like a TuneCore file, not DistroKid."
    assert error.code == "wrong_source"

    error = error_of("Store\tQuantity\tEarnings (USD)\n", source="distrokid")
    assert "not a DistroKid statement" in str(error)
    assert "“Reporting Date”" in str(error)

    assert statement_open(stream(tunecore), source="tunecore").source == "tunecore"


def test_unknown_source_and_generic_without_mapping_are_refused():
    assert error_of(tsv(DK_NEWER, []), source="spotify").code == "unknown_source"
    assert error_of(tsv(DK_NEWER, []), source="generic").code == "no_mapping"


# Encodings and delimiters --------------------------------------------------------------------


def test_utf8_with_bom_and_latin1_both_read_ines():
    text = tsv(DK_NEWER, [dk_newer_row()])
    (with_bom,) = read_all(codecs.BOM_UTF8 + text.encode())
    (latin,) = read_all(text.encode("latin-1"))
    assert with_bom.artist == latin.artist == "Inès Marlow"
    assert latin.raw == "\t".join(dk_newer_row()).encode("latin-1")


def test_latin1_accent_after_the_first_64_kb_switches_encoding():
    plain = [dk_newer_row(Artist="Sam Reyes") for _ in range(1000)]  # ~100 KB of ASCII
    text = tsv(DK_NEWER, [*plain, dk_newer_row()])
    statement = statement_open(stream(text.encode("latin-1")))
    lines = list(statement.lines())
    assert lines[-1].artist == "Inès Marlow"
    assert statement.encoding == "latin-1"


def test_utf8_that_stops_being_utf8_is_refused_at_its_line():
    # UTF-8 accents in the first 64 KB decide UTF-8; a Latin-1 line after them is refused.
    good = tsv(DK_NEWER, [dk_newer_row() for _ in range(1000)]).encode()
    bad = "\t".join(dk_newer_row(Artist="Chloé")).encode("latin-1") + b"\n"
    error = error_of(good + bad)
    assert error.line == 1002
    assert "the file is not UTF-8 from line 1002; save it as UTF-8" in str(error)


@pytest.mark.parametrize(
    "data",
    [
        tsv(DK_NEWER, [dk_newer_row()]).encode("utf-16"),
        tsv(DK_NEWER, [dk_newer_row()]).encode("utf-16-le"),
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx is a zip
    ],
)
def test_utf16_and_binary_files_are_refused(data):
    error = error_of(data)
    assert error.code == "bad_encoding"
    assert "UTF-16" in str(error) or "not a text file" in str(error)


def test_comma_tab_and_semicolon_give_the_same_lines():
    row = dk_newer_row()
    by_tab = read_all(tsv(DK_NEWER, [row]))
    for sep in (",", ";"):
        text = sep.join(DK_NEWER) + "\n" + sep.join(row) + "\n"
        lines = read_all(text)
        assert [(ln.title, ln.net, ln.units) for ln in lines] == [
            (ln.title, ln.net, ln.units) for ln in by_tab
        ]


def test_quoted_field_with_newline_is_one_row_with_both_lines_as_raw():
    row = dk_newer_row(Title='"Low\nTide ""Live"""')
    text = ",".join(DK_NEWER) + "\r\n" + ",".join(row) + "\r\n" + ",".join(dk_newer_row()) + "\n"
    first, second = read_all(text)
    assert first.title == 'Low\nTide "Live"'
    assert first.raw == ",".join(row).encode().replace(b"\n", b"\n")
    assert b"\n" in first.raw and not first.raw.endswith(b"\r\n")
    assert (first.line_no, second.line_no) == (2, 4)


# Bad input -----------------------------------------------------------------------------------


def test_empty_file_is_refused_and_header_only_is_zero_lines():
    assert error_of(b"").code == "empty_file"
    assert error_of(b"\r\n").code == "empty_file"
    assert read_all(tsv(DK_NEWER, [])) == []


def test_truncated_last_row_is_refused_and_nothing_after_is_yielded():
    text = tsv(DK_NEWER, [dk_newer_row(), dk_newer_row()])
    cut = text[: text.rindex("\t", 0, len(text) - 20)]
    statement = statement_open(stream(cut))
    lines = statement.lines()
    assert next(lines).line_no == 2
    with pytest.raises(StatementError) as caught:
        next(lines)
    assert caught.value.code == "truncated" and caught.value.line == 3
    assert "cut short" in str(caught.value)
    assert list(lines) == []


def test_unterminated_quote_at_end_of_file_is_refused():
    text = ",".join(DK_NEWER) + "\n" + ",".join(dk_newer_row(Title='"Low Tide'))
    error = error_of(text)
    assert error.line == 2
    assert "not closed" in str(error)


def test_more_fields_than_the_header_is_refused():
    error = error_of(tsv(DK_NEWER, [[*dk_newer_row(), "extra"]]))
    assert error.line == 2 and "16 fields where the header has 15" in str(error)


@pytest.mark.parametrize(
    ("column", "value", "words"),
    [
        ("Earnings (USD)", "12,50", "12,50"),
        ("Earnings (USD)", "NaN", "not an amount"),
        ("Earnings (USD)", "1e3", "not an amount"),
        ("Earnings (USD)", "", "empty"),
        ("Earnings (USD)", "12345678901.5", "too large"),
        ("Quantity", "12.5", "not a whole number"),
        ("Quantity", "9" * 5000, "too large"),
        ("Sale Month", "sometime", "not a month"),
        ("Sale Month", "2026-13", "not a month"),
    ],
)
def test_bad_cells_name_their_column_and_value(column, value, words):
    error = error_of(tsv(DK_NEWER, [dk_newer_row(**{column: value})]))
    assert error.line == 2
    assert column in str(error) and words in str(error)


def test_ten_thousand_columns_refused_without_reading_the_rest():
    class Endless(io.RawIOBase):
        """A header of 10,000 columns followed by more data than could ever be read."""

        def __init__(self):
            self.head = ("\t".join(f"c{i}" for i in range(10_000)) + "\n").encode()
            self.served = 0

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self.head[self.served : self.served + len(buffer)] or b"x" * len(buffer)
            buffer[: len(chunk)] = chunk
            self.served += len(chunk)
            return len(chunk)

    source = Endless()
    started = time.perf_counter()
    with pytest.raises(StatementError) as caught:
        statement_open(io.BufferedReader(source))
    assert time.perf_counter() - started < 1
    assert str(caught.value) == (
        "Line 1: the header has 10,000 columns; a statement has at most 200."
    )
    assert source.served < 2 * 1024 * 1024


def test_a_line_over_one_megabyte_is_refused():
    text = tsv(DK_NEWER, [dk_newer_row(Title="x" * (1024 * 1024 + 10))])
    error = error_of(text)
    assert error.code == "line_too_long" and error.line == 2


def test_nul_bytes_further_down_are_refused():
    data = tsv(DK_NEWER, [dk_newer_row() for _ in range(1000)]).encode() + b"\x00\x00\x00\n"
    error = error_of(data)
    assert error.code == "bad_encoding" and error.line == 1002
    # Within the first 64 KB they refuse the file as a whole, before any line is read.
    assert error_of(tsv(DK_NEWER, []).encode() + b"\x00\n").code == "bad_encoding"


# Never anything but StatementError ------------------------------------------------------------


# Bytes a statement is made of (delimiters, quotes, line ends, digits, a UTF-8 "è", a Latin-1
# byte), so random rows get past the header and into the cells, not only random noise.
_STATEMENT_BYTES = st.lists(st.sampled_from(list(b'\t,;"\r\n-.0123456789aZ \xc3\xa8\xff')))


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(
        [b"", tsv(DK_NEWER, []).encode(), tsv(DK_NEWER, [dk_newer_row()]).encode()]
    ),
    body=st.one_of(st.binary(max_size=400), _STATEMENT_BYTES.map(bytes)),
)
def test_random_bytes_raise_only_statement_errors(prefix, body):
    try:
        statement = statement_open(io.BytesIO(prefix + body))
        for line in statement.lines():
            assert line.line_no >= 2
    except StatementError:
        pass


# Reading in blocks -----------------------------------------------------------------------------

H_TAB = b"a\tb\tc\n"
PAD = b"1\t2\t3\n" * 3  # past the 16-byte head the tests below decide the encoding from


def rows_of(data: bytes) -> tuple[list, tuple | None, str]:
    """What rows() yields for ``data``, the error it ends with, and the encoding at the end."""
    reader = reading.reader_open(io.BytesIO(data))
    got = []
    try:
        for row in reader.rows():
            got.append(row)
    except StatementError as error:
        return got, (str(error), error.code, error.line), reader.encoding
    return got, None, reader.encoding


def row(line_no: int, *fields: str, raw: bytes | None = None) -> tuple[int, list[str], bytes]:
    return line_no, list(fields), "\t".join(fields).encode() if raw is None else raw


PADDED = [row(2, "1", "2", "3"), row(3, "1", "2", "3"), row(4, "1", "2", "3")]

# (file, rows, error, encoding at the end), read with a 16-byte head and a 40-byte line limit.
BLOCK_CASES = {
    "quoted field over two lines": (
        b'a,b,c\n1,2,3\n4,"x\ny ""z""",6\n7,8,9\n',
        [
            row(2, "1", "2", "3", raw=b"1,2,3"),
            row(3, "4", 'x\ny "z"', "6", raw=b'4,"x\ny ""z""",6'),
            row(5, "7", "8", "9", raw=b"7,8,9"),
        ],
        None,
        "utf-8",
    ),
    "quoted field with CRLF in it": (
        b'a,b,c\r\n"x\r\ny",2,3\r\n7,8,9\r\n',
        [row(2, "x\r\ny", "2", "3", raw=b'"x\r\ny",2,3'), row(4, "7", "8", "9", raw=b"7,8,9")],
        None,
        "utf-8",
    ),
    "quote never closed": (
        b'a,b,c\n1,2,3\n4,"x\n5,6,7\n',
        [row(2, "1", "2", "3", raw=b"1,2,3")],
        (
            "Line 3: a quoted field is not closed before the end of the file; the file may "
            "have been cut short (download it again).",
            "bad_row",
            3,
        ),
        "utf-8",
    ),
    "CRLF and a blank CRLF line": (
        b"a\tb\tc\r\n1\t2\t3\r\n\r\n4\t5\t6\r\n",
        [row(2, "1", "2", "3"), row(4, "4", "5", "6")],
        None,
        "utf-8",
    ),
    "CRLF and LF lines mixed": (
        b"a\tb\tc\r\n1\t2\t3\n4\t5\t6\r\n7\t8\t9\n",
        [row(2, "1", "2", "3"), row(3, "4", "5", "6"), row(4, "7", "8", "9")],
        None,
        "utf-8",
    ),
    "stray CRs and a last line ending in CR": (
        b"a\tb\tc\n1\t2\r3\t4\n5\t6\t7\r\r\n8\t9\t0\r",
        [
            row(2, "1", "2\r3", "4"),
            row(3, "5", "6", "7", raw=b"5\t6\t7\r"),
            row(4, "8", "9", "0"),
        ],
        None,
        "utf-8",
    ),
    "no newline at the end": (
        H_TAB + b"1\t2\t3\n4\t5\t6",
        [row(2, "1", "2", "3"), row(3, "4", "5", "6")],
        None,
        "utf-8",
    ),
    "blank lines": (
        H_TAB + b"\n1\t2\t3\n  \n\n4\t5\t6\n\n",
        [row(3, "1", "2", "3"), row(6, "4", "5", "6")],
        None,
        "utf-8",
    ),
    "Latin-1 after an ASCII head": (
        H_TAB + PAD + "Inès\t2\t3\nChloé\t5\t6\n".encode("latin-1") + b"7\t8\t9\n",
        [
            *PADDED,
            row(5, "Inès", "2", "3", raw="Inès\t2\t3".encode("latin-1")),
            row(6, "Chloé", "5", "6", raw="Chloé\t5\t6".encode("latin-1")),
            row(7, "7", "8", "9"),
        ],
        None,
        "latin-1",
    ),
    "UTF-8 accents in the head, then Latin-1": (
        "nàme\tb\tc\nInès\t2\t3\n".encode() + "Chloé\t5\t6\n".encode("latin-1") + b"7\t8\t9\n",
        [row(2, "Inès", "2", "3")],
        (
            "Line 3: the file is not UTF-8 from line 3; save it as UTF-8 and upload it again.",
            "bad_encoding",
            3,
        ),
        "utf-8",
    ),
    "UTF-8 accents after an ASCII head, then Latin-1": (
        H_TAB + PAD + "Inès\t2\t3\n".encode() + "Chloé\t5\t6\n".encode("latin-1"),
        [*PADDED, row(5, "Inès", "2", "3")],
        (
            "Line 6: the file is not UTF-8 from line 6; save it as UTF-8 and upload it again.",
            "bad_encoding",
            6,
        ),
        "utf-8",
    ),
    "a NUL byte": (
        H_TAB + PAD + b"4\t\x005\t6\n7\t8\t9\n",
        PADDED,
        (
            "Line 5: the line holds binary data (NUL bytes); upload the statement as text.",
            "bad_encoding",
            5,
        ),
        "utf-8",
    ),
    "a line over the limit after one at it": (
        H_TAB + b"1\t" + b"x" * 35 + b"\t3\n" + b"1\t" + b"x" * 36 + b"\t3\n4\t5\t6\n",
        [row(2, "1", "x" * 35, "3")],
        (
            "Line 3: the line is longer than 1 MB; this is not a statement line.",
            "line_too_long",
            3,
        ),
        "utf-8",
    ),
    "a short row": (
        H_TAB + PAD + b"4\t5\n7\t8\t9\n",
        PADDED,
        (
            "Line 5: this row has 2 fields where the header has 3; the file may have been cut "
            "short (download it again).",
            "truncated",
            5,
        ),
        "utf-8",
    ),
    "a long row": (
        H_TAB + PAD + b"4\t5\t6\t7\n",
        PADDED,
        ("Line 5: this row has 4 fields where the header has 3.", "bad_row", 5),
        "utf-8",
    ),
}


@pytest.fixture
def small_reads(monkeypatch):
    """A 16-byte head and a 40-byte line limit, so a few lines cross every boundary."""
    monkeypatch.setattr(reading, "HEAD_BYTES", 16)
    monkeypatch.setattr(reading, "MAX_LINE_BYTES", 40)


@pytest.mark.parametrize("line_by_line", [False, True], ids=["blocks", "line by line"])
@pytest.mark.parametrize("case", BLOCK_CASES)
def test_rows_are_the_same_wherever_the_blocks_end(monkeypatch, small_reads, case, line_by_line):
    data, rows, error, encoding = BLOCK_CASES[case]
    if line_by_line:
        monkeypatch.setattr(reading, "_block_split", lambda *args: None)
    # Every block size up to the whole file puts each line end, CR, quote, accent and NUL
    # at, just before and just after a block's end.
    for block in range(1, len(data) + 2):
        monkeypatch.setattr(reading, "BLOCK_BYTES", block)
        assert rows_of(data) == (rows, error, encoding), f"{block}-byte blocks"


@settings(max_examples=300, deadline=None)
@given(
    head=st.sampled_from([b"a,b,c\n", H_TAB + PAD, "nàme\tb\tc\n".encode()]),
    body=_STATEMENT_BYTES.map(bytes),
    block=st.integers(min_value=1, max_value=70),
)
def test_blocks_read_as_line_by_line_does(head, body, block):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reading, "HEAD_BYTES", 16)
        patch.setattr(reading, "MAX_LINE_BYTES", 40)
        patch.setattr(reading, "BLOCK_BYTES", block)
        try:
            expected = rows_of(head + body)
            patch.setattr(reading, "_block_split", lambda *args: None)
        except StatementError:
            return  # the header itself is refused: no rows to compare
        assert rows_of(head + body) == expected


def test_a_switch_to_latin1_inside_a_quoted_field_holds_for_the_lines_after(small_reads):
    """The first Latin-1 byte comes on the second line of a quoted field: the file is Latin-1
    from there, so a plain Latin-1 line after it is read, not refused as "not UTF-8"."""
    data = 'name of the song\tb\n"x\nb\xe8"\ty\nc\xe8\tz\n'.encode("latin-1")  # ASCII head
    rows, error, encoding = rows_of(data)
    assert error is None and encoding == "latin-1"
    assert [fields for _, fields, _ in rows] == [["x\nbè", "y"], ["cè", "z"]]
