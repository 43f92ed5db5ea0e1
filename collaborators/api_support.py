"""What every Liner API view shares: one error shape, pagination, workspace scoping.

Every failure is ``{"detail": "...", "code": "...", "fields": {...}}``: ``detail`` is one
sentence for a person, ``code`` a stable word for a program, ``fields`` the per-field messages
of a validation error (empty otherwise).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for v in detail.values() for m in _flatten(v)]
    if isinstance(detail, list):
        return [m for v in detail for m in _flatten(v)]
    return [str(detail)]


def _first_code(codes: Any) -> str:
    if isinstance(codes, dict):
        for v in codes.values():
            return _first_code(v)
    if isinstance(codes, list):
        for v in codes:
            return _first_code(v)
    return str(codes or "error")


def _from_django_validation(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail: Any = {
            ("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()
        }
    else:
        detail = {"non_field_errors": exc.messages}
    return exceptions.ValidationError(detail)


def error_body(detail: str, code: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"detail": detail, "code": code, "fields": fields or {}}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = _from_django_validation(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        general = _flatten(data.pop("non_field_errors", []))
        fields = {k: _flatten(v) for k, v in data.items()}
        if general:
            detail = " ".join(general)
        elif len(fields) == 1:
            name, messages = next(iter(fields.items()))
            detail = f"{name}: {messages[0]}"
        else:
            detail = "Some fields are not valid; see fields."
        response.data = error_body(detail, _first_code(exc.get_codes()), fields)
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(" ".join(_flatten(detail)), _first_code(code))
    return response


def json_error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse(error_body(detail, code), status=status)


class ErrorSerializer(serializers.Serializer):
    """Every failure of the API, whatever its status (the schema's one ``Error`` component)."""

    detail = serializers.CharField(help_text="One sentence for a person.")
    code = serializers.CharField(
        help_text="A stable word for a program: `invalid`, `required`, `parse_error`, "
        "`not_authenticated`, `permission_denied`, `not_found`, `throttled` …"
    )
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The messages of each field that is not valid; empty for other errors.",
    )


def error_response(description: str) -> OpenApiResponse:
    """An error response for ``@extend_schema(responses=...)``, where a view has something
    specific to say about one status. The others are added by ``collaborators.schema``."""
    return OpenApiResponse(ErrorSerializer, description=description)


# Not needed in new views: collaborators.schema.AutoSchema documents each operation's errors
# from what the view is. Spreading these into a view's responses overrides that (e.g. a 400 on
# a GET that cannot give one); kept so that existing imports keep working.
ERROR_RESPONSES = {
    400: error_response("Invalid input"),
    403: error_response("Not allowed for your role"),
    404: error_response("Not found (or not yours)"),
}
