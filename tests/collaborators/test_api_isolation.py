"""Another workspace's objects are invisible: every workspace API route answers 404 to a
non-member, for every method, and never reveals or changes anything.

Routes are discovered from the URL configuration, so a route added later is covered too.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from collaborators import services
from collaborators.models import Invitation, Membership, Person, Workspace
from collaborators.permissions import Role

from ..conftest import assert_error_shape
from ..factories import PersonFactory

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


def fill(route: str, slug: str, pk: int) -> str:
    path = route.replace("^", "").replace("$", "").replace("\\Z", "")
    path = path.replace("<slug:workspace_slug>", slug)
    path = re.sub(r"\(\?P<slug>[^)]*\)", slug, path)
    path = re.sub(r"\(\?P<pk>[^)]*\)", str(pk), path)
    path = re.sub(r"<(int:)?pk>", str(pk), path)
    return "/" + path


@pytest.fixture
def theirs(other_workspace, outsider):
    """Objects that belong to the other workspace, one of each kind."""
    person = PersonFactory(workspace=other_workspace, name="Private Contact")
    actor = Membership.objects.get(workspace=other_workspace, user=outsider)
    invitation = services.invitation_create(
        workspace=other_workspace, actor=actor, email="secret@example.com", role=Role.MEMBER
    )
    return {"person": person, "member": actor, "invitation": invitation}


def _pk_for(route: str, theirs) -> int:
    if "people" in route:
        return theirs["person"].pk
    if "members" in route:
        return theirs["member"].pk
    if "invitations" in route:
        return theirs["invitation"].pk
    return 1


def test_routes_are_discovered():
    routes = workspace_routes()
    joined = " ".join(routes)
    for name in ("people", "members", "invitations", "resend"):
        assert name in joined, routes
    assert len(routes) >= 7


@pytest.mark.parametrize("route", workspace_routes())
@pytest.mark.parametrize("method", METHODS)
def test_non_member_gets_404_everywhere(
    api, owner, workspace, theirs, other_workspace, route, method
):
    client = api(owner)  # owner of "maya", not a member of "marchetti"
    url = fill(route, other_workspace.slug, _pk_for(route, theirs))
    response = getattr(client, method)(url, {"name": "Hacked", "role": "owner"}, format="json")
    if response.status_code == 405:
        return  # the route does not take this method at all, for anyone
    body = assert_error_shape(response, 404, "not_found")
    assert "Private" not in body["detail"] and "secret" not in body["detail"]
    assert Person.objects.get(pk=theirs["person"].pk).name == "Private Contact"
    assert Workspace.objects.filter(slug=other_workspace.slug).exists()
    assert Membership.objects.get(pk=theirs["member"].pk).role == Role.OWNER
    assert Invitation.objects.get(pk=theirs["invitation"].pk).revoked_at is None


@pytest.mark.parametrize("route", [r for r in workspace_routes() if "pk" in r])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_their_object_ids_under_my_workspace_are_404(api, owner, workspace, theirs, route, method):
    url = fill(route, workspace.slug, _pk_for(route, theirs))
    response = getattr(api(owner), method)(url, {"name": "Hacked"}, format="json")
    if response.status_code == 405:
        return
    assert_error_shape(response, 404, "not_found")
    assert Person.objects.get(pk=theirs["person"].pk).name == "Private Contact"


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
