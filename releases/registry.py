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

Readiness checks
----------------
``register_readiness_check(name, fn, profiles=None)`` adds a check to the readiness report and
its gate (a release cannot move to "ready" while a blocker remains); see the section below.
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


# --- Readiness checks -------------------------------------------------------------------------
#
# The readiness report (``releases.readiness``) lists, per delivery profile, what blocks a
# release and what only warns. Apps above ``releases`` add their own checks::
#
#     # rights/apps.py
#     class RightsConfig(AppConfig):
#         name = "rights"
#
#         def ready(self) -> None:
#             from releases.registry import register_readiness_check
#
#             from .readiness import splits_agreed
#
#             register_readiness_check("splits_agreed", splits_agreed)
#
# ``fn(ctx)`` takes a ``releases.readiness.ReleaseContext`` (``ctx.release`` with its tracks,
# credits and editions prefetched, ``ctx.tracks``, ``ctx.profiles``, ``ctx.release_url(name)``
# and ``ctx.track_url(track)`` for links)
# and returns an iterable of findings: ``releases.readiness.Finding`` objects, or dicts with
# ``message`` (what to do, in words a musician understands), ``severity`` ("blocker" or
# "warning"), ``fix_url`` (the page where it is fixed), and optionally ``code``, ``track_id``
# and ``profile``. A finding without a profile applies to every profile the check was
# registered for (``profiles``: delivery-profile slugs; None: every profile the release goes
# to). ``fn`` must not write, and should cost a fixed number of queries (one query for the
# whole release, never one per track): the report of a 30-track release has a time budget.
# A check that raises is logged and reported as a blocker naming it (the rest of the report
# still shows): a broken check must not wave a release through the gate. A blocker from any
# check keeps the release from the status "ready".

ReadinessFn = Callable[[Any], Any]


@dataclass(frozen=True)
class ReadinessCheck:
    name: str
    fn: ReadinessFn
    profiles: tuple[str, ...] | None


_readiness_checks: dict[str, ReadinessCheck] = {}


def register_readiness_check(
    name: str, fn: ReadinessFn, *, profiles: tuple[str, ...] | list[str] | None = None
) -> None:
    """Add ``fn`` (ctx -> findings) to every release's readiness report, under ``name``.

    Registering the same function again is harmless; another function under a taken name is
    an error.
    """
    if not _NAME.match(name):
        raise ValueError(f"A readiness check's name is lower-case letters, digits and _: {name!r}.")
    existing = _readiness_checks.get(name)
    if existing is not None and existing.fn is not fn:
        raise ValueError(f"A readiness check named {name!r} is registered already.")
    chosen = None if profiles is None else tuple(profiles)
    _readiness_checks[name] = ReadinessCheck(name=name, fn=fn, profiles=chosen)


def unregister_readiness_check(name: str) -> None:
    """Remove a readiness check (tests, and an app that is switched off)."""
    _readiness_checks.pop(name, None)


def readiness_checks() -> list[ReadinessCheck]:
    """The registered readiness checks, by name."""
    return [_readiness_checks[name] for name in sorted(_readiness_checks)]
