"""A DDEX ERN 4.3 NewReleaseMessage read into ``releases.ddex.model``, safely: the bytes go
through ``releases.ddex.safexml`` (size limit, no DTD, no entities, no network, bounded
nesting) before anything is read from them."""

from __future__ import annotations

import datetime as dt
import re

from lxml import etree

from .model import (
    Artist,
    Artwork,
    AudioFile,
    Contributor,
    DdexError,
    Header,
    Message,
    Party,
    Release,
    Track,
)
from .safexml import MAX_BYTES, parse_xml

NS = "http://ddex.net/xml/ern/43"


# --- small readers ----------------------------------------------------------------------------


def _text(el: etree._Element | None, path: str = "") -> str:
    if el is None:
        return ""
    found = el.find(path) if path else el
    return (found.text or "").strip() if found is not None else ""


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


def duration_seconds(value: str) -> float | None:
    """Seconds of an xs:duration such as ``PT4M23.583S`` (days, hours, minutes, seconds)."""
    match = _DURATION.match(value.strip()) if value else None
    if not match:
        return None
    d, h, m, s = (match.group(k) for k in "dhms")
    return round(int(d or 0) * 86400 + int(h or 0) * 3600 + int(m or 0) * 60 + float(s or 0), 3)


def _default(elements: list[etree._Element]) -> etree._Element | None:
    """Of localised alternatives: the one marked default, else one with no language, else
    the first."""
    if not elements:
        return None
    for el in elements:
        if el.get("IsDefault") == "true":
            return el
    for el in elements:
        if not el.get("LanguageAndScriptCode"):
            return el
    return elements[0]


_LINE = re.compile(r"^\s*(?:℗|©|\([PpCc]\))?\s*(?:(\d{4})\b)?\s*[,\-–]?\s*")


def _rights_line(el: etree._Element | None, kind: str) -> tuple[int | None, str]:
    if el is None:
        return None, ""
    year = _int(_text(el, "Year"))
    owner = _text(el, f"{kind}LineCompany")
    text = _text(el, f"{kind}LineText")
    if not owner and text:
        match = _LINE.match(text)
        owner = text[match.end() :].strip() if match else text
        if year is None and match and match.group(1):
            year = int(match.group(1))
    return year, owner


def _language(value: str) -> str:
    return value.split("-")[0].lower() if value else ""


# --- the message ------------------------------------------------------------------------------


def read_message(data: bytes, *, max_bytes: int = MAX_BYTES) -> Message:
    """The message in ``data``; DdexError, in words, for anything Liner cannot read."""
    root = parse_xml(data, max_bytes=max_bytes)
    if root.tag != f"{{{NS}}}NewReleaseMessage":
        name = etree.QName(root)
        raise DdexError(
            f"This is not a DDEX ERN 4.3 NewReleaseMessage: its root element is "
            f"“{name.localname}”" + (f" in {name.namespace}." if name.namespace else ".")
        )
    return _Reader(root).message()


