"""The delivery journey in Chromium, through the UI only, on the demo album "Glasshouse".

The owner opens the album's readiness page and reads why Spotify is blocked; each blocker's
"Fix it" link leads where it is cleared: the mixes are uploaded, approved (the guest engineer
logs in to sign off what the owner cannot) and locked, the cover uploaded, the explicit flags
set, the missing deliverables attached or ticked. Once Spotify reads ready, the owner builds
its bundle on the deliveries page, follows the progress bar and downloads the zip.

As in test_releases.py, the bundle job is held and run by the test while the page polls, so
the bar and the reload when it ends are seen working; the analyses of uploads run inline.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from PIL import Image

from collaborators import demo as registry
from releases import tasks
from releases.services import bundles

from ..audio.conftest import make_mix
from .test_audio import Held
from .test_journeys import login
from .test_releases import log_out

pytestmark = pytest.mark.django_db(transaction=True)

OWNER, ENGINEER, PASSWORD = "artist@liner.test", "engineer@liner.test", "liner-demo"
TRACKS = ("Glasshouse", "Northern Line", "Paper Boats", "Salt and Static")


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):
    from audio import demo as audio_demo
    from releases import demo as releases_demo

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    short = {"audio": audio_demo.seed_audio, "releases": releases_demo.seed_releases}
    for name, seed in short.items():  # shorter demo audio, as tests/releases/test_demo.py
        monkeypatch.setitem(registry._SEEDERS, name,
                            lambda seed=seed, **kw: seed(**{**kw, "seconds": 6.0}))  # fmt: skip
    # Without rights' demo: its pending split sheet (a publisher's signature by emailed link) is
    # a blocker this journey cannot clear from the owner's pages; tests/browser/test_rights.py
    # walks the rights side.
    monkeypatch.delitem(registry._SEEDERS, "rights", raising=False)
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def held_bundle(monkeypatch):
    held = Held()
    monkeypatch.setitem(tasks.TASKS, "bundle", held)
    return held


def cover_jpeg(path: Path) -> Path:
    """A 3000 × 3000 RGB JPEG: a diagonal gradient, as a designer's export might be."""
    ramp = np.linspace(0, 255, 3000, dtype=np.uint8)
    pixels = np.stack([np.add.outer(ramp, ramp) // 2, np.tile(ramp, (3000, 1)),
                       np.full((3000, 3000), 140)], axis=-1).astype(np.uint8)  # fmt: skip
    Image.fromarray(pixels, "RGB").save(path, quality=90)
    return path


def spotify(page):
    row = page.locator("#profile-spotify")
    if row.get_attribute("open") is None:
        row.locator("summary").click()
    return row


def fix(page, readiness_url: str, finding: str) -> None:
    """On the readiness page, follow the "Fix it" link of Spotify's blocker saying ``finding``."""
    page.goto(readiness_url)
    item = spotify(page).get_by_role("listitem").filter(has_text=finding)
    item.get_by_role("link", name="Fix it").click()


