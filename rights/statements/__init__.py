"""Distributors' statement formats (no Django here): detection and streaming parsers.

``statement_open(stream, source=None, mapping=None)`` reads the header of a binary stream,
detects the format (or checks the one given) and returns a ``ParsedStatement`` whose
``lines()`` yields one ``ParsedLine`` per data row as the stream is read. Every problem is a
``StatementError`` with the line and plain words; after one, nothing more is yielded (the
importer discards the whole statement). See ``base`` for what a line holds, ``reading`` for
encodings and delimiters, ``values`` for how cells are normalised, and one module per source
for its columns and where they were found.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from . import bandcamp, cdbaby, distrokid, tunecore
from .base import ParsedLine, ParsedStatement, StatementError, item_id, match_key
from .generic import GENERIC_FIELDS, GenericMapping, generic_layout, mapping_errors
from .layouts import RECORD_FIELDS, Layout, record_line
from .reading import Reader, header_key, reader_open

# The values of rights.models.Source (kept as strings: no Django here).
SOURCES = {
    "distrokid": "DistroKid",
    "tunecore": "TuneCore",
    "cdbaby": "CD Baby",
    "bandcamp": "Bandcamp",
    "generic": "Other (column mapping)",
}
LAYOUTS: tuple[Layout, ...] = (
    *distrokid.LAYOUTS,
    *tunecore.LAYOUTS,
    *cdbaby.LAYOUTS,
    *bandcamp.LAYOUTS,
)

__all__ = [
    "GENERIC_FIELDS",
    "RECORD_FIELDS",
    "LAYOUTS",
    "SOURCES",
    "GenericMapping",
    "ParsedLine",
    "ParsedStatement",
    "StatementError",
    "item_id",
    "mapping_errors",
    "match_key",
    "statement_header",
    "statement_open",
]


class _Statement(ParsedStatement):
    def __init__(self, *, reader: Reader, layout: Layout):
        self.source = layout.source
        self.layout = layout.name
        self.label = layout.label
        self.header = reader.header
        self.delimiter = reader.delimiter
        self._reader = reader
        self._records = layout.builder(reader.keys, reader.header)
        self._used = False

    @property
    def encoding(self) -> str:
        """ "utf-8" or "latin-1" (may change to "latin-1" while reading an ASCII start)."""
        return self._reader.encoding

    def records(self) -> Iterator[tuple]:
        """One record per data row (see ``layouts.RECORD_FIELDS``): what the importer reads,
        without making an object per line."""
        if self._used:
            raise RuntimeError("the lines can be read once: they are read from the stream")
        self._used = True
        return self._records(self._reader.rows())

    def lines(self) -> Iterator[ParsedLine]:
        for record in self.records():
            yield record_line(record)


def statement_header(stream: BinaryIO) -> list[str]:
    """The header row of a statement as written (for the column-mapping form)."""
    return reader_open(stream).header


def _names(wanted: list[str]) -> str:
    return ", ".join(f"“{name}”" for name in wanted) or "none"


def _closest(keys: list[str], candidates: tuple[Layout, ...]) -> tuple[Layout, list[str]]:
    present = set(keys)

    def score(layout: Layout) -> tuple[int, int]:
        missing = [k for k in layout.signature if k not in present]
        return (len(layout.signature) - len(missing), -len(missing))

    best = max(candidates, key=score)
    return best, [best.display(k) for k in best.signature if k not in present]


def _unknown(reader: Reader, layout: Layout) -> list[str]:
    """The file's columns no layout of ``layout``'s source has."""
    known: set[str] = set()
    for other in LAYOUTS:
        if other.source == layout.source:
            known |= other.known_keys()
    return [h for h, k in zip(reader.header, reader.keys, strict=True) if k and k not in known]


def _detect(reader: Reader, source: str | None) -> Layout:
    present = set(reader.keys)
    fitting = [layout for layout in LAYOUTS if layout.fits(present)]
    # The layout that recognises the most of the file's columns wins (DistroKid's newer
    # layout has the older one's columns and more).
    fitting.sort(key=lambda layout: -len(layout.signature))
    if source is None:
        if fitting:
            return fitting[0]
        tried = ", ".join(dict.fromkeys(SOURCES[layout.source] for layout in LAYOUTS))
        layout, missing = _closest(reader.keys, LAYOUTS)
        unknown = _unknown(reader, layout)
        raise StatementError(
            f"Liner does not recognise this file's columns (it tried {tried}). It is closest "
            f"to {layout.label}, which also has {_names(missing)}; "
            f"columns Liner does not know: {_names(unknown[:12])}"
            f"{' …' if len(unknown) > 12 else ''}. If it comes from another distributor, "
            "import it with a column mapping.",
            line=1,
            code="unknown_format",
        )
    own = [layout for layout in fitting if layout.source == source]
    if own:
        return own[0]
    others = [layout for layout in fitting if layout.source != source]
    if others:
        raise StatementError(
            f"This looks like a {SOURCES[others[0].source]} file, not {SOURCES[source]}.",
            line=1,
            code="wrong_source",
        )
    candidates = tuple(layout for layout in LAYOUTS if layout.source == source)
    layout, missing = _closest(reader.keys, candidates)
    unknown = _unknown(reader, layout)
    raise StatementError(
        f"This is not a {SOURCES[source]} statement Liner reads: {layout.label} has "
        f"{_names(missing)}, which this file does not; columns "
        f"Liner does not know: {_names(unknown[:12])}"
        f"{' …' if len(unknown) > 12 else ''}.",
        line=1,
        code="unknown_format",
    )


def statement_open(
    stream: BinaryIO, *, source: str | None = None, mapping: GenericMapping | None = None
) -> ParsedStatement:
    """Open a statement: read its header (only), work out its layout, and return it ready for
    ``lines()``.

    ``source`` None detects it from the header; a source given is checked ("This looks like a
    TuneCore file, not DistroKid"). ``source="generic"`` (or a ``mapping`` without a source)
    reads the file through ``mapping``, which is validated against the header first. Raises
    ``StatementError`` for a file that cannot be read; ``lines()`` raises it for a bad row.
    """
    if source is not None and source not in SOURCES:
        raise StatementError(f"“{source}” is not a statement source.", code="unknown_source")
    if mapping is not None and source in (None, "generic"):
        source = "generic"
    if source == "generic" and mapping is None:
        raise StatementError(
            "A statement from another distributor needs a column mapping.", code="no_mapping"
        )
    reader = reader_open(stream)
    if source == "generic":
        assert mapping is not None
        errors = mapping_errors(mapping=mapping, header=reader.header)
        if errors:
            detail = "; ".join(
                f"{GENERIC_FIELDS.get(name, name)}: {message}" if name else message
                for name, message in errors.items()
            )
            raise StatementError(
                f"the column mapping does not fit this file ({detail})",
                line=1,
                code="bad_mapping",
            )
        layout = generic_layout(mapping)
    else:
        layout = _detect(reader, source)
    return _Statement(reader=reader, layout=layout)


# Kept importable from here for callers that compare headers the way the parsers do.
__all__ += ["header_key"]
