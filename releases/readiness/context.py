"""Everything the readiness checks read, loaded once per report in a fixed number of queries
whatever the number of tracks: ``selectors.release_detail`` and one query per extra family."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils import timezone

from audio.models import AudioFile

from .. import selectors
from ..models import (
    Approver,
    CatalogueSettings,
    Deliverable,
    EditionTrack,
    MixVersion,
    PhysicalEdition,
    Release,
    SignOff,
    Track,
)
from .profiles import release_profiles

DEFAULT_LEAD_DAYS = 21  # CatalogueSettings.delivery_lead_days' default


@dataclass
class ReleaseContext:
    release: Release
    tracks: list[Track]
    profiles: list[str]  # the delivery profiles this release goes to, in display order
    editions: list[PhysicalEdition]
    sides: dict[int, list[EditionTrack]]  # edition id -> its tracks' places, in side order
    analyses: dict[int, dict[str, Any]]  # audio file id -> analysis, for the locked masters
    approvers: list[Approver]
    signoffs: dict[int, list[SignOff]]  # track id -> its current sign-offs
    isrc_elsewhere: dict[str, str]  # ISRC -> the other release of the workspace that has it
    upc_elsewhere: str  # the other release with this UPC, if any
    deliverables: list[Deliverable]
    lead_days: int
    today: dt.date

    # --- where to fix things --------------------------------------------------------------

    @property
    def slug(self) -> str:
        return self.release.workspace.slug

    def release_url(self, name: str = "release-detail", *args: Any, anchor: str = "") -> str:
        url = reverse(name, args=[self.slug, self.release.pk, *args])
        return f"{url}#{anchor}" if anchor else url

    def track_url(self, track: Track, *, edit: bool = False) -> str:
        return self.release_url("track-edit" if edit else "track-detail", track.pk)

    def audio_url(self, audio_file_id: int) -> str:
        return reverse("audio-file", args=[self.slug, audio_file_id])

    def readiness_url(self, anchor: str = "") -> str:
        return self.release_url("release-readiness", anchor=anchor)

    # --- one track's figures, from the prefetched rows --------------------------------------

    def master(self, track: Track) -> MixVersion | None:
        return selectors.track_master_version(track)

    def duration(self, track: Track) -> float | None:
        """The locked master's length, else the latest mix's (None with neither)."""
        return selectors.track_length_s(track)

    def approvers_of(self, track: Track) -> set[int]:
        return {a.user_id for a in self.approvers if a.track_id in (None, track.pk)}


def readiness_context(*, release: Release, today: dt.date | None = None) -> ReleaseContext:
    """Load what the checks read. Precondition: ``release`` is a row of the database."""
    workspace = release.workspace
    detail = selectors.release_detail(release=release)
    detail.workspace = workspace
    tracks = list(detail.tracks.all())
    editions = list(detail.editions.all())

    master_files = [
        v.audio_file_id for v in (selectors.track_master_version(t) for t in tracks) if v
    ]
    analyses = (
        dict(AudioFile.objects.filter(pk__in=master_files).values_list("pk", "analysis"))
        if master_files
        else {}
    )
    approvers = list(Approver.objects.filter(release=detail).order_by("id")) if tracks else []
    signoffs: dict[int, list[SignOff]] = defaultdict(list)
    if tracks:
        for s in SignOff.objects.filter(track__release=detail, superseded_at__isnull=True):
            signoffs[s.track_id].append(s)
    sides: dict[int, list[EditionTrack]] = defaultdict(list)
    if editions:
        for placed in EditionTrack.objects.filter(edition__release=detail).order_by(
            "side", "position"
        ):
            sides[placed.edition_id].append(placed)
    isrcs = [t.isrc for t in tracks if t.isrc]
    isrc_elsewhere = (
        {
            isrc: title
            for isrc, title in Track.objects.filter(
                workspace_id=detail.workspace_id, isrc__in=isrcs
            )
            .exclude(release=detail)
            .values_list("isrc", "release__title")
        }
        if isrcs
        else {}
    )
    upc_elsewhere = ""
    if detail.upc:
        upc_elsewhere = (
            Release.objects.filter(workspace_id=detail.workspace_id, upc=detail.upc)
            .exclude(pk=detail.pk)
            .values_list("title", flat=True)
            .first()
        ) or ""
    lead_days = detail.delivery_lead_days
    if lead_days is None:
        lead_days = (
            CatalogueSettings.objects.filter(workspace_id=detail.workspace_id)
            .values_list("delivery_lead_days", flat=True)
            .first()
        )
    deliverables = list(Deliverable.objects.filter(release=detail))
    return ReleaseContext(
        release=detail, tracks=tracks, profiles=release_profiles(editions), editions=editions,
        sides=dict(sides), analyses=analyses, approvers=approvers, signoffs=dict(signoffs),
        isrc_elsewhere=isrc_elsewhere, upc_elsewhere=upc_elsewhere,
        deliverables=deliverables,
        lead_days=DEFAULT_LEAD_DAYS if lead_days is None else lead_days,
        today=today or timezone.localdate(),
    )  # fmt: skip
