"""The OpenAPI schema: every operation documents the errors it can give, in the one Error
shape, and request bodies state the rules the serializers apply."""

from __future__ import annotations

import random
import re
import zoneinfo

import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from audio.dsp import tags as tag_rules
from audio.services.mastering import TARGET_RANGE
from collaborators.api import WorkspaceScopedMixin
from collaborators.currencies import CURRENCY_CODES
from collaborators.identifiers import ipi_check_digits, isni_check_char
from collaborators.models import Person
from collaborators.schema import NO_NUL, NOT_BLANK
from collaborators.serializers import (
    IPI_PATTERN,
    ISNI_PATTERN,
    PersonInputSerializer,
    WorkspaceInputSerializer,
)

ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
METHODS = ("get", "post", "put", "patch", "delete")


def _schema(patterns=None) -> dict:
    return SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)


@pytest.fixture(scope="module")
def schema() -> dict:
    return _schema()


def _operations(schema: dict):
    for route, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield f"{method.upper()} {route}", route, method, operation


def _errors(operation: dict) -> dict:
    return {code: r for code, r in operation["responses"].items() if code[0] in "45"}


def _needs_login(operation: dict) -> bool:
    security = operation.get("security", [])
    return bool(security) and {} not in security


def test_every_operation_documents_its_errors_in_the_one_error_shape(schema):
    for name, _, _, operation in _operations(schema):
        errors = _errors(operation)
        assert errors, f"{name} documents no error"
        for code, response in errors.items():
            assert response["content"] == ERROR, f"{name} {code}"
            assert response["description"], f"{name} {code} says nothing"
    shapes = [
        component
        for component in schema["components"]["schemas"]
        if set(schema["components"]["schemas"][component].get("properties", {}))
        == {"detail", "code", "fields"}
    ]
    assert shapes == ["Error"]


def test_login_not_found_bad_input_and_forbidden_are_documented_where_they_can_happen(schema):
    for name, route, method, operation in _operations(schema):
        codes = set(_errors(operation))
        if _needs_login(operation):
            assert "401" in codes, name
        if "{" in route:  # a workspace, or an object, that may not exist or not be yours
            assert "404" in codes, name
        if "requestBody" in operation:
            assert "400" in codes, name
        if "{workspace_slug}" in route and method != "get":  # a viewer changes nothing
            assert "403" in codes, name


def test_the_token_view_needs_no_login_and_is_throttled(schema):
    codes = set(_errors(schema["paths"]["/api/auth/token/"]["post"]))
    assert codes == {"400", "429"}
    assert (
        "Retry-After" in schema["paths"]["/api/auth/token/"]["post"]["responses"]["429"]["headers"]
    )


def test_reads_every_role_may_make_document_no_403(schema):
    for route in ("/api/workspaces/{workspace_slug}/people/", "/api/workspaces/{slug}/"):
        assert "403" not in schema["paths"][route]["get"]["responses"]
    # and what a view declares itself wins over what the schema class would add
    upload = schema["paths"]["/api/workspaces/{workspace_slug}/audio/"]["post"]["responses"]
    assert "too_large" in upload["413"]["description"]
    peaks = schema["paths"]["/api/workspaces/{workspace_slug}/audio/{id}/peaks/"]["get"]
    assert "not_ready" in peaks["responses"]["404"]["description"]


class ThingSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=10)


