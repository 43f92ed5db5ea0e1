"""Places outside a user's own workspaces that ``/`` can take them to, filled by higher apps.

A guest on one release of someone else's workspace has no membership, so ``collaborators``
cannot know where they belong; ``releases`` registers a function that lists the releases a
user is a guest on, and the home page sends such a user there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Destination:
    label: str  # "Glasshouse (album), guest of Maya Lind"
    url: str


DestinationsFn = Callable[[Any], list[Destination]]

_SOURCES: dict[str, DestinationsFn] = {}


def register_home_destinations(name: str, fn: DestinationsFn) -> None:
    _SOURCES[name] = fn


def home_destinations(user: Any) -> list[Destination]:
    return [d for fn in _SOURCES.values() for d in fn(user)]
