"""Missing required deliverables, from the deliverables checklist (``releases.deliverables``):
a required item not done is a blocker, a reservation on one a warning. The checklist's
worked-out items that the report's own families judge in more detail (the masters, their QC,
the credits, the artwork) are left out here, so a musician reads each thing to do once.
Without the checklist module, Liner reads the checklist's rows itself."""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Iterator
from typing import Any

from ..context import ReleaseContext
from ..findings import Finding, blocker, finding_from


def _provider() -> Callable[[Any], list[dict[str, Any]]] | None:
    try:
        module = importlib.import_module("releases.deliverables")
    except ImportError:
        return None
    status = getattr(module, "deliverables_status", None)
    findings_from = getattr(module, "findings_from", None)
    if callable(status) and callable(findings_from):

        def own(release: Any) -> list[dict[str, Any]]:
            groups = [
                dataclasses.replace(g, items=[i for i in g.items if not i.auto])
                for g in status(release=release)
            ]
            return findings_from(groups)

        return own
    whole = getattr(module, "deliverables_findings", None)
    return whole if callable(whole) else None


def check_deliverables(ctx: ReleaseContext) -> Iterator[Finding]:
    provider = _provider()
    if provider is not None:
        for item in provider(ctx.release):
            yield finding_from({"code": "deliverable_missing", **item}, check="deliverables")
        return
    for item in ctx.deliverables:
        if item.required and item.done_at is None:
            yield blocker(
                "deliverable_missing",
                f"Deliver “{item.title}” (tick it off, or attach it, on the deliverables "
                "checklist).",
                ctx.release_url(anchor="deliverables"),
            )