class ThingViewSet(
    WorkspaceScopedMixin, mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """A new endpoint that declares nothing about its errors."""

    serializer_class = ThingSerializer
    queryset = Person.objects.none()


def test_a_new_endpoint_gets_its_errors_without_declaring_them():
    router = SimpleRouter()
    router.register("things", ThingViewSet, basename="thing")
    schema = _schema([path("api/workspaces/<slug:workspace_slug>/", include(router.urls))])
    things = schema["paths"]["/api/workspaces/{workspace_slug}/things/"]
    assert set(_errors(things["post"])) == {"400", "401", "403", "404"}
    assert set(_errors(things["get"])) == {"400", "401", "404"}  # a search; a page past the end
    name = schema["components"]["schemas"]["ThingRequest"]["properties"]["name"]
    assert name["pattern"] == NOT_BLANK and name["maxLength"] == 10


# --- request bodies ---------------------------------------------------------------------------


def _request_components(schema: dict) -> dict:
    return {k: v for k, v in schema["components"]["schemas"].items() if k.endswith("Request")}


def test_request_components_hold_no_read_only_fields(schema):
    for name, component in _request_components(schema).items():
        for prop, spec in component.get("properties", {}).items():
            assert not spec.get("readOnly"), f"{name}.{prop}"


def _accepts(field: serializers.Field, value: str) -> bool:
    try:
        field.run_validation(value)
    except serializers.ValidationError:
        return False
    return True


def test_the_string_patterns_say_what_a_charfield_refuses():
    """Every character but the surrogates (which JSON text cannot carry unpaired anyway), alone
    and between letters: the pattern and DRF agree."""
    required, optional = serializers.CharField(), serializers.CharField(allow_blank=True)
    for code in (*range(0xD800), *range(0xE000, 0x10000), 0x1F3B5, 0x10FFFF):
        ch = chr(code)
        for value in (ch, f"a{ch}b"):
            assert bool(re.search(NOT_BLANK, value)) == _accepts(required, value), hex(code)
            assert bool(re.search(NO_NUL, value)) == _accepts(optional, value), hex(code)


def test_currency_and_time_zone_enums_are_what_the_workspace_accepts(schema):
    components = schema["components"]["schemas"]
    assert set(components["CurrencyEnum"]["enum"]) == CURRENCY_CODES
    assert set(components["TimeZoneEnum"]["enum"]) == zoneinfo.available_timezones()
    data = WorkspaceInputSerializer(
        data={"name": "Night Swim", "default_currency": " sek", "timezone": "Europe/Stockholm "}
    )
    assert data.is_valid(), data.errors
    assert data.validated_data["default_currency"] == "SEK"
    bad = WorkspaceInputSerializer(
        data={"name": "X", "default_currency": "XYZ", "timezone": "Mars"}
    )
    assert not bad.is_valid()
    assert "ISO 4217" in bad.errors["default_currency"][0]
    assert "time zone" in bad.errors["timezone"][0]


def _spaced(compact: str, rng: random.Random, prefix: str) -> str:
    out = rng.choice(["", prefix, prefix.lower() + " "])
    for ch in compact:
        out += ch + rng.choice(["", "", " ", "-", "."])
    return out


def test_every_well_formed_identifier_matches_its_pattern_and_is_accepted():
    rng = random.Random(27729)
    for _ in range(300):
        isni15 = "".join(rng.choice("0123456789") for _ in range(15))
        isni = _spaced(isni15 + isni_check_char(isni15), rng, "ISNI ")
        ipi9 = "".join(rng.choice("0123456789") for _ in range(9))
        ipi = _spaced(ipi9 + ipi_check_digits(ipi9), rng, "IPI ")
        data = PersonInputSerializer(data={"name": "Someone", "isni": isni, "ipi": ipi})
        assert re.search(ISNI_PATTERN, isni) and re.search(IPI_PATTERN, ipi), (isni, ipi)
        if len(isni) <= 24 and len(ipi) <= 16:
            assert data.is_valid(), (isni, ipi, data.errors)


@pytest.mark.parametrize(
    "field, value", [("ipi", "²0052210040"), ("isni", "٠٠٠٠٠٠٠١٢٢٨١٩٥٥X"), ("isni", "0" * 15)]
)
def test_identifiers_the_pattern_refuses_are_refused(field, value):
    assert not re.search(ISNI_PATTERN if field == "isni" else IPI_PATTERN, value)
    assert not PersonInputSerializer(data={"name": "Someone", field: value}).is_valid()


def _tags_accepted(tags: dict) -> bool:
    try:
        tag_rules.validate_tags(tags)
    except tag_rules.TagError:
        return False
    return True


def test_the_tags_schema_is_what_validate_tags_accepts(schema):
    component = schema["components"]["schemas"]["RenderTagsRequest"]
    assert set(component["properties"]) == set(tag_rules.KEYS) - {"artwork"}  # sent apart
    assert component["additionalProperties"] is False
    assert not _tags_accepted({"mood": "happy"})
    for key, spec in component["properties"].items():
        if spec.get("type") != "integer":
            continue
        low, high = spec["minimum"], spec["maximum"]
        number = {"track_total": "track_number", "disc_total": "disc_number"}.get(key)
        base = {number: low} if number else {}
        assert _tags_accepted({**base, key: high}) and _tags_accepted({**base, key: low}), key
        assert not _tags_accepted({key: high + 1}) and not _tags_accepted({key: low - 1}), key
    text = component["properties"]["title"]["oneOf"][0]["pattern"]
    for code in range(0x100):  # the range the pattern speaks for; beyond it, the description
        value = f"a{chr(code)}b"
        assert bool(re.search(text, value)) == _tags_accepted({"title": value}), hex(code)
    isrc = component["properties"]["isrc"]["oneOf"][0]["pattern"]
    p_line = component["properties"]["copyright_p"]["oneOf"][0]["pattern"]
    for value in ("GB-ABC-26-00001", "gbabc2600001", "US RC1 76 07839"):
        assert re.search(isrc, value) and _tags_accepted({"isrc": value}), value
    for value in ("℗ 2026 North Pier Records", "(P) 1999 Label", "2026 Maya Lind"):
        assert re.search(p_line, value) and _tags_accepted({"copyright_p": value}), value


def test_master_and_render_bodies(schema):
    components = schema["components"]["schemas"]
    target = components["MasterInputRequest"]["properties"]["target_lufs"]
    assert (target["minimum"], target["maximum"]) == TARGET_RANGE
    # artwork only travels in a form, and a form has no null
    assert "artwork" not in components["RenderJsonInputRequest"]["properties"]
    form = components["RenderFormInputRequest"]["properties"]
    assert not form["artwork"].get("nullable") and not form["master"].get("nullable")
    # a PATCH of a member's role needs the role
    assert components["MemberRoleInputRequest"]["required"] == ["role"]
