"""The API's OpenAPI schema: every operation documents the errors it can give, and request
bodies state the string rules every serializer field applies.

drf-spectacular documents what a view declares: its serializers and its ``@extend_schema``. The
errors come from elsewhere (authentication, the workspace access check, path lookups, filters,
throttles, the services' rules) and all of them answer in one shape, the ``Error`` component
(``collaborators.api_support.ErrorSerializer``). ``AutoSchema`` adds to each operation the
error responses that follow from what its view is:

======  ===============================================================================
status  documented when
======  ===============================================================================
400     the operation writes (POST, PUT, PATCH, DELETE): fields, an unreadable or too
        large body, or a rule a service enforces; a list with django-filter filters or
        SearchFilter, or a query parameter with a type or choices: a bad value
401     the view needs a login (not on ``AllowAny`` views, nor where ``auth=[]``)
403     a workspace-scoped view (``WorkspaceScopedMixin``): every write, and a read whose
        ``read_action`` some role lacks; any write where a session login needs its CSRF token
404     the path has parameters (the workspace or the object may not exist, or not be
        yours); a paginated list (a page past the last)
429     the view has throttles
======  ===============================================================================

A status the view declares itself in ``@extend_schema(responses=...)`` wins: declare one (with
``api_support.error_response``) where the view has something specific to say, or where it
gives an error this module cannot see: a 413 from a size check of its own, a 403 from a role
check outside ``WorkspaceScopedMixin``.

Request bodies: a plain CharField says that it refuses NUL characters and, unless it allows
blanks, whitespace only; query parameters likewise. ``partial_on_patch = False`` on a serializer
documents a PATCH body with its required fields (for a view that validates it whole);
``refuses_unknown_fields = True`` documents a closed object (``additionalProperties: false``).
"""

from __future__ import annotations

import copy
import re
from collections import defaultdict
from typing import Any

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular import openapi
from drf_spectacular.plumbing import build_choice_description_list, force_instance
from rest_framework import authentication, filters, permissions, serializers

from .api_support import error_response
from .permissions import Role, can

ERROR_MEDIA_TYPES = ["application/json"]

# DRF's CharField refuses NUL characters, and, unless it allows blanks, a value that is only
# whitespace (it trims first). The schema says so, so that a client is not refused for a
# rule it could not read.
NO_NUL = "^[^\\u0000]*$"
NOT_BLANK = "^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$"

_PATH_PARAMETER = re.compile(r"{\w+}")
_LENIENT_QUERY = {"page", "page_size", "ordering"}  # fall back (or 404 a page), never 400
NUMBER_FILTER_MAX = 1e50  # django-filter's NumberFilter refuses more


