"""Explicit flags set: the release and every track say explicit, clean or edited, and a
release with an explicit track is itself marked explicit (stores show the advisory on the
release from the tracks)."""

from __future__ import annotations

from collections.abc import Iterator

from ..context import ReleaseContext
from ..findings import Finding, blocker


def check_explicit(ctx: ReleaseContext) -> Iterator[Finding]:
    release = ctx.release
    edit = ctx.release_url("release-edit")
    if not release.explicit:
        yield blocker(
            "explicit_unset", "Say whether the release is explicit (edit the release: "
            "explicit, not explicit, or a clean edited version).", edit,
        )  # fmt: skip
    for track in ctx.tracks:
        if not track.explicit:
            yield blocker(
                "explicit_unset", f"Say whether “{track}” is explicit.",
                ctx.track_url(track, edit=True), track_id=track.pk,
            )  # fmt: skip
    explicit_track = any(t.explicit == "explicit" for t in ctx.tracks)
    if release.explicit and release.explicit != "explicit" and explicit_track:
        yield blocker(
            "explicit_mismatch", "A track is explicit, so mark the release explicit too.", edit
        )
