"""Licences in the API (component names prefixed "RightsLicence")."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from collaborators.currencies import CURRENCY_CODES
from collaborators.models import Person
from releases.models import Track

from ..models import Licence, Work


class RightsLicenceOutputSerializer(serializers.ModelSerializer):
    days_left = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = [
            "id", "direction", "kind", "title", "counterparty", "work", "track", "media",
            "territories", "term_start", "term_end", "fee", "currency", "exclusive", "mfn",
            "status", "notes", "document_name", "document_url", "days_left", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_days_left(self, obj: Licence) -> int | None:
        today = self.context["today"]
        return None if obj.term_end is None else (obj.term_end - today).days

    def get_document_url(self, obj: Licence) -> str | None:
        if not obj.document:
            return None
        return reverse("api-rights-licence-document", args=[obj.workspace.slug, obj.pk])


class RightsLicenceInputSerializer(serializers.Serializer):
    direction = serializers.ChoiceField(choices=Licence.Direction.choices)
    kind = serializers.ChoiceField(choices=Licence.Kind.choices)
    title = serializers.CharField(max_length=200)
    counterparty = serializers.IntegerField(help_text="A person of this workspace.")
    work = serializers.IntegerField(required=False, allow_null=True)
    track = serializers.IntegerField(required=False, allow_null=True)
    media = serializers.ChoiceField(choices=Licence.Media.choices, required=False)
    territories = serializers.ListField(
        child=serializers.CharField(max_length=2), required=False,
        help_text="ISO 3166-1 alpha-2 codes; empty: worldwide.",
    )  # fmt: skip
    term_start = serializers.DateField()
    term_end = serializers.DateField(required=False, allow_null=True)
    fee = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = serializers.ChoiceField(choices=sorted(CURRENCY_CODES), required=False)
    exclusive = serializers.BooleanField(required=False)
    mfn = serializers.BooleanField(required=False)
    status = serializers.ChoiceField(choices=Licence.Status.choices, required=False)
    notes = serializers.CharField(max_length=5000, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        ws = self.context["workspace"]
        checks = {
            "counterparty": (Person.objects.filter(workspace=ws), "a person"),
            "work": (Work.objects.filter(workspace=ws), "a work"),
            "track": (Track.objects.filter(release__workspace=ws), "a track"),
        }
        errors = {}
        for name, (qs, what) in checks.items():
            pk = attrs.get(name)
            if pk is None:
                continue
            obj = qs.filter(pk=pk).first()
            if obj is None:
                errors[name] = f"Choose {what} of this workspace."
            attrs[name] = obj
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class RightsLicenceDocumentInputSerializer(serializers.Serializer):
    document = serializers.FileField(help_text="PDF, PNG, JPEG or DOCX, up to 25 MB.")
