"""Artwork valid for each profile: present, and what ``releases.artwork_check`` says each
store would refuse in the stored image (its size, format and colours are kept on the
release; stored art is always RGB)."""

from __future__ import annotations

from collections.abc import Iterator

from audio.dsp.profiles import PROFILES

from ...artwork_check import ArtworkReport, artwork_profile_findings
from ..context import ReleaseContext
from ..findings import Finding, blocker


def check_artwork(ctx: ReleaseContext) -> Iterator[Finding]:
    release = ctx.release
    url = ctx.release_url(anchor="artwork")
    profiles = [PROFILES[s] for s in ctx.profiles if s in PROFILES and PROFILES[s].artwork]
    if not release.artwork or not release.artwork_width or not release.artwork_height:
        for p in profiles:
            size = p.artwork.min_px  # type: ignore[union-attr]
            yield blocker(
                "artwork_missing", f"Upload the cover art: {p.name} needs a square image of at "
                f"least {size} × {size} pixels.", url, profile=p.slug,
            )  # fmt: skip
        return
    report = ArtworkReport(
        width=release.artwork_width, height=release.artwork_height,
        format=(release.artwork_format or "JPEG").upper(), mode="RGB", source_mode="RGB",
        size_bytes=0, sha256=release.artwork_sha256, content_sha256=release.artwork_sha256,
    )  # fmt: skip
    for p in profiles:
        for f in artwork_profile_findings(report, p):
            yield blocker(
                f"artwork_{f.code}", f"{f.message} Upload cover art that {p.name} takes.", url,
                profile=p.slug,
            )  # fmt: skip
