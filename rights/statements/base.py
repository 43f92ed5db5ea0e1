"""What every statement parser yields, and the errors it raises (no Django here).

``rights.statements.statement_open(stream, source=None, mapping=None)`` (in ``__init__``) reads
the header of a binary stream, detects the format (or checks the one given) and returns a
``ParsedStatement`` whose ``lines()`` yields one ``ParsedLine`` per data row, reading the stream
as it goes: memory does not grow with the file's length.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal


class StatementError(ValueError):
    """The file cannot be imported; the message says why in words a musician understands.

    ``line`` is the 1-based line number in the file (the header is line 1) when one line is
    at fault; ``code`` a short machine-readable reason ("unknown_format", "bad_amount", …).
    """

    def __init__(self, message: str, *, line: int | None = None, code: str = "bad_statement"):
        super().__init__(message if line is None else f"Line {line}: {message}")
        self.line = line
        self.code = code


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """One data row, normalised. Amounts keep the file's precision; periods are first days
    of months; ``territory`` is ISO 3166-1 alpha-2 or "" when the store reports none;
    ``isrc`` compact upper-case (12) or ""; ``upc`` digits (12–14) or ""."""

    line_no: int
    raw: bytes  # the row as it was in the file, without its line ending
    statement_period: dt.date
    sale_period: dt.date
    store: str
    territory: str
    isrc: str
    upc: str
    title: str
    artist: str
    units: int
    gross: Decimal
    net: Decimal
    currency: str


class ParsedStatement:
    """A statement being read: ``source`` ("distrokid", …), ``layout`` (e.g. "distrokid-2023"),
    and ``lines()`` (or ``records()``, the same rows as tuples), which may be called once."""

    source: str
    layout: str

    def lines(self) -> Iterator[ParsedLine]:  # pragma: no cover - interface
        raise NotImplementedError

    def records(self) -> Iterator[tuple]:  # pragma: no cover - interface
        raise NotImplementedError


_SPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Title or artist for matching: NFKC, case-folded, accents and punctuation kept, spaces
    collapsed ("Low  Tide " and "low tide" are the same)."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().casefold()


def match_key(*, isrc: str, upc: str, title: str, artist: str) -> str:
    """The review queue's key for a line: what a remembered rule matches on.

    By ISRC when the line has one; else by UPC and title; else by title and artist. Hashed
    to 40 hex characters (SHA-1 of the readable form, which is not secret, only long).
    """
    if isrc:
        readable = f"isrc:{isrc.upper()}"
    elif upc:
        readable = f"upc:{upc}|title:{normalise_text(title)}"
    else:
        readable = f"title:{normalise_text(title)}|artist:{normalise_text(artist)}"
    return hashlib.sha1(readable.encode()).hexdigest()


def match_label(*, isrc: str, upc: str, title: str, artist: str) -> str:
    """How a match key reads to a person, in the review queue and on the rule it becomes:
    "“Low Tide” — Maya Lind, ISRC QZABC2600001"."""
    name = f"“{title or 'untitled'}”" + (f" — {artist}" if artist else "")
    if isrc:
        return f"{name}, ISRC {isrc}"
    return f"{name}, UPC {upc}" if upc else name


# The namespace of ``item_id`` (a fixed random UUID: changing it would give every item a new id).
ITEM_NAMESPACE = uuid.UUID("5d0f3c4e-8a51-4b8e-9a3c-2f6e1d7b9c40")


def item_id(*, workspace_id: int, isrc: str, upc: str, title: str, artist: str) -> uuid.UUID:
    """The id of a reported item (``rights.models.ReportedItem``): the same four values in the
    same workspace are always the same item, so an import needs no lookup to know it."""
    return uuid.uuid5(ITEM_NAMESPACE, f"{workspace_id}\x1f{isrc}\x1f{upc}\x1f{title}\x1f{artist}")
