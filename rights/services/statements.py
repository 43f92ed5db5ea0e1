"""Importing a distributor's statement: every line becomes an ``Earning``, all or nothing.

- **Idempotent.** The file's SHA-256 identifies it: a file already imported changes nothing
  (``duplicate``). After the lines are written, those that a statement imported before already
  holds (the same normalised content, ``SAME_LINE``) are removed again and counted
  (``skipped``), never doubled. Only statements of the same source whose reported months
  overlap can hold the same lines, so a new month's file checks nothing and a re-export checks
  only what it overlaps. Imports in one workspace take turns (an advisory lock on
  PostgreSQL), so two overlapping files cannot miss each other. Lines repeated inside one file
  are all kept: that is what the statement says.
- **All or nothing.** The earnings and the statement's figures are written in one transaction;
  a bad line anywhere (``StatementError``) or any other failure leaves no earning behind.
- **Streaming.** The file is read a line at a time and written in batches, so memory does not
  grow with its length: what is kept is the catalogue's lookup tables, the items met and a
  batch.
- **Bulk.** PostgreSQL gets the lines by one COPY straight into ``rights_earning``, open while
  the file is read; SQLite by ``INSERT`` in batches. What repeats on a million lines (the
  title, artist and codes of what was sold) is written once, as a ``ReportedItem``.
- **Matching.** A remembered rule for the line's key first (``MatchRule``, made in the review
  queue), then the track with the line's ISRC, then the track of the release with the line's
  UPC whose title matches, then the only track of a single with that UPC; anything else is left
  for the review queue.
- **Closed months.** A line for a month already paid is booked into the next open month
  (``adjustment``), and the result counts them.

Uploads from the page go through a background job (``collaborators.jobs``): ``statement_upload``
stores the file and asks for the job, ``run`` is the task's entry point. On PostgreSQL the job's
progress is written through a second connection, so the bar moves while the import's own
transaction is still open; SQLite has one writer at a time, so there the bar moves at the end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import IO, Any, BinaryIO

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from collaborators.jobs import services as jobs
from collaborators.models import Workspace
from releases.models import Track

from ..models import (
    ColumnMapping,
    Earning,
    MatchRule,
    ReportedItem,
    Source,
    Statement,
    StatementJob,
    earning_id,
    statement_lines,
)
from ..statements import GenericMapping, StatementError, item_id, match_key, statement_open
from ..statements.base import normalise_text
from .periods import closed_months, period_booking

logger = logging.getLogger(__name__)

BATCH = 20_000
CHUNK = 1024 * 1024
Progress = Callable[[int, str], None]

# The columns written for each line, in this order (see ``Earning``).
COLUMNS = (
    "id", "workspace_id", "statement_id", "line_no", "statement_period", "sale_period",
    "booked_period", "adjustment", "store", "territory", "units", "gross", "net", "currency",
    "item_id", "track_id", "release_id", "rule_id",
)  # fmt: skip
# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# pg_advisory_xact_lock's first key for statement imports (the second is the workspace).
_LOCK_CLASS = 0x4C494E  # "LIN"


def max_upload_bytes() -> int:
    return int(getattr(settings, "RIGHTS_STATEMENT_MAX_BYTES", 1024**3))


@dataclass
class ImportResult:
    """What an import did. ``total`` is the sum of the file's net earnings (every line);
    ``matched`` and ``unmatched`` count the lines written; ``skipped`` the lines that were
    imported before from another file (or repeated inside this one)."""

    statement_id: int
    source: str
    lines: int
    matched: int
    unmatched: int
    skipped: int
    adjustments: int
    total: Decimal
    currency: str
    duplicate: bool
    booked_into: list[str]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["total"] = f"{self.total:f}"
        return data


@dataclass
class UploadOutcome:
    statement: Statement
    job: StatementJob | None
    duplicate: bool


# --- Reading the file -------------------------------------------------------------------------


def _digest(stream: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of the stream's content, read in chunks; the stream is rewound."""
    stream.seek(0)
    sha, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return sha.hexdigest(), size