def test_clear_the_demo_albums_blockers_then_build_and_download_its_spotify_bundle(
    page, demo, held_bundle, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[str] = []  # scripts that failed, and failed loads
    page.on("pageerror", lambda exc: errors.append(f"{exc} ({page.url})"))
    page.on("console", lambda m: m.type == "error" and errors.append(f"{m.text} ({page.url})"))
    mix = make_mix(tmp_path / "Salt and Static (mix 1).wav", seconds=6.0, level_dbfs=-9.0)
    fixed = make_mix(tmp_path / "Glasshouse (mix 3).wav", seconds=6.0, seed=5, level_dbfs=-9.0)

    # 1. The owner opens the album's readiness page: Spotify is blocked, and says why.
    login(page, OWNER, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Releases").click()
    page.get_by_role("table", name="Releases").get_by_role("link", name="Glasshouse").click()
    album_url = page.url.split("#")[0]
    page.get_by_role("navigation", name="This release").get_by_role(
        "link", name="Readiness"
    ).click()
    readiness_url = page.url
    row = spotify(page)
    assert row.locator(".badge").first.text_content() == "blocked"
    assert "13 blockers" in row.locator("summary").inner_text()
    blockers = row.locator("li.finding-fail").all_inner_texts()
    for words in (
        "Get every approver's sign-off on v2 of “Glasshouse” and lock it as the master.",
        "Get every approver's sign-off on v1 of “Paper Boats” and lock it as the master.",
        "Upload a mix of “Salt and Static”, get it signed off and lock it as the master.",
        "Upload the cover art: Spotify needs a square image of at least 3000 × 3000 pixels.",
        "Say whether the release is explicit",
        *(f"Say whether “{t}” is explicit." for t in TRACKS),
        "Split sheets signed — missing.", "Press photos — missing.",
        "Artist bio — missing.", "Label copy — missing.",
    ):  # fmt: skip
        assert any(words in b for b in blockers), (words, blockers)

    # 2. The missing mix: uploaded and approved by the owner; the engineer still to sign.
    fix(page, readiness_url, "Upload a mix of “Salt and Static”")
    page.get_by_label("Mix file").set_input_files(mix)
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("v1 is up; its analysis has started.").wait_for()
    page.get_by_role("button", name="Approve v1").click()
    page.get_by_text("You approved v1.").wait_for()
    assert "1 of 2 approved v1." in page.get_by_role("region", name="Sign-off").inner_text()
    log_out(page)

    # 3. The engineer: the fix they asked for on "Glasshouse" as v3, approved; then Salt and
    # Static approved.
    login(page, ENGINEER, PASSWORD)
    page.wait_for_url(album_url)
    tracks = page.get_by_role("table", name="Tracks in order")
    tracks.get_by_role("link", name="Glasshouse", exact=True).click()
    page.get_by_label("Mix file").set_input_files(fixed)
    page.get_by_label("What changed").fill("Bridge: 1 dB more low mids.")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("v3 is up; its analysis has started.").wait_for()
    page.get_by_role("button", name="Approve v3").click()
    page.get_by_text("You approved v3.").wait_for()
    page.get_by_role("link", name="← Glasshouse").click()
    tracks.get_by_role("link", name="Salt and Static", exact=True).click()
    page.get_by_role("button", name="Approve v1").click()
    page.get_by_text("You approved v1.").wait_for()
    log_out(page)

    # 4. The owner approves v3 and locks the three masters, each from its blocker's link.
    login(page, OWNER, PASSWORD)
    page.wait_for_url("**/w/maya-lind/")
    fix(page, readiness_url, "of “Glasshouse” and lock it")
    page.get_by_role("button", name="Approve v3").click()
    page.get_by_text("You approved v3.").wait_for()
    page.get_by_role("button", name="Lock v3 as the master").click()
    page.get_by_text("v3 is locked as the master.").wait_for()
    for track in ("Paper Boats", "Salt and Static"):
        fix(page, readiness_url, f"on v1 of “{track}” and lock it")
        page.get_by_role("button", name="Lock v1 as the master").click()
        page.get_by_text("v1 is locked as the master.").wait_for()

    # 5. The cover, the explicit flags of the release and of each track.
    fix(page, readiness_url, "Upload the cover art")
    page.get_by_label("Upload artwork").set_input_files(cover_jpeg(tmp_path / "cover.jpg"))
    page.locator("#artwork").get_by_role("button", name="Upload", exact=True).click()
    page.get_by_text("3000 × 3000 px").wait_for()
    fix(page, readiness_url, "Say whether the release is explicit")
    page.get_by_label("Explicit").select_option(label="Not explicit")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved.").wait_for()
    for track in TRACKS:
        fix(page, readiness_url, f"Say whether “{track}” is explicit.")
        page.get_by_label("Explicit").select_option(label="Not explicit")
        page.get_by_role("button", name="Save").click()
        page.get_by_text(f"“{track}” saved.").wait_for()

    # 6. The deliverables: the split sheet and a press photo attached, bio and label copy ticked.
    fix(page, readiness_url, "Split sheets signed — missing.")
    split = tmp_path / "Glasshouse split sheet.pdf"
    split.write_bytes(b"%PDF-1.4\n% signed by every writer\n%%EOF\n")
    photo = tmp_path / "Maya Lind press photo.jpg"
    Image.new("RGB", (1200, 800), (90, 60, 40)).save(photo)
    for title, path in (("Split sheets signed", split), ("Press photos", photo)):
        page.get_by_label(f"Attach a file for {title}").set_input_files(path)
        page.get_by_role("button", name=f"Upload the file for {title}").click()
        page.get_by_role("link", name=path.name).wait_for()
    for title in ("Artist bio", "Label copy"):
        page.get_by_role("button", name=f"Mark {title} as done").click()
        page.get_by_role("button", name=f"Mark {title} as not done").wait_for()

    # 7. Readiness: nothing blocks Spotify any more.
    page.goto(readiness_url)
    row = spotify(page)
    assert (
        row.locator(".badge").first.text_content() == "warn"
    )  # the masters' QC warnings: none blocks
    assert "0 blockers" in row.locator("summary").inner_text()
    assert row.locator("li.finding-fail").count() == 0

    # 8. The Spotify bundle: built while the page follows its progress, then downloaded.
    page.get_by_role("navigation", name="This release").get_by_role(
        "link", name="Deliveries"
    ).click()
    page.get_by_role("button", name="Build bundle for Spotify").click()
    page.get_by_text("The bundle is being built; this page shows its progress.").wait_for()
    progress = page.get_by_role("progressbar", name="Delivery bundle progress")
    assert progress.is_visible()
    assert page.locator(".job-stage").inner_text() == "Delivery bundle: Waiting for a worker"
    (job_id,) = held_bundle.job_ids
    bundles.run(job_id=job_id)
    download_link = page.get_by_role("link", name="Download the zip of the Spotify bundle")
    download_link.wait_for(timeout=30_000)  # the poll saw the job end and reloaded the page
    assert progress.count() == 0
    with page.expect_download() as info:
        download_link.click()
    zipped = zipfile.ZipFile(info.value.path())
    names = set(zipped.namelist())
    for n, track in enumerate(TRACKS, 1):
        assert f"{n:02d} - {track}.flac" in names, names
    assert {"cover.jpg", "ern.xml", "metadata.csv"} <= names
    rows = list(csv.DictReader(io.StringIO(zipped.read("metadata.csv").decode("utf-8-sig"))))
    assert [r["Title"] for r in rows] == list(TRACKS), rows
    assert all(re.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}\d{7}", r["ISRC"]) for r in rows), rows
    assert {r["Explicit"] for r in rows} == {"Not explicit"}, rows
    assert b"Glasshouse" in zipped.read("ern.xml")
    assert errors == []
