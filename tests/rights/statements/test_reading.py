"""Reading files: detection, encodings, delimiters, and every way a file can be bad."""

from __future__ import annotations

import codecs
import io
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rights.statements import StatementError, statement_open

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