def _generic(mapping: ColumnMapping | None) -> GenericMapping | None:
    if mapping is None:
        return None
    return GenericMapping(
        columns=dict(mapping.columns), date_format=mapping.date_format, currency=mapping.currency
    )


# --- Matching ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    """A reported item as one import sees it: its row, what it matched, and its COPY tail."""

    id: uuid.UUID
    isrc: str
    upc: str
    title: str
    artist: str
    key: str
    track_id: int | None
    release_id: int | None
    rule_id: int | None
    tail: str  # the line's last four COPY fields: item, track, release, rule


class _Matcher:
    """The workspace's catalogue and rules as dictionaries, built once per import; each
    distinct (isrc, upc, title, artist) is worked out once (``items``)."""

    def __init__(self, workspace_id: int):
        self.workspace_id = workspace_id
        self.rules = dict(
            MatchRule.objects.filter(workspace_id=workspace_id).values_list("key", "id")
        )
        rule_tracks = dict(
            MatchRule.objects.filter(workspace_id=workspace_id).values_list("id", "track_id")
        )
        self.by_isrc: dict[str, tuple[int, int]] = {}
        self.by_upc_title: dict[tuple[str, str], tuple[int, int]] = {}
        by_upc: dict[str, list[tuple[int, int]]] = {}
        self.track_release: dict[int, int] = {}
        rows = Track.objects.filter(workspace_id=workspace_id).values_list(
            "id", "release_id", "isrc", "title", "release__upc"
        )
        for track_id, release_id, isrc, title, upc in rows:
            self.track_release[track_id] = release_id
            if isrc:
                self.by_isrc[isrc.upper()] = (track_id, release_id)
            if upc:
                self.by_upc_title[(upc, normalise_text(title))] = (track_id, release_id)
                by_upc.setdefault(upc, []).append((track_id, release_id))
        self.by_upc_single = {upc: pair[0] for upc, pair in by_upc.items() if len(pair) == 1}
        self.rule_track = rule_tracks
        self.items: dict[tuple[str, str, str, str], _Item] = {}

    def match(self, isrc: str, upc: str, title: str, artist: str) -> _Item:
        """The item of a line with these values (made and matched the first time)."""
        probe = (isrc, upc, title, artist)
        found = self.items.get(probe)
        if found is not None:
            return found
        key = match_key(isrc=isrc, upc=upc, title=title, artist=artist)
        rule_id = self.rules.get(key)
        pair: tuple[int, int] | None = None
        if rule_id is not None:
            track_id = self.rule_track[rule_id]
            pair = (track_id, self.track_release[track_id])
        elif isrc and isrc.upper() in self.by_isrc:
            pair = self.by_isrc[isrc.upper()]
        elif upc:
            pair = self.by_upc_title.get((upc, normalise_text(title))) or self.by_upc_single.get(
                upc
            )
        track_id, release_id = pair or (None, None)
        pk = item_id(workspace_id=self.workspace_id, isrc=isrc, upc=upc, title=title,
                     artist=artist)  # fmt: skip
        tail = f"{pk.hex}\t{_null(track_id)}\t{_null(release_id)}\t{_null(rule_id)}\n"
        found = _Item(pk, isrc, upc, title, artist, key, track_id, release_id, rule_id, tail)
        self.items[probe] = found
        return found

    def save_items(self) -> None:
        """Write the items this import met that the workspace did not have yet."""
        ReportedItem.objects.bulk_create(
            (
                ReportedItem(
                    id=item.id,
                    workspace_id=self.workspace_id,
                    isrc=item.isrc,
                    upc=item.upc,
                    title=item.title,
                    artist=item.artist,
                    match_key=item.key,
                )  # fmt: skip
                for item in self.items.values()
            ),
            batch_size=2000,
            ignore_conflicts=True,
        )


# --- Writing ----------------------------------------------------------------------------------


