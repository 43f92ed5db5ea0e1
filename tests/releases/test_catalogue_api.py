"""The catalogue through the API and the pages: creation with a title alone, auto ISRCs,
errors in the one shape, isolation, and query counts that do not grow with rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releases.models import Release, Track
from releases.services import catalogue

from ..conftest import assert_error_shape
from ..factories import PersonFactory, ReleaseFactory, TrackFactory

pytestmark = pytest.mark.django_db


def _url(ws, tail=""):
    return f"/api/workspaces/{ws.slug}/{tail}"


def test_a_release_from_a_title_alone_then_tracks_with_auto_isrc(api, owner, workspace):
    client = api(owner)
    r = client.post(_url(workspace, "releases/"), {"title": "Low Tide", "type": "ep"})
    assert r.status_code == 201, r.content
    release_id = r.json()["id"]
    assert r.json()["status"] == "planning" and r.json()["artwork"] is None
    body = assert_error_shape(
        client.post(_url(workspace, "tracks/"), {"release": release_id, "title": "A",
                                                 "isrc": "auto"}), 400)  # fmt: skip
    assert "registrant prefix" in body["detail"]
    r = client.patch(_url(workspace, "catalogue-settings/"), {"isrc_prefix": "SE-A1B"})
    assert r.status_code == 200 and r.json()["isrc_prefix"] == "SEA1B"
    r = client.post(_url(workspace, "tracks/"), {"release": release_id, "title": "A",
                                                 "isrc": "auto"})  # fmt: skip
    assert r.status_code == 201, r.content
    track = r.json()
    assert track["isrc"].startswith("SE-A1B-") and track["position"] == 1
    assert set(track) >= {"isrc", "release", "title", "disc", "position"}
    detail = client.get(_url(workspace, f"releases/{release_id}/")).json()
    assert [t["title"] for t in detail["tracks"]] == ["A"]


def test_bad_input_answers_in_the_error_shape_and_changes_nothing(api, owner, workspace):
    client = api(owner)
    body = assert_error_shape(client.post(_url(workspace, "releases/"),
                                          {"title": "X", "upc": "0602445790587"}), 400)  # fmt: skip
    assert "upc" in body["fields"]
    release = ReleaseFactory(workspace=workspace)
    TrackFactory(release=release, position=1, isrc="GBEMI1900001")
    body = assert_error_shape(
        client.post(_url(workspace, "tracks/"),
                    {"release": release.pk, "title": "B", "isrc": "GB-EMI-19-00001"}), 400
    )  # fmt: skip
    assert "isrc" in body["fields"]
    body = assert_error_shape(
        client.post(_url(workspace, "tracks/"), {"release": release.pk, "title": "B",
                                                 "position": 1}), 400)  # fmt: skip
    assert "position" in body["fields"]
    assert_error_shape(client.patch(_url(workspace, "catalogue-settings/"),
                                    {"isrc_prefix": "GB-EM"}), 400)  # fmt: skip
    assert Track.objects.count() == 1 and Release.objects.count() == 1


def test_viewer_reads_but_cannot_write_and_strangers_get_404(api, viewer, outsider, workspace):
    release = ReleaseFactory(workspace=workspace)
    assert api(viewer).get(_url(workspace, f"releases/{release.pk}/")).status_code == 200
    assert_error_shape(api(viewer).post(_url(workspace, "releases/"), {"title": "X"}), 403)
    assert_error_shape(api(outsider).get(_url(workspace, f"releases/{release.pk}/")), 404)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _fill(workspace, releases, tracks_each):
    artist = PersonFactory(workspace=workspace)
    for _ in range(releases):
        release = catalogue.release_create(workspace=workspace, title="R", artists=[artist])
        for _ in range(tracks_each):
            catalogue.track_create(release=release, title="T")
    return release


def test_query_counts_do_not_grow_with_rows(api, client, owner, workspace):
    _fill(workspace, 2, 1)
    c = api(owner)
    client.force_login(owner)
    client.get(f"/w/{workspace.slug}/releases/")  # the first visit remembers the workspace
    small = (_count(c, _url(workspace, "releases/")), _count(c, _url(workspace, "tracks/")),
             _count(client, f"/w/{workspace.slug}/releases/"))  # fmt: skip
    last = _fill(workspace, 10, 3)
    big = (_count(c, _url(workspace, "releases/")), _count(c, _url(workspace, "tracks/")),
           _count(client, f"/w/{workspace.slug}/releases/"))  # fmt: skip
    assert small == big
    first = Release.objects.filter(workspace=workspace).order_by("id").first()
    assert _count(c, _url(workspace, f"releases/{first.pk}/")) == _count(
        c, _url(workspace, f"releases/{last.pk}/")
    )
    assert _count(client, f"/w/{workspace.slug}/releases/{first.pk}/") == _count(
        client, f"/w/{workspace.slug}/releases/{last.pk}/"
    )


def test_pages_create_show_and_refuse(client, owner, viewer, outsider, workspace):
    client.force_login(owner)
    r = client.post(f"/w/{workspace.slug}/releases/new/", {"title": "Glasshouse", "type": "album",
                    "status": "planning", "territory_mode": "worldwide"})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:2000]
    release = Release.objects.get(title="Glasshouse")
    page = client.get(f"/w/{workspace.slug}/releases/{release.pk}/").content.decode()
    assert "Glasshouse" in page and "Metadata completeness" in page
    r = client.post(f"/w/{workspace.slug}/releases/{release.pk}/tracks/new/",
                    {"title": "Tide", "disc": 1, "isrc": "nonsense"})  # fmt: skip
    assert r.status_code == 400 and "ISRC" in r.content.decode()
    r = client.post(f"/w/{workspace.slug}/releases/{release.pk}/tracks/new/",
                    {"title": "Tide", "disc": 1})  # fmt: skip
    assert r.status_code == 302 and release.tracks.count() == 1
    assert client.get(f"/w/{workspace.slug}/releases/?q=Tide").content.decode().count("Glasshouse")
    client.force_login(viewer)
    assert client.get(f"/w/{workspace.slug}/releases/{release.pk}/").status_code == 200
    assert client.post(f"/w/{workspace.slug}/releases/{release.pk}/edit/").status_code == 403
    client.force_login(outsider)
    for path in ("", f"{release.pk}/", f"{release.pk}/edit/", "new/", "settings/"):
        assert client.get(f"/w/{workspace.slug}/releases/{path}").status_code == 404, path


def _jpeg(size=(3000, 3000), mode="RGB"):
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new(mode, size, (20, 90, 160) if mode == "RGB" else (0, 0, 0, 0)).save(buf, "JPEG")
    buf.seek(0)
    buf.name = "cover.jpg"
    return buf


def test_artwork_upload_through_the_api(api, owner, workspace, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    release = ReleaseFactory(workspace=workspace)
    client = api(owner)
    url = _url(workspace, f"releases/{release.pk}/artwork/")
    r = client.post(url, {"file": _jpeg()}, format="multipart")
    assert r.status_code == 200, r.content
    art = r.json()["artwork"]
    assert (art["width"], art["height"], art["format"]) == (3000, 3000, "JPEG")
    body = assert_error_shape(client.post(url, {"file": _jpeg((3000, 2000))}, format="multipart"),
                              400)  # fmt: skip
    assert "square" in body["detail"]
    body = assert_error_shape(client.post(url, {"file": _jpeg(mode="CMYK")}, format="multipart"),
                              400)  # fmt: skip
    assert "RGB" in body["detail"]
    release.refresh_from_db()
    assert release.artwork_width == 3000  # the good artwork stayed
    assert client.delete(url).status_code == 204


def test_editions_and_credits_through_the_api(api, owner, workspace):
    release = ReleaseFactory(workspace=workspace)
    client = api(owner)
    r = client.post(_url(workspace, f"releases/{release.pk}/editions/"),
                    {"format": "vinyl", "quantity": 300, "unit_cost": "4.85",
                     "manufacturer": "Pallas"})  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["manufacturing_cost"] == "1455.00"
    assert_error_shape(client.post(_url(workspace, f"releases/{release.pk}/editions/"),
                                   {"format": "vinyl", "unit_cost": "-1"}), 400)  # fmt: skip
    person = PersonFactory(workspace=workspace)
    r = client.post(_url(workspace, "credits/"),
                    {"person": person.pk, "role": "producer", "release": release.pk})  # fmt: skip
    assert r.status_code == 201, r.content
    assert_error_shape(client.post(_url(workspace, "credits/"),
                                   {"person": person.pk, "role": "producer"}), 400)  # fmt: skip
    assert_error_shape(client.post(_url(workspace, "credits/"),
                                   {"person": person.pk, "role": "performer",
                                    "instrument": "NotAnInstrument", "release": release.pk}),
                       400)  # fmt: skip


def test_completeness_and_consistency_through_the_api(api, owner, workspace):
    artist = PersonFactory(workspace=workspace)
    release = catalogue.release_create(workspace=workspace, title="Low Tide", artists=[artist],
                                       genre="Pop")  # fmt: skip
    catalogue.track_create(release=release, title="A")
    client = api(owner)
    rows = client.get(_url(workspace, f"releases/{release.pk}/completeness/")).json()
    spotify = next(r for r in rows if r["store"] == "spotify")
    assert 0 < spotify["score"] < 100
    assert "UPC / EAN" in spotify["required_missing"] and "Genre" not in spotify["missing"]
    body = client.get(_url(workspace, f"releases/{release.pk}/consistency/")).json()
    assert body["tracks"][0]["title"] == "A" and body["tracks"][0]["integrated_lufs"] is None
    assert set(body["album_gain_db"]) >= {"spotify", "apple-music"}


def test_changing_the_release_date_moves_the_undone_milestones(api, owner, workspace):
    import datetime as dt

    from releases.services import planning

    day = dt.date.today() + dt.timedelta(weeks=20)
    release = catalogue.release_create(workspace=workspace, title="Move me", release_date=day)
    planning.timeline_generate(release=release)
    before = {m.key: m.due_date for m in release.milestones.all()}
    r = api(owner).patch(_url(workspace, f"releases/{release.pk}/"),
                         {"release_date": (day + dt.timedelta(days=14)).isoformat()})  # fmt: skip
    assert r.status_code == 200, r.content
    after = {m.key: m.due_date for m in release.milestones.all()}
    assert all(after[k] == v + dt.timedelta(days=14) for k, v in before.items())
