"""A release (``releases.ddex.model``) as a DDEX ERN 4.3 NewReleaseMessage, with lxml.

The same input gives the same bytes: elements follow the schema's order, references are
numbered in the order things first appear (parties ``P1``…, sound recordings ``A1``…, the
cover after them, technical details ``T1``…, the release ``R0`` and its tracks ``R1``…), and the
creation time is the header's, never the clock's.

How Liner fills the message, following the published samples (``../shared/ddex/samples``):

- Profile ``Audio``; the release is ``R0`` with one ``TrackRelease`` per track, as the
  album sample does, so a store can sell or stream tracks on their own.
- Parties: every artist, contributor and the label once, by name (with ISNI and IPI when
  known). Release-level credits other than artists go on every sound recording (ERN 4.3 has
  no contributors on a release).
- Track list: one ``ResourceGroup`` holding a sub-group per disc (``ResourceGroupType``
  ``Component``, ``SequenceNumber`` the disc), each item's ``SequenceNumber`` the track's
  position; the cover is linked from the top group, like the DJ-mix sample.
- Files: ``resources/<ICPN or id>_<disc:02>_<position:03>.<ext>`` and
  ``resources/<ICPN or id>.jpg`` (the naming of the samples), with a SHA-256 hash sum.
- Deals (when there is a release date): streaming (subscription and ad-supported:
  on-demand and non-interactive streams) and download (pay as you go: permanent download)
  from the release date, in the release's territories: ``Worldwide``, the listed codes, or
  ``ExcludedTerritoryCode`` for "worldwide except".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lxml import etree

from .model import Artist, Contributor, DdexError, Header, Message, Party, Release, Track

NS = "http://ddex.net/xml/ern/43"
AVS_VERSION = "3"  # allowed-value-sets.xsd's AvsVersionId
PROFILE = "Audio"

STREAM_MODELS = ("SubscriptionModel", "AdvertisementSupportedModel")
STREAM_USES = ("OnDemandStream", "NonInteractiveStream")
DOWNLOAD_MODELS = ("PayAsYouGoModel",)
DOWNLOAD_USES = ("PermanentDownload",)
_CODEC_EXT = {"PCM": "wav", "FLAC": "flac", "MP3": "mp3", "AAC": "m4a", "Vorbis": "ogg"}
_IMAGE_EXT = {"JPEG": "jpg", "PNG": "png"}


def duration_iso(seconds: float | None) -> str:
    """xs:duration of a number of seconds, to the millisecond: ``PT4M23.583S``."""
    if seconds is None or seconds <= 0:
        return "PT0S"
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, ms = divmod(rest, 1000)
    out = "PT"
    if hours:
        out += f"{hours}H"
    if minutes:
        out += f"{minutes}M"
    if secs or ms or out == "PT":
        out += f"{secs}.{ms:03d}S".replace(".000S", "S") if ms else f"{secs}S"
    return out


def missing(release: Release) -> list[str]:
    """What the schema requires that this release does not have yet, in words."""
    out = []
    if not release.title.strip():
        out.append("a title")
    if not release.artists:
        out.append("a main artist")
    if not release.genre.strip():
        out.append("a genre")
    if not release.tracks:
        out.append("at least one track")
    if not release.label.strip():
        out.append("a label (or a ℗ owner)")
    return out


def build_message(message: Message) -> bytes:
    """The NewReleaseMessage as UTF-8 bytes; DdexError if the release lacks what ERN needs."""
    release, header = message.release, message.header
    lacking = missing(release)
    if lacking:
        raise DdexError("A DDEX message needs " + ", ".join(lacking) + ".")
    if header.created_at.tzinfo is None:
        raise DdexError("The message's creation time must carry its time zone.")
    return _Builder(header, release).build()


class _Builder:
    def __init__(self, header: Header, release: Release) -> None:
        self.header = header
        self.release = release
        self.parties: dict[Party, str] = {}
        self.base = release.icpn or release.proprietary_id or "release"
        self.namespace = header.sender_dpid  # owner of Liner's proprietary identifiers

    # --- helpers ----------------------------------------------------------------------------

    def party_ref(self, party: Party) -> str:
        if party not in self.parties:
            self.parties[party] = f"P{len(self.parties) + 1}"
        return self.parties[party]

    @staticmethod
    def sub(parent: etree._Element, tag: str, text: object = None, **attrs: str):
        el = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
        if text is not None:
            el.text = str(text)
        return el

    def track_contributors(self, track: Track) -> list[Contributor]:
        return list(dict.fromkeys(track.contributors))

    def collect_parties(self) -> None:
        for a in self.release.artists:
            self.party_ref(a.party)
        for t in self.release.tracks:
            for a in t.artists:
                self.party_ref(a.party)
            for c in self.track_contributors(t):
                self.party_ref(c.party)
        self.party_ref(Party(self.release.label))

    # --- the message -----------------------------------------------------------------------

    def build(self) -> bytes:
        self.collect_parties()
        root = etree.Element(f"{{{NS}}}NewReleaseMessage", nsmap={"ern": NS})
        root.set("ReleaseProfileVersionId", PROFILE)
        root.set("LanguageAndScriptCode", self.release.language or "en")
        root.set("AvsVersionId", AVS_VERSION)
        self.message_header(root)
        self.party_list(root)
        self.resource_list(root)
        self.release_list(root)
        if self.release.release_date:
            self.deal_list(root)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def message_header(self, root: etree._Element) -> None:
        h = self.header
        el = self.sub(root, "MessageHeader")
        self.sub(el, "MessageThreadId", h.thread_id or h.message_id)
        self.sub(el, "MessageId", h.message_id)
        sender = self.sub(el, "MessageSender")
        self.sub(sender, "PartyId", h.sender_dpid)
        if h.sender_name:
            self.sub(self.sub(sender, "PartyName"), "FullName", h.sender_name)
        recipient = self.sub(el, "MessageRecipient")
        self.sub(recipient, "PartyId", h.recipient_dpid)
        if h.recipient_name:
            self.sub(self.sub(recipient, "PartyName"), "FullName", h.recipient_name)
        self.sub(el, "MessageCreatedDateTime", h.created_at.isoformat(timespec="seconds"))
        self.sub(el, "MessageControlType", "TestMessage" if h.test_message else "LiveMessage")

    def party_list(self, root: etree._Element) -> None:
        el = self.sub(root, "PartyList")
        for party, ref in self.parties.items():
            p = self.sub(el, "Party")
            self.sub(p, "PartyReference", ref)
            self.sub(self.sub(p, "PartyName"), "FullName", party.name)
            if party.isni or party.ipi:
                ids = self.sub(p, "PartyId")
                if party.isni:
                    self.sub(ids, "ISNI", party.isni)
                if party.ipi:
                    self.sub(ids, "IpiNameNumber", party.ipi)

    # --- resources -------------------------------------------------------------------------

    def resource_list(self, root: etree._Element) -> None:
        el = self.sub(root, "ResourceList")
        for i, track in enumerate(self.release.tracks, start=1):
            self.sound_recording(el, i, track)
        if self.release.artwork:
            self.image(el, len(self.release.tracks) + 1)

    def p_line(self, parent: etree._Element) -> None:
        r = self.release
        if not (r.p_year or r.p_owner):
            return
        el = self.sub(parent, "PLine")
        if r.p_year:
            self.sub(el, "Year", r.p_year)
        if r.p_owner:
            self.sub(el, "PLineCompany", r.p_owner)
        self.sub(el, "PLineText", " ".join(str(x) for x in ("℗", r.p_year, r.p_owner) if x))

    def c_line(self, parent: etree._Element) -> None:
        r = self.release
        if not (r.c_year or r.c_owner):
            return
        el = self.sub(parent, "CLine")
        if r.c_year:
            self.sub(el, "Year", r.c_year)
        if r.c_owner:
            self.sub(el, "CLineCompany", r.c_owner)
        self.sub(el, "CLineText", " ".join(str(x) for x in ("©", r.c_year, r.c_owner) if x))

    def titles(self, parent: etree._Element, title: str, version: str, display: str) -> None:
        self.sub(parent, "DisplayTitleText", display)
        el = self.sub(parent, "DisplayTitle", ApplicableTerritoryCode="Worldwide", IsDefault="true")
        self.sub(el, "TitleText", title)
        if version:
            self.sub(el, "SubTitle", version, SubTitleType="Version")

    def artists(self, parent: etree._Element, artists: Iterable[Artist]) -> None:
        artists = list(artists)
        main = [a.party.name for a in artists if a.role != "FeaturedArtist"]
        feat = [a.party.name for a in artists if a.role == "FeaturedArtist"]
        name = " & ".join(main) + (" feat. " + " & ".join(feat) if feat else "")
        self.sub(parent, "DisplayArtistName", name.strip(), ApplicableTerritoryCode="Worldwide")
        for n, a in enumerate(artists, start=1):
            el = self.sub(parent, "DisplayArtist", SequenceNumber=str(n))
            self.sub(el, "ArtistPartyReference", self.party_ref(a.party))
            self.sub(el, "DisplayArtistRole", a.role)

    def sound_recording(self, parent: etree._Element, i: int, track: Track) -> None:
        el = self.sub(parent, "SoundRecording")
        self.sub(el, "ResourceReference", f"A{i}")
        self.sub(el, "Type", "MusicalWorkSoundRecording")
        edition = self.sub(el, "SoundRecordingEdition")
        ids = self.sub(edition, "ResourceId")
        if track.isrc:
            self.sub(ids, "ISRC", track.isrc)
        if track.proprietary_id or not track.isrc:
            self.sub(ids, "ProprietaryId", track.proprietary_id or f"{self.base}-{i}",
                     Namespace=self.namespace)  # fmt: skip
        self.p_line(edition)
        self.technical_sound(edition, i, track)
        self.titles(el, track.title, track.version, track.display_title)
        artists = track.artists or self.release.artists
        self.artists(el, artists)
        for n, c in enumerate(self.track_contributors(track), start=1):
            ce = self.sub(el, "Contributor", SequenceNumber=str(n))
            self.sub(ce, "ContributorPartyReference", self.party_ref(c.party))
            self.sub(ce, "Role", c.role)
            if c.instrument:
                self.sub(ce, "InstrumentType", c.instrument)
        self.sub(el, "Duration", duration_iso(track.duration_s))
        self.sub(el, "ParentalWarningType", track.parental_warning)
        if track.language:
            self.sub(el, "LanguageOfPerformance", track.language)

    def technical_sound(self, parent: etree._Element, i: int, track: Track) -> None:
        f = track.file
        if f is None and track.preview_start_s is None:
            return
        el = self.sub(parent, "TechnicalDetails")
        self.sub(el, "TechnicalResourceDetailsReference", f"T{i}")
        if f is not None:
            df = self.sub(el, "DeliveryFile")
            self.sub(df, "Type", "AudioFile")
            if f.codec:
                self.sub(df, "AudioCodecType", f.codec)
            if f.channels:
                self.sub(df, "NumberOfChannels", f.channels)
            if f.sample_rate:
                khz = f"{f.sample_rate / 1000:.3f}".rstrip("0").rstrip(".")
                self.sub(df, "SamplingRate", khz, UnitOfMeasure="kHz")
            if f.bits_per_sample:
                self.sub(df, "BitsPerSample", f.bits_per_sample)
            self.file(df, f.uri, f.sha256)
        if track.preview_start_s is not None:
            clip = self.sub(el, "ClipDetails")
            self.sub(clip, "TechnicalResourceDetailsReference", f"T{i}C")
            self.sub(clip, "ClipType", "Preview")
            timing = self.sub(clip, "Timing")
            self.sub(timing, "StartPoint", f"{track.preview_start_s:.1f}")
            self.sub(clip, "ExpressionType", "Instructive")

    def file(self, parent: etree._Element, uri: str, sha256: str) -> None:
        f = self.sub(parent, "File")
        self.sub(f, "URI", uri)
        if sha256:
            h = self.sub(f, "HashSum")
            self.sub(h, "Algorithm", "SHA-256")
            self.sub(h, "HashSumValue", sha256)

    def image(self, parent: etree._Element, i: int) -> None:
        art = self.release.artwork
        assert art is not None
        el = self.sub(parent, "Image")
        self.sub(el, "ResourceReference", f"A{i}")
        self.sub(el, "Type", "FrontCoverImage")
        ids = self.sub(el, "ResourceId")
        self.sub(ids, "ProprietaryId", f"{self.base}-cover", Namespace=self.namespace)
        tech = self.sub(el, "TechnicalDetails")
        self.sub(tech, "TechnicalResourceDetailsReference", f"T{i}")
        if art.codec:
            self.sub(tech, "ImageCodecType", art.codec)
        if art.height:
            self.sub(tech, "ImageHeight", art.height, UnitOfMeasure="Pixel")
        if art.width:
            self.sub(tech, "ImageWidth", art.width, UnitOfMeasure="Pixel")
        self.file(tech, art.uri, art.sha256)

    # --- releases --------------------------------------------------------------------------

    def label_ref(self, parent: etree._Element) -> None:
        ref = self.party_ref(Party(self.release.label))
        self.sub(parent, "ReleaseLabelReference", ref, ApplicableTerritoryCode="Worldwide")

    def genre(self, parent: etree._Element) -> None:
        el = self.sub(parent, "Genre", ApplicableTerritoryCode="Worldwide")
        self.sub(el, "GenreText", self.release.genre)
        if self.release.subgenre:
            self.sub(el, "SubGenre", self.release.subgenre)

    def release_list(self, root: etree._Element) -> None:
        r = self.release
        el = self.sub(root, "ReleaseList")
        rel = self.sub(el, "Release")
        self.sub(rel, "ReleaseReference", "R0")
        self.sub(rel, "ReleaseType", r.release_type)
        ids = self.sub(rel, "ReleaseId")
        if r.icpn:
            self.sub(ids, "ICPN", r.icpn)
        if r.catalogue_number:
            self.sub(ids, "CatalogNumber", r.catalogue_number, Namespace=self.namespace)
        if r.proprietary_id or not r.icpn:
            self.sub(ids, "ProprietaryId", r.proprietary_id or self.base, Namespace=self.namespace)
        self.titles(rel, r.title, r.version, r.display_title)
        self.artists(rel, r.artists)
        self.label_ref(rel)
        self.p_line(rel)
        self.c_line(rel)
        durations = [t.duration_s for t in r.tracks]
        if all(d for d in durations):
            self.sub(rel, "Duration", duration_iso(sum(durations)))  # type: ignore[arg-type]
        self.genre(rel)
        if r.release_date:
            self.sub(rel, "ReleaseDate", r.release_date.isoformat())
        if r.original_release_date:
            self.sub(rel, "OriginalReleaseDate", r.original_release_date.isoformat())
        self.sub(rel, "ParentalWarningType", r.parental_warning)
        if r.is_compilation:
            self.sub(rel, "IsMultiArtistCompilation", "true")
        self.resource_group(rel)
        for word in r.keywords:
            self.sub(rel, "Keywords", word)
        for i, track in enumerate(r.tracks, start=1):
            tr = self.sub(el, "TrackRelease")
            self.sub(tr, "ReleaseReference", f"R{i}")
            tids = self.sub(tr, "ReleaseId")
            key = track.isrc or track.proprietary_id or str(i)
            self.sub(tids, "ProprietaryId", f"{self.base}_{key}_R{i}", Namespace=self.namespace)
            self.sub(tr, "ReleaseResourceReference", f"A{i}")
            self.label_ref(tr)
            self.genre(tr)

    def resource_group(self, parent: etree._Element) -> None:
        top = self.sub(parent, "ResourceGroup")
        discs: dict[int, list[tuple[int, Track]]] = {}
        for i, track in enumerate(self.release.tracks, start=1):
            discs.setdefault(track.disc, []).append((i, track))
        for disc in sorted(discs):
            group = self.sub(top, "ResourceGroup", ResourceGroupType="Component")
            self.sub(group, "SequenceNumber", disc)
            for i, track in discs[disc]:
                item = self.sub(group, "ResourceGroupContentItem")
                self.sub(item, "SequenceNumber", track.position)
                self.sub(item, "ReleaseResourceReference", f"A{i}")
        if self.release.artwork:
            self.sub(top, "LinkedReleaseResourceReference", f"A{len(self.release.tracks) + 1}",
                     LinkDescription="CoverArt")  # fmt: skip

    # --- deals -----------------------------------------------------------------------------

    def deal_list(self, root: etree._Element) -> None:
        el = self.sub(root, "DealList")
        self.release_deal(el, ["R0"])
        if self.release.tracks:
            self.release_deal(el, [f"R{i}" for i in range(1, len(self.release.tracks) + 1)])

    def release_deal(self, parent: etree._Element, refs: list[str]) -> None:
        el = self.sub(parent, "ReleaseDeal")
        for ref in refs:
            self.sub(el, "DealReleaseReference", ref)
        for models, uses in ((STREAM_MODELS, STREAM_USES), (DOWNLOAD_MODELS, DOWNLOAD_USES)):
            terms = self.sub(self.sub(el, "Deal"), "DealTerms")
            r = self.release
            if r.territory_mode == "worldwide" or not r.territories:
                self.sub(terms, "TerritoryCode", "Worldwide")
            else:
                tag = "ExcludedTerritoryCode" if r.territory_mode == "exclude" else "TerritoryCode"
                for code in sorted(r.territories):
                    self.sub(terms, tag, code)
            period = self.sub(terms, "ValidityPeriod")
            start = r.release_date
            assert isinstance(start, dt.date)
            self.sub(period, "StartDate", start.isoformat())
            for m in models:
                self.sub(terms, "CommercialModelType", m)
            for u in uses:
                self.sub(terms, "UseType", u)
