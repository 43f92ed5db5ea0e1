"""The audio pages through the Django test client: upload (several files, good and bad, with
and without JavaScript, duplicates, too large), the report, job progress, mastering, renders,
the ranged stream, who may do what, and the query count of the list."""

from __future__ import annotations

import io
import json
import re
import uuid
from html import unescape

import mutagen
import pytest
from django.contrib.staticfiles import finders
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from audio.models import AudioFile, Job
from audio.services import uploads

from .conftest import make_mix
from .dsp import signals

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def as_upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def json_script(page: str, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', page, re.S
    )
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


@pytest.fixture
def short_mix(tmp_path):
    return make_mix(tmp_path / "Low Tide (mix 4).wav", seconds=4.0, level_dbfs=-9.0)


@pytest.fixture
def sine_wav(tmp_path):
    # Known answers: a stereo 1 kHz sine at -20 dBFS reads -20.0 LUFS and -20.0 dBTP.
    return signals.write(tmp_path / "Sine 1k.wav", signals.sine(4.0, dbfs=-20.0))


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" * 40)
    return path


@pytest.fixture
def urls(workspace):
    base = f"/w/{workspace.slug}/audio"

    class Urls:
        index = f"{base}/"
        upload = f"{base}/upload/"

        @staticmethod
        def file(pk, tail=""):
            return f"{base}/{pk}/{tail}"

        @staticmethod
        def job(pk, tail=""):
            return f"{base}/jobs/{pk}/{tail}"

    return Urls


@pytest.fixture
def send(client, urls, django_capture_on_commit_callbacks):
    """send(*paths, js=True) -> the upload's response; tasks run inline after the commit."""

    def post(*paths, js=True, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                urls.upload,
                {"files": [as_upload(p) for p in paths]},
                **(JSON if js else {}),
                **extra,
            )

    return post


@pytest.fixture
def analysed(client, member, send, short_mix):
    client.force_login(member)
    assert send(short_mix).status_code == 200
    return AudioFile.objects.get()


@pytest.fixture
def mastered(client, urls, analysed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            urls.file(analysed.pk, "master/"),
            {"profile": "apple-music", "intensity": "balanced", "mix": 80},
        )
    job = Job.objects.get(kind="master")
    assert response.status_code == 302 and response["Location"].endswith(f"#master-{job.pk}")
    return job


# --- Upload -----------------------------------------------------------------------------------


def test_one_request_with_a_good_and_a_bad_file_gives_both_outcomes(
    client, member, urls, send, short_mix, pdf
):
    client.force_login(member)
    response = send(short_mix, pdf)
    assert response.status_code == 200
    good, bad = response.json()["results"]
    assert good["ok"] and good["created"] and good["name"] == short_mix.name
    # Its line for the list, which follows the analysis until it is done.
    assert f'<tr id="file-{good["id"]}"' in good["row"] and "every 1s" in good["row"]
    assert not bad["ok"] and bad["name"] == "notes.pdf"
    assert "“notes.pdf” is not an audio file Liner can read" in bad["error"]
    assert "PDF" in bad["error"]
    audio = AudioFile.objects.get()
    assert audio.original_name == short_mix.name and audio.analysis["integrated_lufs"] < -5
    page = client.get(urls.index).content.decode()
    assert short_mix.name in page and "notes.pdf" not in page
    assert f"{audio.analysis['integrated_lufs']:.1f}" in page  # the list shows its loudness


def test_only_bad_files_answer_400_with_each_reason(client, member, send, pdf, hostile_files):
    client.force_login(member)
    response = send(pdf, hostile_files["empty"], hostile_files["truncated"])
    assert response.status_code == 400
    errors = [r["error"] for r in response.json()["results"]]
    assert "PDF" in errors[0] and "empty" in errors[1] and "cut short" in errors[2]
    assert not AudioFile.objects.exists()


def test_without_javascript_the_form_uploads_several_files(
    client, member, urls, send, short_mix, pdf, other_wav
):
    client.force_login(member)
    response = send(short_mix, pdf, other_wav, js=False)
    assert response.status_code == 302 and response["Location"] == urls.index
    page = client.get(urls.index).content.decode()
    assert f"“{short_mix.name}” is uploaded; its analysis has started." in page
    assert "It looks like a PDF" in page
    assert AudioFile.objects.count() == 2
    empty = client.post(urls.upload, {}, follow=True).content.decode()
    assert "Choose one or more audio files to upload." in empty


def test_a_duplicate_is_already_here_and_links_to_the_file(
    client, member, urls, send, short_mix, tmp_path
):
    client.force_login(member)
    first = send(short_mix).json()["results"][0]
    renamed = tmp_path / "same bytes, other name.wav"
    renamed.write_bytes(short_mix.read_bytes())
    again = send(renamed).json()["results"][0]
    assert again["ok"] and not again["created"] and again["id"] == first["id"]
    assert again["url"] == urls.file(first["id"]) and "Already here" in again["message"]
    plain = send(short_mix, js=False)
    page = client.get(plain["Location"]).content.decode()
    assert "is already here" in page and f'href="{urls.file(first["id"])}"' in page
    assert AudioFile.objects.count() == 1


