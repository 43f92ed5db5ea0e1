"""Serializers of the payouts API (names prefixed Rights… to keep the schema's apart)."""

from __future__ import annotations

from rest_framework import serializers

from ..models import PayeeStatement, Period


class RightsPeriodSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="label", read_only=True)

    class Meta:
        model = Period
        fields = [
            "period", "status", "currency", "earnings", "recouped", "allocated", "unmatched",
            "problems", "calculated_at", "closed_at",
        ]  # fmt: skip


class RightsPayeeStatementSerializer(serializers.ModelSerializer):
    period = serializers.CharField(source="period.label", read_only=True)
    currency = serializers.CharField(source="period.currency", read_only=True)
    payee_id = serializers.IntegerField(read_only=True)
    payee_name = serializers.CharField(source="payee.name", read_only=True)

    class Meta:
        model = PayeeStatement
        fields = [
            "id", "period", "currency", "payee_id", "payee_name", "opening", "earnings",
            "recouped", "payments", "closing", "due", "carried_forward",
        ]  # fmt: skip


class RightsPaymentInputSerializer(serializers.Serializer):
    payee_id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    paid_on = serializers.DateField(required=False)
    reference = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RightsPeriodCloseSerializer(serializers.Serializer):
    payments = RightsPaymentInputSerializer(
        many=True, required=False,
        help_text="Leave out to pay every due statement in full.",
    )  # fmt: skip


class RightsExchangeRateSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-\d{2}$", help_text="YYYY-MM")
    currency = serializers.CharField(max_length=3)
    rate = serializers.DecimalField(max_digits=18, decimal_places=8)
    source = serializers.CharField(read_only=True)


class RightsAdvanceSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    release_id = serializers.IntegerField()
    recipient_id = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.CharField(max_length=3)
    paid_on = serializers.DateField()
    recoup_from = serializers.ChoiceField(choices=["top", "recipient"], default="recipient")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RightsSettingsSerializer(serializers.Serializer):
    default_payee_id = serializers.IntegerField(allow_null=True)
    minimum_payout = serializers.DecimalField(max_digits=14, decimal_places=2)
