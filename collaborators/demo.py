"""A registry of demo content: apps above ``collaborators`` add theirs to ``seed_demo``.

``collaborators`` cannot import the apps that build on it, so each of them registers a
seeder from its ``AppConfig.ready()`` under its app label; ``seed_demo`` calls them with the
demo workspace and its owner, lower apps first (the order of ``INSTALLED_APPS``, which is the
order of the layers: rights seeds on the releases' tracks, releases on audio's files). A name
that is not an app label comes last, in registration order. A seeder must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps

Seeder = Callable[..., Any]

_SEEDERS: dict[str, Seeder] = {}


def register_demo_seeder(name: str, seeder: Seeder) -> None:
    _SEEDERS[name] = seeder


def demo_seeders() -> dict[str, Seeder]:
    """The seeders by name, lower apps first."""
    layer = {config.label: n for n, config in enumerate(apps.get_app_configs())}
    names = list(_SEEDERS)
    ordered = sorted(names, key=lambda name: (layer.get(name, len(layer)), names.index(name)))
    return {name: _SEEDERS[name] for name in ordered}