class _Writer:
    """The lines into ``rights_earning``.

    PostgreSQL: one COPY for the whole file, open while the file is read, so the server
    writes rows on its core while Python reads and parses on the other (the socket's buffer
    holds the batch being written while the next one is parsed; a writer thread with a queue
    measured no faster: the GIL hand-overs cost what the overlap gained). SQLite: ``INSERT``
    of each batch.
    """

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"
        self._names = ", ".join(COLUMNS)
        self._copy: Any = None
        self._context: Any = None
        self._cursor: Any = connection.cursor()
        if self.pg:
            # psycopg's cursor under Django's wrapper
            self._context = self._cursor.cursor.copy(
                f"COPY rights_earning ({self._names}) FROM STDIN"
            )
            self._copy = self._context.__enter__()

    def write(self, rows: list[Any]) -> None:
        if not rows:
            return
        if self.pg:
            self._copy.write("".join(rows).encode())
            return
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        self._cursor.executemany(
            f"INSERT INTO rights_earning ({self._names}) VALUES ({placeholders})", rows
        )

    def finish(self) -> None:
        try:
            if self._context is not None:
                context, self._context = self._context, None
                context.__exit__(None, None, None)
        finally:
            self._cursor.close()

    def abandon(self) -> None:
        """End an unfinished COPY (an error while reading the file)."""
        try:
            if self._context is not None:
                context, self._context = self._context, None
                with contextlib.suppress(Exception):
                    context.__exit__(StatementError, StatementError("abandoned"), None)
        finally:
            with contextlib.suppress(Exception):
                self._cursor.close()


def _null(value: Any) -> str:
    return "\\N" if value is None else str(value)


def _copy_text(value: str) -> str:
    """A text value for COPY's text format: a backslash, tab or line break escaped."""
    return value.translate(_COPY_ESCAPE)


@dataclass
class _Figures:
    source: str
    lines: int = 0
    skipped: int = 0
    unmatched: int = 0
    adjustments: int = 0
    totals: dict[str, Decimal] = field(default_factory=dict)
    sale_first: dt.date | None = None
    sale_last: dt.date | None = None
    reported_first: dt.date | None = None
    reported_last: dt.date | None = None
    booked_into: set[dt.date] = field(default_factory=set)


