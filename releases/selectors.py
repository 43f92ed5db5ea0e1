"""Reads of the catalogue: lists, a release's page, album consistency, metadata completeness.

Each read costs a fixed number of queries whatever the number of rows: related rows are
prefetched, and the two loudness figures a list needs are read out of the analysis JSON by
the database (``KT``), not by loading every report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, FloatField, Prefetch, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from audio.dsp.profiles import all_profiles, get_profile
from audio.dsp.verdicts import normalisation_gain
from audio.models import AudioFile
from collaborators.models import Invitation, Membership, User, Workspace

from .models import Credit, MasterLock, MixVersion, PhysicalEdition, Release, Track
from .services.guests import GRANT_KIND

# --- Lists ------------------------------------------------------------------------------------


def _artists() -> Prefetch:
    credits = Credit.objects.filter(role=Credit.Role.MAIN_ARTIST).select_related("person")
    return Prefetch("credits", queryset=credits.order_by("position", "id"), to_attr="artists")


def releases_list(*, workspace: Workspace, status: str = "", search: str = "") -> QuerySet[Release]:
    """The workspace's releases, newest release date first, with their artists and counts."""
    qs = Release.objects.filter(workspace=workspace)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(
            Q(title__icontains=search)
            | Q(upc__icontains=search)
            | Q(catalogue_number__icontains=search)
            | Q(tracks__title__icontains=search)
            | Q(tracks__isrc__icontains=search.replace("-", ""))
            | Q(credits__person__name__icontains=search)
        ).distinct()
    return (
        qs.annotate(track_count=Count("tracks", distinct=True))
        .prefetch_related(_artists())
        .order_by("-release_date", "-created_at", "-id")
    )


def _audio_levels() -> QuerySet[AudioFile]:
    """Audio files without their big JSON columns, with loudness and true peak read out."""
    return (
        AudioFile.objects.defer("analysis", "peaks")
        .annotate(
            lufs=Cast(KT("analysis__integrated_lufs"), FloatField()),
            true_peak=Cast(KT("analysis__true_peak_dbtp"), FloatField()),
            lra=Cast(KT("analysis__loudness_range_lu"), FloatField()),
        )
        .only("id", "sha256", "duration_s", "original_name", "sample_rate", "bit_depth",
              "channels", "format", "workspace_id")
    )  # fmt: skip


def tracks_with_review(qs: QuerySet[Track]) -> QuerySet[Track]:
    """Tracks with their credits, versions (audio levels attached) and open lock prefetched."""
    return qs.prefetch_related(
        Prefetch(
            "versions",
            queryset=MixVersion.objects.order_by("number").prefetch_related(
                Prefetch("audio_file", queryset=_audio_levels())
            ),
        ),
        Prefetch(
            "locks",
            queryset=MasterLock.objects.filter(ended_at__isnull=True),
            to_attr="open_locks",
        ),
        Prefetch(
            "credits", queryset=Credit.objects.select_related("person").order_by("position", "id")
        ),
    )


def release_detail(*, release: Release) -> Release:
    """The release with everything its page shows, in a fixed number of queries."""
    tracks = tracks_with_review(Track.objects.order_by("disc", "position"))
    return (
        Release.objects.filter(pk=release.pk)
        .prefetch_related(
            Prefetch("tracks", queryset=tracks),
            Prefetch("credits", queryset=Credit.objects.select_related("person")),
            Prefetch("editions", queryset=PhysicalEdition.objects.order_by("format", "id")),
        )
        .get()
    )


def tracks_list(*, workspace: Workspace, release_id: Any = None, search: str = "") -> QuerySet:
    qs = Track.objects.filter(workspace=workspace).select_related("release")
    if release_id:
        qs = qs.filter(release_id=release_id)
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(isrc__icontains=search.replace("-", "")))
    return qs.prefetch_related(
        Prefetch("credits", queryset=Credit.objects.select_related("person"))
    ).order_by("release_id", "disc", "position")


# --- Who works on a release ----------------------------------------------------------------


@dataclass
class ReleasePeople:
    guests: list[Any]
    invitations: list[Any]
    approvers: list[Any]
    candidates: list[Any]  # members and guests, who can be made approvers


def release_people(*, release: Release) -> ReleasePeople:
    """The release's guests, open guest invitations, approvers, and who could sign off."""
    guests = list(release.guests.select_related("user").order_by("user__name", "user__email"))
    invitations = list(
        Invitation.objects.pending().filter(
            workspace_id=release.workspace_id, grant_kind=GRANT_KIND, grant_id=release.pk
        )
    )
    approvers = list(
        release.approvers.select_related("user", "track").order_by("track__position", "id")
    )
    member_ids = Membership.objects.filter(workspace_id=release.workspace_id).values("user_id")
    everywhere = {a.user_id for a in approvers if a.track_id is None}
    candidates = [
        u
        for u in User.objects.filter(Q(pk__in=member_ids) | Q(guest_releases__release=release))
        .distinct()
        .order_by("name", "email")
        if u.pk not in everywhere  # who signs off every track already
    ]
    return ReleasePeople(guests, invitations, approvers, candidates)


