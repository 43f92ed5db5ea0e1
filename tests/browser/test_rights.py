"""The royalties journey in Chromium, through the UI only.

The owner uploads a DistroKid statement (written here, in the newer layout) with one line whose
ISRC is a typo, follows the import's progress to its end, matches the unknown line to its
recording in the review queue, calculates the month on the payouts page and reads each payee's
amount, then opens a payee statement and downloads it as PDF and CSV. A member without the
finance permission sees no money link and is refused the payouts page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from collaborators.models import Person
from rights.services import sheets, splits, works

from ..factories import (
    MembershipFactory,
    ReleaseFactory,
    TrackFactory,
    UserFactory,
    WorkspaceFactory,
)
from .test_audio import Held
from .test_journeys import login

pytestmark = pytest.mark.django_db(transaction=True)

OWNER = "maya@example.com"
MEMBER = "ravi@example.com"
MONTH = dt.date(2026, 3, 1)
HEADER = [
    "Reporting Date", "Sale Month", "Store", "Artist", "Title", "ISRC", "UPC", "Quantity",
    "Team Percentage", "Source Type", "Country of Sale", "Songwriter Royalties Withheld (USD)",
    "Earnings (USD)", "Recoup (USD)", "Date Inserted",
]  # fmt: skip
# (store, country, title, ISRC, quantity, earnings in USD); the last ISRC has a typo.
LINES = [
    ("Spotify", "SE", "Low Tide", "SELND2600001", "4100", "12.30"),
    ("Apple Music", "US", "Low Tide", "SELND2600001", "900", "6.30"),
    ("Spotify", "GB", "Harbour Song", "SELND2600002", "1500", "4.50"),
    ("Deezer", "DE", "Harbour Song", "SELND2600092", "800", "2.90"),
]


def statement_tsv() -> bytes:
    rows = [HEADER] + [
        ["2026-05-04", f"{MONTH:%Y-%m}", store, "Maya Lind", title, isrc, "", qty, "100",
         "Streaming", country, "0", usd, "0", "2026-05-06"]
        for store, country, title, isrc, qty, usd in LINES
    ]  # fmt: skip
    return ("\n".join("\t".join(r) for r in rows) + "\n").encode()


@pytest.fixture
def workspace(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    ws = WorkspaceFactory(name="Maya Lind", slug="maya-lind", default_currency="USD")
    owner = UserFactory(email=OWNER, name="Maya Lind")
    MembershipFactory(workspace=ws, user=owner, role="owner")
    MembershipFactory(workspace=ws, user=UserFactory(email=MEMBER, name="Ravi"), role="member")
    maya = Person.objects.create(workspace=ws, name="Maya Lind", email="maya@lind.example")
    ines = Person.objects.create(workspace=ws, name="Ines Duarte", email="ines@cowrite.example")
    release = ReleaseFactory(workspace=ws, title="Low Tide", type="single")
    low = TrackFactory(release=release, title="Low Tide", isrc="SELND2600001")
    TrackFactory(release=release, title="Harbour Song", isrc="SELND2600002")
    # "Low Tide" is split 50/50 and both signed; "Harbour Song" has no split: its money goes to
    # the default payee (Maya).
    work = works.work_create(workspace=ws, title="Low Tide")
    works.work_recordings_set(work=work, tracks=[low])
    splits.split_set_create(
        kind="master", track=low, effective_from=dt.date(2026, 1, 1),
        shares=[{"person": maya, "role": "artist", "percent": Decimal("50")},
                {"person": ines, "role": "producer", "percent": Decimal("50")}],
    )  # fmt: skip
    version = sheets.current_version(work=work)
    for person in (maya, ines):
        sheets.split_sheet_sign(version=version, person=person, signed_name=person.name,
                                via="link")  # fmt: skip
    from rights.services import payouts

    payouts.rights_settings_update(workspace=ws, default_payee=maya, minimum_payout=Decimal("0"))
    return ws


@pytest.fixture
def held_import(monkeypatch):
    from rights import tasks

    held = Held()
    monkeypatch.setitem(tasks.TASKS, "import", held)
    return held


def test_import_match_calculate_and_download_a_payee_statement(
    page, workspace, held_import, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    path = tmp_path / "distrokid-2026-03.tsv"
    path.write_bytes(statement_tsv())
    login(page, OWNER)
    page.wait_for_url("**/w/maya-lind/")
    page.goto("/w/maya-lind/rights/")

    # 1. Upload the statement and follow the import to its end.
    subnav(page).get_by_role("link", name="Overview").wait_for()
    upload_statement(page, path, held_import)

    # 2. The review queue holds the line with the mistyped ISRC: match it to its recording.
    match_unknown_line(page)

    # 3. Payouts: calculate March and read each payee's part (USD, the workspace's currency).
    page.goto("/w/maya-lind/rights/")
    subnav(page).get_by_role("link", name="Payouts").click()
    page.get_by_label("Month (YYYY-MM)").fill("2026-03")
    page.get_by_role("button", name="Calculate").click()
    page.wait_for_url("**/rights/payouts/2026-03/")
    payees = page.get_by_role("table", name="Payees")
    # Low Tide 18.60 split 50/50; Harbour Song 7.40 (both lines, the matched one too) to Maya.
    maya = payees.get_by_role("row").filter(has_text="Maya Lind")
    ines = payees.get_by_role("row").filter(has_text="Ines Duarte")
    assert "16.70" in maya.inner_text() and "9.30" in ines.inner_text()
    assert (
        "Harbour Song"
        in page.get_by_role("region", name="Recordings paid to the default payee").inner_text()
    )

    # 4. Ines's statement: its page, then the PDF and the CSV.
    ines.get_by_role("link", name="View").click()
    page.get_by_role("heading", name="Royalty statement 2026-03: Ines Duarte").wait_for()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as csv_file:
        page.get_by_role("link", name="Download CSV").click()
    text = Path(csv_file.value.path()).read_text(encoding="utf-8-sig")
    assert "Low Tide" in text and "9.30" in text
    assert not errors, errors

    # 5. A member without the finance permission: no money link, and the page is refused.
    page.get_by_role("button", name="Log out").click()
    login(page, MEMBER)
    page.wait_for_url("**/w/maya-lind/")
    page.goto("/w/maya-lind/rights/")
    nav = subnav(page)
    assert nav.get_by_role("link", name="Works and splits").is_visible()
    for money in ("Payouts", "Statements", "Review queue", "Licences"):
        assert nav.get_by_role("link", name=money, exact=True).count() == 0
    assert page.goto("/w/maya-lind/rights/payouts/").status == 403


def subnav(page):
    return page.get_by_role("navigation", name="Rights and royalties")


def upload_statement(page, path, held) -> None:
    """Through the statements page; the import job is held, then run while the page polls."""
    from rights.services.statements import run

    subnav(page).get_by_role("link", name="Statements", exact=True).click()
    page.get_by_label("Statement file").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()
    page.get_by_role("heading", name=path.name).wait_for()
    progress = page.get_by_role("progressbar")
    assert progress.is_visible()
    (job_id,) = held.job_ids
    run(job_id=job_id)
    page.locator("dl.panel").wait_for(timeout=30_000)  # the poll saw the job end and reloaded
    assert progress.count() == 0
    figures = page.locator("dl.panel").inner_text()
    assert "4" in figures and "26.00 USD" in figures, figures


def match_unknown_line(page) -> None:
    """The review queue: the mistyped ISRC's line, matched to “Harbour Song”."""
    page.get_by_role("link", name="match them in the review queue").click()
    page.get_by_role("heading", name="Review queue").wait_for()
    row = page.get_by_role("row").filter(has_text="SELND2600092")
    select = row.get_by_role("combobox")
    label = next(t for t in select.locator("option").all_inner_texts() if "Harbour Song" in t)
    select.select_option(label=label)
    row.get_by_role("button", name="Match").click()
    page.get_by_text("Every imported line is matched to a recording.").wait_for()


