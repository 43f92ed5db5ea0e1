"""The readiness report: every blocker and warning of a release, per delivery profile."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .. import registry
from ..models import Release
from .checks import BUILTIN_CHECKS
from .context import ReleaseContext, readiness_context
from .findings import Finding, blocker, finding_from
from .profiles import profile_name

log = logging.getLogger(__name__)


@dataclass
class ProfileReport:
    slug: str
    name: str
    blockers: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.blockers

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "ready": self.ready,
            "blockers": [f.as_dict() for f in self.blockers],
            "warnings": [f.as_dict() for f in self.warnings],
        }  # fmt: skip


@dataclass
class Report:
    release: Release
    profiles: dict[str, ProfileReport]
    context: ReleaseContext

    @property
    def ready(self) -> bool:
        return all(p.ready for p in self.profiles.values())

    def _unique(self, severity: str) -> list[Finding]:
        seen: dict[tuple[Any, ...], Finding] = {}
        for p in self.profiles.values():
            for f in p.blockers if severity == "blocker" else p.warnings:
                seen.setdefault(f.key(), f)
        return list(seen.values())

    @property
    def blockers(self) -> list[Finding]:
        """Each thing to do once, however many profiles it blocks."""
        return self._unique("blocker")

    @property
    def warnings(self) -> list[Finding]:
        return self._unique("warning")

    def summary(self) -> str:
        """'Ready for Spotify, Apple Music; 3 blockers for CD.'"""
        ready = [p.name for p in self.profiles.values() if p.ready]
        parts = [f"Ready for {', '.join(ready)}"] if ready else []
        for p in self.profiles.values():
            if p.blockers:
                n = len(p.blockers)
                parts.append(f"{n} blocker{'s' if n != 1 else ''} for {p.name}")
        if not ready and len({len(p.blockers) for p in self.profiles.values()}) == 1:
            n = len(next(iter(self.profiles.values())).blockers)
            parts = [f"{n} blocker{'s' if n != 1 else ''} for every store and format"]
        return "; ".join(parts) + "."

    def as_dict(self, profile: str | None = None) -> dict[str, Any]:
        chosen = {k: v for k, v in self.profiles.items() if profile in (None, k)}
        return {
            "ready": self.ready, "summary": self.summary(),
            "profiles": {slug: p.as_dict() for slug, p in chosen.items()},
        }  # fmt: skip


def _run(name: str, fn: Any, ctx: ReleaseContext, *, builtin: bool) -> list[Finding]:
    if builtin:
        return [finding_from(f, check=name) for f in fn(ctx) or ()]
    try:
        return [finding_from(f, check=name) for f in fn(ctx) or ()]
    except Exception:  # a registered app's bug must not pass the gate: it blocks, by name
        log.exception("Readiness check %r failed on release %s", name, ctx.release.pk)
        return [
            blocker(
                "check_failed",
                f"Liner could not run the check “{name.replace('_', ' ')}”: try "
                "again, and tell your administrator if it keeps failing.",
                check=name,
            )  # fmt: skip
        ]


def readiness_report(
    *, release: Release, profiles: Iterable[str] | None = None, today: dt.date | None = None
) -> Report:
    """Every blocker and warning of ``release`` per delivery profile it goes to, from the
    built-in checks and those other apps registered. A fixed number of queries whatever the
    number of tracks (plus what registered checks cost). ``profiles`` narrows the report."""
    ctx = readiness_context(release=release, today=today)
    wanted = set(profiles) if profiles is not None else None
    slugs = [s for s in ctx.profiles if wanted is None or s in wanted]
    out = {slug: ProfileReport(slug=slug, name=profile_name(slug)) for slug in slugs}
    checks = [(n, fn, p, True) for n, fn, p in BUILTIN_CHECKS]
    checks += [(c.name, c.fn, c.profiles, False) for c in registry.readiness_checks()]
    for name, fn, covers, builtin in checks:
        targets = [s for s in slugs if covers is None or s in covers]
        if not targets:
            continue
        for f in _run(name, fn, ctx, builtin=builtin):
            for slug in [f.profile] if f.profile else targets:
                report = out.get(slug)
                if report is None or (f.profile and covers is not None and slug not in covers):
                    continue
                placed = f.on(slug)
                (report.blockers if placed.blocker else report.warnings).append(placed)
    return Report(release=ctx.release, profiles=out, context=ctx)
