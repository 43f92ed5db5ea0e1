"""The REST API: auth, people, members, workspaces, errors, pagination, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collaborators.models import Person, PersonRoleLink

from ..conftest import assert_error_shape
from ..factories import PASSWORD, PersonFactory, UserFactory


def test_token_for_email_and_password(api, owner):
    r = api().post("/api/auth/token/", {"email": "OWNER@example.com", "password": PASSWORD})
    assert r.status_code == 200, r.content
    token = r.json()["token"]
    authed = api()
    authed.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert authed.get("/api/workspaces/").status_code == 200


@pytest.mark.parametrize(
    "payload, status",
    [
        ({"email": "owner@example.com", "password": "wrong"}, 400),
        ({"email": "nobody@example.com", "password": PASSWORD}, 400),
        ({"email": "not an email", "password": PASSWORD}, 400),
        ({}, 400),
    ],
)
def test_token_refuses_bad_credentials(api, owner, payload, status):
    assert_error_shape(api().post("/api/auth/token/", payload), status)


def test_login_is_throttled_after_repeated_failures(api, owner, settings, client):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        api().post("/api/auth/token/", {"email": "owner@example.com", "password": "nope"})
    locked = api().post("/api/auth/token/", {"email": "owner@example.com", "password": PASSWORD})
    assert_error_shape(locked, 429, "throttled")
    page = client.post("/accounts/login/", {"username": "owner@example.com", "password": PASSWORD})
    assert page.status_code == 429
    assert b"Too many failed logins" in page.content


def test_malformed_json_is_a_400_in_the_error_shape(api, owner, workspace):
    r = api(owner).generic(
        "POST",
        f"/api/workspaces/{workspace.slug}/people/",
        "{not json",
        content_type="application/json",
    )
    assert_error_shape(r, 400, "parse_error")
    assert Person.objects.count() == 0


def test_unknown_api_path_is_json_404(api, owner):
    r = api(owner).get("/api/no/such/thing/")
    assert_error_shape(r, 404, "not_found")


def test_people_crud(api, member, workspace):
    client = api(member)
    base = f"/api/workspaces/{workspace.slug}/people/"
    r = client.post(
        base,
        {
            "name": "Ines Duarte",
            "email": "Ines@Cowrite.example",
            "roles": ["writer", "producer"],
            "isni": "0000 0001 2281 955X",
            "ipi": "00052210040",
            "pro": "SACEM",
            "links": ["https://ines.example"],
        },
    )
    assert r.status_code == 201, r.content
    person = r.json()
    assert person["email"] == "ines@cowrite.example"
    assert person["isni"] == "000000012281955X"
    assert person["roles"] == ["writer", "producer"]
    pid = person["id"]
    r = client.patch(f"{base}{pid}/", {"roles": ["writer"], "notes": "Co-wrote Low Tide"})
    assert r.status_code == 200 and r.json()["roles"] == ["writer"]
    assert r.json()["ipi"] == "00052210040"  # untouched by a partial update
    assert client.get(f"{base}?role=writer").json()["count"] == 1
    assert client.get(f"{base}?role=press").json()["count"] == 0
    assert client.get(f"{base}?search=cowrite").json()["count"] == 1
    assert client.delete(f"{base}{pid}/").status_code == 204
    assert client.get(f"{base}{pid}/").status_code == 404


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("isni", "0000 0001 2281 9551", "check character"),
        ("ipi", "00052210041", "check digits"),
        ("ipi", "12", "11 digits"),
        ("ipi", "²0052210040", "11 digits"),  # isdigit() but not int(): was a 500
        ("email", "nope", "valid email"),
        ("email", "a" * 250 + "@x.io", "254 characters"),
        ("roles", ["drummer"], "valid choice"),
        ("links", ["javascript:alert(1)"], "valid URL"),
        ("links", ["ftp://files.example.com/mix.wav"], "valid URL"),  # http(s) only
        ("name", "   ", "blank"),
        ("pro", "XYZ", "valid choice"),
        ("name", "", "blank"),
    ],
)
def test_bad_person_input_names_the_field(api, member, workspace, field, value, fragment):
    payload = {"name": "Someone", field: value}
    r = api(member).post(f"/api/workspaces/{workspace.slug}/people/", payload)
    body = assert_error_shape(r, 400)
    assert field in body["fields"], body
    assert fragment in " ".join(body["fields"][field]), body
    assert Person.objects.count() == 0


def test_duplicate_email_in_address_book(api, member, workspace):
    base = f"/api/workspaces/{workspace.slug}/people/"
    api(member).post(base, {"name": "A", "email": "a@example.com"})
    r = api(member).post(base, {"name": "B", "email": "A@example.com"})
    assert "email" in assert_error_shape(r, 400)["fields"]


def test_bad_filter_value_is_400(api, member, workspace):
    r = api(member).get(f"/api/workspaces/{workspace.slug}/people/?role=drummer")
    assert_error_shape(r, 400)


def test_pagination(api, member, workspace):
    PersonFactory.create_batch(7, workspace=workspace)
    r = api(member).get(f"/api/workspaces/{workspace.slug}/people/?page_size=3&page=2")
    body = r.json()
    assert body["count"] == 7 and len(body["results"]) == 3 and body["next"] and body["previous"]
    assert_error_shape(api(member).get(f"/api/workspaces/{workspace.slug}/people/?page=99"), 404)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("resource", ["people", "members", "invitations"])
def test_list_query_count_does_not_grow_with_rows(api, owner, workspace, resource, member_of):
    from collaborators import services
    from collaborators.models import Membership

    actor = Membership.objects.get(user=owner, workspace=workspace)

    def add(n):
        for _ in range(n):
            if resource == "people":
                p = PersonFactory(workspace=workspace)
                PersonRoleLink.objects.create(person=p, role="writer")
            elif resource == "members":
                member_of("viewer")
            else:
                services.invitation_create(
                    workspace=workspace, actor=actor, email=UserFactory.build().email, role="viewer"
                )

    url = f"/api/workspaces/{workspace.slug}/{resource}/"
    client = api(owner)
    add(2)
    few = _queries(client, url)
    add(20)
    many = _queries(client, url)
    assert many == few, (few, many)


def test_workspace_list_shows_my_role(api, member, workspace):
    body = api(member).get("/api/workspaces/").json()
    assert body["results"] == [
        {
            "slug": workspace.slug,
            "name": workspace.name,
            "kind": "artist",
            "default_currency": "USD",
            "timezone": "UTC",
            "role": "member",
            "created_at": body["results"][0]["created_at"],
        }
    ]


def test_create_workspace_makes_me_owner(api, db):
    user = UserFactory()
    r = api(user).post(
        "/api/workspaces/",
        {"name": "Night Swim", "default_currency": "sek", "timezone": "Europe/Stockholm"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["role"] == "owner" and r.json()["slug"] == "night-swim"
    assert r.json()["default_currency"] == "SEK"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "X", "default_currency": "ABC"}, "default_currency"),
        ({"name": "X", "timezone": "Mars/Olympus"}, "timezone"),
        ({"name": ""}, "name"),
        ({"name": "X", "kind": "band"}, "kind"),
    ],
)
def test_create_workspace_bad_input(api, db, payload, field):
    from collaborators.models import Workspace

    r = api(UserFactory()).post("/api/workspaces/", payload)
    assert field in assert_error_shape(r, 400)["fields"]
    assert not Workspace.objects.exists()


def test_member_role_change_and_removal_via_api(api, owner, member, workspace):
    from collaborators.models import Membership

    m = Membership.objects.get(user=member, workspace=workspace)
    base = f"/api/workspaces/{workspace.slug}/members/{m.pk}/"
    r = api(owner).patch(base, {"role": "manager"})
    assert r.status_code == 200 and r.json()["role"] == "manager"
    assert_error_shape(api(owner).patch(base, {"role": "emperor"}), 400)
    assert api(owner).delete(base).status_code == 204
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_last_owner_cannot_leave_via_api(api, owner, workspace):
    from collaborators.models import Membership

    m = Membership.objects.get(user=owner, workspace=workspace)
    r = api(owner).delete(f"/api/workspaces/{workspace.slug}/members/{m.pk}/")
    assert "at least one owner" in assert_error_shape(r, 400)["detail"]


def test_oversized_api_body_is_a_400_in_the_error_shape(api, member, workspace, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = api(member).post(
        f"/api/workspaces/{workspace.slug}/people/", {"name": "x" * 5000, "notes": "y" * 5000}
    )
    assert_error_shape(r, 400, "bad_request")
    assert Person.objects.count() == 0


def test_workspace_slug_collision_picks_the_next_free_one(db):
    from collaborators import services

    first = services.workspace_create(user=UserFactory(), name="Night Swim")
    second = services.workspace_create(user=UserFactory(), name="Night Swim")
    assert (first.slug, second.slug) == ("night-swim", "night-swim-2")
