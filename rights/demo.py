"""Demo data for rights (``seed_demo``): works, splits and sheets, a licence near its end, a year
of statements from two distributors and the payouts of the closed months.

Everything goes through the rights services, as a person's actions would. The statements are
generated here (deterministic: a fixed random seed per month), in the layouts the parsers read:
DistroKid's newer TSV and TuneCore's sales CSV (see ``rights.statements.distrokid`` and
``.tunecore`` for where their columns come from).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

DEMO_ARTIST = "Maya Lind"

# A recording that is not in the demo catalogue (an old demo of Maya's, released elsewhere):
# its lines match nothing and wait in the review queue. Its ISRC is well-formed but unknown.
UNKNOWN_TRACK = ("Old Harbour (2019 demo)", "SELND1900042")

# Per-unit payouts by store, in USD (round figures in the range artists report; the demo only
# needs them to look plausible), and how much of the listening each store gets.
STORES: list[tuple[str, Decimal, int, str]] = [
    # store, per unit, weight, DistroKid "Source Type"
    ("Spotify", Decimal("0.0031"), 40, "Streaming"),
    ("Apple Music", Decimal("0.0068"), 16, "Streaming"),
    ("YouTube Music", Decimal("0.0009"), 12, "Streaming"),
    ("Amazon Music Unlimited", Decimal("0.0041"), 8, "Streaming"),
    ("Deezer", Decimal("0.0038"), 6, "Streaming"),
    ("Tidal", Decimal("0.0089"), 3, "Streaming"),
    ("iTunes", Decimal("0.6900"), 1, "Download"),
]
# Countries (ISO 3166-1 alpha-2) and their share of listeners: a Swedish artist with an
# audience in Europe and North America.
TERRITORIES: list[tuple[str, int]] = [
    ("SE", 22), ("US", 18), ("GB", 12), ("DE", 10), ("NO", 6), ("DK", 5), ("FI", 4),
    ("NL", 4), ("FR", 4), ("CA", 3), ("AU", 3), ("PL", 2), ("ES", 2), ("JP", 2), ("BR", 1),
    ("IT", 2), ("BE", 2), ("AT", 1), ("CH", 1), ("IE", 1), ("MX", 1), ("NZ", 1), ("IS", 1),
    ("PT", 1), ("EE", 1),
]  # fmt: skip

# DistroKid's newer layout (header names as ``tests/rights/statements/helpers.py`` writes them).
DISTROKID_HEADER = [
    "Reporting Date", "Sale Month", "Store", "Artist", "Title", "ISRC", "UPC", "Quantity",
    "Team Percentage", "Source Type", "Country of Sale", "Songwriter Royalties Withheld (USD)",
    "Earnings (USD)", "Recoup (USD)", "Date Inserted",
]  # fmt: skip
# TuneCore's sales report (``rights.statements.tunecore``).
TUNECORE_HEADER = [
    "Sales Period", "Posted Date", "Store Name", "Country Of Sale", "Artist", "Release Type",
    "Release Title", "Song Title", "Label", "UPC", "Optional UPC", "TC Song ID",
    "Optional ISRC", "Sales Type", "# Units Sold", "Per Unit Price", "Net Sales",
    "Net Sales Currency", "Exchange Rate", "Total Earned", "Currency",
]  # fmt: skip


def month_add(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def demo_months(today: dt.date | None = None) -> list[dt.date]:
    """The twelve months before the current one, oldest first."""
    current = (today or dt.date.today()).replace(day=1)
    return [month_add(current, -n) for n in range(12, 0, -1)]


def _lines(
    rnd: random.Random, tracks: list[dict[str, Any]], month_no: int, count: int
) -> list[dict[str, Any]]:
    """``count`` store/territory lines for ``tracks`` (each a dict: title, isrc, upc, release,
    popularity), with listening growing a little each month."""
    stores = list(STORES)
    store_weights = [s[2] for s in STORES]
    countries = [t[0] for t in TERRITORIES]
    country_weights = [t[1] for t in TERRITORIES]
    seen: set[tuple[str, str, str]] = set()
    lines = []
    # Never more lines than there are recording/store/country combinations.
    count = min(count, len(tracks) * len(stores) * len(countries) * 3 // 4)
    while len(lines) < count:
        track = rnd.choices(tracks, weights=[t["popularity"] for t in tracks])[0]
        store, rate, _, kind = rnd.choices(stores, weights=store_weights)[0]
        country = rnd.choices(countries, weights=country_weights)[0]
        key = (track["isrc"], store, country)
        if key in seen:  # one line per recording, store and country, as the distributors do
            continue
        seen.add(key)
        if kind == "Download":
            units = rnd.randint(1, 4)
        else:
            units = int(rnd.lognormvariate(4.7, 1.0) * track["popularity"] * (1 + month_no / 20))
            units = max(units, 1)
        # Distributors report amounts with many decimals; the last digits vary per line.
        jitter = Decimal(rnd.randint(900_000, 1_100_000)) / Decimal(1_000_000)
        amount = (rate * units * jitter).quantize(Decimal("0.0000000001"), ROUND_HALF_UP)
        lines.append({"track": track, "store": store, "kind": kind, "country": country,
                      "units": units, "amount": amount})  # fmt: skip
    return lines


def distrokid_tsv(
    *, month: dt.date, tracks: list[dict[str, Any]], lines: int, seed: int,
    unknown: bool = False,
) -> bytes:  # fmt: skip
    """One month of DistroKid's newer layout (tab-separated; song rows carry no UPC)."""
    rnd = random.Random(seed)
    reported = month_add(month, 1)
    rows = [DISTROKID_HEADER]
    body = _lines(rnd, tracks, month.month, lines)
    if unknown:
        title, isrc = UNKNOWN_TRACK
        extra = {"title": title, "isrc": isrc, "upc": "", "release": title, "popularity": 1}
        body += _lines(rnd, [extra], month.month, 4)
    for line in body:
        track = line["track"]
        rows.append([
            f"{reported:%Y-%m}-0{rnd.randint(1, 5)}", f"{month:%Y-%m}", line["store"], DEMO_ARTIST,
            track["title"], track["isrc"], "", str(line["units"]), "100", line["kind"],
            line["country"], "0", f"{line['amount']}", "0", f"{reported:%Y-%m}-07",
        ])  # fmt: skip
    return ("\n".join("\t".join(r) for r in rows) + "\n").encode("utf-8")


