"""Where apps above ``releases`` plug into it (they register from their ``AppConfig.ready()``).

Imports point down only (analytics -> rights -> releases), so ``releases`` cannot ask ``rights``
about splits. Instead ``rights`` registers what ``releases`` should take into account.

Lock parts
----------
A master lock (``releases.models.MasterLock``) covers the approved audio's SHA-256, the track's
ISRC and the credits that apply to the track. A registered *lock part* adds one more thing::

    # rights/apps.py
    class RightsConfig(AppConfig):
        name = "rights"

        def ready(self) -> None:
            from releases.registry import register_lock_part

            from .selectors import master_splits_snapshot

            register_lock_part("splits", master_splits_snapshot, label="the master splits")

``fn(track)`` returns what the lock should hold for that track, as JSON-able data (dicts,
lists, strings, numbers, booleans, None; Decimals as strings) that depends only on the stored
state, with lists in a stable order: two calls with nothing changed in between must return
equal data, or every recheck would end the lock. When locking, ``releases.services.review``
stores each part's value under ``covered["parts"][name]``; when a recheck finds a part's value
changed, the lock ends with "<label> changed". The name is stored in every lock taken, so keep
it stable. ``fn`` runs inside the locking transaction and must not write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LockPartFn = Callable[[Any], Any]

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


@dataclass(frozen=True)
class LockPart:
    name: str
    fn: LockPartFn
    label: str


_lock_parts: dict[str, LockPart] = {}


def register_lock_part(name: str, fn: LockPartFn, *, label: str = "") -> None:
    """Add ``fn`` (track -> JSON-able) to what every master lock covers, under ``name``.

    ``label`` names it in a sentence ("the master splits"); the default is ``name``. Registering
    the same function again is harmless; another function under a taken name is an error.
    """
    if not _NAME.match(name):
        raise ValueError(f"A lock part's name is lower-case letters, digits and _: {name!r}.")
    existing = _lock_parts.get(name)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"A lock part named {name!r} is registered already.")
    _lock_parts[name] = LockPart(name=name, fn=fn, label=label or name.replace("_", " "))


def unregister_lock_part(name: str) -> None:
    """Remove a lock part (tests, and an app that is switched off)."""
    _lock_parts.pop(name, None)


def lock_parts() -> list[LockPart]:
    """The registered lock parts, by name."""
    return [_lock_parts[name] for name in sorted(_lock_parts)]