class AutoSchema(openapi.AutoSchema):
    """The project's schema class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``)."""

    # --- errors ----------------------------------------------------------------------------

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        for status, reasons in self.error_reasons().items():
            code = str(status)
            if code not in responses:  # what the view declares wins
                responses[code] = self._get_response_for_code(
                    error_response(" ".join(reasons)), code, ERROR_MEDIA_TYPES, direction
                )
        return dict(sorted(responses.items()))

    def _get_response_headers_for_code(self, status_code: str, direction: Any = "response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if status_code == "401":
            headers.setdefault(
                "WWW-Authenticate",
                {"schema": {"type": "string"}, "description": "The scheme to log in with."},
            )
        elif status_code == "429" and self._is_throttled():
            headers.setdefault(
                "Retry-After",
                {"schema": {"type": "integer"}, "description": "Seconds to wait, when known."},
            )
        return headers

    def error_reasons(self) -> dict[int, list[str]]:
        """The error statuses this operation can answer, each with its reasons in words."""
        reasons: dict[int, list[str]] = defaultdict(list)
        writes = self.method not in permissions.SAFE_METHODS
        listing = self.method == "GET" and self._is_list_view()

        if writes:
            if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer():
                reasons[400].append(
                    "The input is not valid: each field's messages are in `fields`; a body that "
                    "cannot be read is `parse_error`, one over the size limit `bad_request`."
                )
            reasons[400].append("A request that breaks a rule is explained in `detail`.")
        if (listing and self._has_filters()) or self._typed_query:
            reasons[400].append("A filter or search value is not valid (see `fields`).")

        security = self.get_auth()
        authenticators = self.view.get_authenticators()
        challenges = bool(authenticators) and bool(
            authenticators[0].authenticate_header(self.view.request)
        )
        login_required = bool(security) and {} not in security
        if login_required and challenges:
            reasons[401].append(
                "Not logged in: no token, or one that is not valid (`not_authenticated`, "
                "`authentication_failed`)."
            )
        elif security and challenges:
            reasons[401].append("The token sent is not valid (`authentication_failed`).")
        elif login_required:
            reasons[403].append("Not logged in (`not_authenticated`).")

        if self._role_can_forbid(writes):
            reasons[403].append(
                "Your role in this workspace does not allow this (`permission_denied`)."
            )
        if writes and any(
            isinstance(a, authentication.SessionAuthentication) for a in authenticators
        ):
            reasons[403].append("Logged in with a session: the CSRF token is missing or wrong.")

        if _PATH_PARAMETER.search(self.path):
            reasons[404].append(
                "Not found, or not yours: another workspace, or another workspace's object, "
                "is a 404, never a 403 (`not_found`)."
            )
        if listing and self._get_paginator():
            reasons[404].append("A `page` past the last one.")

        if self._is_throttled():
            reasons[429].append("Too many requests: wait, then try again (`throttled`).")
        return dict(reasons)

    def _workspace_scoped(self) -> bool:
        # Not at the top: collaborators.api's @extend_schema loads this module while it imports.
        from .api import WorkspaceScopedMixin

        return isinstance(self.view, WorkspaceScopedMixin)

    def _role_can_forbid(self, writes: bool) -> bool:
        if not self._workspace_scoped():
            return False
        if writes:  # a viewer changes nothing, and services check finer rights on writes
            return True
        return not all(can(role, self.view.read_action) for role in Role.values)

    def _has_filters(self) -> bool:
        """Query parameters that can be refused: django-filter's (a choice, a number) and
        SearchFilter's ``search`` (NUL characters, even on a view without search_fields);
        ``ordering`` and ``page_size`` fall back to their defaults instead."""
        view = self.view
        backends = getattr(view, "filter_backends", [])
        declared = getattr(view, "filterset_class", None) or getattr(view, "filterset_fields", None)
        filtered = bool(declared) and any(issubclass(b, DjangoFilterBackend) for b in backends)
        return filtered or any(issubclass(b, filters.SearchFilter) for b in backends)

    _typed_query = False

    def _get_parameters(self) -> list[dict[str, Any]]:
        parameters = super()._get_parameters()
        # A query parameter a view declares itself (OpenApiParameter) with a type or choices
        # is one it checks: get_operation asks for the parameters before the responses.
        self._typed_query = False
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if parameter.get("in") != "query" or parameter["name"] in _LENIENT_QUERY:
                continue
            if "enum" in schema or schema.get("type") in ("integer", "number", "boolean"):
                self._typed_query = True
            if schema.get("type") == "string" and not _says_more(schema):
                schema["pattern"] = NO_NUL  # Django's form fields and SearchFilter refuse NUL
            elif schema.get("type") in ("integer", "number") and "maximum" not in schema:
                schema["maximum"] = NUMBER_FILTER_MAX
        return parameters

    def _is_throttled(self) -> bool:
        return bool(self.view.get_throttles())

    # --- fields and request bodies ---------------------------------------------------------

    def resolve_serializer(self, serializer: Any, direction: Any, bypass_extensions: bool = False):
        # drf-spectacular documents every PATCH body as partial (nothing required), as DRF's
        # own update does; a view that validates the whole input even on PATCH says so with
        # ``partial_on_patch = False`` on the serializer.
        if getattr(serializer, "partial", False) and not getattr(
            serializer, "partial_on_patch", True
        ):
            serializer = copy.copy(serializer)
            serializer.partial = False
        return super().resolve_serializer(serializer, direction, bypass_extensions)

    def _map_serializer_field(self, field: Any, direction: Any, bypass_extensions: bool = False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(schema, dict) and isinstance(field, serializers.ChoiceField):
            _drop_trivial_choice_list(field, schema)
        return schema

    def _map_basic_serializer(self, serializer: Any, direction: Any) -> dict[str, Any]:
        schema = super()._map_basic_serializer(serializer, direction)
        if getattr(serializer, "refuses_unknown_fields", False):
            schema["additionalProperties"] = False
        if direction == "request":
            properties = schema.get("properties", {})
            for field in force_instance(serializer).fields.values():
                prop = properties.get(field.field_name)
                if prop is None:
                    continue
                if isinstance(field, serializers.ListField) and "items" in prop:
                    _string_rules(field.child, prop["items"])
                else:
                    _string_rules(field, prop)
        return schema


def _string_rules(field: Any, schema: dict[str, Any]) -> None:
    """State CharField's own refusals on a plain string property (one with no format, pattern
    or alternatives of its own, which say more already)."""
    if not isinstance(field, serializers.CharField) or schema.get("type") != "string":
        return
    if _says_more(schema):
        return
    schema["pattern"] = NOT_BLANK if not field.allow_blank and field.trim_whitespace else NO_NUL


def _drop_trivial_choice_list(field: serializers.ChoiceField, schema: dict[str, Any]) -> None:
    """A choice list whose labels are its values ("* `USD` - USD", 600 time zones) says nothing
    the enum does not."""
    if not all(str(value) == str(label) for value, label in field.choices.items()):
        return
    listing = build_choice_description_list(field.choices.items())
    description = schema.get("description", "")
    if description == listing:
        del schema["description"]
    elif description.endswith("\n\n" + listing):
        schema["description"] = description[: -len(listing) - 2]


def _says_more(schema: dict[str, Any]) -> bool:
    return any(key in schema for key in ("format", "pattern", "enum", "oneOf", "allOf", "$ref"))
