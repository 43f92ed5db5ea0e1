"""Physical editions (figures and sources: ``releases.readiness.figures``).

CD: at most 99 tracks and 79:57 a disc, every track at least 4 s, CD-TEXT that a player can
show (ISO 8859-1 characters; titles and performers come from the release and its tracks).
Vinyl: a size and speed chosen, every track planned onto a side, each side against the
recommended maximum for its size and speed (a blocker) and the shorter figure that loud,
bass-heavy sides want (a warning). The low-end and sibilance findings come from the audio
QC of the vinyl profile. Cassette: the tape length chosen, every track on side A or B, each
side within half the tape."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ...models import PhysicalEdition
from ..context import ReleaseContext
from ..figures import (
    CD_MAX_S,
    CD_MAX_TRACKS,
    CD_MIN_TRACK_S,
    VINYL_LIMITS,
    SideLimit,
    cassette_limit,
    clock,
)
from ..findings import Finding, blocker, warning
from ..sides import LETTERS, split_sides


def check_physical(ctx: ReleaseContext) -> Iterator[Finding]:
    for edition in ctx.editions:
        if edition.format == PhysicalEdition.Format.CD:
            yield from _cd(ctx, edition)
        elif edition.format == PhysicalEdition.Format.VINYL:
            yield from _sided(ctx, edition, "vinyl")
        elif edition.format == PhysicalEdition.Format.CASSETTE:
            yield from _sided(ctx, edition, "cassette")


def _cdtext_unsafe(text: str) -> str:
    return "".join(sorted({c for c in text if not _latin1(c)}))


def _latin1(c: str) -> bool:
    try:
        c.encode("iso-8859-1")
    except UnicodeEncodeError:
        return False
    return True


def _cd(ctx: ReleaseContext, edition: PhysicalEdition) -> Iterator[Finding]:
    url = ctx.release_url(anchor="tracks")
    discs: dict[int, list] = defaultdict(list)
    for track in ctx.tracks:
        discs[track.disc].append(track)
    for disc, tracks in sorted(discs.items()):
        on = f"disc {disc} of the CD" if len(discs) > 1 else "the CD"
        if len(tracks) > CD_MAX_TRACKS:
            yield blocker(
                "cd_too_many_tracks", f"Move {len(tracks) - CD_MAX_TRACKS} tracks off {on}: it "
                f"has {len(tracks)}, and a CD holds at most {CD_MAX_TRACKS}.", url, profile="cd",
            )  # fmt: skip
        total = 0.0
        for track in tracks:
            seconds = ctx.duration(track)
            if seconds is None:
                continue
            total += seconds
            if seconds < CD_MIN_TRACK_S:
                yield blocker(
                    "cd_track_too_short", f"“{track}” is {seconds:.1f} s long; a CD track must "
                    f"be at least {CD_MIN_TRACK_S:g} s: lengthen it or join it to the next one.",
                    ctx.track_url(track), track_id=track.pk, profile="cd",
                )  # fmt: skip
        if total > CD_MAX_S:
            yield blocker(
                "cd_too_long", f"Shorten {on} or split it onto two discs: it runs {clock(total)}, "
                f"more than the {clock(CD_MAX_S)} a CD holds.", url, profile="cd",
            )  # fmt: skip
    artists = ", ".join(c.person.name for c in ctx.release.credits.all()
                        if c.role == "main_artist")  # fmt: skip
    texts = [("the release title", ctx.release.title, ctx.release_url("release-edit"), None),
             ("the artist's name", artists, ctx.release_url("release-edit"), None)]  # fmt: skip
    texts += [(f"the title of “{t}”", t.title, ctx.track_url(t, edit=True), t.pk)
              for t in ctx.tracks]  # fmt: skip
    for what, text, fix, track_id in texts:
        bad = _cdtext_unsafe(text or "")
        if bad:
            yield warning(
                "cdtext_characters", f"CD-TEXT cannot show “{bad}” in {what}: players will show "
                "something else there. Check the CD-TEXT in the cue sheet, or spell it with "
                "Latin letters for the disc.", fix, track_id=track_id, profile="cd",
            )  # fmt: skip


def side_limit(edition: PhysicalEdition) -> SideLimit | None:
    if edition.format == PhysicalEdition.Format.VINYL:
        return VINYL_LIMITS.get(edition.vinyl)
    if edition.format == PhysicalEdition.Format.CASSETTE and edition.tape_minutes:
        return cassette_limit(edition.tape_minutes)
    return None


def suggestion_words(ctx: ReleaseContext, limit: SideLimit) -> str:
    """ "Liner suggests A: tracks 1–4 (20:10), B: 5–8 (19:55)", or "" with no split."""
    durations = [ctx.duration(t) or 0.0 for t in ctx.tracks]
    groups = split_sides(durations, limit_s=limit.max_s, max_sides=len(limit.sides))
    if not groups:
        return ""
    parts = []
    for letter, group in zip(LETTERS, groups, strict=False):
        if not group:
            continue
        first, last = ctx.tracks[group[0]].position, ctx.tracks[group[-1]].position
        span = f"{first}" if first == last else f"{first}–{last}"
        parts.append(f"{letter}: {span} ({clock(sum(durations[i] for i in group))})")
    return "Liner suggests " + ", ".join(parts) + "."


def _sided(ctx: ReleaseContext, edition: PhysicalEdition, profile: str) -> Iterator[Finding]:
    url = ctx.readiness_url(anchor=f"sides-{edition.pk}")
    name = edition.description or edition.get_format_display()
    limit = side_limit(edition)
    if limit is None:
        what = "size and speed of the record" if profile == "vinyl" else "length of the tape"
        yield blocker(
            f"{profile}_format_unset", f"Choose the {what} ({name}), so Liner can check what "
            "fits on each side.", ctx.release_url(anchor="editions"), profile=profile,
        )  # fmt: skip
        return
    placed = ctx.sides.get(edition.pk, [])
    placed_ids = {p.track_id for p in placed}
    missing = [t for t in ctx.tracks if t.pk not in placed_ids]
    if missing:
        listed = ", ".join(f"“{t}”" for t in missing[:3]) + (" …" if len(missing) > 3 else "")
        yield blocker(
            f"{profile}_unplanned", f"Plan {len(missing)} track{'s' if len(missing) > 1 else ''} "
            f"onto the sides of {limit.label} ({listed}). {suggestion_words(ctx, limit)}", url,
            profile=profile,
        )  # fmt: skip
    by_id = {t.pk: t for t in ctx.tracks}
    per_side: dict[str, float] = defaultdict(float)
    for p in placed:
        track = by_id.get(p.track_id)
        if track is not None:
            per_side[p.side] += ctx.duration(track) or 0.0
    for side, total in sorted(per_side.items()):
        if side not in limit.sides:
            yield blocker(
                f"{profile}_side_unknown", f"Move the tracks of side {side} to side A or B: "
                f"{limit.label} has only those.", url, profile=profile,
            )  # fmt: skip
        elif total > limit.max_s:
            yield blocker(
                f"{profile}_side_too_long", side_too_long_message(side, total, limit)
                + f" {suggestion_words(ctx, limit)}", url, profile=profile,
            )  # fmt: skip
        elif total > limit.comfortable_s:
            yield warning(
                f"{profile}_side_long", f"Side {side} runs {clock(total)}: it fits on "
                f"{limit.label}, but a loud or bass-heavy side over {clock(limit.comfortable_s)} "
                "gets cut quieter. Ask your cutting engineer, or move a track.", url,
                profile=profile,
            )  # fmt: skip


def side_too_long_message(side: str, total: float, limit: SideLimit) -> str:
    if limit.key.startswith("C"):
        return (
            f"Side {side} runs {clock(total)}, longer than the {clock(limit.max_s)} a side of "
            f"{limit.label} holds: move a track to the other side or choose a longer tape."
        )
    return (
        f"Side {side} runs {clock(total)}, over the {clock(limit.max_s)} cutting engineers "
        f"recommend for a side of {limit.label}: move a track to another side, or cut at "
        "45 rpm or onto more sides."
    )


__all__ = ["check_physical", "side_limit", "side_too_long_message", "suggestion_words"]
