"""Audio in a real browser: drop two mixes in, watch them upload, read the report with its
plot and waveform, master one and compare before and after."""

from __future__ import annotations

import pytest

from audio.models import AudioFile, Job
from collaborators.permissions import Role

from ..audio.conftest import make_mix
from ..factories import MembershipFactory, UserFactory, WorkspaceFactory
from .test_journeys import login

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engineer(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    user = UserFactory(email="sam@example.com", name="Sam Reyes")
    ws = WorkspaceFactory(name="Maya Lind", slug="maya-lind")
    MembershipFactory(workspace=ws, user=user, role=Role.MEMBER)
    return user


def test_upload_two_mixes_read_the_report_and_master(page, engineer, tmp_path):
    first = make_mix(tmp_path / "Low Tide.wav", seconds=6.0, level_dbfs=-9.0)
    second = make_mix(tmp_path / "Glasshouse.wav", seconds=6.0, seed=4)
    junk = tmp_path / "liner notes.wav"
    junk.write_bytes(b"%PDF-1.7 definitely not audio" * 50)
    login(page, "sam@example.com")
    page.wait_for_url("**/w/maya-lind/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audio").click()
    page.get_by_text("Drop mixes here").wait_for()
    page.set_input_files("#files", [str(first), str(second), str(junk)])
    uploads = page.locator("#uploads li")
    uploads.nth(2).wait_for()
    page.locator("#uploads li.failed").get_by_text("It looks like a PDF").wait_for()
    page.wait_for_function("document.querySelectorAll('#uploads li.ok').length === 2")
    # The page reloads into the list once the uploads are in.
    page.get_by_role("link", name="Low Tide.wav").wait_for()
    assert AudioFile.objects.count() == 2

    page.get_by_role("link", name="Low Tide.wav").click()
    page.get_by_role("heading", name="Measurements").wait_for()
    assert page.get_by_text("Integrated loudness").is_visible()
    page.locator("#loudness-plot svg").first.wait_for()
    drawn = page.evaluate(
        """() => { const c = document.getElementById('waveform');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"""
    )
    assert drawn > 1000  # the waveform is painted
    assert page.locator(".verdict").count() >= 13

    page.get_by_label("Deliver to").select_option("apple-music")
    page.get_by_role("button", name="Master it").click()
    page.get_by_role("button", name="Listening to: original").wait_for()
    job = Job.objects.get(kind="master")
    assert job.status == "done"
    table = page.locator("table.compare")
    assert "-16.0 LUFS" in table.inner_text()
    page.get_by_role("button", name="Listening to: original").click()
    assert page.get_by_role("button", name="Listening to: master").is_visible()
    assert page.get_by_text("same loudness").is_visible()
