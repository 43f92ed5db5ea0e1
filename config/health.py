"""/healthz: is the database reachable, and is the broker? 200 when both are, 503 otherwise."""

from __future__ import annotations

import os
import time

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection


def database_ok() -> tuple[bool, str]:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable"
        return False, exc.__class__.__name__
    return True, "ok"


def broker_ok() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    if url.startswith("filesystem://"):
        # The embedded broker is a folder: reachable means it exists and we can write to it.
        folder = options.get("data_folder_out", "")
        if folder and os.path.isdir(folder) and os.access(folder, os.W_OK):
            return True, "ok"
        return False, "broker folder missing or not writable"
    try:
        with Connection(url, transport_options=options, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return False, exc.__class__.__name__
    return True, "ok"


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    db, db_detail = database_ok()
    broker, broker_detail = broker_ok()
    ok = db and broker
    body = {
        "status": "ok" if ok else "unavailable",
        "database": {"ok": db, "detail": db_detail},
        "broker": {"ok": broker, "detail": broker_detail},
        "seconds": round(time.monotonic() - started, 3),
    }
    return JsonResponse(body, status=200 if ok else 503)