def tunecore_csv(
    *, month: dt.date, tracks: list[dict[str, Any]], lines: int, seed: int, rate: Decimal
) -> bytes:
    """One month of TuneCore's sales report (comma-separated): sales in USD, earned in EUR at
    ``rate`` (the account's currency; "Total Earned" = "Net Sales" × "Exchange Rate")."""
    rnd = random.Random(seed)
    posted = month_add(month, 1)
    rows = [TUNECORE_HEADER]
    for n, line in enumerate(_lines(rnd, tracks, month.month, lines)):
        track = line["track"]
        kind = "Download" if line["kind"] == "Download" else "Stream"
        per_unit = (line["amount"] / line["units"]).quantize(Decimal("0.000001"))
        rows.append([
            f"{month:%Y-%m-%d}", f"{posted:%Y-%m}-15", line["store"], line["country"],
            DEMO_ARTIST, "Song", track["release"], track["title"], "North Pier Records",
            track["upc"], "", str(1_000_000 + n), track["isrc"], kind, str(line["units"]),
            f"{per_unit}", f"{line['amount']}", "USD", f"{rate}",
            f"{(line['amount'] * rate).quantize(Decimal('0.0000000001'))}", "EUR",
        ])  # fmt: skip
    return ("\r\n".join(",".join(_csv_cell(c) for c in r) for r in rows) + "\r\n").encode()


