"""The audio API: upload, poll the job, read the report, master, render, download."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile

from audio.models import AudioFile, Job

from ..conftest import assert_error_shape

pytestmark = pytest.mark.django_db

BASE = "/api/workspaces/maya/audio/"


@pytest.fixture
def post_file(api, django_capture_on_commit_callbacks):
    def post(user, path: Path, *, name=None, url=BASE):
        client = api(user)
        upload = SimpleUploadedFile(name or path.name, path.read_bytes())
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, {"file": upload}, format="multipart")

    return post


@pytest.fixture
def call(api, django_capture_on_commit_callbacks):
    def do(user, method, url, data=None, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(api(user), method)(url, data, **kw)

    return do


def test_upload_then_the_report_with_verdicts(post_file, api, member, mix_wav):
    response = post_file(member, mix_wav)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["original_name"] == mix_wav.name
    assert body["analysis_job"]["status"] == "queued"  # answered before the work starts
    detail = api(member).get(f"{BASE}{body['id']}/").json()
    assert detail["analysis_job"]["status"] == "done"
    report = detail["report"]
    for key in ("integrated_lufs", "true_peak_dbtp", "loudness_range_lu", "codec"):
        assert key in report
    slugs = [v["profile"] for v in report["verdicts"]]
    assert {"spotify", "apple-music", "cd", "broadcast-ebu"} <= set(slugs)
    assert all(v["status"] in {"pass", "warn", "fail"} for v in report["verdicts"])
    peaks = api(member).get(f"{BASE}{body['id']}/peaks/").json()
    assert set(peaks["levels"]) == {"512", "2048", "8192"}
    job = api(member).get(f"/api/workspaces/maya/jobs/{body['analysis_job']['id']}/").json()
    assert job["progress"] == 100 and job["result"]["integrated_lufs"] is not None


def test_the_same_upload_twice_answers_200_with_the_same_file(post_file, member, mix_wav):
    first = post_file(member, mix_wav).json()
    again = post_file(member, mix_wav, name="other-name.wav")
    assert again.status_code == 200 and again.json()["id"] == first["id"]


def test_a_bad_file_gets_the_error_shape_and_nothing_is_kept(post_file, member, hostile_files):
    response = post_file(member, hostile_files["pdf"])
    body = assert_error_shape(response, 400)
    assert "PDF" in body["fields"]["file"][0]
    assert AudioFile.objects.count() == 0


def test_an_oversized_request_is_refused_before_it_is_read(api, member, settings):
    settings.AUDIO_MAX_UPLOAD_BYTES = 1000
    response = api(member).generic(
        "POST", BASE, b"x" * 10, content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 << 20),
    )  # fmt: skip
    assert_error_shape(response, 413, "too_large")


def test_viewers_read_but_do_not_upload_and_outsiders_see_nothing(
    post_file, api, member, viewer, outsider, mix_wav
):
    audio_id = post_file(member, mix_wav).json()["id"]
    assert api(viewer).get(f"{BASE}{audio_id}/").status_code == 200
    assert_error_shape(post_file(viewer, mix_wav), 403)
    assert_error_shape(api(outsider).get(f"{BASE}{audio_id}/"), 404)
    assert_error_shape(api(outsider).get(f"/api/workspaces/marchetti/audio/{audio_id}/"), 404)
    assert_error_shape(api(member).get(f"{BASE}not-a-number/"), 404)


def test_master_render_and_download(post_file, call, api, member, mix_wav):
    audio_id = post_file(member, mix_wav).json()["id"]
    response = call(
        member, "post", f"{BASE}{audio_id}/master/",
        {"profile": "spotify", "intensity": "balanced", "mix": 1.0}, format="json",
    )  # fmt: skip
    assert response.status_code == 202, response.content
    master = response.json()
    assert master["kind"] == "master"
    detail = api(member).get(f"/api/workspaces/maya/jobs/{master['id']}/").json()
    assert detail["status"] == "done", detail
    master = detail
    after = detail["result"]["after"]
    assert abs(after["integrated_lufs"] - (-14.0)) <= 0.3
    assert after["true_peak_dbtp"] <= -1.0
    assert "after_peaks" not in detail["result"]
    wav = api(member).get(master["download_url"])
    assert wav.status_code == 200
    data, rate = sf.read(io.BytesIO(b"".join(wav.streaming_content)))
    assert rate == 44100

    tags = {"title": "Night Drive", "artists": ["Maya Lind"], "isrc": "GB-ABC-26-00001"}
    response = call(
        member, "post", f"{BASE}{audio_id}/render/",
        {"format": "flac", "master": master["id"], "tags": tags}, format="json",
    )  # fmt: skip
    assert response.status_code == 202, response.content
    render = api(member).get(f"/api/workspaces/maya/jobs/{response.json()['id']}/").json()
    assert render["status"] == "done", render
    flac = api(member).get(render["download_url"])
    assert flac.status_code == 200
    assert "attachment" in flac["Content-Disposition"]

    # The same request again is the same job; a bad ISRC is a field error.
    again = call(
        member, "post", f"{BASE}{audio_id}/render/",
        {"format": "flac", "master": master["id"], "tags": tags}, format="json",
    )  # fmt: skip
    assert again.json()["id"] == render["id"]
    bad = call(
        member, "post", f"{BASE}{audio_id}/render/",
        {"format": "mp3", "tags": {"isrc": "nope"}}, format="json",
    )  # fmt: skip
    assert "tags" in assert_error_shape(bad, 400)["fields"]
    assert Job.objects.filter(kind="render").count() == 1


def test_master_input_is_checked(post_file, call, member, mix_wav, other_workspace):
    audio_id = post_file(member, mix_wav).json()["id"]
    url = f"{BASE}{audio_id}/master/"
    body = assert_error_shape(call(member, "post", url, {"profile": "myspace"}, format="json"), 400)
    assert "profile" in body["fields"]
    body = assert_error_shape(
        call(member, "post", url, {"profile": "spotify", "mix": 2}, format="json"), 400
    )
    assert "mix" in body["fields"]
    body = assert_error_shape(
        call(member, "post", url, {"profile": "spotify", "target_lufs": 3}, format="json"), 400
    )
    assert "target_lufs" in body["fields"]
    assert_error_shape(
        call(member, "post", url, {"profile": "spotify", "reference": 99999}, format="json"), 404
    )
    assert Job.objects.filter(kind="master").count() == 0


def test_profiles_are_listed_with_sources(api, member):
    profiles = api(member).get("/api/audio/profiles/").json()
    spotify = next(p for p in profiles if p["slug"] == "spotify")
    assert spotify["target_lufs"] == -14.0 and spotify["true_peak_ceiling_dbtp"] == -1.0
    assert spotify["sources"]


def test_job_list_filters_and_query_count_stays_flat(
    post_file, api, member, tmp_path, django_assert_max_num_queries
):
    from .conftest import make_mix

    for seed in range(3):
        post_file(member, make_mix(tmp_path / f"t{seed}.wav", seconds=1.0, seed=seed))
    client = api(member)
    with django_assert_max_num_queries(8):
        few = client.get(BASE)
    for seed in range(3, 9):
        post_file(member, make_mix(tmp_path / f"t{seed}.wav", seconds=1.0, seed=seed))
    with django_assert_max_num_queries(8):
        many = client.get(BASE)
    assert few.json()["count"] == 3 and many.json()["count"] == 9
    jobs = client.get("/api/workspaces/maya/jobs/?kind=analyze&status=done").json()
    assert jobs["count"] == 9


def test_a_job_filter_id_past_the_integer_range_is_a_400(api, owner, workspace):
    r = api(owner).get(f"/api/workspaces/{workspace.slug}/jobs/?audio_file=99999999999999999999999")
    assert r.status_code == 400 and set(r.json()) == {"detail", "code", "fields"}
