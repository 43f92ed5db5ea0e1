"""The logged-in person's own review-email settings: a page and its API. Thin: the service
decides (``releases.services.notifications``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api_support import ErrorSerializer

from ..models import NotificationKind
from ..services import notifications

# --- The page ----------------------------------------------------------------------------------


class NotificationSettingsForm(forms.Form):
    """One checkbox per kind of review email."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.BooleanField(required=False, label=kind.label)


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    current = notifications.notification_settings_get(user=request.user)
    form = NotificationSettingsForm(request.POST or None, initial=current)
    if request.method == "POST" and form.is_valid():
        notifications.notification_settings_update(user=request.user, enabled=form.cleaned_data)
        messages.success(request, "Your email settings are saved.")
        return redirect("notification-settings")
    return render(request, "releases/notifications.html", {"form": form})


# --- The API -----------------------------------------------------------------------------------


class _KeptWhenLeftOut(serializers.BooleanField):
    # DRF reads a boolean missing from form-encoded input as false (an unticked checkbox);
    # here a kind left out keeps its setting, whatever the body's encoding.
    default_empty_html = serializers.empty


def _kind_fields(*, required: bool) -> dict[str, serializers.Field]:
    field = serializers.BooleanField if required else _KeptWhenLeftOut
    return {
        kind.value: field(
            required=required, help_text=f"{kind.label}: send these emails (true) or not."
        )
        for kind in NotificationKind
    }


class _Strict(serializers.Serializer):
    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: ["There is no such kind of email."] for name in unknown}
            )
        return attrs


NotificationSettingsOutputSerializer = type(
    "NotificationSettingsOutputSerializer",
    (serializers.Serializer,),
    {
        **_kind_fields(required=True),
        "__doc__": "Each kind of review email, and whether you get it (every kind starts on).",
    },
)
NotificationSettingsInputSerializer = type(
    "NotificationSettingsInputSerializer",
    (_Strict,),
    {
        **_kind_fields(required=False),
        "__doc__": "The kinds to turn on or off; kinds left out keep their setting.",
    },
)

_NOT_LOGGED_IN = OpenApiResponse(
    ErrorSerializer, description="Not logged in: no token, or one that is not valid."
)


class NotificationSettingsView(APIView):
    """Your review emails: which kinds you get (new mix versions, comments, sign-off requests,
    sign-offs given). Every kind is on until you turn it off."""

    @extend_schema(
        operation_id="notification_settings_retrieve",
        responses={200: NotificationSettingsOutputSerializer, 401: _NOT_LOGGED_IN},
    )
    def get(self, request: Request) -> Response:
        return Response(notifications.notification_settings_get(user=request.user))

    @extend_schema(
        operation_id="notification_settings_update",
        request=NotificationSettingsInputSerializer,
        responses={
            200: NotificationSettingsOutputSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="A kind that does not exist, or a value that is not true or false "
                "(each named in `fields`); a body that cannot be read (`parse_error`).",
            ),
            401: _NOT_LOGGED_IN,
            403: OpenApiResponse(
                ErrorSerializer,
                description="Logged in with a session: the CSRF token is missing or wrong.",
            ),
        },
    )
    def put(self, request: Request) -> Response:
        data = NotificationSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        settings = notifications.notification_settings_update(
            user=request.user, enabled=data.validated_data
        )
        return Response(settings)