def test_a_body_over_the_limit_is_refused_unread_with_413(client, member, urls, settings, tmp_path):
    settings.AUDIO_MAX_UPLOAD_BYTES = 1000
    client.force_login(member)
    big = str(5 << 20)
    kwargs = {"content_type": "multipart/form-data; boundary=x", "CONTENT_LENGTH": big}
    response = client.generic("POST", urls.upload, b"--x--", **kwargs, **JSON)
    assert response.status_code == 413
    assert "over the limit of 1000 bytes per file" in response.json()["results"][0]["error"]
    page = client.generic("POST", urls.upload, b"--x--", **kwargs)
    assert page.status_code == 413 and "Nothing was stored" in page.content.decode()
    assert "Drop mixes here" in page.content.decode()  # the page, with the drop zone again
    assert not AudioFile.objects.exists()
    assert not list((tmp_path / "media").rglob("*.*"))


def test_the_size_check_comes_before_the_csrf_check_and_csrf_still_holds(
    member, urls, settings, short_mix
):
    settings.AUDIO_MAX_UPLOAD_BYTES = 1000
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    too_big = strict.generic(
        "POST", urls.upload, b"--x--", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 << 20), **JSON,
    )  # fmt: skip
    assert too_big.status_code == 413
    settings.AUDIO_MAX_UPLOAD_BYTES = 2 << 30
    forged = strict.post(urls.upload, {"files": [as_upload(short_mix)]}, **JSON)
    assert forged.status_code == 403 and not AudioFile.objects.exists()


def test_a_file_over_the_limit_inside_a_small_body_is_refused_by_name(
    client, member, send, settings, tmp_path
):
    settings.AUDIO_MAX_UPLOAD_BYTES = 10_000
    client.force_login(member)
    response = send(make_mix(tmp_path / "short.wav", seconds=0.5))
    assert response.status_code == 400
    assert "the limit is 9.8 KB" in response.json()["results"][0]["error"]


# --- The list ---------------------------------------------------------------------------------


def test_the_empty_list_helps_and_search_filters(client, member, viewer, urls, send, short_mix):
    client.force_login(member)
    page = client.get(urls.index).content.decode()
    assert "No audio yet" in page and "Drop mixes here" in page
    send(short_mix)
    assert "No audio yet" not in client.get(urls.index).content.decode()
    assert short_mix.name in client.get(urls.index, {"q": "low tide"}).content.decode()
    none = client.get(urls.index, {"q": "nothing like it"}).content.decode()
    assert "No file matches “nothing like it”" in none and short_mix.name not in none
    client.force_login(viewer)
    assert "a member can upload" not in client.get(urls.index).content.decode()  # not empty


def _clone_files(workspace, template: AudioFile, count: int) -> None:
    """Rows like ``template`` with a few jobs each, without analysing every one again."""
    for _ in range(count):
        audio = AudioFile.objects.create(
            workspace=workspace, original_name=f"clone {uuid.uuid4().hex[:6]}.wav",
            file=template.file.name, sha256=uuid.uuid4().hex * 2, format="WAV",
            sample_rate=44100, bit_depth=24, channels=2, duration_s=4.0, size_bytes=1000,
            analysis=template.analysis, peaks=template.peaks,
        )  # fmt: skip
        for kind, status in (("analyze", "done"), ("master", "running"), ("render", "queued")):
            Job.objects.create(
                workspace=workspace, audio_file=audio, kind=kind, status=status,
                key=uuid.uuid4().hex, progress=40,
            )  # fmt: skip


def test_the_list_costs_the_same_queries_for_2_and_12_files(client, workspace, analysed, urls):
    _clone_files(workspace, analysed, 1)
    with CaptureQueriesContext(connection) as two:
        assert client.get(urls.index).status_code == 200
    _clone_files(workspace, analysed, 10)
    with CaptureQueriesContext(connection) as twelve:
        page = client.get(urls.index).content.decode()
    assert page.count('class="file-row"') == 12
    assert len(twelve) == len(two), [q["sql"] for q in twelve.captured_queries]


def test_the_list_pages_after_50_files(client, workspace, analysed, urls):
    _clone_files(workspace, analysed, 50)
    first = client.get(urls.index).content.decode()
    assert first.count('class="file-row"') == 50 and "Page 1 of 2" in first
    assert client.get(urls.index, {"page": 2}).content.decode().count('class="file-row"') == 1


# --- The report -------------------------------------------------------------------------------


