"""Statements in the API (component names prefixed "RightsStatement", "RightsUnmatched",
"RightsMatchRule" and "RightsColumnMapping")."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from collaborators.jobs.serializers import JOB_FIELDS, BaseJobSerializer

from ..models import ColumnMapping, Earning, MatchRule, Source, Statement, StatementJob
from ..statements import GENERIC_FIELDS


class RightsStatementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Statement
        fields = [
            "id", "source", "filename", "size", "sha256", "status", "error", "lines", "matched",
            "unmatched", "skipped", "adjustments", "total", "currency", "period_first",
            "period_last", "mapping", "created_at", "imported_at",
        ]  # fmt: skip
        read_only_fields = fields


class RightsStatementJobSerializer(BaseJobSerializer):
    class Meta:
        model = StatementJob
        fields = ["id", "statement", *JOB_FIELDS]
        read_only_fields = fields


class RightsStatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The statement as the distributor sent it.")
    source = serializers.ChoiceField(
        choices=Source.choices, required=False, allow_blank=True,
        help_text="Empty: detected from the file's columns.",
    )  # fmt: skip
    mapping = serializers.IntegerField(
        required=False, allow_null=True, help_text="A column mapping (for source “generic”)."
    )


class RightsStatementUploadResultSerializer(serializers.Serializer):
    duplicate = serializers.BooleanField(
        help_text="True: the same file was imported already (that statement); nothing changed."
    )
    statement = RightsStatementSerializer()
    job = RightsStatementJobSerializer(allow_null=True)


class RightsStatementEarningSerializer(serializers.ModelSerializer):
    track_title = serializers.CharField(source="track.title", default=None, allow_null=True)
    # What was sold, as the statement names it (kept once per item, see ReportedItem).
    isrc = serializers.CharField(source="item.isrc")
    upc = serializers.CharField(source="item.upc")
    title = serializers.CharField(source="item.title")
    artist = serializers.CharField(source="item.artist")
    match_key = serializers.CharField(source="item.match_key")

    class Meta:
        model = Earning
        fields = [
            "id", "line_no", "statement_period", "sale_period", "booked_period", "adjustment",
            "store", "territory", "isrc", "upc", "title", "artist", "units", "gross", "net",
            "currency", "match_key", "track", "track_title", "release", "rule",
        ]  # fmt: skip
        read_only_fields = fields


class RightsUnmatchedGroupSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Send it to match-rules/ with a track to match.")
    label = serializers.CharField()
    title = serializers.CharField(allow_blank=True)
    artist = serializers.CharField(allow_blank=True)
    isrc = serializers.CharField(allow_blank=True)
    upc = serializers.CharField(allow_blank=True)
    stores = serializers.ListField(child=serializers.CharField())
    lines = serializers.IntegerField()
    amounts = serializers.DictField(
        child=serializers.DecimalField(max_digits=20, decimal_places=2),
        help_text="Net amount per currency.",
    )  # fmt: skip
    first_period = serializers.DateField(allow_null=True)
    last_period = serializers.DateField(allow_null=True)


class RightsMatchRuleSerializer(serializers.ModelSerializer):
    track_title = serializers.CharField(source="track.title", read_only=True)
    matched = serializers.IntegerField(
        read_only=True, required=False, help_text="Lines matched when the rule was made."
    )

    class Meta:
        model = MatchRule
        fields = ["id", "key", "label", "track", "track_title", "matched", "created_at"]
        read_only_fields = fields


class RightsMatchRuleInputSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64, help_text="An unmatched group's key.")
    track = serializers.IntegerField(help_text="A track of this workspace.")


class RightsColumnMappingSerializer(serializers.ModelSerializer):
    class Meta:
        model = ColumnMapping
        fields = ["id", "name", "columns", "date_format", "currency", "created_at"]
        read_only_fields = fields


class RightsColumnMappingInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    columns = serializers.DictField(
        child=serializers.CharField(max_length=200, allow_blank=True),
        help_text="Liner field → the file's column header. Fields: " + ", ".join(GENERIC_FIELDS),
    )  # fmt: skip
    date_format = serializers.CharField(max_length=20, required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False, allow_blank=True)

    def validate_currency(self, value: str) -> str:
        return value.upper()

    def to_service(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "name": data["name"], "columns": dict(data["columns"]),
            "date_format": data.get("date_format", "%Y-%m"), "currency": data.get("currency", ""),
        }  # fmt: skip
