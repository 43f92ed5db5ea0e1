"""The README's screenshots (docs/screenshots/*.png), taken in Chromium from the demo data.

``make screenshots`` runs this module with ``LINER_SCREENSHOTS_DIR`` set to docs/screenshots;
without that variable it is skipped, so the test suite never rewrites them. To add a page, add
a ``Shot`` to ``SHOTS``: its name, how to find its address in the demo workspace, and what
must be on screen before the picture is taken.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from audio.models import AudioFile
from collaborators.models import Workspace
from releases.models import Release

from .test_audio import CANVAS_INK
from .test_journeys import login

SHOTS_DIR = os.environ.get("LINER_SCREENSHOTS_DIR", "")

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not SHOTS_DIR,
        reason="makes the README's screenshots: run `make screenshots` "
        "(it sets LINER_SCREENSHOTS_DIR to docs/screenshots)",
    ),
]

WIDTH = 1280
MAX_HEIGHT = 2000  # a taller page is cut here: the top of it is what a reader looks at
MAX_BYTES = 400_000


def audio_page(name: str) -> Callable[[Workspace], str]:
    """The report page of the demo track called ``name``."""

    def url(workspace: Workspace) -> str:
        audio = AudioFile.objects.get(workspace=workspace, original_name=name)
        return f"/w/{workspace.slug}/audio/{audio.pk}/"

    return url


def release_part(title: str, part: str) -> Callable[[Workspace], str]:
    """A page of a demo release's own: ``timeline/``, ``readiness/`` …"""

    def url(workspace: Workspace) -> str:
        release = workspace.releases.get(title=title)
        return f"/w/{workspace.slug}/releases/{release.pk}/{part}"

    return url


def release_page(title: str, track: str = "") -> Callable[[Workspace], str]:
    """The demo release called ``title``, or the review page of its track called ``track``."""

    def url(workspace: Workspace) -> str:
        release = Release.objects.get(workspace=workspace, title=title)
        if not track:
            return f"/w/{workspace.slug}/releases/{release.pk}/"
        found = release.tracks.get(title=track)
        return f"/w/{workspace.slug}/releases/{release.pk}/tracks/{found.pk}/"

    return url


def rights_work(title: str) -> Callable[[Workspace], str]:
    """The page of the demo work (song) called ``title``: its splits and split sheet."""

    def url(workspace: Workspace) -> str:
        from rights.models import Work

        work = Work.objects.get(workspace=workspace, title=title)
        return f"/w/{workspace.slug}/rights/works/{work.pk}/"

    return url


def rights_last_paid_month(workspace: Workspace) -> str:
    """The payouts of the demo's latest closed month: payees, recoupment, conversions."""
    from rights.models import Period

    period = Period.objects.filter(workspace=workspace, status="closed").order_by("-month").first()
    if period is None:  # no month paid yet: the list of months
        return f"/w/{workspace.slug}/rights/payouts/"
    return f"/w/{workspace.slug}/rights/payouts/{period.label}/"


@dataclass(frozen=True)
class Shot:
    name: str  # docs/screenshots/<name>.png
    url: Callable[[Workspace], str]  # the page, in the demo workspace
    wait_for: str  # CSS selector of what must be visible first (a plot drawn, a table ...)
    element: str = ""  # a CSS selector to picture just that part of the page
    canvas: str = ""  # a canvas that must have been drawn on (waveforms)
    full_page: bool = True
    unfold: str = ""  # a folded <details> to open first (the newest master, say)


CLIPPED = "Northern Line (club edit).wav"  # the demo's squashed, clipped mix, mastered once

SHOTS = [
    Shot("workspace", lambda ws: f"/w/{ws.slug}/", wait_for="main h1"),
    Shot(
        "audio-report",
        audio_page(CLIPPED),
        wait_for="#loudness-plot svg.main-svg",
        canvas="#waveform",
    ),
    Shot(
        "mastering-before-after",
        audio_page(CLIPPED),
        wait_for="article.master table.compare",
        element="#masters",
        unfold="article.master details",
        canvas="article.master .ab-wave",
    ),
    Shot("release", release_page("Glasshouse"), wait_for="#people"),
    Shot("readiness", release_part("Glasshouse", "readiness/"), wait_for="#profiles"),
    Shot(
        "timeline",
        release_part("Glasshouse", "timeline/"),
        wait_for="#timeline-plot svg.main-svg",
    ),
    Shot(
        "track-review",  # the latest mix, its comments and the open one on v1, the A/B
        release_page("Glasshouse", track="Glasshouse"),
        wait_for="#comments article.thread",
        canvas="#waveform",
    ),
    Shot("rights-overview", lambda ws: f"/w/{ws.slug}/rights/", wait_for="main h1"),
    Shot("rights-work", rights_work("Glasshouse"), wait_for="#sheet"),
    Shot("rights-payouts", rights_last_paid_month, wait_for="main table"),
]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "upload-tmp")
    Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir()
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return Workspace.objects.get(slug="maya-lind")


def test_screenshots_of_the_main_pages(page, demo):
    out = Path(SHOTS_DIR)
    out.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": WIDTH, "height": 800})
    login(page, "artist@liner.test", "liner-demo")
    page.wait_for_url(f"**/w/{demo.slug}/")
    too_big = []
    for shot in SHOTS:
        page.goto(shot.url(demo))
        if shot.unfold:
            page.locator(shot.unfold).first.evaluate("el => { el.open = true; }")
        page.locator(shot.wait_for).first.wait_for()
        page.wait_for_load_state("networkidle")
        if shot.canvas:
            page.wait_for_function(f"({CANVAS_INK})({shot.canvas!r}) > 1000")
        path = out / f"{shot.name}.png"
        options = {"path": str(path), "animations": "disabled", "caret": "hide"}
        if shot.element:
            page.locator(shot.element).screenshot(**options)
        elif shot.full_page:
            height = min(MAX_HEIGHT, page.evaluate("document.documentElement.scrollHeight"))
            clip = {"x": 0, "y": 0, "width": WIDTH, "height": height}
            page.screenshot(full_page=True, clip=clip, **options)
        else:
            page.screenshot(**options)
        _shrink(path)
        if path.stat().st_size > MAX_BYTES:
            too_big.append(f"{path.name}: {path.stat().st_size // 1000} kB")
    assert not too_big, f"over {MAX_BYTES // 1000} kB, lower MAX_HEIGHT or crop: {too_big}"


def _shrink(path: Path) -> None:
    """Down to 256 colours (median cut, no dithering) and the best PNG compression: a page has
    few colours, the difference does not show, and the file is a third of the size."""
    from PIL import Image

    with Image.open(path) as image:
        rgb = image.convert("RGB")
    rgb.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