def test_the_report_shows_numbers_verdicts_codec_plot_and_waveform(
    client, member, urls, send, sine_wav
):
    client.force_login(member)
    audio_id = send(sine_wav).json()["results"][0]["id"]
    page = client.get(urls.file(audio_id)).content.decode()
    # The numbers, with units and plain-word hints: the main four large, the others listed.
    assert "<dt>Integrated loudness</dt><dd>-20.0 <small>LUFS</small></dd>" in page
    assert "<dt>True peak</dt><dd>-20.0 <small>dBTP</small></dd>" in page
    assert "the peak between samples" in page and "Loudness range" in page
    assert re.search(r"<dt>Sample peak</dt><dd class=\"num\">-20.0 dBFS</dd>", page)
    assert page.count("<dt>Integrated loudness</dt>") == 1  # not again in the list
    # A row per destination, each opening on its full detail.
    for name in ("Spotify", "Apple Music", "YouTube", "TIDAL", "EBU R 128 broadcast", "CD"):
        assert f'<span class="dest-name">{name}</span>' in page, name
    assert page.count('<details class="dest dest-') == 14
    assert "Spotify will turn this up by 6.0 dB, to its -14.0 LUFS playback level." in page
    # The codec stage, on its own.
    assert 'id="codec"' in page and "MP3 320 kbps" in page and "codec check" in page
    # The plot (built with plotly on the server) and the waveform data.
    figure = json_script(page, "loudness-figure")
    curve = figure["data"][0]
    assert len(curve["x"]) >= 3 and -21 < curve["y"][-1] < -19
    peaks = json_script(page, "peaks-data")
    assert set(peaks["levels"]) >= {"512", "2048"} and max(peaks["levels"]["512"]["max"]) > 0.05
    assert "vendor/plotly.min.js" in page and "js/audio-player.js" in page
    assert f'src="{urls.file(audio_id, "stream/")}"' in page


def words(html: str) -> str:
    """Text as read: tags out, spaces folded."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def destination_row(page: str, slug: str) -> tuple[str, str]:
    """A destination's row as read (tags out, spaces folded) and the detail it opens on."""
    match = re.search(
        rf'<details class="dest dest-(\w+)" id="dest-{slug}">\s*<summary class="dest-row">'
        rf"(.*?)</summary>(.*?)</details>",
        page, re.S,
    )  # fmt: skip
    assert match, f"no row for {slug}"
    return words(match.group(2)), words(match.group(3))


def fold(page: str, css_class: str) -> tuple[str, str, bool]:
    """The first folded part of ``page`` with that class: its summary line as read, what it
    opens on, and whether it is open."""
    match = re.search(
        rf'<details class="[^"]*\b{css_class}\b[^"]*"( open)?>\s*<summary[^>]*>(.*?)</summary>'
        r"(.*?)</details>",
        page, re.S,
    )  # fmt: skip
    assert match, f"no fold .{css_class}"
    return words(match.group(2)), words(match.group(3)), bool(match.group(1))


def signed(value: float) -> str:
    return f"{'−' if value < 0 else '+'}{abs(value):.1f}"


def test_findings_every_destination_shares_are_said_once(client, member, urls, send, tmp_path):
    import numpy as np

    x = signals.sine(4.0, dbfs=-12.0) + 0.02  # a DC offset: a fault of the file itself
    path = signals.write(tmp_path / "offset.wav", np.clip(x, -1, 1))
    client.force_login(member)
    audio_id = send(path).json()["results"][0]["id"]
    page = client.get(urls.file(audio_id)).content.decode()
    assert "About the file itself" in page
    assert page.count("off centre by") == 1


def test_a_clipped_master_is_said_to_clip_once_for_every_destination(
    client, member, urls, send, tmp_path
):
    import numpy as np

    # Driven 6 dB into full scale: flat tops everywhere, and true peaks over every ceiling.
    path = signals.write(tmp_path / "hot.wav", np.clip(signals.sine(4.0, dbfs=6.0), -1, 1))
    client.force_login(member)
    audio_id = send(path).json()["results"][0]["id"]
    page = client.get(urls.file(audio_id)).content.decode()
    # The API keeps every destination's verdict whole: fourteen clipping findings.
    report = client.get(f"/api/workspaces/maya/audio/{audio_id}/").json()["report"]
    clipping = [f for v in report["verdicts"] for f in v["findings"] if f["code"] == "clipping"]
    assert len(clipping) == len(report["verdicts"]) == 14
    # The page says it once, above the table, for every destination.
    shared = "Clipping is distortion that no platform or player can take out"
    assert page.count(shared) == 1
    common = page[page.find('class="common-findings"') : page.find('class="destinations"')]
    assert re.search(rf"Every destination:</strong> [^<]*{shared}", common)
    # Vinyl says more than the others about it: that part stays in vinyl's row.
    summary, detail = destination_row(page, "vinyl")
    assert "clipped passages" in summary
    assert "Cutting engineers may refuse, or charge to recut, clipped masters." in detail
    assert "Also true here, said above" in detail
    spotify, _ = destination_row(page, "spotify")
    assert "clipped passages" not in spotify
    # The folded measurements and codec check say it in their summary lines, flagged.
    readings, _, _ = fold(page, "readings-fold")
    assert re.search(rf"Clipped samples {report['clipped_samples']} \((warn|fail)\)", readings)
    codec, _, _ = fold(page, "codec-fold")
    peak = signed(report["codec"]["true_peak_dbtp"])
    assert codec.startswith(f"clips Codec check: MP3 320 peaks at {peak} dBTP"), codec
    assert "; clips after encoding" in codec
    # Every finding of every destination is on the page: in its row's detail, or said above
    # for all of them ("each of them" for the name), with any rest in its row's detail.
    above = " ".join(unescape(re.sub(r"<[^>]+>", " ", common)).split()).lower()
    for v in report["verdicts"]:
        _, detail = destination_row(page, v["profile"])
        for f in v["findings"]:
            sentences = re.split(r"(?<=\.) ", f["message"])
            said = [
                " ".join(sentences[:n]).replace(f"{v['name']}'s", "its")
                .replace(v["name"], "each of them").lower() in above
                and " ".join(sentences[n:]) in detail
                for n in range(len(sentences) + 1)
            ]  # fmt: skip
            assert any(said), (v["profile"], f["message"])


