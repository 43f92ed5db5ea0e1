"""Credits complete: a main artist (on the release, or on every track), a composer on every
track, and a lyricist on every track with lyrics (a composer-lyricist counts for both).
Release-wide credits count for every track."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import ReleaseContext
from ..findings import Finding, blocker

COMPOSERS = {"composer", "composer_lyricist"}
LYRICISTS = {"lyricist", "composer_lyricist"}


def check_credits(ctx: ReleaseContext) -> Iterator[Finding]:
    release = ctx.release
    url = ctx.release_url(anchor="credits")
    on_release = {c.role for c in release.credits.all()}
    if "main_artist" not in on_release:
        without = [
            t for t in ctx.tracks if not any(c.role == "main_artist" for c in t.credits.all())
        ]
        if without or not ctx.tracks:
            yield blocker(
                "no_main_artist", "Name the release's main artist (edit the release and choose "
                "its artists).", ctx.release_url("release-edit"),
            )  # fmt: skip
    for track in ctx.tracks:
        roles = on_release | {c.role for c in track.credits.all()}
        if not roles & COMPOSERS:
            yield blocker(
                "no_composer", f"Credit the composer of “{track}”.", url, track_id=track.pk
            )
        if track.lyrics.strip() and not roles & LYRICISTS:
            yield blocker(
                "no_lyricist", f"Credit the lyricist of “{track}”: it has lyrics.", url,
                track_id=track.pk,
            )  # fmt: skip