def test_a_split_of_ten_parties_through_the_add_a_row_button(page, workspace):
    """The form offers eight rows; "Add a row" gives more, and the live total counts them."""
    from rights.models import SplitSet, Work

    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    people = [Person.objects.create(workspace=workspace, name=f"Writer {n:02d}") for n in range(10)]
    work = Work.objects.get(workspace=workspace, title="Low Tide")
    login(page, OWNER)
    page.wait_for_url("**/w/maya-lind/")
    page.goto(f"/w/maya-lind/rights/works/{work.pk}/splits/new/")
    rows = page.locator("#shares tbody tr")
    assert rows.count() == 8
    page.get_by_role("button", name="Add a row").click()
    page.get_by_role("button", name="Add a row").click()
    assert rows.count() == 10
    for n, person in enumerate(people, start=1):
        page.get_by_label(f"Person, row {n}", exact=True).select_option(label=person.name)
        page.get_by_label(f"Role, row {n}", exact=True).select_option(label="Writer")
        page.get_by_label(f"Share, row {n}", exact=True).fill("10")
    assert page.locator("#share-total").inner_text() == "100 %"
    page.get_by_label("Starts from (month)").fill("2026-01")
    page.get_by_role("button", name="Save the new version").click()
    page.wait_for_url(f"**/rights/works/{work.pk}/")
    split = SplitSet.objects.get(work=work, kind="publishing")
    assert split.shares.count() == 10 and split.total == Decimal("100")
    assert errors == []