# --- One track's figures ----------------------------------------------------------------------


def track_master_version(track: Track) -> MixVersion | None:
    """The locked master's version, from prefetched rows (``tracks_with_review``)."""
    locks = getattr(track, "open_locks", None)
    if locks is None:
        locks = list(track.locks.filter(ended_at__isnull=True))
    if not locks:
        return None
    by_id = {v.pk: v for v in track.versions.all()}
    return by_id.get(locks[0].version_id)


def track_latest_version(track: Track) -> MixVersion | None:
    versions = list(track.versions.all())
    return versions[-1] if versions else None


def track_reference_version(track: Track) -> MixVersion | None:
    """The version that stands for the track: its locked master, else its latest mix."""
    return track_master_version(track) or track_latest_version(track)


def track_duration_s(track: Track) -> float | None:
    """The track's duration: its locked master's, None while no master is locked."""
    version = track_master_version(track)
    return version.audio_file.duration_s if version else None


def track_length_s(track: Track) -> float | None:
    """What to show as its length: the master's, else the latest mix's (marked as such)."""
    version = track_reference_version(track)
    return version.audio_file.duration_s if version else None


def track_artists(track: Track, release: Release) -> list[Credit]:
    """Main artists of the track (the release's unless the track names its own)."""
    own = [c for c in track.credits.all() if c.role == Credit.Role.MAIN_ARTIST]
    return own or [c for c in release.credits.all() if c.role == Credit.Role.MAIN_ARTIST]


def track_featured(track: Track) -> list[Credit]:
    return [c for c in track.credits.all() if c.role == Credit.Role.FEATURED_ARTIST]


# --- Album consistency ------------------------------------------------------------------------

ALBUM_PROFILES = ("spotify", "apple-music", "youtube", "amazon-music", "tidal", "deezer")
JUMP_WARN_LU = 3.0  # a neighbour more than this louder or quieter is a jump a listener hears


@dataclass
class ConsistencyRow:
    track: Track
    version: MixVersion | None
    lufs: float | None
    true_peak: float | None
    played: dict[str, float | None] = field(default_factory=dict)
    jump_lu: float | None = None


@dataclass
class Consistency:
    rows: list[ConsistencyRow]
    album_lufs: float | None
    album_peak: float | None
    gains: dict[str, float | None]
    profiles: list[Any]
    jumps: list[str]
    spread_lu: float | None


def _power_mean(values: list[tuple[float, float]]) -> float | None:
    """Loudness of tracks played in a row: the energy mean weighted by duration.

    This approximates BS.1770's integrated loudness over the whole album from each track's
    integrated figure (exact only when every track's gating removes the same share).
    """
    total = sum(d for _, d in values)
    if not values or total <= 0:
        return None
    energy = sum(d * 10 ** (lufs / 10) for lufs, d in values) / total
    return 10 * math.log10(energy)


def album_consistency(*, release: Release, profiles: tuple[str, ...] = ALBUM_PROFILES):
    """Every track's loudness and true peak side by side, with the gain each player's album
    mode applies (one gain for the whole album, from its overall loudness and highest peak)
    and where the level jumps between neighbours. Uses prefetched rows (``release_detail``)."""
    rows = []
    for track in release.tracks.all():
        version = track_reference_version(track)
        audio = version.audio_file if version else None
        rows.append(
            ConsistencyRow(
                track=track,
                version=version,
                lufs=getattr(audio, "lufs", None),
                true_peak=getattr(audio, "true_peak", None),
            )
        )
    measured = [(r.lufs, r.version.audio_file.duration_s) for r in rows if r.lufs is not None]
    album_lufs = _power_mean(measured)  # type: ignore[arg-type]
    peaks = [r.true_peak for r in rows if r.true_peak is not None]
    album_peak = max(peaks) if peaks else None
    chosen = [get_profile(slug) for slug in profiles]
    gains = {p.slug: normalisation_gain(p, album_lufs, album_peak) for p in chosen}
    jumps = []
    previous: ConsistencyRow | None = None
    for row in rows:
        for p in chosen:
            gain = gains[p.slug]
            row.played[p.slug] = None if row.lufs is None else row.lufs + (gain or 0.0)
        if previous and previous.lufs is not None and row.lufs is not None:
            row.jump_lu = row.lufs - previous.lufs
            if abs(row.jump_lu) >= JUMP_WARN_LU:
                louder = "louder" if row.jump_lu > 0 else "quieter"
                jumps.append(
                    f"“{row.track}” plays {abs(row.jump_lu):.1f} LU {louder} than "
                    f"“{previous.track}” before it."
                )
        previous = row if row.lufs is not None else previous
    levels = [r.lufs for r in rows if r.lufs is not None]
    spread = (max(levels) - min(levels)) if len(levels) > 1 else None
    return Consistency(
        rows=rows, album_lufs=album_lufs, album_peak=album_peak, gains=gains, profiles=chosen,
        jumps=jumps, spread_lu=spread,
    )  # fmt: skip