def test_each_destination_row_shows_its_verdict_target_and_player_gain(
    client, member, urls, send, sine_wav
):
    from audio.dsp.profiles import get_profile

    client.force_login(member)
    audio_id = send(sine_wav).json()["results"][0]["id"]  # -20.0 LUFS, -20.0 dBTP
    page = client.get(urls.file(audio_id)).content.decode()
    report = client.get(f"/api/workspaces/maya/audio/{audio_id}/").json()["report"]
    for v in report["verdicts"]:
        row, _ = destination_row(page, v["profile"])
        profile = get_profile(v["profile"])
        assert row.startswith(f"{v['name']} : {v['status']} ,"), row
        assert f"true peak ≤ {profile.true_peak_ceiling_dbtp:g} dBTP" in row, row
        if profile.target_lufs is not None:
            assert f"loudness target {profile.target_lufs:g} " in row, row
    # What each one's player does with a track 6 dB under Spotify's level, in its row.
    expected = {
        "spotify": "-14 LUFS , true peak ≤ -1 dBTP , its player turns it up 6.0 dB",
        "apple-music": "-16 LUFS , true peak ≤ -1 dBTP , its player turns it up 4.0 dB",
        "youtube": "its player won't turn it up: 6.0 dB quieter than others",
        "deezer": "its player won't turn it up: 5.0 dB quieter than others",
        "broadcast-ebu": "-23 ± 0.5 LUFS , true peak ≤ -1 dBTP , its player needs it 3.0 dB",
        "cd": "not normalised , true peak ≤ -0.3 dBTP , its player plays it as mastered",
    }
    for slug, words in expected.items():
        row, _ = destination_row(page, slug)
        assert words in row, (slug, row)
    cd, detail = destination_row(page, "cd")
    assert "only here: converted when rendered (note)" in cd
    assert "Liner will render a 16-bit 44.1 kHz file for you with dither." in detail
    assert "above 0 dBTP the file fails" in detail
    _, youtube = destination_row(page, "youtube")
    assert "YouTube never turns tracks up" in youtube and "Sources:" in youtube


def test_while_the_analysis_runs_the_page_polls_and_a_failure_can_be_retried(
    client, urls, analysed, django_capture_on_commit_callbacks
):
    job = analysed.jobs.get()
    Job.objects.filter(pk=job.pk).update(status="running", progress=37, stage="Measuring loudness")
    AudioFile.objects.filter(pk=analysed.pk).update(analysis=None)
    page = client.get(urls.file(analysed.pk)).content.decode()
    assert f'hx-get="{urls.job(job.pk)}?was=running" hx-trigger="every 1s"' in page
    assert 'aria-valuenow="37"' in page and "Measuring loudness · 37 %" in page
    Job.objects.filter(pk=job.pk).update(status="failed", error="The file ends early.", attempts=3)
    page = client.get(urls.file(analysed.pk)).content.decode()
    assert "Analysis failed after 3 attempts: The file ends early." in page
    assert "Try the analysis again" in page and "every 1s" not in page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(urls.file(analysed.pk, "analyze/"))
    assert again.status_code == 302
    job.refresh_from_db()
    analysed.refresh_from_db()
    assert job.status == "done" and analysed.analysis is not None


# --- Job progress -----------------------------------------------------------------------------