class _Reader:
    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.warnings: list[str] = []
        self.parties = {_text(p, "PartyReference"): self._party(p)
                        for p in root.iterfind("PartyList/Party")}  # fmt: skip
        self.recordings = {_text(s, "ResourceReference"): s
                           for s in root.iterfind("ResourceList/SoundRecording")}  # fmt: skip
        self.images = {_text(i, "ResourceReference"): i
                       for i in root.iterfind("ResourceList/Image")}  # fmt: skip

    @staticmethod
    def _party(el: etree._Element) -> Party:
        names = el.findall("PartyName")
        name = _text(_default(names), "FullName") if names else ""
        ids = el.find("PartyId")
        return Party(
            name=name or _text(ids, "ProprietaryId") or _text(el, "PartyReference"),
            isni=_text(ids, "ISNI"), ipi=_text(ids, "IpiNameNumber"),
        )  # fmt: skip

    def party(self, ref: str) -> Party:
        return self.parties.get(ref) or Party(name=ref)

    def header(self) -> Header:
        h = self.root.find("MessageHeader")
        created = _text(h, "MessageCreatedDateTime")
        try:
            created_at = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            created_at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        return Header(
            message_id=_text(h, "MessageId"), thread_id=_text(h, "MessageThreadId"),
            created_at=created_at,
            sender_dpid=_text(h, "MessageSender/PartyId"),
            sender_name=_text(h, "MessageSender/PartyName/FullName"),
            recipient_dpid=_text(h, "MessageRecipient/PartyId"),
            recipient_name=_text(h, "MessageRecipient/PartyName/FullName"),
            test_message=_text(h, "MessageControlType") == "TestMessage",
        )  # fmt: skip

    def message(self) -> Message:
        release_el = self.root.find("ReleaseList/Release")
        if release_el is None:
            raise DdexError("This message has no main release (ReleaseList/Release).")
        release = self.release(release_el)
        return Message(header=self.header(), release=release, warnings=tuple(self.warnings))

    # --- artists and titles ---------------------------------------------------------------

    def artists(self, el: etree._Element) -> tuple[Artist, ...]:
        found = el.findall("DisplayArtist")
        found.sort(key=lambda a: _int(a.get("SequenceNumber", "")) or 0)
        return tuple(
            Artist(self.party(_text(a, "ArtistPartyReference")), _text(a, "DisplayArtistRole"))
            for a in found
        )

    def contributors(self, el: etree._Element) -> tuple[Contributor, ...]:
        out = []
        found = el.findall("Contributor")
        found.sort(key=lambda c: _int(c.get("SequenceNumber", "")) or 0)
        for c in found:
            party = self.party(_text(c, "ContributorPartyReference"))
            instrument = _text(c, "InstrumentType")
            for role in c.findall("Role") or [None]:
                out.append(Contributor(party, _text(role) or "Unknown", instrument))
        return tuple(dict.fromkeys(out))

    @staticmethod
    def title(el: etree._Element) -> tuple[str, str]:
        display = _default(el.findall("DisplayTitle"))
        if display is None:
            return _text(el, "DisplayTitleText"), ""
        return _text(display, "TitleText"), _text(display, "SubTitle")

    # --- tracks ----------------------------------------------------------------------------

    def track_order(self, group: etree._Element | None) -> list[tuple[int, int, str]]:
        """(disc, position, resource reference) of each sound recording, in order."""
        out: list[tuple[int, int, str]] = []
        if group is None:
            return out

        def items(g: etree._Element, disc: int) -> None:
            for item in g.findall("ResourceGroupContentItem"):
                ref = _text(item, "ReleaseResourceReference")
                if ref in self.recordings:
                    out.append((disc, _int(_text(item, "SequenceNumber")) or 0, ref))
            for n, sub in enumerate(g.findall("ResourceGroup"), start=1):
                items(sub, disc if disc else (_int(_text(sub, "SequenceNumber")) or n))

        items(group, 0)
        discs = sorted({d for d, _, _ in out})
        renumber = {d: i for i, d in enumerate(discs, start=1)}
        tracks: list[tuple[int, int, str]] = []
        for disc in discs:
            on_disc = [(p, r) for d, p, r in out if d == disc]
            positions = [p for p, _ in on_disc]
            if 0 in positions or len(set(positions)) != len(positions):
                on_disc = [(i, r) for i, (_, r) in enumerate(on_disc, start=1)]
            tracks += [(renumber[disc], p, r) for p, r in sorted(on_disc)]
        return tracks

    def track(self, disc: int, position: int, ref: str) -> Track:
        sr = self.recordings[ref]
        edition = sr.find("SoundRecordingEdition")
        title, version = self.title(sr)
        preview = None
        tech = edition.find("TechnicalDetails") if edition is not None else None
        clip = tech.find("ClipDetails") if tech is not None else None
        if clip is not None and _text(clip, "ClipType") == "Preview":
            start = _text(clip, "Timing/StartPoint")
            try:
                preview = round(float(start)) if start else None
            except ValueError:
                preview = None
        return Track(
            disc=disc, position=position, title=title, version=version,
            isrc=_text(edition, "ResourceId/ISRC"),
            duration_s=duration_seconds(_text(sr, "Duration")),
            parental_warning=_text(sr, "ParentalWarningType") or "Unknown",
            language=_language(_text(sr, "LanguageOfPerformance")),
            artists=self.artists(sr), contributors=self.contributors(sr),
            preview_start_s=preview, file=self.audio_file(tech),
            proprietary_id=_text(edition, "ResourceId/ProprietaryId"),
        )  # fmt: skip

    @staticmethod
    def audio_file(tech: etree._Element | None) -> AudioFile | None:
        df = tech.find("DeliveryFile") if tech is not None else None
        if df is None or df.find("File") is None:
            return None
        rate = _text(df, "SamplingRate")
        unit = df.find("SamplingRate").get("UnitOfMeasure", "Hz") if rate else "Hz"
        try:
            scale = {"Hz": 1, "kHz": 1000, "MHz": 1_000_000}.get(unit, 1)
            hz = round(float(rate) * scale) if rate else None
        except ValueError:
            hz = None
        return AudioFile(
            uri=_text(df, "File/URI"), codec=_text(df, "AudioCodecType"),
            channels=_int(_text(df, "NumberOfChannels")), sample_rate=hz,
            bits_per_sample=_int(_text(df, "BitsPerSample")),
            sha256=_text(df, "File/HashSum/HashSumValue"),
        )  # fmt: skip

    # --- the release -----------------------------------------------------------------------

    def icpn(self, el: etree._Element) -> str:
        own = _text(el, "ReleaseId/ICPN")
        if own:
            return own
        # The single sample names its ICPN only on a related release that carries the same
        # GRid or proprietary id: the same product, so its code is this release's.
        ids = {(_text(i)) for i in el.iterfind("ReleaseId/*") if _text(i)}
        for related in el.iterfind("RelatedRelease/ReleaseId"):
            code = _text(related, "ICPN")
            others = {_text(i) for i in related if i.tag != "ICPN" and _text(i)}
            if code and ids & others:
                return code
        return ""

    def territories(self, ref: str) -> tuple[str, tuple[str, ...], dt.date | None]:
        include: set[str] = set()
        exclude: set[str] = set()
        starts: list[dt.date] = []
        for deal in self.root.iterfind("DealList/ReleaseDeal"):
            if ref not in [_text(r) for r in deal.findall("DealReleaseReference")]:
                continue
            for terms in deal.iterfind("Deal/DealTerms"):
                include |= {_text(t) for t in terms.findall("TerritoryCode")}
                exclude |= {_text(t) for t in terms.findall("ExcludedTerritoryCode")}
                for start in terms.iterfind("ValidityPeriod/StartDate"):
                    if (d := _date(_text(start))) is not None:
                        starts.append(d)
                for start in terms.iterfind("ValidityPeriod/StartDateTime"):
                    if (d := _date(_text(start)[:10])) is not None:
                        starts.append(d)
        first = min(starts) if starts else None
        if exclude and not include - {"Worldwide"}:
            return "exclude", tuple(sorted(exclude)), first
        if not include or "Worldwide" in include:
            return "worldwide", (), first
        return "include", tuple(sorted(include)), first

    def artwork(self, el: etree._Element) -> Artwork | None:
        linked = [_text(r) for r in el.iterfind(".//LinkedReleaseResourceReference")]
        candidates = [self.images[r] for r in linked if r in self.images]
        candidates += [i for i in self.images.values() if i not in candidates]
        for image in candidates:
            if _text(image, "Type") != "FrontCoverImage":
                continue
            tech = image.find("TechnicalDetails")
            return Artwork(
                uri=_text(tech, "File/URI"), codec=_text(tech, "ImageCodecType"),
                width=_int(_text(tech, "ImageWidth")), height=_int(_text(tech, "ImageHeight")),
                sha256=_text(tech, "File/HashSum/HashSumValue"),
            )  # fmt: skip
        return None

    def release(self, el: etree._Element) -> Release:
        title, version = self.title(el)
        types = [_text(t) for t in el.findall("ReleaseType") if _text(t) != "UserDefined"]
        order = self.track_order(el.find("ResourceGroup"))
        tracks = tuple(self.track(d, p, r) for d, p, r in order)
        unused = [r for r in self.recordings if r not in {ref for _, _, ref in order}]
        if unused:
            supplemental = sum(
                1 for r in unused if self.recordings[r].get("IsSupplemental") == "true"
            )
            self.warnings.append(
                f"{len(unused)} sound recording(s) are not on the release's track list"
                + (f" ({supplemental} supplemental, e.g. the sources of a mix)" if supplemental
                   else "") + "; they were not imported as tracks."
            )  # fmt: skip
        labels = el.findall("ReleaseLabelReference")
        label_el = next((x for x in labels if x.get("IsDefault") == "true"), None)
        label_el = label_el if label_el is not None else (labels[0] if labels else None)
        genre = _default(el.findall("Genre"))
        p_el = el.find("PLine")
        if p_el is None:  # the album sample has ℗ lines on its recordings only
            p_el = next(iter(self.root.iterfind("ResourceList/SoundRecording/"
                                                "SoundRecordingEdition/PLine")), None)  # fmt: skip
        p_year, p_owner = _rights_line(p_el, "P")
        c_year, c_owner = _rights_line(el.find("CLine"), "C")
        mode, territories, first_deal = self.territories(_text(el, "ReleaseReference"))
        release_date = _date(_text(el, "ReleaseDate")) or first_deal
        return Release(
            title=title, version=version, release_type=types[0] if types else "",
            artists=self.artists(el), tracks=tracks,
            icpn=self.icpn(el), catalogue_number=_text(el, "ReleaseId/CatalogNumber"),
            label=self.party(_text(label_el)).name if label_el is not None else "",
            genre=_text(genre, "GenreText"), subgenre=_text(genre, "SubGenre"),
            language=_language(self.root.get("LanguageAndScriptCode", "")),
            parental_warning=_text(el, "ParentalWarningType") or "Unknown",
            release_date=release_date,
            original_release_date=_date(_text(el, "OriginalReleaseDate")),
            p_year=p_year, p_owner=p_owner, c_year=c_year, c_owner=c_owner,
            territory_mode=mode, territories=territories,
            is_compilation=_text(el, "IsMultiArtistCompilation") == "true",
            keywords=tuple(_text(k) for k in el.findall("Keywords") if _text(k)),
            artwork=self.artwork(el),
            proprietary_id=_text(el, "ReleaseId/ProprietaryId"),
        )  # fmt: skip