def _csv_cell(value: str) -> str:
    # These files are read by Liner's parsers, not a spreadsheet: quoting is all they need.
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _iswc(nine: str) -> str:
    from .codes import iswc_check_digit

    return f"T{nine}{iswc_check_digit(nine)}"


# The demo's songs: title, ISWC digits (made up, with a valid check digit computed), writers
# (address-book email, work role, publisher's email or ""), the publishing split (email, role,
# percent), the master split of its recording (email, role, percent; none: paid to the default
# payee) and who signs its sheet now (email, "login"|"link"; the rest are still asked).
SONGS: list[dict[str, Any]] = [
    {
        "title": "Low Tide", "release": "Low Tide", "iswc": "345246801",
        "writers": [("artist@liner.test", "composer_lyricist", "admin@harbourlights.example"),
                    ("ines@cowrite.example", "composer", "")],
        "publishing": [("artist@liner.test", "writer", "25"),
                       ("admin@harbourlights.example", "publisher", "25"),
                       ("ines@cowrite.example", "writer", "50")],
        "master": [("artist@liner.test", "artist", "60"),
                   ("ines@cowrite.example", "producer", "40")],
        "sign": "all",
    },
    {
        "title": "Glasshouse", "release": "Glasshouse", "iswc": "345246812",
        "writers": [("artist@liner.test", "composer_lyricist", "admin@harbourlights.example")],
        "publishing": [("artist@liner.test", "writer", "50"),
                       ("admin@harbourlights.example", "publisher", "50")],
        # Three ways: a hundred does not divide by three, so one share carries the last 0.0001.
        "master": [("artist@liner.test", "artist", "33.3334"),
                   ("ravi@sessions.example", "featured", "33.3333"),
                   ("engineer@liner.test", "producer", "33.3333")],
        "sign": "all",
    },
    {
        "title": "Northern Line", "release": "Glasshouse", "iswc": "345246823",
        "writers": [("artist@liner.test", "composer_lyricist", "admin@harbourlights.example")],
        "publishing": [("artist@liner.test", "writer", "50"),
                       ("admin@harbourlights.example", "publisher", "50")],
        # No master split: its master is locked as the releases demo left it, and its money goes
        # to the default payee (the payouts page says so).
        "master": [],
        "sign": "all",
    },
    {
        "title": "Paper Boats", "release": "Glasshouse", "iswc": "345246834",
        "writers": [("artist@liner.test", "lyricist", "admin@harbourlights.example"),
                    ("ines@cowrite.example", "composer", "")],
        "publishing": [("artist@liner.test", "writer", "30"),
                       ("admin@harbourlights.example", "publisher", "20"),
                       ("ines@cowrite.example", "writer", "50")],
        "master": [("artist@liner.test", "artist", "70"),
                   ("ines@cowrite.example", "producer", "30")],
        # Harbour Lights has not signed yet: the sheet waits for them (their link was emailed).
        "sign": ["artist@liner.test", "ines@cowrite.example"],
    },
    {
        "title": "Salt and Static", "release": "Glasshouse", "iswc": "345246845",
        "writers": [("artist@liner.test", "composer_lyricist", "")],
        "publishing": [("artist@liner.test", "writer", "100")],
        "master": [],
        "sign": "all",
    },
]  # fmt: skip

LICENSEE = {
    "name": "Fjord Pictures AB",
    "email": "licensing@fjordpictures.example",
    "organisation": "Fjord Pictures AB",
    "notes": "Music supervisor: Ebba Lund.",
}


def seed_rights(*, workspace: Any, user: Any, today: dt.date | None = None) -> None:
    """The demo's rights, after the releases demo (its tracks and the single's lock). Each part
    is skipped when it is there already, so a second run changes nothing."""
    from .models import Work

    today = today or dt.date.today()
    months = demo_months(today)
    if not Work.objects.filter(workspace=workspace).exists():
        _works(workspace, user, months[0])
    _licences(workspace, user, today)
    _money(workspace, user, months)


def _people(workspace: Any) -> dict[str, Any]:
    from collaborators.models import Person

    return {p.email: p for p in Person.objects.filter(workspace=workspace)}


