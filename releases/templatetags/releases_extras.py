"""Small filters for the releases pages: durations, signed decibels, dict lookups."""

from __future__ import annotations

from typing import Any

from django import template

from ..codes import language_name as _language_name

register = template.Library()


@register.filter
def duration(seconds: Any) -> str:
    """3:07 for a track, 1:02:45 for an album; empty when unknown."""
    if seconds in (None, ""):
        return ""
    total = int(round(float(seconds)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@register.filter
def signed(value: Any) -> str:
    if value is None:
        return ""
    v = float(value)
    return f"{v:+.1f}".replace("-", "−")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def language_name(code: str) -> str:
    return _language_name(code) if code else ""
