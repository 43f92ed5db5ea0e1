"""Distributors' statements: each imported file, its lines as normalised earnings, the review
queue's remembered matching rules, saved column mappings and exchange rates."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.db.models import F, Index, Q

from collaborators.jobs.models import BaseJob, job_constraints
from collaborators.models import Workspace, validate_currency
from releases.models import Release, Track


class Source(models.TextChoices):
    DISTROKID = "distrokid", "DistroKid"
    TUNECORE = "tunecore", "TuneCore"
    CDBABY = "cdbaby", "CD Baby"
    BANDCAMP = "bandcamp", "Bandcamp"
    GENERIC = "generic", "Other (column mapping)"


def statement_file_path(instance: Statement, filename: str) -> str:
    return f"rights/{instance.workspace_id}/statements/{instance.sha256[:2]}/{instance.sha256}"


class Statement(models.Model):
    """One imported statement file, kept as uploaded (each earning points at its line).

    ``sha256`` of the content makes a second import of the same file a no-op. The figures are
    filled in when the import finishes, in the same transaction as the earnings.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be imported"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Not imported"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="statements")
    source = models.CharField(max_length=10, choices=Source.choices)
    mapping = models.ForeignKey(
        "rights.ColumnMapping", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=statement_file_path, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(blank=True)
    lines = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    # Lines already imported from another file (same content), skipped.
    skipped = models.PositiveIntegerField(default=0)
    # Lines for closed periods, booked into the next open one.
    adjustments = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=20, decimal_places=10, default=0)
    currency = models.CharField(max_length=3, blank=True)
    # The sale months the lines cover, and the months the distributor reported them in.
    period_first = models.DateField(null=True, blank=True)
    period_last = models.DateField(null=True, blank=True)
    reported_first = models.DateField(null=True, blank=True)
    reported_last = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sha256"], name="statement_file_once"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="statement_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} statement {self.filename}"


class StatementJob(BaseJob):
    """The background import of one statement (``collaborators.jobs``)."""

    class Kind(models.TextChoices):
        IMPORT = "import", "Statement import"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="jobs")
    kind = models.CharField(max_length=32, choices=Kind.choices)

    class Meta(BaseJob.Meta):
        constraints = job_constraints(kinds=["import"])


class MatchRule(models.Model):
    """What a person decided in the review queue, applied to every later import: lines with this
    ``key`` (see ``rights.statements.match_key``) belong to ``track``."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="match_rules")
    key = models.CharField(max_length=64)
    # How the key reads to a person: "ISRC QZ-ABC-26-00001" or "“Low Tide” by Sam Reyes".
    label = models.CharField(max_length=300)
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="match_rules")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="match_rule_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.label} → {self.track}"


class ReportedItem(models.Model):
    """What statement lines say was sold, as the distributor named it: an ISRC, a UPC, a title
    and an artist. A statement reports each item on thousands of lines (one per store, country
    and month), so its names are kept once here and each ``Earning`` points at it.

    The id is derived from the workspace and the four values (``rights.statements.item_id``),
    so an import knows an item's id without asking the database, and the same item in a later
    statement is the same row. ``match_key`` is what the review queue and its rules match on.
    """

    id = models.UUIDField(primary_key=True)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    isrc = models.CharField(max_length=12, blank=True)
    upc = models.CharField(max_length=14, blank=True)
    title = models.CharField(max_length=200, blank=True)
    artist = models.CharField(max_length=200, blank=True)
    match_key = models.CharField(max_length=64)

    class Meta:
        ordering = ["title", "artist", "isrc"]
        indexes = [models.Index(fields=["workspace", "match_key"], name="reported_item_key_idx")]

    def __str__(self) -> str:
        return self.title or self.isrc or self.upc or "untitled"


# An imported line's id is its address: the statement's id, then the line number in the low
# bits. The importer so knows every id without asking a sequence (PostgreSQL's nextval() per
# row was a tenth of a large import), and the ids of a statement's lines are one ascending
# run. A statement file is at most 1 GB, so fewer than 2**30 lines; ids stay below 2**53
# (exact in JavaScript) up to 8 million statements.
LINE_BITS = 30


def earning_id(*, statement_id: int, line_no: int) -> int:
    return (statement_id << LINE_BITS) | line_no


def statement_lines(statement_id: int) -> Q:
    """The earnings of a statement, as one range of the primary key (``earning_id``)."""
    return Q(
        statement_id=statement_id,
        id__gte=earning_id(statement_id=statement_id, line_no=0),
        id__lt=earning_id(statement_id=statement_id + 1, line_no=0),
    )


class EarningQuerySet(models.QuerySet):
    def of_statement(self, statement: Statement | int) -> EarningQuerySet:
        return self.filter(statement_lines(getattr(statement, "pk", statement)))


class MonthIndex(BrinIndex):
    """A BRIN index on PostgreSQL, a b-tree elsewhere.

    Earnings arrive a statement at a time, so the rows of one workspace's months lie together
    on disk: a BRIN index (the smallest and largest value per 128 pages) finds them about as
    well as a b-tree, and costs an import nothing per row, where a b-tree over the booked
    month cost a million-line import a quarter of its time. New ranges are summarised by
    autovacuum (``autosummarize``); until then they are read, never missed. SQLite has no
    BRIN and gets the b-tree.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        return Index.create_sql(self, model, schema_editor, using=using, **kwargs)


