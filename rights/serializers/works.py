"""Serializers of works, splits and split sheets (component names prefixed ``Rights``)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import RecoupOrder, Share, SplitSet, Work, WorkParty


class RightsWorkPartySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    pro = serializers.CharField(source="person.pro", read_only=True)
    ipi = serializers.CharField(source="person.ipi", read_only=True)

    class Meta:
        model = WorkParty
        fields = ["id", "person", "name", "role", "pro", "ipi", "publisher", "controlled"]
        read_only_fields = fields


class RightsWorkPartyInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    role = serializers.ChoiceField(choices=WorkParty.Role.choices)
    publisher = serializers.IntegerField(required=False, allow_null=True)
    controlled = serializers.BooleanField(required=False, default=False)


class RightsWorkSerializer(serializers.ModelSerializer):
    parties = RightsWorkPartySerializer(many=True, read_only=True)
    recordings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Work
        fields = ["id", "title", "alternative_titles", "iswc", "language", "notes", "parties",
                  "recordings", "created_at", "updated_at"]  # fmt: skip
        read_only_fields = fields


class RightsWorkInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    alternative_titles = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False
    )
    iswc = serializers.CharField(max_length=20, required=False, allow_blank=True)
    language = serializers.CharField(max_length=3, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    recordings = serializers.ListField(child=serializers.IntegerField(), required=False)


class RightsShareSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.name", read_only=True)
    percent = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)

    class Meta:
        model = Share
        fields = ["person", "name", "role", "percent"]
        read_only_fields = fields


class RightsSplitSetSerializer(serializers.ModelSerializer):
    shares = RightsShareSerializer(many=True, read_only=True)
    total = serializers.DecimalField(max_digits=7, decimal_places=4, coerce_to_string=True)

    class Meta:
        model = SplitSet
        fields = ["id", "kind", "work", "track", "version", "effective_from", "total",
                  "recoup_order", "note", "agreed_at", "created_at", "shares"]  # fmt: skip
        read_only_fields = fields


class RightsShareInputSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Share.Role.choices)
    # A string keeps every digit: the service checks four places and the 100 % total exactly.
    percent = serializers.CharField(max_length=20)


class RightsSplitInputSerializer(serializers.Serializer):
    shares = RightsShareInputSerializer(many=True)
    effective_from = serializers.DateField(help_text="The first day of a month.")
    recoup_order = serializers.ChoiceField(
        choices=RecoupOrder.choices, required=False, default=RecoupOrder.EXPENSES_FIRST
    )
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RightsSheetPartySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.CharField()
    pro = serializers.CharField()
    ipi = serializers.CharField()
    isni = serializers.CharField()
    signed = serializers.BooleanField()
    signed_at = serializers.DateTimeField(allow_null=True)
    via = serializers.CharField(allow_blank=True)


class RightsSheetSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["agreed", "waiting", "empty"])
    version = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField(allow_blank=True)
    fingerprint = serializers.CharField(allow_blank=True)
    agreed_at = serializers.DateTimeField(allow_null=True)
    waiting_for = serializers.ListField(child=serializers.CharField())
    parties = RightsSheetPartySerializer(many=True)
    split_sets = serializers.ListField(child=serializers.IntegerField())


class RightsSheetSignInputSerializer(serializers.Serializer):
    signed_name = serializers.CharField(max_length=200)
    agree = serializers.BooleanField()


class RightsSheetRemindSerializer(serializers.Serializer):
    waiting = serializers.IntegerField()
