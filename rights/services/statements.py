"""Importing a distributor's statement: every line becomes an ``Earning``, all or nothing.

- **Idempotent.** The file's SHA-256 identifies it: a file already imported changes nothing
  (``duplicate``). Each line's content hash (``rights.statements.line_hash``) is unique per
  workspace, so lines already imported from another file are skipped and counted, never doubled.
- **All or nothing.** The earnings and the statement's figures are written in one transaction;
  a bad line anywhere (``StatementError``) or any other failure leaves no earning behind.
- **Streaming.** The file is read a line at a time and written in batches, so memory does not
  grow with its length: what is kept is the catalogue's lookup tables and a batch.
- **Bulk.** PostgreSQL gets the lines by COPY into a temporary table, then one
  ``INSERT … SELECT … ON CONFLICT DO NOTHING`` into ``rights_earning``; SQLite by
  ``INSERT OR IGNORE`` in batches.
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
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import IO, Any, BinaryIO

import psycopg
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from collaborators.jobs import services as jobs
from collaborators.models import Workspace
from releases.models import Track

from ..models import ColumnMapping, Earning, MatchRule, Source, Statement, StatementJob
from ..statements import GenericMapping, StatementError, line_hash, match_key, statement_open
from ..statements.base import normalise_text
from .periods import closed_months, period_booking

logger = logging.getLogger(__name__)

BATCH = 20_000
CHUNK = 1024 * 1024
Progress = Callable[[int, str], None]

# The columns written for each line, in this order (see ``Earning``).
COLUMNS = (
    "workspace_id", "statement_id", "line_no", "line_hash", "statement_period", "sale_period",
    "booked_period", "adjustment", "store", "territory", "isrc", "upc", "title", "artist",
    "units", "gross", "net", "currency", "match_key", "track_id", "release_id", "rule_id",
)  # fmt: skip
_PG_TYPES = (
    "bigint", "bigint", "integer", "uuid", "date", "date", "date", "boolean",
    "varchar(80)", "varchar(2)", "varchar(12)", "varchar(14)", "varchar(200)", "varchar(200)",
    "bigint", "numeric(20,10)", "numeric(20,10)", "varchar(3)", "varchar(64)", "bigint",
    "bigint", "bigint",
)  # fmt: skip
# COPY's text format: a backslash, tab, newline or carriage return inside a value is escaped.
_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


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


class _Matcher:
    """The workspace's catalogue and rules as dictionaries, built once per import; each
    distinct (isrc, upc, title, artist) is worked out once."""

    def __init__(self, workspace_id: int):
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
        self._cache: dict[tuple[str, str, str, str], tuple[str, Any, Any, Any, str]] = {}

    def match(self, isrc: str, upc: str, title: str, artist: str) -> tuple[str, Any, Any, Any, str]:
        """(match key, track id, release id, rule id, COPY tail); the ids are None when
        unmatched."""
        probe = (isrc, upc, title, artist)
        found = self._cache.get(probe)
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
        # The line's last four COPY fields, worked out once per distinct song.
        tail = f"{key}\t{_null(track_id)}\t{_null(release_id)}\t{_null(rule_id)}\n"
        found = (key, track_id, release_id, rule_id, tail)
        self._cache[probe] = found
        return found


# --- Writing ----------------------------------------------------------------------------------


class _Conflict(Exception):
    """A line of this file was imported before: the direct COPY cannot take it."""


class _Writer:
    """Batches of lines into ``rights_earning``; ``inserted`` counts the rows that went in.

    PostgreSQL, first try: one COPY straight into the table for the whole file, open while the
    file is read, so the server writes rows on its core while Python parses on the other.
    A line imported before breaks the unique index and the COPY (then ``_Conflict``); the
    caller rolls back to its savepoint and reads the file again with ``staging=True``: COPY
    into a temporary table, then one ``INSERT … ON CONFLICT DO NOTHING``, which skips the lines
    already there. (Checking each line first would cost an index probe per line on the common
    path, and remembering the file's lines would grow with its length.)
    SQLite: ``INSERT OR IGNORE`` of each batch.
    """

    def __init__(self, *, staging: bool = False) -> None:
        self.inserted = 0
        self.pg = connection.vendor == "postgresql"
        self.staging = staging
        self._names = ", ".join(COLUMNS)
        self._copy: Any = None
        self._context: Any = None
        self._cursor: Any = None
        if self.pg:
            self._cursor = connection.cursor()
            table = "rights_earning"
            if staging:
                columns = ", ".join(f"{c} {t}" for c, t in zip(COLUMNS, _PG_TYPES, strict=True))
                self._cursor.execute("DROP TABLE IF EXISTS rights_earning_load")
                self._cursor.execute(
                    f"CREATE TEMP TABLE rights_earning_load ({columns}) ON COMMIT DROP"
                )
                table = "rights_earning_load"
            # psycopg's cursor under Django's wrapper
            self._context = self._cursor.cursor.copy(f"COPY {table} ({self._names}) FROM STDIN")
            self._copy = self._context.__enter__()

    def write(self, rows: list[Any]) -> None:
        if not rows:
            return
        if self.pg:
            self._copy.write("".join(rows).encode())
            return
        placeholders = ", ".join(["%s"] * len(COLUMNS))
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT OR IGNORE INTO rights_earning ({self._names}) VALUES ({placeholders})",
                rows,
            )
            self.inserted += max(cursor.rowcount, 0)

    def finish(self, lines: int) -> None:
        if not self.pg:
            return
        context, self._context = self._context, None
        try:
            context.__exit__(None, None, None)
        except (IntegrityError, psycopg.errors.IntegrityError) as exc:
            raise _Conflict() from exc
        if not self.staging:
            self.inserted = lines
            return
        self._cursor.execute(
            f"INSERT INTO rights_earning ({self._names}) SELECT {self._names} "
            "FROM rights_earning_load ON CONFLICT (workspace_id, line_hash) DO NOTHING"
        )
        self.inserted = self._cursor.rowcount
        self._cursor.execute("DROP TABLE rights_earning_load")

    def abandon(self) -> None:
        """End an unfinished COPY (an error while reading the file)."""
        if self._context is not None:
            context, self._context = self._context, None
            with contextlib.suppress(Exception):
                context.__exit__(StatementError, StatementError("abandoned"), None)


def _null(value: Any) -> str:
    return "\\N" if value is None else str(value)


_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def _pg_text(value: str) -> str:
    return value.translate(_COPY_ESCAPE) if _COPY_SPECIAL.search(value) else value


def _import_lines(
    *,
    statement: Statement,
    stream: BinaryIO,
    size: int,
    source: str | None,
    mapping: GenericMapping | None,
    progress: Progress | None,
    staging: bool = False,
) -> tuple[str, int, Decimal, set[str], dt.date | None, dt.date | None, int]:
    """Parse and write every line. Returns (source, lines, total, currencies, first month,
    last month, inserted). Caller holds the transaction."""
    parsed = statement_open(stream, source=source, mapping=mapping)
    matcher = _Matcher(statement.workspace_id)
    closed = closed_months(workspace=statement.workspace_id)
    booking: dict[dt.date, tuple[dt.date, bool]] = {}
    writer = _Writer(staging=staging)
    try:
        return _write_lines(
            parsed=parsed, writer=writer, matcher=matcher, closed=closed, booking=booking,
            statement=statement, stream=stream, size=size, progress=progress,
        )  # fmt: skip
    except BaseException:
        writer.abandon()
        raise


def _write_lines(
    *,
    parsed: Any,
    writer: _Writer,
    matcher: _Matcher,
    closed: set[dt.date],
    booking: dict[dt.date, tuple[dt.date, bool]],
    statement: Statement,
    stream: BinaryIO,
    size: int,
    progress: Progress | None,
) -> tuple[str, int, Decimal, set[str], dt.date | None, dt.date | None, int]:
    pg = writer.pg
    head = f"{statement.workspace_id}\t{statement.pk}\t"
    texts: dict[dt.date, str] = {}
    sale_text: dict[dt.date, str] = {}
    booked_text: dict[dt.date, str] = {}
    workspace_id, statement_id, src = statement.workspace_id, statement.pk, parsed.source
    total = Decimal(0)
    currencies: set[str] = set()
    first: dt.date | None = None
    last: dt.date | None = None
    lines = 0
    batch: list[tuple] = []
    for line in parsed.lines():
        lines += 1
        sale = line.sale_period
        booked = booking.get(sale)
        if booked is None:
            booked = booking[sale] = period_booking(month=sale, closed=closed)
            sale_text[sale] = sale.isoformat()
            booked_text[sale] = f"{booked[0].isoformat()}\t{'t' if booked[1] else 'f'}"
            first = sale if first is None or sale < first else first
            last = sale if last is None or sale > last else last
        key, track_id, release_id, rule_id, tail = matcher.match(
            line.isrc, line.upc, line.title, line.artist
        )
        total += line.net
        currencies.add(line.currency)
        hashed = line_hash(source=src, raw=line.raw)
        if pg:
            # One COPY text line; dates, flags and ids as PostgreSQL reads them.
            days = texts.get(line.statement_period)
            if days is None:
                days = texts[line.statement_period] = line.statement_period.isoformat()
            store, title, artist = line.store, line.title, line.artist
            text = (
                f"{head}{line.line_no}\t{hashed}\t{days}\t{sale_text[sale]}\t"
                f"{booked_text[sale]}\t{store}\t{line.territory}\t{line.isrc}\t{line.upc}\t"
                f"{title}\t{artist}\t{line.units}\t{line.gross}\t{line.net}\t"
                f"{line.currency}\t{tail}"
            )
            # A backslash, tab or line break inside a text value (rare) needs COPY's escapes.
            if text.count("\t") != 21 or "\\" in text or "\r" in text or text.count("\n") != 1:
                store, title, artist = _pg_text(store), _pg_text(title), _pg_text(artist)
                text = (
                    f"{head}{line.line_no}\t{hashed}\t{days}\t{sale_text[sale]}\t"
                    f"{booked_text[sale]}\t{store}\t{line.territory}\t{line.isrc}\t"
                    f"{line.upc}\t{title}\t{artist}\t{line.units}\t{line.gross}\t"
                    f"{line.net}\t{line.currency}\t{tail}"
                )
            batch.append(text)
        else:
            batch.append(
                (
                    workspace_id, statement_id, line.line_no, hashed, line.statement_period,
                    sale, booked[0], booked[1], line.store, line.territory, line.isrc, line.upc,
                    line.title, line.artist, line.units, line.gross, line.net, line.currency,
                    key, track_id, release_id, rule_id,
                )
            )  # fmt: skip
        if len(batch) >= BATCH:
            writer.write(batch)
            batch = []
            if progress is not None and size:
                progress(5 + int(85 * min(stream.tell(), size) / size), "Importing lines")
    writer.write(batch)
    if progress is not None:
        progress(92, "Saving")
    writer.finish(lines)
    return src, lines, total, currencies, first, last, writer.inserted


def _figures(statement: Statement) -> dict[str, int]:
    return Earning.objects.filter(statement=statement).aggregate(
        written=Count("id"),
        matched=Count("id", filter=Q(track__isnull=False)),
        adjustments=Count("id", filter=Q(adjustment=True)),
    )


def _result(statement: Statement, *, duplicate: bool) -> ImportResult:
    booked = (
        Earning.objects.filter(statement=statement, adjustment=True)
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
        booked_into=sorted(f"{m:%Y-%m}" for m in booked),
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
    try:
        with transaction.atomic():
            figures_ = _import_lines(
                statement=statement, stream=stream, size=size, source=source, mapping=mapping,
                progress=progress,
            )  # fmt: skip
    except _Conflict:
        # Some lines were imported before: read the file again, skipping those.
        stream.seek(0)
        figures_ = _import_lines(
            statement=statement, stream=stream, size=size, source=source, mapping=mapping,
            progress=progress, staging=True,
        )  # fmt: skip
    src, lines, total, currencies, first, last, inserted = figures_
    figures = _figures(statement)
    statement.source = src
    statement.lines = lines
    statement.matched = figures["matched"]
    statement.unmatched = figures["written"] - figures["matched"]
    statement.skipped = lines - inserted
    statement.adjustments = figures["adjustments"]
    statement.total = total
    # Several currencies: the field holds none; the result and the page say which.
    statement.currency = next(iter(currencies)) if len(currencies) == 1 else ""
    statement.period_first, statement.period_last = first, last
    statement.status = Statement.Status.IMPORTED
    statement.error = ""
    statement.imported_at = timezone.now()
    statement.save()
    result = _result(statement, duplicate=False)
    result.currency = ", ".join(sorted(currencies))
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
