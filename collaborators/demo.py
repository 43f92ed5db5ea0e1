"""A registry of demo content: apps above ``collaborators`` add theirs to ``seed_demo``.

``collaborators`` cannot import the apps that build on it, so each of them registers a
seeder from its ``AppConfig.ready()``; ``seed_demo`` calls them in registration order with
the demo workspace and its owner. A seeder must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Seeder = Callable[..., Any]

_SEEDERS: dict[str, Seeder] = {}


def register_demo_seeder(name: str, seeder: Seeder) -> None:
    _SEEDERS[name] = seeder


def demo_seeders() -> dict[str, Seeder]:
    return dict(_SEEDERS)
