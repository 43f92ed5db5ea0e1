"""The audio pages: upload (several files, good and bad), the report, polling, mastering,
renders, the player's ranged stream, and who may do what."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audio.models import AudioFile, Job

pytestmark = pytest.mark.django_db


def files_of(*paths):
    return [SimpleUploadedFile(p.name, p.read_bytes()) for p in paths]


@pytest.fixture
def uploaded(client, member, workspace, mix_wav, django_capture_on_commit_callbacks):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/w/{workspace.slug}/audio/upload/", {"files": files_of(mix_wav)})
    return AudioFile.objects.get()


def test_several_files_at_once_good_and_bad(
    client, member, workspace, mix_wav, other_wav, hostile_files, django_capture_on_commit_callbacks
):
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/w/{workspace.slug}/audio/upload/",
            {"files": files_of(mix_wav, hostile_files["pdf"], other_wav)},
            HTTP_ACCEPT="application/json",
        )
    results = response.json()["results"]
    assert [r["ok"] for r in results] == [True, False, True]
    assert "PDF" in results[1]["error"]
    assert AudioFile.objects.count() == 2
    page = client.get(f"/w/{workspace.slug}/audio/").content.decode()
    assert mix_wav.name in page and other_wav.name in page and "LUFS" in page


def test_plain_form_upload_and_duplicate(client, member, workspace, mix_wav):
    client.force_login(member)
    url = f"/w/{workspace.slug}/audio/upload/"
    first = client.post(url, {"files": files_of(mix_wav)}, follow=True).content.decode()
    assert "is uploaded" in first
    again = client.post(url, {"files": files_of(mix_wav)}, follow=True).content.decode()
    assert "already here" in again
    empty = client.post(url, {}, follow=True).content.decode()
    assert "Choose one or more audio files" in empty


def test_an_oversized_body_is_refused_before_reading(client, member, workspace, settings):
    settings.AUDIO_MAX_UPLOAD_BYTES = 1000
    client.force_login(member)
    response = client.generic(
        "POST", f"/w/{workspace.slug}/audio/upload/", b"x",
        content_type="multipart/form-data; boundary=x", CONTENT_LENGTH=str(5 << 20),
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert (
        response.status_code == 413 and "over the limit" in response.json()["results"][0]["error"]
    )


def test_the_report_page(client, workspace, uploaded):
    page = client.get(f"/w/{workspace.slug}/audio/{uploaded.pk}/").content.decode()
    for words in (
        "Integrated loudness",
        "True peak",
        "Spotify",
        "Apple Music",
        "EBU R 128",
        "After encoding",
        "loudness-figure",
        "peaks-data",
        "vendor/plotly.min.js",
    ):
        assert words in page, words
    assert "turn this" in page or "will play this" in page  # a normalisation preview


def test_the_job_fragment_asks_for_a_reload_when_done(client, workspace, uploaded):
    job = uploaded.jobs.get()
    response = client.get(f"/w/{workspace.slug}/audio/jobs/{job.pk}/?was=running")
    assert response["HX-Refresh"] == "true" and "done" in response.content.decode()
    Job.objects.filter(pk=job.pk).update(status="running", progress=42, stage="Measuring")
    running = client.get(f"/w/{workspace.slug}/audio/jobs/{job.pk}/?was=running")
    assert "HX-Refresh" not in running and 'aria-valuenow="42"' in running.content.decode()
    assert "every 1s" in running.content.decode()


def test_master_form_errors_then_a_master_with_before_and_after(
    client, workspace, uploaded, django_capture_on_commit_callbacks
):
    url = f"/w/{workspace.slug}/audio/{uploaded.pk}/master/"
    bad = client.post(url, {"profile": "spotify", "intensity": "balanced", "mix": 150})
    assert bad.status_code == 400 and "Ensure this value is less than" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"profile": "spotify", "intensity": "balanced", "mix": 100})
    job = Job.objects.get(kind="master")
    assert job.status == "done"
    page = client.get(f"/w/{workspace.slug}/audio/{uploaded.pk}/").content.decode()
    assert "Before" in page and "After" in page and "matched" not in page or "same loudness" in page
    assert f"/audio/jobs/{job.pk}/stream/" in page
    download = client.get(f"/w/{workspace.slug}/audio/jobs/{job.pk}/download/")
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]


def test_render_with_tags_and_a_bad_isrc(
    client, workspace, uploaded, django_capture_on_commit_callbacks
):
    url = f"/w/{workspace.slug}/audio/{uploaded.pk}/render/"
    bad = client.post(url, {"format": "mp3", "source": "original", "isrc": "nope"})
    assert bad.status_code == 400 and "not an ISRC" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "format": "mp3",
                "source": "original",
                "title": "Night Drive",
                "artists": "Maya Lind, Ines Duarte",
                "isrc": "GB-ABC-26-00001",
            },
        )
    job = Job.objects.get(kind="render")
    assert job.status == "done" and job.params["tags"]["artists"] == ["Maya Lind", "Ines Duarte"]
    response = client.get(f"/w/{workspace.slug}/audio/jobs/{job.pk}/download/")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.mp3"')


def test_the_stream_answers_ranges(client, workspace, uploaded, mix_wav):
    data = mix_wav.read_bytes()
    url = f"/w/{workspace.slug}/audio/{uploaded.pk}/stream/"
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    assert client.get(url, HTTP_RANGE=f"bytes={len(data) + 5}-").status_code == 416
    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"


def test_viewers_see_but_cannot_change_and_outsiders_get_404(
    client, workspace, uploaded, viewer, outsider, mix_wav
):
    client.force_login(viewer)
    page = client.get(f"/w/{workspace.slug}/audio/{uploaded.pk}/").content.decode()
    assert "Master it" not in page and "Drop mixes" not in client.get(
        f"/w/{workspace.slug}/audio/").content.decode()  # fmt: skip
    assert (
        client.post(f"/w/{workspace.slug}/audio/upload/", {"files": files_of(mix_wav)}).status_code
        == 403
    )
    assert client.post(f"/w/{workspace.slug}/audio/{uploaded.pk}/master/", {}).status_code == 403
    client.force_login(outsider)
    assert client.get(f"/w/{workspace.slug}/audio/{uploaded.pk}/").status_code == 404
    assert client.get(f"/w/marchetti/audio/{uploaded.pk}/").status_code == 404
    assert client.get(f"/w/marchetti/audio/{uploaded.pk}/stream/").status_code == 404


def test_index_queries_do_not_grow_with_files(
    client,
    member,
    workspace,
    tmp_path,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    from .conftest import make_mix

    client.force_login(member)

    def add(seeds):
        for seed in seeds:
            path = make_mix(tmp_path / f"t{seed}.wav", seconds=1.0, seed=seed)
            with django_capture_on_commit_callbacks(execute=True):
                client.post(f"/w/{workspace.slug}/audio/upload/", {"files": files_of(path)})

    add(range(2))
    with django_assert_max_num_queries(10):
        client.get(f"/w/{workspace.slug}/audio/")
    add(range(2, 10))
    with django_assert_max_num_queries(10):
        assert "t9.wav" in client.get(f"/w/{workspace.slug}/audio/").content.decode()


def test_plotly_is_served_from_the_package(client):
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200
    assert b"plotly" in b"".join(response.streaming_content)[:2000].lower()
