"""A guest on one release reaches that release and nothing else of the workspace.

Every page route of a workspace is discovered from the URL configuration, so a page added
later is covered too: a guest gets a 404 on every workspace page outside their release, on
every route of another release of the same workspace, and on their own release's routes when
an id in the URL belongs to another release. Every workspace API route is a 404 for them.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from collaborators.models import Membership
from releases.models import Comment, Credit, MixVersion, PhysicalEdition, Release, Track
from releases.services import catalogue, review

from ..factories import PersonFactory, UserFactory
from .test_review import wav

pytestmark = pytest.mark.django_db

METHODS = ["get", "post"]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def page_routes() -> list[str]:
    return sorted({r for r in _walk(get_resolver().url_patterns) if r.startswith("w/")})


def api_routes() -> list[str]:
    return sorted(
        {
            r
            for r in _walk(get_resolver().url_patterns)
            if r.startswith("api/") and "workspace_slug" in r and "format" not in r
        }  # fmt: skip
    )


@pytest.fixture
def scene(settings, tmp_path, workspace, owner):
    """Two releases of one workspace, each with a track, a version, a comment, a credit, an
    edition and an approver; a guest on the first only."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    guest = UserFactory(email="sam@studio.example")
    person = PersonFactory(workspace=workspace)
    objects = {}
    for key, title in (("mine", "Glasshouse"), ("theirs", "Secret Album")):
        release = catalogue.release_create(workspace=workspace, title=title, type="album")
        track = catalogue.track_create(release=release, title=f"{title} song")
        version = review.mix_version_add(
            track=track, upload=wav(f"{key}.wav", seconds=1.0, seed=len(key)), user=owner
        )
        comment = review.comment_add(version=version, user=owner, at_s=0.5, body="Note")
        credit = catalogue.credit_add(track=track, person=person, role="producer")
        edition = catalogue.edition_create(release=release, format="cd", quantity=100)
        approver = review.approver_add(release=release, user=owner, actor=owner)
        objects[key] = {
            "release_id": release.pk, "track_id": track.pk, "version_id": version.pk,
            "comment_id": comment.pk, "credit_id": credit.pk, "edition_id": edition.pk,
            "approver_id": approver.pk, "pk": version.audio_file_id, "user_id": owner.pk,
            "invitation_id": 999999, "person_id": person.pk,
            "membership_id": Membership.objects.get(user=owner).pk,
        }  # fmt: skip
    from releases.services import guests

    guests.release_guest_add(release=Release.objects.get(title="Glasshouse"), user=guest,
                             actor=owner)  # fmt: skip
    return {"guest": guest, **objects}


def fill(route: str, slug: str, ids: dict) -> str:
    path = route.replace("<slug:workspace_slug>", slug)
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids.get(m.group(1), 1)), path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(ids.get(m.group(1), 1)), path)
    return "/" + path.replace("^", "").replace("$", "")


def _snapshot():
    return (
        Release.objects.count(), Track.objects.count(), MixVersion.objects.count(),
        Comment.objects.count(), Credit.objects.count(), PhysicalEdition.objects.count(),
        sorted(Release.objects.values_list("title", flat=True)),
    )  # fmt: skip


def test_routes_are_discovered():
    routes = page_routes()
    assert any("tracks/<int:track_id>/" in r for r in routes)
    assert any(r.endswith("audio/") for r in routes) and len(routes) > 40


@pytest.mark.parametrize("method", METHODS)
def test_a_guest_sees_nothing_outside_their_release(client, workspace, scene, method):
    client.force_login(scene["guest"])
    before = _snapshot()
    mine, theirs = scene["mine"], scene["theirs"]
    for route in page_routes():
        on_release = "<int:release_id>" in route
        # Another release of the same workspace, or anything that is not a release: 404.
        url = fill(route, workspace.slug, theirs)
        r = getattr(client, method)(url, {"body": "x", "title": "Hacked", "email": "a@b.example"})
        # 405: the route takes no such method, for anyone; it reveals nothing.
        assert r.status_code in (404, 405), (method, url, r.status_code)
        if on_release and "<int:" in route.split("<int:release_id>/", 1)[1]:
            # Their own release, with an id of the other release smuggled in further on.
            mixed = {**theirs, "release_id": mine["release_id"]}
            url = fill(route, workspace.slug, mixed)
            r = getattr(client, method)(url, {"body": "x", "title": "Hacked"})
            # 403: a guest may not do this on their own release at all (checked before the
            # id is looked at, so nothing of the other release shows).
            assert r.status_code in (403, 404, 405), (method, url, r.status_code)
            assert b"Secret Album" not in r.content
        elif on_release:
            url = fill(route, workspace.slug, mine)
            r = getattr(client, method)(url, {"title": "Hacked"})
            assert r.status_code < 500, (method, url, r.status_code)
    assert _snapshot() == before
    assert Release.objects.get(pk=mine["release_id"]).title == "Glasshouse"


def test_a_guest_reaches_their_release_and_its_track(client, workspace, scene):
    client.force_login(scene["guest"])
    mine = scene["mine"]
    release_page = fill("w/<slug:workspace_slug>/releases/<int:release_id>/", workspace.slug, mine)
    assert client.get(release_page).status_code == 200
    track_page = fill(
        "w/<slug:workspace_slug>/releases/<int:release_id>/tracks/<int:track_id>/",
        workspace.slug, mine,
    )  # fmt: skip
    page = client.get(track_page)
    assert page.status_code == 200 and b"Secret Album" not in page.content


def test_a_guest_reaches_no_workspace_api_route_but_their_releases_review(api, workspace, scene):
    """Lists and everything outside a release are 404; the review endpoints of their own
    release may answer (releases/api/review.py lets guests in there), never another's."""
    client = api(scene["guest"])
    for route in api_routes():
        for key in ("mine", "theirs"):
            url = fill(route, workspace.slug, scene[key])
            r = client.get(url)
            scoped = "<int:release_id>" in route or "<int:track_id>" in route
            if key == "theirs" or not scoped:
                assert r.status_code in (404, 405), (url, r.status_code)
            else:
                assert r.status_code < 500 and b"Secret Album" not in r.content, url
