from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path, re_path
from django.views import defaults

from collaborators.api_support import json_error
from collaborators.urls import auth_urlpatterns
from releases.views import account as releases_account
from releases.views import planning as releases_planning

from .health import healthz

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/", include("config.api_urls")),
    path("accounts/", include(auth_urlpatterns)),
    path(
        "account/notifications/",
        releases_account.notification_settings,
        name="notification-settings",
    ),
    path("account/calendar/", releases_planning.calendar_page, name="calendar-settings"),
    # The private ICS feed: no session, the secret token is the key.
    re_path(
        r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$",
        releases_planning.calendar_feed,
        name="calendar-feed",
    ),
    path("", include("collaborators.urls")),
    path("w/<slug:workspace_slug>/releases/", include("releases.urls")),
    path("w/<slug:workspace_slug>/audio/", include("audio.urls")),
    path("w/<slug:workspace_slug>/rights/", include("rights.urls")),
    path("sign/", include("rights.urls_sign")),
    path("w/<slug:workspace_slug>/analytics/", include("analytics.urls")),
]


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(
            400, "The request could not be read (too large or malformed).", "bad_request"
        )
    return defaults.bad_request(request, exception)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(404, "Not found.", "not_found")
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return json_error(500, "Something went wrong on our side; it has been logged.", "error")
    return defaults.server_error(request)