def _tracks(workspace: Any) -> dict[str, Any]:
    from releases.models import Track

    return {t.title: t for t in Track.objects.filter(workspace=workspace).select_related("release")}


def _works(workspace: Any, user: Any, first_month: dt.date) -> None:
    from .services import sheets, splits, works

    people = _people(workspace)
    tracks = _tracks(workspace)
    for song in SONGS:
        work = works.work_create(
            workspace=workspace, user=user, title=song["title"], iswc=_iswc(song["iswc"]),
            language="en",
        )  # fmt: skip
        for email, role, publisher in song["writers"]:
            works.work_party_add(
                work=work, person=people[email], role=role, controlled=True,
                publisher=people[publisher] if publisher else None,
            )  # fmt: skip
        publishers = {p for _, _, p in song["writers"] if p}
        for email in sorted(publishers):
            works.work_party_add(work=work, person=people[email], role="publisher")
        track = tracks.get(song["title"])
        if track is not None:
            works.work_recordings_set(work=work, tracks=[track])
        splits.split_set_create(
            kind="publishing", work=work, effective_from=first_month, user=user,
            shares=[{"person": people[e], "role": r, "percent": Decimal(p)}
                    for e, r, p in song["publishing"]],
        )  # fmt: skip
        if song["master"] and track is not None:
            splits.split_set_create(
                kind="master", track=track, effective_from=first_month, user=user,
                shares=[{"person": people[e], "role": r, "percent": Decimal(p)}
                        for e, r, p in song["master"]],
            )  # fmt: skip
        version = sheets.current_version(work=work)
        parties = {p["id"] for p in version.snapshot["parties"]}
        signers = (
            [p for p in people.values() if p.pk in parties]
            if song["sign"] == "all"
            else [people[e] for e in song["sign"]]
        )
        for person in signers:
            by_login = person.user_id is not None
            sheets.split_sheet_sign(
                version=version, person=person, signed_name=person.name,
                via="login" if by_login else "link", user=person.user if by_login else None,
            )  # fmt: skip
    _relock_single(workspace, user, tracks.get("Low Tide"))


def _relock_single(workspace: Any, user: Any, track: Any) -> None:
    """A new master split ends the single's master lock (the lock covers the split): the owner
    approves and locks the same mix again, as they would in the review page."""
    from releases.models import MasterLock
    from releases.services import review

    if track is None or MasterLock.objects.filter(track=track, ended_at__isnull=True).exists():
        return
    last = MasterLock.objects.filter(track=track).order_by("-id").first()
    if last is None:
        return
    review.signoff_record(track=track, version=last.version, user=user, decision="approved",
                          note="The master split is signed: same mix.")  # fmt: skip
    review.master_lock(track=track, version=last.version, user=user)


def _licences(workspace: Any, user: Any, today: dt.date) -> None:
    from collaborators.models import Person
    from collaborators.services import person_create

    from .models import Licence, Work
    from .services.licences import licence_create

    if Licence.objects.filter(workspace=workspace).exists():
        return
    licensee = Person.objects.filter(workspace=workspace, email=LICENSEE["email"]).first()
    if licensee is None:
        licensee = person_create(workspace=workspace, roles=["other"], **LICENSEE)
    tracks = _tracks(workspace)
    low = Work.objects.filter(workspace=workspace, title="Low Tide").first()
    northern = Work.objects.filter(workspace=workspace, title="Northern Line").first()
    licence_create(
        workspace=workspace, user=user, direction="granted", kind="sync",
        title="“Low Tide” in the trailer of Tidewater (TV series)", counterparty=licensee,
        work=low, track=tracks.get("Low Tide"), media="tv", territories=["SE", "NO", "DK", "FI"],
        term_start=today - dt.timedelta(days=340), term_end=today + dt.timedelta(days=25),
        fee=Decimal("2500.00"), currency="EUR", status="active",
        notes="Renewal offered for season two: waiting for their answer.",
    )  # fmt: skip
    licence_create(
        workspace=workspace, user=user, direction="granted", kind="master_use",
        title="“Northern Line” in Night Ferry (short film)", counterparty=licensee,
        work=northern, track=tracks.get("Northern Line"), media="film", territories=[],
        term_start=today - dt.timedelta(days=60), term_end=None, fee=Decimal("800.00"),
        currency="EUR", status="active", exclusive=False,
    )  # fmt: skip


