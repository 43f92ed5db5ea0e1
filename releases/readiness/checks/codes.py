"""ISRC and UPC present and unique. Stores reached through a distributor refuse a release
without a UPC or a track without an ISRC; a CD, a record or a tape needs the barcode on its
sleeve. Bandcamp and SoundCloud take releases without them (a warning there), and ISRCs on a
CD's subcode or a record are optional (a warning). Uniqueness within a workspace is also a
database constraint; the check says it in words, should a row get round it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ...codes import isrc_format
from ..context import ReleaseContext
from ..findings import Finding, blocker, warning
from ..profiles import DISTRIBUTED

UPC_REQUIRED = (*DISTRIBUTED, "cd", "vinyl", "cassette")
ISRC_REQUIRED = (*DISTRIBUTED,)


def _per_profile(ctx: ReleaseContext, required: tuple[str, ...], code: str, message: str,
                 url: str, track_id: int | None = None) -> Iterator[Finding]:  # fmt: skip
    for slug in ctx.profiles:
        make = blocker if slug in required else warning
        yield make(code, message, url, track_id=track_id, profile=slug)


def check_codes(ctx: ReleaseContext) -> Iterator[Finding]:
    release = ctx.release
    edit = ctx.release_url("release-edit")
    if not release.upc:
        yield from _per_profile(
            ctx, UPC_REQUIRED, "upc_missing", "Enter the release's UPC/EAN barcode (your "
            "distributor gives you one, or buy one from GS1).", edit,
        )  # fmt: skip
    elif ctx.upc_elsewhere:
        yield blocker(
            "upc_duplicate", f"The UPC {release.upc} is also on “{ctx.upc_elsewhere}”: every "
            "release needs its own barcode.", edit,
        )  # fmt: skip
    counts = Counter(t.isrc for t in ctx.tracks if t.isrc)
    for track in ctx.tracks:
        url = ctx.track_url(track, edit=True)
        if not track.isrc:
            yield from _per_profile(
                ctx, ISRC_REQUIRED, "isrc_missing", f"Give “{track}” an ISRC (choose “auto” to "
                "assign the next one of your prefix).", url, track.pk,
            )  # fmt: skip
        elif counts[track.isrc] > 1:
            yield blocker(
                "isrc_duplicate", f"“{track}” shares the ISRC {isrc_format(track.isrc)} with "
                "another track of this release: every recording needs its own.", url,
                track_id=track.pk,
            )  # fmt: skip
        elif track.isrc in ctx.isrc_elsewhere:
            yield blocker(
                "isrc_duplicate", f"“{track}” has the ISRC {isrc_format(track.isrc)} that a track "
                f"of “{ctx.isrc_elsewhere[track.isrc]}” has: give it its own.", url,
                track_id=track.pk,
            )  # fmt: skip
