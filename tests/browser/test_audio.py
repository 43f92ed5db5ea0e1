"""The audio pages in Chromium: drop two mixes and a PDF on the list, watch each upload and
its analysis progress, read the report (plot and waveform drawn), master a mix while the page
follows the job, then compare before and after at matched loudness.

Jobs are held instead of run inline, and the test runs them itself at the moment it chooses,
so the pages' progress bars and polling are seen working, not skipped.
"""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from audio import tasks
from audio.models import AudioFile, Job
from audio.services import analysis, mastering
from collaborators.permissions import Role

from ..audio.conftest import make_mix
from ..factories import MembershipFactory, UserFactory, WorkspaceFactory
from .test_journeys import login

pytestmark = pytest.mark.django_db(transaction=True)

# Set LINER_SCREENSHOTS to a folder to keep pictures of the pages (to look at them).
SHOTS = os.environ.get("LINER_SCREENSHOTS", "")

CANVAS_INK = """(selector) => {
  const c = document.querySelector(selector);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n;
}"""

DROP = """([selector, files]) => {
  const dt = new DataTransfer();
  for (const f of files) {
    const bytes = Uint8Array.from(atob(f.data), (ch) => ch.charCodeAt(0));
    dt.items.add(new File([bytes], f.name, {type: f.type}));
  }
  const zone = document.querySelector(selector);
  for (const type of ['dragenter', 'dragover', 'drop']) {
    zone.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
  }
}"""


class Held:
    """Stands in for a Celery task: remembers the job instead of running it."""

    def __init__(self) -> None:
        self.job_ids: list[int] = []

    def delay(self, *, job_id: int) -> None:
        self.job_ids.append(job_id)


@pytest.fixture
def held(monkeypatch):
    held = {kind: Held() for kind in tasks.TASKS if kind != "sweep"}
    for kind, stand_in in held.items():
        monkeypatch.setitem(tasks.TASKS, kind, stand_in)
    return held


@pytest.fixture
def engineer(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    user = UserFactory(email="sam@example.com", name="Sam Reyes")
    ws = WorkspaceFactory(name="Maya Lind", slug="maya-lind")
    MembershipFactory(workspace=ws, user=user, role=Role.MEMBER)
    return user


def _file(path: Path, kind: str) -> dict[str, str]:
    return {"name": path.name, "type": kind, "data": base64.b64encode(path.read_bytes()).decode()}


def shot(target, name: str, **kwargs) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(Path(SHOTS) / name), **kwargs)