def _lock(workspace_id: int) -> None:
    """One import at a time per workspace (until the transaction ends), so two files holding
    the same lines cannot both miss each other's. SQLite has one writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, workspace_id])


def _import_lines(
    *,
    statement: Statement,
    stream: BinaryIO,
    size: int,
    source: str | None,
    mapping: GenericMapping | None,
    progress: Progress | None,
) -> _Figures:
    """Parse and write every line, then skip those imported before. Caller holds the
    transaction."""
    _lock(statement.workspace_id)
    parsed = statement_open(stream, source=source, mapping=mapping)
    matcher = _Matcher(statement.workspace_id)
    closed = closed_months(workspace=statement.workspace_id)
    writer = _Writer()
    try:
        figures = _write_lines(
            parsed=parsed, writer=writer, matcher=matcher, closed=closed,
            statement=statement, stream=stream, size=size, progress=progress,
        )  # fmt: skip
    except BaseException:
        writer.abandon()
        raise
    writer.finish()
    matcher.save_items()
    _skip_imported(statement=statement, figures=figures)
    return figures


def _write_lines(
    *,
    parsed: Any,
    writer: _Writer,
    matcher: _Matcher,
    closed: set[dt.date],
    statement: Statement,
    stream: BinaryIO,
    size: int,
    progress: Progress | None,
) -> _Figures:
    """The loop over a file's lines: a million times for a large statement, so everything
    that repeats (months, stores, items) is worked out once and kept as the text it becomes."""
    pg = writer.pg
    figures = _Figures(source=parsed.source)
    tail_ids = f"\t{statement.workspace_id}\t{statement.pk}\t"
    first_id = earning_id(statement_id=statement.pk, line_no=0)
    # (reported month, sale month) -> its COPY text and booking
    months: dict[tuple[dt.date, dt.date], tuple[str, dt.date, bool]] = {}
    stores: dict[str, str] = {}
    items, match = matcher.items, matcher.match
    # The net amounts of a batch, per currency, added up as Decimals once per batch.
    nets: dict[str, list[str]] = {}
    workspace_id, statement_id = statement.workspace_id, statement.pk
    lines = unmatched = adjustments = 0
    batch: list[Any] = []
    for line_no, _raw, stmt, sale, store, territory, isrc, upc, title, artist, units, gross, net, \
            currency in parsed.records():  # fmt: skip
        lines += 1
        month = months.get((stmt, sale))
        if month is None:
            month = _month(figures, closed, stmt, sale)
            months[(stmt, sale)] = month
        item = items.get((isrc, upc, title, artist)) or match(isrc, upc, title, artist)
        if item.track_id is None:
            unmatched += 1
        if month[2]:
            adjustments += 1
        amounts = nets.get(currency)
        if amounts is None:
            amounts = nets[currency] = []
        amounts.append(net)
        if pg:
            text = stores.get(store)
            if text is None:
                text = stores[store] = _copy_text(store)
            # One COPY text line; territory and currency are codes, the rest numbers.
            batch.append(
                f"{first_id + line_no}{tail_ids}{line_no}\t{month[0]}\t"
                f"{text}\t{territory}\t{units}\t{gross}\t{net}\t{currency}\t{item.tail}"
            )
        else:
            batch.append(
                (
                    first_id + line_no, workspace_id, statement_id, line_no, stmt, sale, month[1],
                    month[2], store, territory, units, gross, net, currency, item.id.hex,
                    item.track_id, item.release_id, item.rule_id,
                )
            )  # fmt: skip
        if len(batch) >= BATCH:
            writer.write(batch)
            batch = []
            _add_up(figures.totals, nets)
            if progress is not None and size:
                progress(5 + int(85 * min(stream.tell(), size) / size), "Importing lines")
    writer.write(batch)
    _add_up(figures.totals, nets)
    if progress is not None:
        progress(92, "Saving")
    figures.lines, figures.unmatched, figures.adjustments = lines, unmatched, adjustments
    return figures


def _add_up(totals: dict[str, Decimal], nets: dict[str, list[str]]) -> None:
    """Add a batch's net amounts (text) to the totals per currency, exactly, and empty it."""
    for currency, amounts in nets.items():
        totals[currency] = totals.get(currency, Decimal(0)) + sum(map(Decimal, amounts))
        amounts.clear()


def _month(
    figures: _Figures, closed: set[dt.date], stmt: dt.date, sale: dt.date
) -> tuple[str, dt.date, bool]:
    """A (reported, sale) month pair the first time it is met: the COPY text of its four
    fields, the month it is booked into and whether that is an adjustment."""
    booked, moved = period_booking(month=sale, closed=closed)
    if moved:
        figures.booked_into.add(booked)
    figures.sale_first = min(filter(None, (figures.sale_first, sale)))
    figures.sale_last = max(filter(None, (figures.sale_last, sale)))
    figures.reported_first = min(filter(None, (figures.reported_first, stmt)))
    figures.reported_last = max(filter(None, (figures.reported_last, stmt)))
    text = f"{stmt.isoformat()}\t{sale.isoformat()}\t{booked.isoformat()}\t{'t' if moved else 'f'}"
    return text, booked, moved


# What makes two earnings the same line: everything the line said, normalised.
SAME_LINE = (
    "statement_period", "sale_period", "store", "territory", "item_id", "units", "gross", "net",
    "currency",
)  # fmt: skip