def test_the_job_fragment_polls_while_running_and_stops_when_done(client, urls, analysed):
    job = analysed.jobs.get()
    done = client.get(urls.job(job.pk), {"was": "running"})
    assert done["HX-Refresh"] == "true" and "Analysis done" in done.content.decode()
    assert "every 1s" not in done.content.decode()
    assert "HX-Refresh" not in client.get(urls.job(job.pk))  # it never watched it run
    Job.objects.filter(pk=job.pk).update(status="running", progress=42, stage="Codec check")
    running = client.get(urls.job(job.pk), {"was": "running"})
    body = running.content.decode()
    assert "HX-Refresh" not in running and 'aria-valuenow="42"' in body
    assert "every 1s" in body and "Codec check · 42 %" in body
    row = client.get(urls.job(job.pk), {"as": "row"}).content.decode()
    assert row.lstrip().startswith(f'<tr id="file-{analysed.pk}"') and "every 1s" in row
    state = client.get(urls.job(job.pk), **JSON).json()
    assert (
        state["status"] == "running" and state["progress"] == 42 and state["stage"] == "Codec check"
    )
    Job.objects.filter(pk=job.pk).update(status="done", progress=100)
    row = client.get(urls.job(job.pk), {"as": "row"}).content.decode()
    assert "every 1s" not in row and "LUFS" in row and "Analysed" in row


# --- Mastering --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"mix": 150}, "mix", "can&#x27;t be over 100 %"),
        ({"mix": "lots"}, "mix", "whole number of per cent"),
        ({"target_lufs": -40}, "target_lufs", "quieter than Liner masters to"),
        ({"target_lufs": "loud"}, "target_lufs", "Give the loudness as a number"),
        ({"profile": "myspace"}, "profile", "Choose a destination from the list."),
        ({"intensity": "brutal"}, "intensity", "Choose gentle, balanced or loud."),
        ({"match_loudness": "on"}, "match_loudness", "Choose a reference track"),
        ({"reference": 999999}, "reference", "Choose one of your own tracks"),
    ],
)
def test_master_form_errors_sit_next_to_their_field(client, urls, analysed, data, field, words):
    good = {"profile": "spotify", "intensity": "balanced", "mix": 100}
    response = client.post(urls.file(analysed.pk, "master/"), {**good, **data})
    assert response.status_code == 400
    errors = re.findall(
        rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode()
    )
    assert errors and words in errors[0], errors
    # The form, folded away on the page, comes back open with its errors.
    assert '<details class="form-box" open>\n  <summary class="button">New master…' in (
        response.content.decode()
    )
    assert not Job.objects.filter(kind="master").exists()


def test_another_workspaces_file_cannot_be_the_reference(
    client, urls, analysed, other_workspace, short_mix, tmp_path
):
    other_path = make_mix(tmp_path / "theirs.wav", seconds=2.0, seed=9)
    with open(other_path, "rb") as handle:
        theirs, _ = uploads.audio_upload(
            workspace=other_workspace, upload=File(handle, name="t.wav")
        )
    response = client.post(
        urls.file(analysed.pk, "master/"),
        {"profile": "spotify", "intensity": "balanced", "mix": 100, "reference": theirs.pk},
    )
    assert (
        response.status_code == 400 and "Choose one of your own tracks" in response.content.decode()
    )