def test_drop_mixes_read_the_report_and_master_with_ab(page, engineer, held, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    first = make_mix(tmp_path / "Low Tide.wav", seconds=6.0, level_dbfs=-9.0)
    second = make_mix(tmp_path / "Glasshouse.wav", seconds=5.0, seed=4)
    notes = tmp_path / "liner notes.pdf"
    notes.write_bytes(b"%PDF-1.7\n" + b"not audio at all " * 200)

    login(page, "sam@example.com")
    page.wait_for_url("**/w/maya-lind/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audio").click()
    page.get_by_role("heading", name="No audio yet").wait_for()

    # Drop three files at once: each is sent on its own and answers for itself.
    files = [_file(first, "audio/wav"), _file(notes, "application/pdf"), _file(second, "audio/wav")]
    page.evaluate(DROP, ["#dropzone", files])
    uploads = page.locator("#uploads li")
    page.wait_for_function("document.querySelectorAll('#uploads li.ok').length === 2")
    assert uploads.count() == 3
    failed = page.locator("#uploads li.failed")
    assert "“liner notes.pdf” is not an audio file Liner can read" in failed.inner_text()
    assert "It looks like a PDF" in failed.inner_text()
    assert page.locator("#uploads li.ok progress").first.get_attribute("value") == "100"

    # The new files are in the list at once, each following its analysis.
    rows = page.locator("#audio-rows tr.file-row")
    assert rows.count() == 2 and page.locator("#audio-empty").count() == 0
    assert rows.first.get_by_role("progressbar").is_visible()
    assert set(AudioFile.objects.values_list("original_name", flat=True)) == {
        "Low Tide.wav",
        "Glasshouse.wav",
    }
    shot(page, "audio-list-analysing.png", full_page=True)
    low_tide = AudioFile.objects.get(original_name="Low Tide.wav")
    glasshouse = AudioFile.objects.get(original_name="Glasshouse.wav")
    jobs = dict(Job.objects.filter(kind="analyze").values_list("audio_file_id", "pk"))
    analysis.run(job_id=jobs[low_tide.pk])
    low_tide.refresh_from_db()
    row = page.locator(f"#file-{low_tide.pk}")
    row.get_by_text(f"{low_tide.analysis['integrated_lufs']:.1f}\u00a0LUFS").wait_for()
    assert row.get_by_role("progressbar").count() == 0
    row.locator(".summary .badge").first.wait_for()
    shot(page, "audio-list.png", full_page=True)

    # A report still being made: the page follows the job and shows the report when it ends.
    page.locator(f"#file-{glasshouse.pk}").get_by_role("link", name="Glasshouse.wav").click()
    page.get_by_role("heading", name="Analysis", exact=True).wait_for()
    assert page.get_by_role("progressbar").is_visible()
    analysis.run(job_id=jobs[glasshouse.pk])
    page.get_by_role("heading", name="Measurements").wait_for()
    assert page.get_by_role("heading", name="Analysis", exact=True).count() == 0
    page.get_by_role("link", name="← Audio").click()

    # The report: numbers, the plot (plotly) and the waveform (canvas), the destinations.
    page.locator(f"#file-{low_tide.pk}").get_by_role("link", name="Low Tide.wav").click()
    page.get_by_role("heading", name="Measurements").wait_for()
    page.locator("#loudness-plot svg.main-svg").first.wait_for()
    assert page.locator("#loudness-plot .scatterlayer .trace").count() >= 1
    assert page.evaluate(CANVAS_INK, "#waveform") > 1000
    assert page.get_by_role("heading", name="After encoding").is_visible()
    shot(page, "audio-report.png", full_page=True)

    # The measurement list and the codec stages are folded to their headline figures, and open
    # from the keyboard with their focus in sight.
    readings = page.locator("#measurements details.readings-fold")
    headline = readings.locator("summary").inner_text()
    sample_peak = f"{low_tide.analysis['sample_peak_dbfs']:.1f}"
    assert "Sample peak" in headline and sample_peak in headline, headline
    assert not readings.locator("dl.readings").is_visible()
    readings.locator("summary").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    readings.locator("dl.readings").wait_for()
    assert "the loudest 400 ms" in readings.inner_text()
    codec = page.locator("#codec details.codec-fold")
    assert "Codec check: MP3 320 peaks at" in codec.locator("summary").inner_text()
    assert not codec.locator("table.codec").is_visible()
    codec.locator("summary").focus()
    page.keyboard.press("Enter")
    assert "Your file (lossless)" in codec.locator("table.codec").inner_text()

    # The destinations: a row each, to compare at a glance; the keyboard opens one's detail.
    rows = page.locator("#stores details.dest")
    assert rows.count() == 14
    spotify = page.locator("#dest-spotify")
    assert "PASS" in spotify.locator("summary").inner_text().upper()
    assert "-14 LUFS" in spotify.inner_text() and "turns it up" in spotify.inner_text()
    detail = spotify.locator(".dest-body")
    assert not detail.is_visible()
    spotify.locator("summary").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")  # the focus is visible
    page.keyboard.press("Enter")
    detail.wait_for()
    assert "Spotify will turn this up by" in detail.inner_text()
    page.keyboard.press("Enter")
    detail.wait_for(state="hidden")
    shot(page.locator("#stores"), "audio-destinations.png")

    # Master it: the page follows the job, then shows before and after.
    page.locator("summary", has_text="New master…").click()
    page.get_by_label("Deliver to").select_option("apple-music")
    page.get_by_role("radio", name="Loud").check()
    page.evaluate(
        """() => { const r = document.querySelector('input[name=mix]');
                   r.value = 80; r.dispatchEvent(new Event('input', {bubbles: true})); }"""
    )
    assert page.locator(".range-value").inner_text() == "80 %"
    page.get_by_role("button", name="Master it").click()
    job = Job.objects.get(kind="master")
    article = page.locator(f"#master-{job.pk}")
    article.get_by_role("progressbar").wait_for()
    Job.objects.filter(pk=job.pk).update(status="running", progress=40, stage="Limiting")
    article.get_by_text("Limiting · 40 %").wait_for()
    mastering.run(job_id=job.pk)
    toggle = page.get_by_role("button", name="Listening to: original")
    toggle.wait_for()
    job.refresh_from_db()
    after = job.result["after"]["integrated_lufs"]
    table = article.locator("table.compare")
    assert f"{after:.1f} LUFS" in table.inner_text() and "Before" in table.inner_text()
    assert job.params == {**job.params, "intensity": "loud", "mix": 0.8}
    gain = round(after - job.result["before"]["integrated_lufs"], 1)
    note = article.locator(".ab-note").inner_text()
    assert "Playing at matched loudness" in note and f"{abs(gain):.1f} dB" in note
    assert page.evaluate(CANVAS_INK, f"#master-{job.pk} .ab-wave") > 1000

    # A/B: both run together, the louder one turned down to the other's loudness.
    article.get_by_role("button", name="Play both").click()
    page.wait_for_function(
        f"""() => {{ const box = document.querySelector('#master-{job.pk} .ab');
                     return box.querySelector('.ab-a').currentTime > 0.2
                         && box.querySelector('.ab-b').currentTime > 0.2; }}"""
    )
    volumes = page.evaluate(
        f"""() => {{ const box = document.querySelector('#master-{job.pk} .ab');
                     const a = box.querySelector('.ab-a'), b = box.querySelector('.ab-b');
                     return [a.volume, b.volume, a.muted, b.muted]; }}"""
    )
    louder = 10 ** (-abs(gain) / 20)
    expected = [1.0, louder] if gain > 0 else [louder, 1.0]
    assert volumes[0] == pytest.approx(expected[0], abs=0.01)
    assert volumes[1] == pytest.approx(expected[1], abs=0.01)
    assert volumes[2:] == [False, True]  # hearing the original
    toggle.click()
    page.get_by_role("button", name="Listening to: master").wait_for()
    muted = page.evaluate(
        f"""() => {{ const box = document.querySelector('#master-{job.pk} .ab');
                     const a = box.querySelector('.ab-a'), b = box.querySelector('.ab-b');
                     return [a.muted, b.muted]; }}"""
    )
    assert muted == [True, False]
    article.get_by_role("button", name="Pause both").click()
    article.scroll_into_view_if_needed()
    shot(article, "audio-master.png")
    download = article.get_by_role("link", name="Download the master (WAV)")
    assert download.get_attribute("href").endswith(f"/jobs/{job.pk}/download/")

    # Seen again later, the master is folded to a line with its result; it opens on a click,
    # with its A/B waveforms drawn at their real width, and a link to it opens it.
    address = page.url.split("#")[0]  # the form's answer pointed at the master: leave that
    page.goto(address)
    fold = article.locator("details.master-fold")
    summary = fold.locator("summary")
    summary.wait_for()
    assert not fold.evaluate("d => d.open") and not toggle.is_visible()
    line = summary.inner_text()
    assert f"{after:.1f} LUFS" in line and "Master for Apple Music" in line, line
    on_target = "on target" if job.result["chain"]["on_target"] else "off target"
    assert on_target in line.lower()
    summary.click()
    toggle.wait_for()
    page.wait_for_function(
        f"""() => {{ const c = document.querySelector('#master-{job.pk} .ab-wave');
                     return c.width === Math.round(c.clientWidth * devicePixelRatio); }}"""
    )
    assert page.evaluate(CANVAS_INK, f"#master-{job.pk} .ab-wave") > 1000
    page.goto(address)
    assert not toggle.is_visible()
    page.goto(f"{address}#master-{job.pk}")
    toggle.wait_for()
    page.reload()
    toggle.wait_for()