class Earning(models.Model):
    """One statement line, normalised.

    ``sale_period`` is the month the sale happened, ``statement_period`` the month the
    distributor reported it; both are first days of months. ``booked_period`` is the month whose
    payouts it counts in: the sale month, or the next open month when that one was already
    closed (``adjustment``). ``item`` is what was sold, as the statement names it.
    A line imported before, from another file, is skipped and counted (see
    ``rights.services.statements``). ``id`` is the line's address (``earning_id``). Amounts
    keep the distributor's precision and currency; conversion happens per period.
    """

    # The line's address, ``earning_id(statement, line_no)`` (checked by the database): the
    # importer knows it without a sequence, and a statement's lines are one range of it.
    id = models.BigIntegerField(primary_key=True)
    # Every index and foreign-key check here is paid for by each row of a million-line import
    # (PostgreSQL checks Django's deferred foreign keys row by row at commit), so the row is
    # kept narrow and only what reads need is indexed: the primary key, which finds a
    # statement's lines (``Earning.objects.of_statement``); (workspace, booked month), a BRIN
    # index (``MonthIndex``); and the unmatched lines by item, for the review queue. The
    # foreign keys are not database constraints: Django's delete collector still cascades and
    # nulls them (reading the table through, which only a workspace's deletion, a rule's and a
    # failed statement's do), and the importer writes only ids it has just read or derived
    # inside its transaction.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    statement = models.ForeignKey(
        Statement, on_delete=models.CASCADE, related_name="earnings", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    line_no = models.PositiveIntegerField()
    statement_period = models.DateField()
    sale_period = models.DateField()
    booked_period = models.DateField()
    adjustment = models.BooleanField(default=False)
    store = models.CharField(max_length=80)
    territory = models.CharField(max_length=2, blank=True)
    item = models.ForeignKey(
        ReportedItem, on_delete=models.CASCADE, related_name="earnings", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    units = models.BigIntegerField(default=0)
    gross = models.DecimalField(max_digits=20, decimal_places=10)
    net = models.DecimalField(max_digits=20, decimal_places=10)
    currency = models.CharField(max_length=3)
    track = models.ForeignKey(
        Track, on_delete=models.SET_NULL, null=True, blank=True, related_name="earnings",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    release = models.ForeignKey(
        Release, on_delete=models.SET_NULL, null=True, blank=True, related_name="earnings",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    rule = models.ForeignKey(
        MatchRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="earnings",
        db_index=False, db_constraint=False,
    )  # fmt: skip

    objects = EarningQuerySet.as_manager()

    class Meta:
        ordering = ["statement", "line_no"]
        indexes = [
            MonthIndex(fields=["workspace", "booked_period"], name="earning_month_idx",
                       autosummarize=True),
            models.Index(fields=["workspace", "item"], condition=Q(track__isnull=True),
                         name="earning_unmatched_idx"),
        ]  # fmt: skip
        constraints = [
            models.CheckConstraint(
                condition=Q(id=F("statement_id") * 2**LINE_BITS + F("line_no")),
                name="earning_id_is_its_address",
            ),
            models.CheckConstraint(condition=Q(line_no__lt=2**LINE_BITS), name="earning_line_fits"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.sale_period:%Y-%m} {self.net} {self.currency}"


class ColumnMapping(models.Model):
    """A saved mapping of another distributor's CSV columns onto Liner's earning fields
    (``rights.statements.generic.FIELDS``), for the generic import."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="column_mappings"
    )
    name = models.CharField(max_length=100, help_text="e.g. “Amuse monthly report”")
    columns = models.JSONField(help_text="Liner field → the file's column header.")
    date_format = models.CharField(max_length=20, default="%Y-%m", blank=True)
    currency = models.CharField(
        max_length=3, blank=True, validators=[validate_currency],
        help_text="The currency when the file has no currency column.",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="column_mapping_name_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ExchangeRate(models.Model):
    """How many units of the workspace's currency one unit of ``currency`` was worth in a
    period, entered by a person or imported (``source``)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="exchange_rates"
    )
    period = models.DateField()
    currency = models.CharField(max_length=3, validators=[validate_currency])
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    source = models.CharField(max_length=100, blank=True, default="entered")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "period", "currency"], name="exchange_rate_once"
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.period:%Y-%m} 1 {self.currency} = {self.rate}"