def _skip_imported(*, statement: Statement, figures: _Figures) -> None:
    """Remove the lines this file shares with statements imported before; ``figures`` then
    count what is left.

    The same line is one with the same normalised content (``SAME_LINE``: months, store,
    territory, item, units, amounts, currency), so a re-export that writes "1.5" for "1.50"
    or changes a column Liner does not read still repeats nothing. A line holds the month it
    was reported in, so only a statement of the same source whose reported months overlap
    this one's can hold the same lines: the check reads those statements' lines (none, for
    the usual new month) instead of an index over every line the workspace ever imported,
    which each of a million inserted lines would have to update.
    """
    if not figures.lines:
        return
    earlier = (
        Statement.objects.filter(
            workspace_id=statement.workspace_id,
            source=figures.source,
            status=Statement.Status.IMPORTED,
        )
        .exclude(pk=statement.pk)
        .filter(
            Q(reported_first__isnull=True)
            | Q(
                reported_first__lte=figures.reported_last,
                reported_last__gte=figures.reported_first,
            )
        )
    )
    ranges = Q()
    for pk in earlier.values_list("pk", flat=True):
        ranges |= statement_lines(pk)
    if not ranges:
        return
    shared = Earning.objects.filter(ranges, **{name: OuterRef(name) for name in SAME_LINE})
    skipped = Earning.objects.of_statement(statement).filter(Exists(shared))
    if not skipped._raw_delete(skipped.db):
        return
    left = Earning.objects.of_statement(statement).aggregate(
        written=Count("id"),
        unmatched=Count("id", filter=Q(track__isnull=True)),
        adjustments=Count("id", filter=Q(adjustment=True)),
    )
    figures.skipped = figures.lines - left["written"]
    figures.unmatched = left["unmatched"]
    figures.adjustments = left["adjustments"]
    figures.booked_into = set(
        Earning.objects.of_statement(statement)
        .filter(adjustment=True)
        .values_list("booked_period", flat=True)
        .distinct()
    )


def _result(
    statement: Statement, *, duplicate: bool, booked_into: set[dt.date] | None = None
) -> ImportResult:
    """What the import of ``statement`` did; ``booked_into`` (the months adjustments went to)
    is read from its earnings unless the caller knows it."""
    if booked_into is None:
        booked_into = set(
            Earning.objects.of_statement(statement)
            .filter(adjustment=True)
            .values_list("booked_period", flat=True)
            .distinct()
        )
    return ImportResult(
        statement_id=statement.pk,
        source=statement.source,
        lines=statement.lines,
        matched=statement.matched,
        unmatched=statement.unmatched,
        skipped=statement.skipped,
        adjustments=statement.adjustments,
        total=statement.total,
        currency=statement.currency,
        duplicate=duplicate,
        booked_into=sorted(f"{m:%Y-%m}" for m in booked_into),
    )


def _import_into(
    *,
    statement: Statement,
    stream: BinaryIO,
    size: int,
    source: str | None,
    mapping: GenericMapping | None,
    progress: Progress | None,
) -> ImportResult:
    """Import into ``statement`` (a row already saved). Caller holds the transaction."""
    figures = _import_lines(
        statement=statement, stream=stream, size=size, source=source, mapping=mapping,
        progress=progress,
    )  # fmt: skip
    written = figures.lines - figures.skipped
    statement.source = figures.source
    statement.lines = figures.lines
    statement.matched = written - figures.unmatched
    statement.unmatched = figures.unmatched
    statement.skipped = figures.skipped
    statement.adjustments = figures.adjustments
    statement.total = sum(figures.totals.values(), Decimal(0))
    currencies = sorted(figures.totals)
    # Several currencies: the field holds none; the result and the page say which.
    statement.currency = currencies[0] if len(currencies) == 1 else ""
    statement.period_first, statement.period_last = figures.sale_first, figures.sale_last
    statement.reported_first = figures.reported_first
    statement.reported_last = figures.reported_last
    statement.status = Statement.Status.IMPORTED
    statement.error = ""
    statement.imported_at = timezone.now()
    statement.save()
    result = _result(statement, duplicate=False, booked_into=figures.booked_into)
    result.currency = ", ".join(currencies)
    return result