# --- Metadata completeness per store ----------------------------------------------------------

# What each store uses for display, search and editorial discovery, and how much it weighs.
# Weights are Liner's judgement from the stores' published metadata style guides (Spotify for
# Artists' pitch form, Apple Music's style guide, Amazon Music and TIDAL's ingestion specs):
# 3 = refused or hidden without it, 2 = used for discovery or display, 1 = nice to have.
_CHECKS: dict[str, tuple[str, int, tuple[str, ...]]] = {
    "title": ("Release title", 3, ()),
    "artist": ("Main artist", 3, ()),
    "artwork": ("Artwork, 3000×3000", 3, ()),
    "upc": ("UPC / EAN", 3, ()),
    "isrc": ("ISRC on every track", 3, ()),
    "release_date": ("Release date", 3, ()),
    "p_line": ("℗ line", 3, ()),
    "c_line": ("© line", 2, ()),
    "label": ("Label", 2, ()),
    "genre": ("Genre", 3, ()),
    "subgenre": ("Subgenre", 1, ("spotify", "apple-music", "amazon-music")),
    "language": ("Language of the metadata", 2, ()),
    "explicit": ("Explicit flag on every track", 3, ()),
    "composers": ("Composer on every track", 2, ("apple-music", "amazon-music", "tidal")),
    "lyrics": ("Lyrics on tracks with vocals", 1, ("apple-music", "amazon-music", "spotify")),
    "moods": ("Moods", 2, ("spotify", "apple-music")),
    "keywords": ("Descriptors / keywords", 1, ("spotify", "soundcloud", "bandcamp")),
    "genre_tags": ("Genre tags", 2, ("bandcamp", "soundcloud")),
    "preview": ("Preview start on every track", 1, ("apple-music", "spotify")),
    "credits": ("Producer and engineer credits", 1, ("tidal", "apple-music", "spotify")),
}
COMPLETENESS_STORES = (
    "spotify", "apple-music", "amazon-music", "tidal", "youtube", "deezer", "bandcamp",
    "soundcloud",
)  # fmt: skip


def _present(release: Release) -> dict[str, bool]:
    tracks = list(release.tracks.all())
    credits = list(release.credits.all())
    track_credits = [c for t in tracks for c in t.credits.all()]
    roles = {c.role for c in credits + track_credits}

    def every(pred: Any) -> bool:
        return bool(tracks) and all(pred(t) for t in tracks)

    return {
        "title": bool(release.title),
        "artist": Credit.Role.MAIN_ARTIST in roles,
        "artwork": bool(release.artwork) and (release.artwork_width or 0) >= 3000,
        "upc": bool(release.upc),
        "isrc": every(lambda t: bool(t.isrc)),
        "release_date": release.release_date is not None,
        "p_line": bool(release.p_year and release.p_owner),
        "c_line": bool(release.c_year and release.c_owner),
        "label": bool(release.label),
        "genre": bool(release.genre),
        "subgenre": bool(release.subgenre),
        "language": bool(release.language),
        "explicit": every(lambda t: bool(t.explicit)),
        "composers": every(
            lambda t: (
                any(c.role in ("composer", "composer_lyricist") for c in t.credits.all())
                or any(c.role in ("composer", "composer_lyricist") for c in credits)
            )
        ),
        "lyrics": every(lambda t: bool(t.lyrics)),
        "moods": bool(release.moods),
        "keywords": bool(release.keywords),
        "genre_tags": bool(release.genre_tags),
        "preview": every(lambda t: t.preview_start_s is not None),
        "credits": bool(roles & {"producer", "mixing_engineer", "mastering_engineer"}),
    }


def metadata_completeness(*, release: Release) -> list[dict[str, Any]]:
    """Per store: a score out of 100 and what is missing, most important first. Uses the
    prefetched rows of ``release_detail``."""
    present = _present(release)
    names = {p.slug: p.name for p in all_profiles()}
    out = []
    for store in COMPLETENESS_STORES:
        total = got = 0
        missing = []
        for key, (label, weight, stores) in _CHECKS.items():
            if stores and store not in stores:
                continue
            total += weight
            if present[key]:
                got += weight
            else:
                missing.append((weight, label))
        missing.sort(key=lambda m: -m[0])
        out.append(
            {
                "store": store,
                "name": names.get(store, store),
                "score": round(100 * got / total) if total else 100,
                "missing": [label for _, label in missing],
                "required_missing": [label for w, label in missing if w == 3],
            }
        )
    return out