# USD → EUR by month (made up, near the 2025–26 rates): DistroKid pays in USD.
def _usd_rate(index: int) -> Decimal:
    return Decimal("0.9000") + Decimal(index % 5) * Decimal("0.0075")


def _catalogue(workspace: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The recordings as the distributors know them: the single through DistroKid, the album
    through TuneCore (an artist who changed distributor between releases)."""
    single, album = [], []
    popularity = {"Low Tide": 6, "Glasshouse": 4, "Northern Line": 3, "Paper Boats": 2,
                  "Salt and Static": 1}  # fmt: skip
    for title, track in _tracks(workspace).items():
        entry = {
            "title": title, "isrc": track.isrc, "upc": track.release.upc,
            "release": track.release.title, "popularity": popularity.get(title, 1),
        }  # fmt: skip
        (single if track.release.title == "Low Tide" else album).append(entry)
    return single, album


def _money(workspace: Any, user: Any, months: list[dt.date]) -> None:
    """Rates, a year of statements, an advance, the default payee, then every month calculated
    and all but the last two paid."""
    from collaborators.models import Person

    from .models import Advance, Statement
    from .services import payouts
    from .services.statements import statement_import

    maya = Person.objects.get(workspace=workspace, email="artist@liner.test")
    if payouts.rights_settings_get(workspace=workspace).default_payee_id is None:
        payouts.rights_settings_update(
            workspace=workspace, default_payee=maya, minimum_payout=Decimal("10.00"), user=user
        )
    single, album = _catalogue(workspace)
    # Seeded once: a second run would only calculate the open months again.
    if Statement.objects.filter(workspace=workspace).exists() or not (single or album):
        return
    for index, month in enumerate(months):
        rate = _usd_rate(index)
        payouts.exchange_rate_set(
            workspace=workspace, month=month, currency="USD", rate=rate, user=user
        )
        files = []
        if single:
            files.append((f"distrokid-{month:%Y-%m}.tsv", "distrokid", distrokid_tsv(
                month=month, tracks=single, lines=110, seed=1000 + month.toordinal(),
                unknown=index == len(months) - 1,
            )))  # fmt: skip
        if album:
            files.append((f"tunecore-{month:%Y-%m}.csv", "tunecore", tunecore_csv(
                month=month, tracks=album, lines=260, seed=2000 + month.toordinal(), rate=rate,
            )))  # fmt: skip
        for name, source, data in files:
            statement_import(
                workspace=workspace, file=io.BytesIO(data), filename=name, source=source,
                user=user,
            )  # fmt: skip
    album_release = next((t["release"] for t in album), None)
    if album_release and not Advance.objects.filter(workspace=workspace).exists():
        from releases.models import Release

        release = Release.objects.get(workspace=workspace, title=album_release)
        payouts.advance_create(
            workspace=workspace, release=release, recipient=maya, amount=Decimal("1500.00"),
            currency=workspace.default_currency, paid_on=months[0],
            recoup_from=Advance.RecoupFrom.RECIPIENT,
            description="Album advance from North Pier Records, recouped from Maya's share",
            user=user,
        )  # fmt: skip
    for month in months:
        period = payouts.period_calculate(workspace=workspace, month=month, user=user)
        if month < months[-2]:
            payouts.period_close(period=period, user=user)


def register() -> None:
    """Called from ``RightsConfig.ready()``: the rights part of ``seed_demo``, after the
    releases demo (apps register in INSTALLED_APPS order)."""
    from collaborators.demo import register_demo_seeder

    register_demo_seeder("rights", seed_rights)
