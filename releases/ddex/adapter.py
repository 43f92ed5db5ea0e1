"""Liner's catalogue in DDEX's terms and back: the one Django-side module of ``releases.ddex``.

``release_description`` reads a release through ``selectors.release_detail`` (a fixed number
of queries whatever the number of tracks) and describes it as ``model.Release``.
``import_plan`` turns a parsed message into Liner's field values and credits, in Liner's
vocabulary, with what it had to leave out in words; ``services.ddex.release_import`` writes it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from collaborators.identifiers import IdentifierError, ipi_normalize, isni_normalize

from .. import selectors
from ..codes import (
    CodeError,
    isrc_normalize,
    language_normalize,
    territory_normalize,
    upc_normalize,
)
from ..ddex_instruments import INSTRUMENT_SET
from ..models import DDEX_PARENTAL, DDEX_ROLES, Credit
from ..models import Release as ReleaseRow
from . import model

# No DPID of its own yet: DDEX hands them out free (https://dpid.ddex.net); set
# DDEX_SENDER_DPID / DDEX_RECIPIENT_DPID in the settings once the label has one.
PLACEHOLDER_DPID = "PADPIDA0000000000X"

RELEASE_TYPES = {"single": "Single", "ep": "EP", "album": "Album", "compilation": "Album"}
_AUDIO_CODECS = {"WAV": ("PCM", "wav"), "AIFF": ("PCM", "aif"), "FLAC": ("FLAC", "flac"),
                 "MP3": ("MP3", "mp3"), "OGG": ("Vorbis", "ogg")}  # fmt: skip
_IMAGE_EXT = {"JPEG": "jpg", "PNG": "png"}


def _party(person: Any) -> model.Party:
    return model.Party(name=person.name, isni=person.isni or "", ipi=person.ipi or "")


def _contributor(credit: Credit) -> model.Contributor | None:
    kind, term = DDEX_ROLES[credit.role]
    if kind != "Contributor":
        return None
    return model.Contributor(_party(credit.person), term, credit.instrument or "")


def header_for(*, release: ReleaseRow, created_at: dt.datetime) -> model.Header:
    stamp = created_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    return model.Header(
        message_id=f"LINER-{release.pk}-{stamp}", thread_id=f"LINER-{release.pk}",
        created_at=created_at,
        sender_dpid=getattr(settings, "DDEX_SENDER_DPID", "") or PLACEHOLDER_DPID,
        sender_name=release.workspace.name,
        recipient_dpid=getattr(settings, "DDEX_RECIPIENT_DPID", "") or PLACEHOLDER_DPID,
        recipient_name=release.distributor,
    )  # fmt: skip


def release_description(*, release: ReleaseRow) -> tuple[model.Release, list[str]]:
    """The release as DDEX describes it, and what the message had to fill in (in words)."""
    workspace = release.workspace
    row = selectors.release_detail(release=release)
    warnings: list[str] = []
    credits = sorted(row.credits.all(), key=lambda c: (c.position, c.pk))
    release_artists = tuple(
        model.Artist(_party(c.person), DDEX_ROLES[c.role][1])
        for c in credits
        if DDEX_ROLES[c.role][0] == "DisplayArtist"
    )
    release_contributors = [x for c in credits if (x := _contributor(c)) is not None]
    base = row.upc or f"liner-{row.pk}"
    tracks = []
    for t in row.tracks.all():
        own = sorted(t.credits.all(), key=lambda c: (c.position, c.pk))
        main = selectors.track_artists(t, row)
        main.sort(key=lambda c: (c.position, c.pk))
        artists = tuple(model.Artist(_party(c.person), "MainArtist") for c in main) + tuple(
            model.Artist(_party(c.person), "FeaturedArtist") for c in selectors.track_featured(t)
        )
        contributors = [x for c in own if (x := _contributor(c)) is not None]
        contributors += [c for c in release_contributors if c not in contributors]
        master = selectors.track_master_version(t)
        duration = selectors.track_duration_s(t)
        if duration is None:
            length = selectors.track_length_s(t)
            warnings.append(
                f"“{t}” has no locked master yet: its duration is "
                + (f"the latest mix's ({length:.0f} s)." if length else "0 s (no mix yet).")
            )
            duration = length
        file = None
        if master is not None:
            audio = master.audio_file
            codec, ext = _AUDIO_CODECS.get(audio.format, ("", "wav"))
            file = model.AudioFile(
                uri=f"resources/{base}_{t.disc:02d}_{t.position:03d}.{ext}", codec=codec,
                channels=audio.channels, sample_rate=audio.sample_rate,
                bits_per_sample=audio.bit_depth, sha256=audio.sha256,
            )  # fmt: skip
        if not t.isrc:
            warnings.append(f"“{t}” has no ISRC yet.")
        tracks.append(
            model.Track(
                disc=t.disc,
                position=t.position,
                title=t.title,
                version=t.version,
                isrc=t.isrc,
                duration_s=duration,
                parental_warning=DDEX_PARENTAL[t.explicit],
                language=t.language,
                artists=artists,
                contributors=tuple(contributors),
                preview_start_s=t.preview_start_s,
                file=file,
                proprietary_id=f"liner-track-{t.pk}",
            )  # fmt: skip
        )
    artwork = None
    if row.artwork:
        fmt = row.artwork_format or "JPEG"
        artwork = model.Artwork(
            uri=f"resources/{base}.{_IMAGE_EXT.get(fmt, 'jpg')}", codec=fmt,
            width=row.artwork_width, height=row.artwork_height, sha256=row.artwork_sha256,
        )  # fmt: skip
    if not row.release_date:
        warnings.append("No release date: the message has no deals (stores need one).")
    label = row.label or row.p_owner or workspace.name
    description = model.Release(
        title=row.title, version=row.version, release_type=RELEASE_TYPES[row.type],
        artists=release_artists, tracks=tuple(tracks), icpn=row.upc,
        catalogue_number=row.catalogue_number, label=label, genre=row.genre,
        subgenre=row.subgenre, language=row.language,
        parental_warning=DDEX_PARENTAL[row.explicit], release_date=row.release_date,
        original_release_date=row.original_release_date, p_year=row.p_year,
        p_owner=row.p_owner, c_year=row.c_year, c_owner=row.c_owner,
        territory_mode=row.territory_mode, territories=tuple(sorted(row.territories or ())),
        is_compilation=row.type == ReleaseRow.Type.COMPILATION,
        keywords=tuple(row.keywords or ()), artwork=artwork,
        proprietary_id=f"liner-release-{row.pk}",
    )  # fmt: skip
    return description, warnings


# --- import ----------------------------------------------------------------------------------

_DISPLAY_ROLES = {"MainArtist": "main_artist", "Artist": "main_artist",
                  "FeaturedArtist": "featured_artist", "Composer": "composer"}  # fmt: skip
_CONTRIBUTOR_ROLES = {term: role for role, (kind, term) in DDEX_ROLES.items()
                      if kind == "Contributor"}  # fmt: skip
# Close DDEX terms Liner reads as its own roles.
_CONTRIBUTOR_ROLES.update({
    "Producer": "producer", "Engineer": "recording_engineer", "Vocalist": "vocalist",
    "MainVocalist": "vocalist", "Performer": "performer", "Author": "lyricist",
    "Writer": "composer_lyricist", "Songwriter": "composer_lyricist",
})  # fmt: skip
_PARENTAL = {v: k for k, v in DDEX_PARENTAL.items()}
_TYPES = {"Album": "album", "ClassicalAlbum": "album", "EP": "ep", "Single": "single",
          "SingleResourceRelease": "single", "DjMix": "compilation"}  # fmt: skip


@dataclass
class PersonSpec:
    name: str
    isni: str = ""
    ipi: str = ""


@dataclass
class CreditSpec:
    person: PersonSpec
    role: str
    instrument: str = ""


@dataclass
class TrackSpec:
    fields: dict[str, Any]
    credits: list[CreditSpec] = field(default_factory=list)


@dataclass
class ImportPlan:
    fields: dict[str, Any]
    artists: list[PersonSpec]
    release_credits: list[CreditSpec]
    tracks: list[TrackSpec]
    warnings: list[str]


def _code(normalize: Any, value: str, what: str, warnings: list[str]) -> str:
    if not value:
        return ""
    try:
        return normalize(value)
    except CodeError as exc:
        warnings.append(f"The {what} “{value}” was left out: {exc}")
        return ""


def _icpn(value: str, warnings: list[str]) -> str:
    digits = value.strip()
    # A GTIN-14 with a leading zero is the same number as its EAN-13 (the album sample).
    if len(digits) == 14 and digits.startswith("0"):
        digits = digits[1:]
    return _code(upc_normalize, digits, "release code (ICPN)", warnings)


def _person(party: model.Party, people: dict[str, PersonSpec]) -> PersonSpec:
    key = party.name.strip().casefold()
    if key not in people:
        isni = ipi = ""
        with contextlib.suppress(IdentifierError):  # a bad identifier is not worth a refusal
            isni = isni_normalize(party.isni) if party.isni else ""
        with contextlib.suppress(IdentifierError):
            ipi = ipi_normalize(party.ipi) if party.ipi else ""
        people[key] = PersonSpec(name=party.name.strip(), isni=isni, ipi=ipi)
    return people[key]


def import_plan(message: model.Message) -> ImportPlan:
    """What Liner makes of a parsed message, and what it left out (``warnings``)."""
    r = message.release
    warnings = list(message.warnings)
    people: dict[str, PersonSpec] = {}

    def credits_of(artists: tuple[model.Artist, ...]) -> list[CreditSpec]:
        out = []
        for a in artists:
            role = _DISPLAY_ROLES.get(a.role)
            if role is None:
                warnings.append(f"{a.party.name}: the artist role “{a.role}” was not imported.")
                continue
            out.append(CreditSpec(_person(a.party, people), role))
        return out

    release_credits = credits_of(r.artists)
    main = [c.person for c in release_credits if c.role == "main_artist"]
    tracks = []
    for t in r.tracks:
        credits = []
        shown = credits_of(t.artists)
        track_main = [c.person for c in shown if c.role == "main_artist"]
        if [p.name for p in track_main] != [p.name for p in main]:
            credits += [c for c in shown if c.role == "main_artist"]
        credits += [c for c in shown if c.role != "main_artist"]
        display_names = {a.party.name for a in t.artists}
        for c in t.contributors:
            if c.role == "Artist" and c.party.name in display_names:
                continue  # the display artist again, as the samples repeat it
            role = _CONTRIBUTOR_ROLES.get(c.role)
            instrument = c.instrument if c.instrument in INSTRUMENT_SET else ""
            if role == "performer" and not instrument:
                role = None
            if role is None:
                warnings.append(
                    f"“{t.display_title}”: {c.party.name}'s credit as “{c.role}” has no Liner "
                    "role and was not imported."
                )
                continue
            credits.append(CreditSpec(_person(c.party, people), role,
                                      instrument if role == "performer" else ""))  # fmt: skip
        unique: dict[tuple[str, str, str], CreditSpec] = {}
        for c in credits:
            unique.setdefault((c.person.name.casefold(), c.role, c.instrument), c)
        tracks.append(
            TrackSpec(
                fields={
                    "disc": t.disc,
                    "position": t.position,
                    "title": t.title,
                    "version": t.version,
                    "isrc": _code(isrc_normalize, t.isrc, f"ISRC of “{t.title}”", warnings),
                    "explicit": _PARENTAL.get(t.parental_warning, ""),
                    "language": _code(language_normalize, t.language, "language", warnings),
                    "preview_start_s": t.preview_start_s,
                },  # fmt: skip
                credits=list(unique.values()),
            )
        )
    territories = []
    for code in r.territories:
        try:
            territories.append(territory_normalize(code))
        except CodeError:
            warnings.append(f"The territory “{code}” is not an ISO 3166 country; left out.")
    mode = r.territory_mode if territories else "worldwide"
    keywords = [k for k in r.keywords if len(k) <= 40][:30]
    if len(keywords) != len(r.keywords):
        warnings.append("Keywords longer than 40 characters (or past 30) were left out.")
    release_type = _TYPES.get(r.release_type) or ("album" if len(r.tracks) > 1 else "single")
    if r.is_compilation:
        release_type = "compilation"
    fields = {
        "title": r.title, "version": r.version, "type": release_type, "label": r.label,
        "upc": _icpn(r.icpn, warnings) if r.icpn else "",
        "catalogue_number": r.catalogue_number[:50], "genre": r.genre[:60],
        "subgenre": r.subgenre[:60],
        "language": _code(language_normalize, r.language, "language", warnings),
        "explicit": _PARENTAL.get(r.parental_warning, ""), "release_date": r.release_date,
        "original_release_date": r.original_release_date, "p_year": r.p_year,
        "p_owner": r.p_owner, "c_year": r.c_year, "c_owner": r.c_owner,
        "territory_mode": mode, "territories": territories if mode != "worldwide" else [],
        "keywords": keywords,
    }  # fmt: skip
    if r.artwork is not None:
        warnings.append("The cover image is named in the message but not in it; upload it.")
    return ImportPlan(
        fields=fields, artists=main,
        release_credits=[c for c in release_credits if c.role != "main_artist"],
        tracks=tracks, warnings=warnings,
    )  # fmt: skip
