"""The release review journey in Chromium, through the UI only.

The owner makes a release and a track (ISRC "auto" from the registrant prefix), uploads a
mix, watches its analysis finish, comments at a moment picked on the waveform and asks an
engineer (a login with no workspace) to be a guest and to sign off. The engineer lands on
that release and nothing else, replies and approves. The owner locks the approved mix as
the master and reads what the lock covers.

As in test_audio.py, the analysis job is held and run by the test while the page is polling,
so the progress bar and the reload when it ends are seen working.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from audio import tasks
from audio.models import Job
from audio.services import analysis

from ..audio.conftest import make_mix
from ..factories import (
    MembershipFactory,
    PersonFactory,
    ReleaseFactory,
    UserFactory,
    WorkspaceFactory,
)
from .test_audio import Held
from .test_journeys import login

pytestmark = pytest.mark.django_db(transaction=True)

OWNER = "maya@example.com"
ENGINEER = "sam@studio.example"
SECONDS = 4.0
REFUSED = ("/w/maya-lind/audio/", "/w/maya-lind/releases/")  # the workspace's lists, to a guest


@pytest.fixture
def held_analysis(monkeypatch):
    held = Held()
    monkeypatch.setitem(tasks.TASKS, "analyze", held)
    return held


@pytest.fixture
def workspace(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    ws = WorkspaceFactory(name="Maya Lind", slug="maya-lind")
    MembershipFactory(workspace=ws, user=UserFactory(email=OWNER, name="Maya Lind"), role="owner")
    PersonFactory(workspace=ws, name="Maya Lind", email="maya@lind.example")
    UserFactory(email=ENGINEER, name="Sam Reyes")  # a login of their own, no workspace
    return ws


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()


def not_found(page, path: str) -> bool:
    response = page.goto(path)
    return response.status == 404 and page.get_by_role("heading", name="Not found").is_visible()


def test_review_a_mix_with_a_guest_engineer_then_lock_the_master(
    page, workspace, held_analysis, tmp_path
):
    page.set_viewport_size({"width": 1280, "height": 900})
    errors: list[tuple[str, str]] = []  # (what, the page or file it came from)
    page.on("pageerror", lambda exc: errors.append((str(exc), page.url)))
    page.on("console", lambda m: m.type == "error" and errors.append((m.text, m.location["url"])))
    other = ReleaseFactory(workspace=workspace, title="Winter Demos", type="ep")
    mix = make_mix(tmp_path / "Glass Floor (mix 1).wav", seconds=SECONDS, level_dbfs=-9.0)

    # 1. The owner: a registrant prefix, a release with its artist, a track with an ISRC.
    login(page, OWNER)
    page.wait_for_url("**/w/maya-lind/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Releases").click()
    page.get_by_role("link", name="Catalogue settings").click()
    page.get_by_label("ISRC registrant prefix").fill("SE-A1B")
    page.get_by_label("ISRC registrant prefix").press("Enter")
    page.get_by_text("Catalogue settings saved.").wait_for()
    page.get_by_role("link", name="← Releases").click()

    page.get_by_role("link", name="New release").first.click()
    page.get_by_label("Title").fill("Night Glass")
    page.get_by_label("Type").select_option(label="EP")
    page.get_by_label("Artists").select_option(label="Maya Lind")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Night Glass", level=1).wait_for()
    assert "EP by Maya Lind" in page.locator(".lede").first.inner_text()

    page.get_by_role("link", name="Add a track").click()
    page.get_by_label("Title").fill("Glass Floor")
    page.get_by_label("ISRC").fill("auto")
    page.get_by_role("button", name="Save").click()
    # The first code of the prefix, in this year: SE-A1B-YY-00001.
    first_code = r"SE-A1B-\d\d-00001"
    added = page.get_by_text(re.compile(f"“Glass Floor” added as track 1 with ISRC {first_code}"))
    isrc = re.search(first_code, added.inner_text()).group()
    tracks = page.get_by_role("table", name="Tracks in order")
    assert tracks.get_by_role("row", name=re.compile("Glass Floor")).get_by_text(isrc).is_visible()

    # The mix: uploaded on the track page, its analysis followed until the page reloads.
    tracks.get_by_role("link", name="Glass Floor", exact=True).click()
    page.get_by_role("heading", name="No mix yet").wait_for()
    assert f"ISRC {isrc}" in page.locator(".lede").inner_text()
    page.get_by_label("Mix file").set_input_files(mix)
    page.get_by_label("What changed").fill("First mix")
    page.get_by_role("button", name="Upload").click()
    page.get_by_text("v1 is up; its analysis has started.").wait_for()
    progress = page.get_by_role("progressbar", name="Analysis progress")
    assert progress.is_visible()
    assert page.get_by_role("img", name=re.compile("Waveform")).count() == 0
    (job_id,) = held_analysis.job_ids
    analysis.run(job_id=job_id)
    waveform = page.get_by_role("img", name=re.compile("^Waveform of v1"))
    waveform.wait_for()  # the poll saw the job end and reloaded the page
    assert progress.count() == 0
    lufs = Job.objects.get(pk=job_id).audio_file.analysis["integrated_lufs"]
    versions = page.get_by_role("table", name="Mix versions, newest first")
    assert f"{lufs:.1f} LUFS" in versions.inner_text()

    # A comment at a moment picked on the waveform: the click fills in the time and hands the
    # keyboard to the comment; Tab, Enter sends it.
    box = waveform.bounding_box()
    waveform.click(position={"x": box["width"] * 0.5625, "y": box["height"] / 2})  # 2.25 s
    assert page.get_by_label("At", exact=True).input_value() == "0:02.2"
    assert page.evaluate("document.activeElement.id") == "comment-body"
    page.keyboard.type("The snare gets lost under the pad here.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Comment added at 0:02.").wait_for()
    thread = page.get_by_role("article", name=re.compile("0:02 Maya Lind"))
    assert thread.get_by_role("button", name="Play from 0:02").is_visible()
    assert "The snare gets lost under the pad here." in thread.inner_text()
    markers = page.get_by_role("list", name="Comments on v1 along the waveform")
    assert markers.get_by_role("link", name=re.compile("^0:02: The snare")).count() == 1

    # The engineer: a guest at once (they have a login), then an approver of every track.
    page.get_by_role("link", name="← Night Glass").click()
    people = page.get_by_role("region", name="Who signs off, and guests")
    people.get_by_label("Invite by email").fill(ENGINEER)
    people.get_by_label("If they already have a Liner login, add them at once").check()
    people.get_by_role("button", name="Invite guest").click()
    page.get_by_text("Sam Reyes is now a guest on this release.").wait_for()
    guest = people.get_by_role("listitem").filter(has_text=f"Sam Reyes ({ENGINEER})")
    assert guest.get_by_role("button", name="Remove guest Sam Reyes").is_visible()
    people.get_by_label("Person").select_option(label=f"Sam Reyes ({ENGINEER})")
    people.get_by_label("Signs off").select_option(label="Every track")
    people.get_by_role("button", name="Add approver").click()
    page.get_by_text("Sam Reyes now signs off every track.").wait_for()
    assert people.get_by_role("listitem").filter(has_text="Sam Reyes — every track").is_visible()
    release_url = page.url.split("#")[0]
    log_out(page)

    # 2. The engineer lands on the release: the only thing of the workspace they see.
    login(page, ENGINEER)
    page.wait_for_url(release_url)
    page.get_by_role("heading", name="Night Glass", level=1).wait_for()
    nav = page.get_by_role("navigation", name="Main")
    assert [link.inner_text() for link in nav.get_by_role("link").all()] == ["Night Glass"]
    assert "guest of Maya Lind" in nav.inner_text()
    assert page.get_by_role("region", name="Who signs off, and guests").count() == 0
    assert not_found(page, f"/w/maya-lind/releases/{other.pk}/")
    for path in REFUSED:
        assert not_found(page, path)

    page.goto(release_url)
    page.get_by_role("link", name="Glass Floor", exact=True).click()
    assert "you are a guest on this release" in page.locator(".lede").inner_text()
    thread = page.get_by_role("article", name=re.compile("0:02 Maya Lind"))
    thread.get_by_text("Reply", exact=True).click()
    thread.get_by_label("Your reply").fill("Pushed the snare up 1.5 dB; the pad ducks now.")
    thread.get_by_role("button", name="Send reply").click()
    replies = page.get_by_role("article", name=re.compile("0:02 Maya Lind")).get_by_role(
        "list", name="Replies"
    )
    replies.wait_for()
    assert "Sam Reyes" in replies.inner_text()
    assert "Pushed the snare up 1.5 dB" in replies.inner_text()

    signoff = page.get_by_role("region", name="Sign-off")
    assert signoff.get_by_text("waiting for v1").is_visible()
    signoff.get_by_role("button", name="Approve v1").click()
    page.get_by_text("You approved v1.").wait_for()
    signoff = page.get_by_role("region", name="Sign-off")
    sam = signoff.get_by_role("listitem").filter(has_text="Sam Reyes")
    assert sam.get_by_text("approved v1").is_visible()
    assert "Everyone approved v1." in signoff.inner_text()
    # Locking is the workspace's: the guest is told, not offered the button.
    master = page.get_by_role("region", name="Master")
    assert "a member of the workspace locks it as the master" in master.inner_text()
    assert master.get_by_role("button").count() == 0
    log_out(page)

    # 3. The owner sees the approval and locks v1 as the master.
    login(page, OWNER)
    page.wait_for_url("**/w/maya-lind/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Releases").click()
    page.get_by_role("link", name="Night Glass").click()
    page.get_by_role("table", name="Tracks in order").get_by_role(
        "link", name="Glass Floor", exact=True
    ).click()
    assert page.locator(".review-status").text_content().strip() == "v1 approved"
    sam = page.get_by_role("region", name="Sign-off").get_by_role("listitem")
    assert sam.filter(has_text="Sam Reyes").get_by_text("approved v1").is_visible()
    assert "Pushed the snare up 1.5 dB" in page.get_by_role("list", name="Replies").inner_text()
    page.get_by_role("button", name="Lock v1 as the master").click()
    page.get_by_text("v1 is locked as the master.").wait_for()
    assert page.locator(".review-status").text_content().strip() == "Master locked: v1"
    master = page.get_by_role("region", name="Master")
    assert "v1 is locked as the master, by Maya Lind" in master.inner_text()
    master.get_by_role("heading", name="What the lock covers").wait_for()
    covers = master.locator("dl.lock-covers").inner_text()
    assert "exactly these bytes" in covers and isrc in covers
    assert "Maya Lind: Main artist" in covers
    row = page.get_by_role("table", name="Mix versions, newest first").get_by_role(
        "row", name=re.compile("^v1")
    )
    assert row.get_by_text("master", exact=True).is_visible()

    page.get_by_role("link", name="← Night Glass").click()
    track_row = page.get_by_role("table", name="Tracks in order").get_by_role(
        "row", name=re.compile("Glass Floor")
    )
    assert track_row.get_by_text("Locked", exact=True).is_visible()
    # No script failed; the only failed loads were the refused pages and the favicon (none).
    refused = {*REFUSED, f"/w/maya-lind/releases/{other.pk}/", "/favicon.ico"}
    assert [(what, url) for what, url in errors if urlsplit(url).path not in refused] == []