def test_a_master_runs_and_shows_before_after_and_ab_at_matched_loudness(
    client, urls, analysed, mastered
):
    assert mastered.status == "done" or Job.objects.get(pk=mastered.pk).status == "done"
    job = Job.objects.get(pk=mastered.pk)
    before = job.result["before"]["integrated_lufs"]
    after = job.result["after"]["integrated_lufs"]
    assert abs(after - -16.0) < 0.5
    page = client.get(urls.file(analysed.pk)).content.decode()
    article = page[page.find(f'id="master-{job.pk}"') :]
    article = article[: article.find("</article>")]
    assert "Master for Apple Music (balanced, -16 LUFS, 80 % wet)" in article
    assert '<th scope="col">Before</th><th scope="col">After</th>' in article
    assert f"{before:.1f} LUFS" in article and f"{after:.1f} LUFS" in article
    assert "Apple Music</th>" in article and 'class="badge badge-' in article  # verdict both sides
    assert "What the chain did" in article and "Limiter" in article and "Compressor" in article
    gain = round(after - before, 1)
    assert f'data-gain-db="{gain}"' in article
    words = f"master −{abs(gain):.1f} dB" if gain > 0 else f"original −{abs(gain):.1f} dB"
    assert f"Playing at matched loudness ({words})" in article
    assert "after_peaks" not in article and '<script type="application/json">' in article
    assert f'src="{urls.job(job.pk, "stream/")}"' in article
    assert "every 1s" not in article
    # On the page it is folded to a line with its result; all of the above is inside the fold.
    summary, inside, is_open = fold(article, "master-fold")
    assert not is_open and summary.startswith("Master for Apple Music")
    assert "Before After Change" in inside and "Download the master (WAV)" in inside
    # The section alone, as the poll answers it: open, as it has just finished under the eyes.
    fragment = client.get(urls.job(job.pk), {"as": "master"}).content.decode()
    assert fragment.lstrip().startswith(f'<article class="master" id="master-{job.pk}"')
    assert fold(fragment, "master-fold")[2]
    # The master file: streamed with ranges for the player, downloaded with its name.
    part = client.get(urls.job(job.pk, "stream/"), HTTP_RANGE="bytes=0-11")
    assert part.status_code == 206 and b"".join(part.streaming_content)[:4] == b"RIFF"
    download = client.get(urls.job(job.pk, "download/"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    disposition = 'attachment; filename="Low Tide (mix 4) - master apple-music.wav"'
    assert download["Content-Disposition"] == disposition


def test_the_folded_parts_say_their_headline_figures_in_their_summary_lines(
    client, urls, analysed, mastered
):
    page = client.get(urls.file(analysed.pk)).content.decode()
    report = client.get(f"/api/workspaces/maya/audio/{analysed.pk}/").json()["report"]
    # The measurements: the telling numbers in the summary, every one with its meaning inside.
    summary, inside, is_open = fold(page, "readings-fold")
    assert not is_open
    for label, key, unit in (
        ("Sample peak", "sample_peak_dbfs", "dBFS"),
        ("Max short-term", "short_term_max_lufs", "LUFS"),
        ("Noise floor", "noise_floor_dbfs", "dBFS"),
    ):
        assert f"{label} {report[key]:.1f} {unit}" in summary, (label, summary)
    assert f"Clipped samples {report['clipped_samples']} Clicks {report['click_count']}" in summary
    assert "Stereo correlation" in summary and "Lossless source yes" in summary
    assert "(warn)" not in summary and "Every reading, and what it means" in summary
    for label, hint in (
        ("Max momentary", "the loudest 400 ms"), ("Silence at the end", "below -60 dBFS"),
        ("Stereo below 150 Hz", "what vinyl wants"), ("Sibilance", "'s' sounds"),
        ("Clicks", "no isolated jumps between samples"),
    ):  # fmt: skip
        assert label in inside and hint in inside, label
    # The codec check: each codec's true peak and the outcome; the stage table inside.
    summary, inside, is_open = fold(page, "codec-fold")
    codec = report["codec"]
    expected = f"safe Codec check: MP3 320 peaks at {signed(codec['true_peak_dbtp'])} dBTP"
    if codec.get("aac"):
        expected += f", AAC 256 at {signed(codec['aac']['true_peak_dbtp'])} dBTP"
    assert not is_open and summary.startswith(f"{expected}; no overs after encoding."), summary
    assert "Your file (lossless)" in inside and "MP3 320 kbps" in inside
    assert f"{codec['true_peak_dbtp']:.1f} dBTP" in inside and "second stage" in inside
    # A master: its profile, its loudness and true peak after, on target or not.
    job = Job.objects.get(pk=mastered.pk)
    after, chain = job.result["after"], job.result["chain"]
    article = page[page.find(f'id="master-{job.pk}"') :]
    summary, inside, is_open = fold(article, "master-fold")
    assert not is_open
    assert summary.startswith("Master for Apple Music (balanced, -16 LUFS, 80 % wet) : now")
    result = f"{after['integrated_lufs']:.1f} LUFS · {after['true_peak_dbtp']:.1f} dBTP"
    assert result in summary, summary
    assert ("on target" if chain["on_target"] else "off target") in summary
    assert "Apple Music's verdict" in summary and "before mastering, now" in summary
    assert "What the chain did" in inside and "Playing at matched loudness" in inside
    # Nothing is left out: every heading of the report is still on the page.
    for heading in ("Loudness", "Measurements", "After encoding", "Masters", "Renders"):
        assert re.search(rf"<h2 id=\"[\w-]+\">{heading}</h2>", page), heading


def test_asking_for_the_same_master_again_returns_it(client, urls, analysed, mastered):
    response = client.post(
        urls.file(analysed.pk, "master/"),
        {"profile": "apple-music", "intensity": "balanced", "mix": 80},
        follow=True,
    )
    assert "exists already" in response.content.decode()
    assert Job.objects.filter(kind="master").count() == 1


def test_a_running_master_polls_its_own_section_and_a_failed_one_can_be_retried(
    client, urls, analysed, django_capture_on_commit_callbacks
):
    from audio.services import mastering

    with django_capture_on_commit_callbacks(execute=False):  # held: no worker picks it up
        job = mastering.master_request(audio_file=analysed, profile="spotify", intensity="loud")
    Job.objects.filter(pk=job.pk).update(status="running", progress=55, stage="Limiting")
    page = client.get(urls.file(analysed.pk)).content.decode()
    assert f'hx-get="{urls.job(job.pk)}?as=master" hx-trigger="every 1s"' in page
    assert "Limiting · 55 %" in page
    Job.objects.filter(pk=job.pk).update(status="failed", error="The worker was lost.")
    fragment = client.get(urls.job(job.pk), {"as": "master"}).content.decode()
    assert "Mastering failed: The worker was lost." in fragment and "Try again" in fragment
    assert "every 1s" not in fragment
    retry = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', fragment))
    assert retry["profile"] == "spotify" and retry["intensity"] == "loud"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(urls.file(analysed.pk, "master/"), retry)
    job.refresh_from_db()
    assert job.status == "done" and Job.objects.filter(kind="master").count() == 1


# --- Renders ----------------------------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 600), (91, 60, 196)).save(out, "PNG")
    return out.getvalue()


def test_a_render_of_the_master_with_tags_and_artwork_downloads_tagged(
    client, urls, analysed, mastered, django_capture_on_commit_callbacks, tmp_path
):
    folded = client.get(urls.file(analysed.pk)).content.decode()
    assert '<details class="form-box">\n  <summary class="button">New render…' in folded
    page = client.get(urls.file(analysed.pk), {"from": mastered.pk}).content.decode()
    assert f'<option value="{mastered.pk}" selected>' in page
    assert '<details class="form-box" open>\n  <summary class="button">New render…' in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            urls.file(analysed.pk, "render/"),
            {
                "source": str(mastered.pk), "format": "mp3", "title": "Low Tide",
                "artists": "Maya Lind, Ines Duarte", "album": "Harbour Lights",
                "track_number": 2, "track_total": 9, "year": 2026, "isrc": "gb-abc-26-00001",
                "copyright_p": "℗ 2026 North Pier Records", "genre": "Indie",
                "artwork": SimpleUploadedFile("cover.png", _png(), content_type="image/png"),
            },
        )  # fmt: skip
    job = Job.objects.get(kind="render")
    assert response.status_code == 302 and response["Location"].endswith(f"#render-{job.pk}")
    assert job.status == "done" and job.params["master"] == mastered.pk
    assert job.params["tags"]["artists"] == ["Maya Lind", "Ines Duarte"]
    assert job.params["tags"]["isrc"] == "GBABC2600001"
    page = client.get(urls.file(analysed.pk)).content.decode()
    row = page[page.find(f'id="render-{job.pk}"') :]
    row = row[: row.find("</tr>")]
    assert "MP3 320 kbps" in row and "Maya Lind, Ines Duarte – Low Tide" in row
    assert "cover art" in row and urls.job(job.pk, "download/") in row
    download = client.get(urls.job(job.pk, "download/"))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    disposition = 'attachment; filename="Maya Lind, Ines Duarte - Low Tide.mp3"'
    assert download["Content-Disposition"] == disposition
    path = tmp_path / "got.mp3"
    path.write_bytes(b"".join(download.streaming_content))
    tags = mutagen.File(path)
    assert str(tags["TIT2"]) == "Low Tide" and "Maya Lind" in str(tags["TPE1"])
    assert str(tags["TSRC"]) == "GBABC2600001" and tags.tags.getall("APIC")


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"isrc": "nope"}, "“nope” is not an ISRC"),
        ({"track_number": 5, "track_total": 3}, "5 is past the total of 3"),
        ({"year": 1850}, "Give a year from 1900 on."),
        ({"format": "ogg"}, "Choose WAV, FLAC or MP3"),
        ({"source": "12345"}, "Choose a finished master of this file"),
        ({"artwork": SimpleUploadedFile("cover.png", b"not a picture")}, "JPEG or PNG"),
    ],
)
def test_render_form_errors_sit_next_to_their_field(client, urls, analysed, data, words):
    response = client.post(
        urls.file(analysed.pk, "render/"), {"source": "original", "format": "flac", **data}
    )
    field = next(iter(data))
    errors = re.findall(
        rf'<p class="error" id="id_{field}_error">(.*?)</p>', response.content.decode()
    )
    assert response.status_code == 400 and errors and words in errors[0], errors
    assert not Job.objects.filter(kind="render").exists()


