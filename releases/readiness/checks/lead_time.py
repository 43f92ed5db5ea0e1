"""Delivery lead time against the release date. Distributors ask for the release 2 to 4
weeks ahead so stores can take pre-saves and editorial pitches (Spotify for Artists needs at
least 7 days); the lead is the release's own, else the workspace's (21 days by default). A
date already past is a blocker (nothing can be delivered for it); fewer days than the lead
is a warning (it may still go out, late for pitching and pre-saves)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from ..context import ReleaseContext
from ..findings import Finding, blocker, warning

DONE = ("delivered", "released")


def check_lead_time(ctx: ReleaseContext) -> Iterator[Finding]:
    release = ctx.release
    edit = ctx.release_url("release-edit")
    if release.release_date is None:
        yield blocker("no_release_date", "Set a release date.", edit)
        return
    if release.status in DONE:
        return
    days = (release.release_date - ctx.today).days
    if days < 0:
        yield blocker(
            "release_date_past", f"Move the release date: "
            f"{release.release_date:%-d %B %Y} has passed.", edit,
        )  # fmt: skip
    elif days < ctx.lead_days:
        latest = ctx.today + dt.timedelta(days=ctx.lead_days)
        who = release.distributor or "Your distributor"
        yield warning(
            "lead_time_short", f"{who} needs the release {ctx.lead_days} days ahead and only "
            f"{days} remain: move the release date to {latest:%-d %B %Y} or later, or check "
            "that they can still deliver on time.", edit,
        )  # fmt: skip
