"""Store style rules on titles (``releases.readiness.style``): no "feat." in a title when
featured artists are credited (and credit them when the title names some), no all-caps
titles, the version in the version field. Apple's style guide refuses all-caps titles (a
blocker there); elsewhere they are a warning."""

from __future__ import annotations

from collections.abc import Iterator

from ... import selectors
from ..context import ReleaseContext
from ..findings import Finding, blocker, warning
from ..style import all_caps, featured_in_title, version_in_title

STRICT_CAPS = ("apple-music",)


def _title(ctx: ReleaseContext, what: str, title: str, url: str, track_id: int | None,
           featured: bool) -> Iterator[Finding]:  # fmt: skip
    feat = featured_in_title(title)
    if feat and featured:
        yield blocker(
            "feat_in_title", f"Take “{feat}” out of the title of {what}: its featured artists "
            "are credited, and stores add them to the title themselves.", url, track_id=track_id,
        )  # fmt: skip
    elif feat:
        yield blocker(
            "feat_in_title", f"Credit the artists of “{feat}” as featured artists on {what} and "
            "take them out of the title.", url, track_id=track_id,
        )  # fmt: skip
    version = version_in_title(title)
    if version:
        yield blocker(
            "version_in_title", f"Move “{version}” from the title of {what} into its version "
            "field.", url, track_id=track_id,
        )  # fmt: skip
    if all_caps(title):
        for slug in ctx.profiles:
            make = blocker if slug in STRICT_CAPS else warning
            yield make(
                "all_caps", f"Write the title of {what} in normal capitals, not “{title}”.", url,
                track_id=track_id, profile=slug,
            )  # fmt: skip


def check_style(ctx: ReleaseContext) -> Iterator[Finding]:
    release = ctx.release
    yield from _title(
        ctx, "the release", release.title, ctx.release_url("release-edit"), None, False
    )
    for track in ctx.tracks:
        featured = bool(selectors.track_featured(track))
        yield from _title(
            ctx, f"track {track.position} “{track.title}”", track.title,
            ctx.track_url(track, edit=True), track.pk, featured,
        )  # fmt: skip
