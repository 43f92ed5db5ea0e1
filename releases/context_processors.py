"""What the base layout needs from releases: the one release a guest is on, for their nav."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def guest(request: HttpRequest) -> dict[str, Any]:
    return {"guest_release": getattr(request, "guest_release", None)}
