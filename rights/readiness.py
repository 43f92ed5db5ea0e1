"""What rights adds to releases: the "agreed split sheet" readiness check and the splits as a
part of every master lock (``releases.registry``)."""

from __future__ import annotations


def register() -> None:
    """Called from ``RightsConfig.ready()``."""
