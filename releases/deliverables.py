"""A release's deliverables checklist: the default items in five groups, what Liner works out
by itself, and the reads the pages, the API and the readiness gate use.

Every default item has a ``key`` (so ``releases.services.deliverables.deliverables_ensure``
creates each one once, guarded by the ``deliverable_key_unique`` constraint); items people add
themselves have none. Some default items are *worked out* (``Item.auto``): their state follows
the release (a locked master on every track, a QC analysis of every master, the credits, the
lyrics, the artwork), so nobody ticks them; the others are ticked by a person, with a file
attached where there is one (a split sheet, a press photo).

For the readiness gate (``releases.readiness``)::

    from releases.deliverables import deliverables_findings

    deliverables_findings(release)  # -> [{"message", "severity", "fix_url"}, ...]
    deliverables_findings(release, include_auto=False)  # only the items people tick

``severity`` is ``"blocker"`` for a required item that is missing, ``"warning"`` for a worked-
out item that passes with a reservation (artwork below 3000 px). Optional items that are not
done are not findings. ``fix_url`` is the page where the musician fixes it. Reads only: it
works before the checklist's rows exist (the defaults count as not done), in a fixed number of
queries (four) whatever the number of tracks and items.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse

from .models import Credit, Deliverable, DeliverableGroup, MasterLock, Release, Track

ARTWORK_PX = 3000  # what every store accepts (releases.artwork_check.RECOMMENDED_PX)
ARTWORK_MIN_PX = 1400  # some stores still take it; below, none does


@dataclass(frozen=True)
class Item:
    key: str
    group: str
    title: str
    required: bool
    meaning: str
    auto: bool = False


G = DeliverableGroup
DEFAULT_ITEMS: tuple[Item, ...] = (
    # --- Audio content
    Item("masters", G.AUDIO, "Every track has a locked master", True,
         "Each track's approved mix is locked as its master: the exact audio that is "
         "delivered.", auto=True),
    # --- Production documentation
    Item("credits", G.DOCUMENTATION, "Credits complete", True,
         "A main artist on the release; on every track its composers, and its lyricists where "
         "it has lyrics. Stores and collecting societies pay and credit from these.", auto=True),
    Item("lyric-sheet", G.DOCUMENTATION, "Lyric sheet", False,
         "The lyrics of the tracks that have words, as Liner prints them from each track. "
         "Instrumentals need none.", auto=True),
    Item("split-sheets", G.DOCUMENTATION, "Split sheets signed", True,
         "Who wrote what share of each song, signed by every writer, before release: it is "
         "what publishers and collecting societies register."),
    # --- Technical specifications
    Item("qc-reports", G.TECHNICAL, "QC report for every master", True,
         "Each locked master analysed: loudness, true peak, clipping, silence and the other "
         "checks stores run.", auto=True),
    Item("artwork", G.TECHNICAL, "Cover art that stores accept", True,
         "Square, RGB, JPEG or PNG, 3000 × 3000 pixels.", auto=True),
    # --- Marketing materials
    Item("press-kit", G.MARKETING, "Press kit", False,
         "The release's story, facts and links in one document for press and playlists."),
    Item("press-photos", G.MARKETING, "Press photos", True,
         "A few recent high-resolution photos, with the photographer's credit."),
    Item("bio", G.MARKETING, "Artist bio", True,
         "A short and a long biography, in the third person."),
    Item("one-sheet", G.MARKETING, "One-sheet", False,
         "One page for distributors, stores and radio: release facts, selling points, "
         "tracklist."),
    Item("epk", G.MARKETING, "EPK or video", False,
         "An electronic press kit or a video (a teaser, a live take) to pitch with."),
    # --- Professional presentation
    Item("label-copy", G.PRESENTATION, "Label copy", True,
         "The release's official metadata as it will appear: titles, artists, credits, ℗ and "
         "© lines, codes. Checked and approved."),
    Item("release-plan", G.PRESENTATION, "Release plan", False,
         "Dates, channels and who does what from announcement to release week."),
)  # fmt: skip
ITEMS_BY_KEY = {item.key: item for item in DEFAULT_ITEMS}
AUTO_KEYS = frozenset(item.key for item in DEFAULT_ITEMS if item.auto)
GROUP_ORDER = {value: i for i, value in enumerate(DeliverableGroup.values)}

DONE, AUTO_DONE, MISSING = "done", "auto-done", "missing"


@dataclass
class ItemStatus:
    key: str
    group: str
    title: str
    required: bool
    meaning: str
    auto: bool
    state: str  # DONE (ticked), AUTO_DONE (worked out), MISSING
    detail: str = ""
    warning: str = ""
    fix_url: str = ""
    deliverable: Deliverable | None = None

    @property
    def custom(self) -> bool:
        return not self.key

    @property
    def is_done(self) -> bool:
        return self.state != MISSING

    @property
    def anchor(self) -> str:
        return f"item-{self.key}" if self.key else f"item-{self.deliverable.pk}"


@dataclass
class GroupStatus:
    group: str
    label: str
    items: list[ItemStatus] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for i in self.items if i.is_done)

    @property
    def missing_required(self) -> list[ItemStatus]:
        return [i for i in self.items if i.required and not i.is_done]


# --- The release's facts, in a fixed number of queries -----------------------------------------


@dataclass
class _Facts:
    tracks: list[Track]
    locks: dict[int, MasterLock]  # track id -> its open lock (``analysed`` annotated)
    release_roles: set[str]
    track_roles: dict[int, set[str]]


def _facts(release: Release) -> _Facts:
    tracks = list(
        Track.objects.filter(release=release)
        .only("id", "title", "version", "disc", "position", "release_id", "workspace_id")
        .annotate(has_lyrics=~Q(lyrics=""))
        .order_by("disc", "position")
    )
    locks = {
        lock.track_id: lock
        for lock in MasterLock.objects.filter(track__release=release, ended_at__isnull=True)
        .annotate(analysed=Q(version__audio_file__analysis__isnull=False))
        .only("id", "track", "version")
    }
    release_roles: set[str] = set()
    track_roles: dict[int, set[str]] = defaultdict(set)
    credits = Credit.objects.filter(Q(release=release) | Q(track__release=release)).values_list(
        "track_id", "role"
    )
    for track_id, role in credits:
        if track_id is None:
            release_roles.add(role)
        else:
            track_roles[track_id].add(role)
    return _Facts(tracks, locks, release_roles, track_roles)


def _names(tracks: list[Track], limit: int = 3) -> str:
    names = [f"“{t}”" for t in tracks[:limit]]
    more = len(tracks) - limit
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _urls(release: Release) -> dict[str, str]:
    args = [release.workspace.slug, release.pk]
    return {
        "release": reverse("release-detail", args=args),
        "deliverables": reverse("release-deliverables", args=args),
    }


def _track_url(release: Release, track: Track) -> str:
    return reverse("track-detail", args=[release.workspace.slug, release.pk, track.pk])


def _auto(
    key: str, release: Release, facts: _Facts, urls: dict[str, str]
) -> tuple[bool, str, str, str]:
    """(done, detail, warning, fix_url) of a worked-out item."""
    tracks = facts.tracks
    if key == "masters":
        if not tracks:
            return False, "The release has no tracks yet.", "", urls["release"]
        unlocked = [t for t in tracks if t.pk not in facts.locks]
        if unlocked:
            detail = (
                f"{len(tracks) - len(unlocked)} of {len(tracks)} tracks have a locked "
                f"master; not yet: {_names(unlocked)}."
            )
            return False, detail, "", _track_url(release, unlocked[0])
        return True, f"All {len(tracks)} tracks have a locked master.", "", urls["release"]
    if key == "qc-reports":
        if not facts.locks:
            return (
                False,
                "No master is locked yet, so there is nothing to analyse.",
                "",
                (urls["release"]),
            )
        waiting = [t for t in tracks if t.pk in facts.locks and not facts.locks[t.pk].analysed]
        unlocked = [t for t in tracks if t.pk not in facts.locks]
        if waiting or unlocked:
            parts = []
            if waiting:
                parts.append(f"no analysis yet for {_names(waiting)}")
            if unlocked:
                parts.append(f"no master yet for {_names(unlocked)}")
            first = (waiting or unlocked)[0]
            return False, _sentence(parts), "", _track_url(release, first)
        return True, f"Every master ({len(tracks)}) has its QC analysis.", "", urls["release"]
    if key == "credits":
        problems = []
        if Credit.Role.MAIN_ARTIST not in facts.release_roles:
            problems.append("the release has no main artist")
        writers = {Credit.Role.COMPOSER, Credit.Role.COMPOSER_LYRICIST}
        lyricists = {Credit.Role.LYRICIST, Credit.Role.COMPOSER_LYRICIST}
        no_composer = [t for t in tracks if not facts.track_roles[t.pk] & writers]
        no_lyricist = [
            t for t in tracks if t.has_lyrics and not facts.track_roles[t.pk] & lyricists
        ]
        if no_composer:
            problems.append(f"no composer on {_names(no_composer)}")
        if no_lyricist:
            problems.append(f"lyrics but no lyricist on {_names(no_lyricist)}")
        if not tracks:
            problems.append("there are no tracks to credit yet")
        if problems:
            return False, _sentence(problems), "", urls["release"] + "#credits"
        return True, "Main artist, composers and lyricists are credited.", "", urls["release"]
    if key == "lyric-sheet":
        with_lyrics = [t for t in tracks if t.has_lyrics]
        if not with_lyrics:
            return (
                False,
                ("No track has lyrics yet: add them on each track (instrumentals need none)."),
                "",
                urls["release"],
            )
        if len(with_lyrics) == len(tracks):
            return True, f"Lyrics for every track ({len(tracks)}).", "", urls["release"]
        detail = (
            f"Lyrics for {len(with_lyrics)} of {len(tracks)} tracks; the others are taken as "
            "instrumentals."
        )
        return True, detail, "", urls["release"]
    if key == "artwork":
        fix = urls["release"] + "#artwork"
        w, h = release.artwork_width, release.artwork_height
        if not release.artwork or not w or not h:
            return False, "No cover art uploaded yet.", "", fix
        if w != h:
            return False, f"The cover is {w} × {h} pixels: stores need it square.", "", fix
        if release.artwork_format and release.artwork_format.upper() not in ("JPEG", "PNG"):
            return (
                False,
                f"The cover is {release.artwork_format}: stores take JPEG or PNG.",
                "",
                fix,
            )
        if w < ARTWORK_MIN_PX:
            return (
                False,
                (
                    f"The cover is {w} × {h} pixels: stores need at least "
                    f"{ARTWORK_MIN_PX}, and {ARTWORK_PX} everywhere."
                ),
                "",
                fix,
            )
        if w < ARTWORK_PX:
            warning = (
                f"The cover is {w} × {h} pixels: some stores (Apple Music) ask for "
                f"{ARTWORK_PX} × {ARTWORK_PX}."
            )
            return True, f"Square, {w} × {h} pixels.", warning, fix
        return True, f"Square RGB, {w} × {h} pixels.", "", fix
    raise KeyError(key)  # pragma: no cover - every auto key is handled above


def deliverables_status(*, release: Release) -> list[GroupStatus]:
    """The checklist in its five groups, each item done (ticked), auto-done (worked out) or
    missing, with what it means and where to fix it. Default items whose rows do not exist
    yet count as not done. Four queries, whatever the number of tracks and items."""
    rows = list(
        Deliverable.objects.filter(release=release)
        .select_related("done_by")
        .order_by("group", "position", "id")
    )
    facts = _facts(release)
    urls = _urls(release)
    by_key = {d.key: d for d in rows if d.key}
    groups = {g: GroupStatus(group=g, label=label) for g, label in DeliverableGroup.choices}
    for item in DEFAULT_ITEMS:
        row = by_key.get(item.key)
        anchor = f"{urls['deliverables']}#item-{item.key}"
        if item.auto:
            done, detail, warning, fix = _auto(item.key, release, facts, urls)
            state = AUTO_DONE if done else MISSING
        else:
            done = row is not None and row.done_at is not None
            state, warning, fix = (DONE if done else MISSING), "", anchor
            detail = _ticked(row) if done else ""
        groups[item.group].items.append(
            ItemStatus(
                key=item.key,
                group=item.group,
                title=item.title,
                required=item.required,
                meaning=item.meaning,
                auto=item.auto,
                state=state,
                detail=detail,
                warning=warning,
                fix_url=fix,
                deliverable=row,
            )
        )
    for row in rows:
        if row.key or row.group not in groups:
            continue
        done = row.done_at is not None
        groups[row.group].items.append(
            ItemStatus(
                key="",
                group=row.group,
                title=row.title,
                required=row.required,
                meaning=row.note,
                auto=False,
                state=DONE if done else MISSING,
                detail=_ticked(row) if done else "",
                fix_url=f"{urls['deliverables']}#item-{row.pk}",
                deliverable=row,
            )
        )
    return sorted(groups.values(), key=lambda g: GROUP_ORDER[g.group])


def _ticked(row: Deliverable | None) -> str:
    if row is None or row.done_at is None:
        return ""
    who = row.done_by.display_name if row.done_by_id and row.done_by else "someone"
    return f"Ticked by {who} on {row.done_at:%-d %B %Y}."


def findings_from(groups: list[GroupStatus]) -> list[dict[str, Any]]:
    """The findings of an already computed status (the page shows both without reading twice)."""
    found: list[dict[str, Any]] = []
    for group in groups:
        for item in group.items:
            if item.required and not item.is_done:
                message = f"{group.label}: {item.title} — missing."
                if item.detail:
                    message = f"{group.label}: {item.title} — {item.detail}"
                found.append({"message": message, "severity": "blocker", "fix_url": item.fix_url})
            elif item.warning:
                found.append(
                    {
                        "message": f"{group.label}: {item.warning}",
                        "severity": "warning",
                        "fix_url": item.fix_url,
                    }
                )
    return found


def deliverables_findings(release: Release, *, include_auto: bool = True) -> list[dict[str, Any]]:
    """What stands between the release and delivery on its checklist, for the readiness gate:
    ``[{"message": str, "severity": "blocker" | "warning", "fix_url": str}]``, blockers for
    missing required items, warnings for reservations on worked-out ones. Reads only.

    ``include_auto=False`` leaves out the items Liner works out (masters, QC, credits, lyric
    sheet, artwork), for a caller that judges those itself in more detail.
    """
    groups = deliverables_status(release=release)
    if not include_auto:
        for group in groups:
            group.items = [i for i in group.items if not i.auto]
    return findings_from(groups)
