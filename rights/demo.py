"""Demo data for rights (``seed_demo``): works, splits and sheets, a licence near its end, a year
of statements from two distributors and the payouts of the closed months."""

from __future__ import annotations


def register() -> None:
    """Called from ``RightsConfig.ready()``."""
