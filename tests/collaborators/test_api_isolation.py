"""Another workspace's objects are invisible: every workspace API route answers 404 to a
non-member, for every method, and never reveals or changes anything.

Routes are discovered from the URL configuration, so a route added later is covered too. Each
is called with the ids of real objects of the other workspace (a person, a release, a track, a
mix version, a comment …), not with ids that may not exist at all.
"""

import io
import re

import numpy as np
import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from audio.models import Job
from collaborators import services
from collaborators.models import Invitation, Membership, Person, Workspace
from collaborators.permissions import Role
from releases.models import Approver, Comment, MasterLock, MixVersion, Release, SignOff, Track
from releases.services import review

from ..conftest import assert_error_shape
from ..factories import PersonFactory, ReleaseFactory, TrackFactory

METHODS = ["get", "post", "put", "patch", "delete"]


def _walk(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def workspace_routes() -> list[str]:
    routes = []
    for route, _ in _walk(get_resolver().url_patterns):
        if not route.startswith("api/") or "format" in route:
            continue
        if "<slug:workspace_slug>" in route or "<slug>" in route or "(?P<slug>" in route:
            routes.append(route)
    return sorted(set(routes))


def fill(route: str, slug: str, pk: int, ids: dict[str, int] | None = None) -> str:
    """The route with ``slug``, ``pk`` and each other id parameter (``track_id`` …) from
    ``ids`` (``pk`` where ``ids`` has none)."""
    ids = ids or {}
    path = route.replace("^", "").replace("$", "").replace("\\Z", "")
    path = path.replace("<slug:workspace_slug>", slug)
    path = re.sub(r"\(\?P<slug>[^)]*\)", slug, path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(ids.get(m[1], pk)), path)
    path = re.sub(r"<(?:int:)?(\w+)>", lambda m: str(ids.get(m[1], pk)), path)
    return "/" + path


def _wav(seed: int) -> SimpleUploadedFile:
    x = np.random.default_rng(seed).normal(0, 0.05, (4800, 2))
    buf = io.BytesIO()
    sf.write(buf, x, 48_000, subtype="PCM_16", format="WAV")
    return SimpleUploadedFile(f"take {seed}.wav", buf.getvalue())


@pytest.fixture
def theirs(other_workspace, outsider, settings, tmp_path):
    """Objects that belong to the other workspace, one of each kind."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    person = PersonFactory(workspace=other_workspace, name="Private Contact")
    actor = Membership.objects.get(workspace=other_workspace, user=outsider)
    invitation = services.invitation_create(
        workspace=other_workspace, actor=actor, email="secret@example.com", role=Role.MEMBER
    )
    release = ReleaseFactory(workspace=other_workspace, title="Private Album")
    track = TrackFactory(release=release, title="Private Song")
    version = review.mix_version_add(track=track, upload=_wav(1), user=outsider)
    comment = review.comment_add(version=version, user=outsider, at_s=0.05, body="secret note")
    approver = review.approver_add(release=release, user=outsider, actor=outsider)
    return {
        "person": person, "member": actor, "invitation": invitation, "release": release,
        "track": track, "version": version, "comment": comment, "approver": approver,
        "audio": version.audio_file, "job": Job.objects.get(audio_file=version.audio_file),
    }  # fmt: skip


# The object a route's last id names, by the route's words (the most specific first).
_PK_KINDS = [
    ("comments", "comment"), ("versions", "version"), ("approvers", "approver"),
    ("people", "person"), ("members", "member"), ("invitations", "invitation"),
    ("audio", "audio"), ("jobs", "job"), ("tracks", "track"), ("releases", "release"),
]  # fmt: skip


def _pk_for(route: str, theirs) -> int:
    for word, kind in _PK_KINDS:
        if word in route:
            return theirs[kind].pk
    return 1


def _ids_for(theirs) -> dict[str, int]:
    """The ids of a nested route's parents: their track, their release."""
    return {"track_id": theirs["track"].pk, "release_id": theirs["release"].pk}


def assert_theirs_unchanged(theirs) -> None:
    assert Person.objects.get(pk=theirs["person"].pk).name == "Private Contact"
    assert Membership.objects.get(pk=theirs["member"].pk).role == Role.OWNER
    assert Invitation.objects.get(pk=theirs["invitation"].pk).revoked_at is None
    assert Release.objects.get(pk=theirs["release"].pk).title == "Private Album"
    assert Track.objects.get(pk=theirs["track"].pk).title == "Private Song"
    assert list(MixVersion.objects.filter(track=theirs["track"])) == [theirs["version"]]
    comment = Comment.objects.get(pk=theirs["comment"].pk)
    assert (comment.body, comment.resolved_at) == ("secret note", None)
    assert Comment.objects.filter(track=theirs["track"]).count() == 1
    assert Approver.objects.filter(pk=theirs["approver"].pk).exists()
    assert not SignOff.objects.filter(track=theirs["track"]).exists()
    assert not MasterLock.objects.filter(track=theirs["track"]).exists()


def test_routes_are_discovered():
    routes = workspace_routes()
    joined = " ".join(routes)
    for name in ("people", "members", "invitations", "resend", "versions", "comments",
                 "signoffs", "approvers", "lock"):  # fmt: skip
        assert name in joined, routes
    assert len(routes) >= 7


@pytest.mark.parametrize("route", workspace_routes())
@pytest.mark.parametrize("method", METHODS)
def test_non_member_gets_404_everywhere(
    api, owner, workspace, theirs, other_workspace, route, method
):
    client = api(owner)  # owner of "maya", not a member of "marchetti"
    url = fill(route, other_workspace.slug, _pk_for(route, theirs), _ids_for(theirs))
    response = getattr(client, method)(url, HOSTILE, format="json")
    if response.status_code == 405:
        return  # the route does not take this method at all, for anyone
    body = assert_error_shape(response, 404, "not_found")
    assert "Private" not in body["detail"] and "secret" not in body["detail"]
    assert Workspace.objects.filter(slug=other_workspace.slug).exists()
    assert_theirs_unchanged(theirs)


# A body that every write would take if the object were reachable: names, a role, and the
# ids, times and words of the review endpoints.
HOSTILE = {"name": "Hacked", "role": "owner", "body": "hacked", "at_s": 0, "decision": "approved",
           "reason": "hacked", "note": "hacked"}  # fmt: skip


def _with_ids(route: str) -> bool:
    """Whether the route names an object (not only a workspace by its slug)."""
    return bool(re.search(r"<(?:int:)?(?!slug>)\w+>", route))


@pytest.mark.parametrize("route", [r for r in workspace_routes() if _with_ids(r)])
@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_their_object_ids_under_my_workspace_are_404(api, owner, workspace, theirs, route, method):
    url = fill(route, workspace.slug, _pk_for(route, theirs), _ids_for(theirs))
    body = {**HOSTILE, "version": theirs["version"].pk, "user": theirs["member"].user_id}
    response = getattr(api(owner), method)(url, body, format="json")
    if response.status_code == 405:
        return
    assert_error_shape(response, 404, "not_found")
    assert_theirs_unchanged(theirs)


@pytest.mark.parametrize("route", workspace_routes())
def test_anonymous_gets_401(api, workspace, route):
    response = api().get(fill(route, workspace.slug, 1))
    assert_error_shape(response, 401, "not_authenticated")


def test_lists_show_only_my_workspace(api, owner, workspace, theirs):
    PersonFactory(workspace=workspace, name="Mine")
    people = api(owner).get(f"/api/workspaces/{workspace.slug}/people/").json()["results"]
    assert [p["name"] for p in people] == ["Mine"]
    workspaces = api(owner).get("/api/workspaces/").json()["results"]
    assert [w["slug"] for w in workspaces] == [workspace.slug]


def test_unknown_workspace_slug_is_404(api, owner):
    assert_error_shape(api(owner).get("/api/workspaces/no-such-place/people/"), 404, "not_found")
    assert_error_shape(api(owner).get("/api/workspaces/no-such-place/"), 404, "not_found")


def test_pages_of_another_workspace_are_404(client, owner, other_workspace, theirs):
    client.force_login(owner)
    slug = other_workspace.slug
    for path in [
        f"/w/{slug}/",
        f"/w/{slug}/people/",
        f"/w/{slug}/people/{theirs['person'].pk}/",
        f"/w/{slug}/people/{theirs['person'].pk}/edit/",
        f"/w/{slug}/members/",
        f"/w/{slug}/settings/",
        f"/w/{slug}/releases/",
        f"/w/{slug}/audio/",
        f"/w/{slug}/rights/",
        f"/w/{slug}/analytics/",
    ]:
        assert client.get(path).status_code == 404, path
    r = client.post(f"/w/{slug}/members/{theirs['member'].pk}/remove/")
    assert r.status_code == 404
    assert Membership.objects.filter(pk=theirs["member"].pk).exists()


def page_routes() -> list[str]:
    return sorted({r for r, _ in _walk(get_resolver().url_patterns) if r.startswith("w/")})


def _page_ids(theirs) -> dict[str, int]:
    return {
        "release_id": theirs["release"].pk, "track_id": theirs["track"].pk,
        "version_id": theirs["version"].pk, "comment_id": theirs["comment"].pk,
        "approver_id": theirs["approver"].pk, "person_id": theirs["person"].pk,
        "membership_id": theirs["member"].pk, "invitation_id": theirs["invitation"].pk,
        "pk": theirs["audio"].pk, "user_id": theirs["member"].user_id,
    }  # fmt: skip


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_page_of_another_workspace_is_404(client, owner, other_workspace, theirs, method):
    """Every page route (discovered, so new pages are covered) with their real ids."""
    client.force_login(owner)
    ids = _page_ids(theirs)
    assert len(page_routes()) > 40
    for route in page_routes():
        path = "/" + re.sub(
            r"<(?:int|slug):(\w+)>",
            lambda m: other_workspace.slug if m.group(1) == "workspace_slug"
            else str(ids.get(m.group(1), 1)),
            route,
        )  # fmt: skip
        r = getattr(client, method)(path, {"title": "Hacked", "body": "x", "name": "Hacked"})
        assert r.status_code in (404, 405), (method, path, r.status_code)
        assert b"Private" not in r.content and b"secret" not in r.content
    assert_theirs_unchanged(theirs)