# --- Files: stream, ranges, download -----------------------------------------------------------


def test_the_stream_answers_ranges_as_players_ask(client, urls, analysed, short_mix):
    data = short_mix.read_bytes()
    url = urls.file(analysed.pk, "stream/")
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert part["Content-Length"] == "100" and part["Content-Type"] == "audio/wav"
    assert b"".join(part.streaming_content) == data[100:200]
    opened = client.get(url, HTTP_RANGE="bytes=0-")
    assert opened.status_code == 206 and b"".join(opened.streaming_content) == data
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    past = client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-")
    assert past.status_code == 416 and past["Content-Range"] == f"bytes */{len(data)}"
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    keep = client.get(url, {"download": 1})
    assert keep["Content-Disposition"].startswith("attachment")
    assert client.get(urls.job(analysed.jobs.get().pk, "download/")).status_code == 404


# --- Who may do what --------------------------------------------------------------------------


def test_another_workspaces_ids_are_404(
    client, urls, analysed, outsider, other_workspace, tmp_path
):
    job = analysed.jobs.get()
    theirs_path = make_mix(tmp_path / "theirs.wav", seconds=2.0, seed=5)
    with open(theirs_path, "rb") as handle:
        theirs, _ = uploads.audio_upload(
            workspace=other_workspace, upload=File(handle, name="t.wav")
        )
    # Our workspace's pages with their file's id: not found.
    for tail in ("", "stream/", "peaks/"):
        assert client.get(urls.file(theirs.pk, tail)).status_code == 404, tail
    for tail in ("master/", "render/", "analyze/", "delete/"):
        assert client.post(urls.file(theirs.pk, tail), {}).status_code == 404, tail
    theirs_job = theirs.jobs.get()
    for tail in ("", "stream/", "download/"):
        assert client.get(urls.job(theirs_job.pk, tail)).status_code == 404, tail
    # Someone from the other workspace, on ours: not found either.
    client.force_login(outsider)
    for url in (
        urls.index,
        urls.file(analysed.pk),
        urls.file(analysed.pk, "stream/"),
        urls.job(job.pk),
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/w/maya/audio/nope/").status_code == 404


def test_viewers_listen_and_read_but_change_nothing(
    client, urls, analysed, mastered, viewer, short_mix
):
    client.force_login(viewer)
    index = client.get(urls.index).content.decode()
    assert index.count('class="file-row"') == 1 and "Drop mixes here" not in index
    page = client.get(urls.file(analysed.pk)).content.decode()
    assert "Integrated loudness" in page and "Listening to: original" in page
    for absent in ("Master it", "New render", ">Delete<", "Render this master"):
        assert absent not in page, absent
    assert client.get(urls.file(analysed.pk, "stream/")).status_code == 200
    assert client.get(urls.job(mastered.pk, "download/")).status_code == 200
    assert client.post(urls.upload, {"files": [as_upload(short_mix)]}).status_code == 403
    for tail in ("master/", "render/", "analyze/", "delete/"):
        assert client.post(urls.file(analysed.pk, tail), {}).status_code == 403, tail
    assert AudioFile.objects.count() == 1


def test_members_delete_a_file_and_everything_made_from_it(client, urls, analysed, mastered):
    response = client.post(urls.file(analysed.pk, "delete/"), follow=True)
    assert "and everything made from it are deleted" in response.content.decode()
    assert not AudioFile.objects.exists() and not Job.objects.exists()


def test_pages_never_answer_500_to_odd_input(client, urls, analysed):
    assert client.get(urls.index, {"page": "last-but-one"}).status_code == 200
    assert client.get(urls.job(analysed.jobs.get().pk), {"as": "nonsense"}).status_code == 200
    assert client.get(urls.file(analysed.pk, "stream/"), HTTP_RANGE="bytes=x-y").status_code == 200
    assert client.get(urls.file(analysed.pk, "master/")).status_code == 405
    assert client.get(urls.upload).status_code == 405


# --- plotly.js from the plotly package ----------------------------------------------------------


def test_plotly_js_is_found_served_and_collected(client, settings, tmp_path):
    found = finders.find("vendor/plotly.min.js")
    assert found and found.endswith("plotly/package_data/plotly.min.js")
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:3000].lower()
    settings.STATIC_ROOT = str(tmp_path / "collected")
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "collected" / "vendor" / "plotly.min.js").stat().st_size > 1_000_000