def _already(workspace_id: int, sha256: str) -> Statement | None:
    return Statement.objects.filter(
        workspace_id=workspace_id, sha256=sha256, status=Statement.Status.IMPORTED
    ).first()


def _clear_failed(workspace_id: int, sha256: str) -> None:
    """A file that failed before is tried again in a new row; one being imported is left to
    its job."""
    Statement.objects.filter(
        workspace_id=workspace_id, sha256=sha256, status=Statement.Status.FAILED
    ).delete()
    if Statement.objects.filter(workspace_id=workspace_id, sha256=sha256).exists():
        raise StatementError(
            "This file is being imported already; its page shows the progress.", code="busy"
        )


def statement_import(
    *,
    workspace: Workspace,
    file: BinaryIO | str | os.PathLike[str],
    filename: str = "",
    source: str | None = None,
    mapping: ColumnMapping | None = None,
    user: Any = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a statement file now (the command line; tests). ``file`` is a path or a binary
    file object. Raises ``StatementError`` for a file that cannot be imported; then nothing was
    written (the stored copy is removed too)."""
    if source is not None and source not in Source.values:
        raise StatementError(f"“{source}” is not a statement source.", code="unknown_source")
    if mapping is not None and mapping.workspace_id != workspace.pk:
        raise StatementError("That column mapping is not of this workspace.", code="bad_mapping")
    if isinstance(file, str | os.PathLike):
        filename = filename or os.path.basename(os.fspath(file))
        with open(file, "rb") as handle:
            return statement_import(
                workspace=workspace, file=handle, filename=filename, source=source,
                mapping=mapping, user=user, progress=progress,
            )  # fmt: skip
    sha256, size = _digest(file)
    limit = max_upload_bytes()
    if size > limit:  # as for uploads; it also keeps line numbers under 2**30 (earning_id)
        mb = 2**20
        raise StatementError(
            f"The file is {size / mb:,.0f} MB; the limit is {limit / mb:,.0f} MB.",
            code="too_large",
        )
    existing = _already(workspace.pk, sha256)
    if existing is not None:
        return _result(existing, duplicate=True)
    stored: Statement | None = None
    try:
        with transaction.atomic():
            _clear_failed(workspace.pk, sha256)
            stored = Statement(
                workspace=workspace, source=source or Source.GENERIC, mapping=mapping,
                filename=(filename or "statement")[:255], size=size, sha256=sha256,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )  # fmt: skip
            stored.file.save(stored.filename, File(file), save=False)
            stored.save()
            file.seek(0)
            return _import_into(
                statement=stored, stream=file, size=size, source=source,
                mapping=_generic(mapping), progress=progress,
            )  # fmt: skip
    except BaseException:
        if stored is not None and stored.file.name:
            stored.file.storage.delete(stored.file.name)
        raise


# --- Uploads through the page and the API: a background job -------------------------------


def statement_upload(
    *,
    workspace: Workspace,
    upload: Any,
    source: str | None = None,
    mapping: ColumnMapping | None = None,
    user: Any = None,
) -> UploadOutcome:
    """Store an uploaded statement and ask a worker to import it.

    The same content imported before changes nothing (``duplicate``, with that statement).
    """
    if source in ("", "auto"):
        source = None
    if source is not None and source not in Source.values:
        raise ValidationError({"source": f"“{source}” is not a statement source."})
    if source == Source.GENERIC and mapping is None:
        raise ValidationError({"mapping": "Choose the column mapping for this file."})
    if mapping is not None and mapping.workspace_id != workspace.pk:
        raise ValidationError({"mapping": "That column mapping is not of this workspace."})
    size = getattr(upload, "size", None)
    if not size:
        raise ValidationError({"file": "The file is empty."})
    limit = max_upload_bytes()
    if size > limit:
        mb = 2**20
        raise ValidationError(
            {"file": f"The file is {size / mb:,.0f} MB; the limit is {limit / mb:,.0f} MB."}
        )
    sha256, size = _digest(upload)
    existing = _already(workspace.pk, sha256)
    if existing is not None:
        return UploadOutcome(statement=existing, job=None, duplicate=True)
    with transaction.atomic():
        try:
            _clear_failed(workspace.pk, sha256)
        except StatementError as exc:
            raise ValidationError({"file": str(exc)}) from exc
        statement = Statement(
            workspace=workspace, source=source or Source.GENERIC, mapping=mapping,
            filename=(getattr(upload, "name", "") or "statement")[:255], size=size,
            sha256=sha256, created_by=user if getattr(user, "is_authenticated", False) else None,
        )  # fmt: skip
        statement.file.save(statement.filename, File(upload), save=False)
        statement.save()
        job = jobs.job_request(
            model=StatementJob, workspace_id=workspace.pk, kind=StatementJob.Kind.IMPORT,
            params={"statement": statement.pk, "source": source or "",
                    "mapping": mapping.pk if mapping else None},
            user=user, statement=statement,
        )  # fmt: skip
    return UploadOutcome(statement=statement, job=job, duplicate=False)


def _side_progress(job: StatementJob, fallback: Progress) -> tuple[Progress, Callable[[], None]]:
    """On PostgreSQL, progress written through its own autocommit connection (visible while
    the import's transaction is open, and a heartbeat so the sweep leaves the job alone)."""
    if connection.vendor != "postgresql":
        return fallback, lambda: None
    side = psycopg.connect(**connection.get_connection_params(), autocommit=True)
    table = StatementJob._meta.db_table
    last = {"pct": -1}

    def report(percent: int, stage: str) -> None:
        percent = max(0, min(99, int(percent)))
        if percent == last["pct"]:
            return
        last["pct"] = percent
        side.execute(
            f"UPDATE {table} SET progress = %s, stage = %s, heartbeat_at = %s "
            "WHERE id = %s AND status = 'running'",
            (percent, stage[:60], timezone.now(), job.pk),
        )

    return report, side.close


def _work(job: StatementJob, progress: Progress) -> dict[str, Any]:
    statement = Statement.objects.select_related("workspace", "mapping").get(
        pk=job.params["statement"]
    )
    existing = _already(statement.workspace_id, statement.sha256)
    if existing is not None:  # a second delivery of a finished job
        return _result(existing, duplicate=existing.pk != statement.pk).as_json()
    report, close = _side_progress(job, progress)
    try:
        report(2, "Reading the file")
        with statement.file.open("rb") as stream, transaction.atomic():
            result = _import_into(
                statement=statement, stream=stream, size=statement.size,
                source=job.params.get("source") or None, mapping=_generic(statement.mapping),
                progress=report,
            )  # fmt: skip
    except StatementError as exc:
        Statement.objects.filter(pk=statement.pk).update(
            status=Statement.Status.FAILED, error=str(exc)[:2000]
        )
        raise
    finally:
        close()
    return result.as_json()


def run(*, job_id: int) -> StatementJob | None:
    """The task's entry point (``rights.statement_import``)."""
    return jobs.job_run(model=StatementJob, job_id=job_id, work=_work, permanent=(StatementError,))


# --- Reading back -----------------------------------------------------------------------------


def statement_source_line(*, statement: Statement, line_no: int) -> str:
    """Line ``line_no`` of the stored file (the header is line 1), read up to it; quoted
    fields holding line breaks make the file's physical lines differ, so this is the
    physical line, which is what a person opening the file sees."""
    if line_no < 1:
        raise ValidationError("Lines are counted from 1.")
    with statement.file.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            if number == line_no:
                text = raw.rstrip(b"\r\n")
                try:
                    return text.decode("utf-8-sig" if number == 1 else "utf-8")
                except UnicodeDecodeError:
                    return text.decode("latin-1")
    raise ValidationError(f"The file has no line {line_no}.")