def test_a_report_from_an_earlier_analysis_offers_to_run_it_again(
    client, urls, analysed, viewer, django_capture_on_commit_callbacks
):
    current = client.get(urls.file(analysed.pk)).content.decode()
    assert "earlier version of Liner's analysis" not in current
    old = {k: v for k, v in analysed.analysis.items() if k not in ("sibilance", "sibilance_count")}
    old["engine_version"] = 1
    AudioFile.objects.filter(pk=analysed.pk).update(analysis=old)
    # As after an upgrade: the file's analysis job was made by the earlier engine.
    from audio.services.jobs import job_key

    params = {"engine": 1}
    key = job_key(audio_file_id=analysed.pk, kind="analyze", params=params)
    analysed.jobs.filter(kind="analyze").update(params=params, key=key)
    page = client.get(urls.file(analysed.pk)).content.decode()
    assert "earlier version of Liner's analysis" in page and "Analyse it again" in page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(urls.file(analysed.pk, "analyze/")).status_code == 302
    analysed.refresh_from_db()
    assert analysed.jobs.filter(kind="analyze").count() == 2
    assert "sibilance_count" in analysed.analysis
    assert "earlier version" not in client.get(urls.file(analysed.pk)).content.decode()
    # Viewers see that it is old but have no button.
    AudioFile.objects.filter(pk=analysed.pk).update(analysis=old)
    client.force_login(viewer)
    page = client.get(urls.file(analysed.pk)).content.decode()
    assert "earlier version" in page and "Analyse it again" not in page
