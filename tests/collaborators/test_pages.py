"""The pages: log in, sign up, workspaces, people, members. Bad input gets words, not 500s."""

import pytest

from collaborators.models import Membership, Person, User, Workspace

from ..factories import PASSWORD, PersonFactory


def test_login_with_email_and_land_in_the_workspace(client, owner, workspace):
    page = client.get("/accounts/login/")
    assert page.status_code == 200 and b'type="email"' in page.content
    r = client.post("/accounts/login/", {"username": "Owner@Example.com", "password": PASSWORD})
    assert r.status_code == 302
    home = client.get("/", follow=True)
    assert home.redirect_chain[-1][0] == f"/w/{workspace.slug}/"
    assert workspace.name.encode() in home.content


def test_wrong_password_says_so(client, owner):
    r = client.post("/accounts/login/", {"username": "owner@example.com", "password": "nope"})
    assert r.status_code == 200
    assert b"don&#x27;t match an account" in r.content


def test_logout_is_a_post(client, owner):
    client.force_login(owner)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").url == "/accounts/login/"


def test_signup_then_create_workspace(client, db):
    r = client.post(
        "/accounts/signup/", {"name": "Noor", "email": "noor@example.com", "password": PASSWORD}
    )
    assert r.status_code == 302 and r.url == "/workspaces/new/"
    r = client.post(
        "/workspaces/new/",
        {"name": "Noor & The Tides", "kind": "artist", "default_currency": "GBP",
         "timezone": "Europe/London"},
    )  # fmt: skip
    ws = Workspace.objects.get()
    assert r.url == f"/w/{ws.slug}/"
    assert Membership.objects.get(workspace=ws).role == "owner"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"email": "bad", "password": PASSWORD}, b"Enter a valid email address."),
        ({"email": "x@example.com", "password": "password"}, b"too common"),
        ({"email": "owner@example.com", "password": PASSWORD}, b"already exists"),
    ],
)
def test_signup_errors_show_next_to_the_field(client, owner, data, message):
    count = User.objects.count()
    r = client.post("/accounts/signup/", data)
    assert r.status_code == 200 and message in r.content
    assert User.objects.count() == count


def test_password_reset_sends_an_email(client, owner, mailoutbox):
    r = client.post("/accounts/password/reset/", {"email": "owner@example.com"})
    assert r.status_code == 302
    assert len(mailoutbox) == 1 and "/accounts/password/reset/" in mailoutbox[0].body


def test_nav_and_empty_states(client, member, workspace):
    client.force_login(member)
    for app, words in [
        ("releases", b"No releases yet"),
        ("audio", b"true peak"),
        ("rights", b"splits"),
        ("analytics", b"Streams and revenue"),
    ]:
        r = client.get(f"/w/{workspace.slug}/{app}/")
        assert r.status_code == 200 and words in r.content, app
        assert b'aria-current="page"' in r.content


def test_people_pages(client, member, workspace):
    client.force_login(member)
    base = f"/w/{workspace.slug}/people/"
    assert b"No people yet" in client.get(base).content
    bad = client.post(base + "new/", {"name": "Ines", "isni": "1234", "links": "not a url"})
    assert bad.status_code == 200
    assert b"An ISNI has 16 characters" in bad.content
    assert b"is not a web address" in bad.content
    assert not Person.objects.exists()
    ok = client.post(
        base + "new/",
        {"name": "Ines Duarte", "email": "ines@example.com", "roles": ["writer", "producer"],
         "links": "https://ines.example\n\n", "ipi": "000 522 100 40"},
    )  # fmt: skip
    person = Person.objects.get()
    assert ok.url == f"{base}{person.pk}/"
    assert person.links == ["https://ines.example"] and person.ipi == "00052210040"
    detail = client.get(ok.url)
    assert b"Songwriter, Producer" in detail.content
    listing = client.get(base + "?q=ines")
    assert b"Ines Duarte" in listing.content
    partial = client.get(base + "?q=zzz", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Nobody matches" in partial.content
    client.post(f"{base}{person.pk}/edit/", {"name": "Inês Duarte", "roles": ["writer"]})
    person.refresh_from_db()
    assert person.name == "Inês Duarte" and person.role_list == ["writer"]
    client.post(f"{base}{person.pk}/delete/")
    assert not Person.objects.exists()


def test_viewer_cannot_edit_people(client, viewer, workspace):
    person = PersonFactory(workspace=workspace)
    client.force_login(viewer)
    assert client.get(f"/w/{workspace.slug}/people/").status_code == 200
    assert client.get(f"/w/{workspace.slug}/people/new/").status_code == 403
    assert client.post(f"/w/{workspace.slug}/people/{person.pk}/delete/").status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


def test_members_page_invite_and_errors(
    client, owner, member, workspace, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/members/")
    assert b"Invite someone" in page.content and member.email.encode() in page.content
    bad = client.post(f"/w/{workspace.slug}/members/invite/", {"email": "nope", "role": "member"})
    assert bad.status_code == 400 and b"Enter a valid email address." in bad.content
    dup = client.post(
        f"/w/{workspace.slug}/members/invite/", {"email": member.email, "role": "member"}
    )
    assert b"already a member" in dup.content
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            f"/w/{workspace.slug}/members/invite/", {"email": "new@example.com", "role": "viewer"}
        )
    assert ok.status_code == 302
    assert len(mailoutbox) == 1
    assert b"new@example.com" in client.get(f"/w/{workspace.slug}/members/").content


def test_member_sees_members_but_no_invite_form(client, member, workspace):
    client.force_login(member)
    page = client.get(f"/w/{workspace.slug}/members/")
    assert page.status_code == 200 and b"Invite someone" not in page.content
    r = client.post(f"/w/{workspace.slug}/members/invite/", {"email": "x@example.com"})
    assert r.status_code == 403


def test_change_role_and_remove_from_the_page(client, owner, member, workspace):
    m = Membership.objects.get(user=member)
    client.force_login(owner)
    client.post(f"/w/{workspace.slug}/members/{m.pk}/role/", {"role": "manager"})
    m.refresh_from_db()
    assert m.role == "manager"
    r = client.post(f"/w/{workspace.slug}/members/{m.pk}/role/", {"role": "emperor"}, follow=True)
    assert b"Choose one of" in r.content
    client.post(f"/w/{workspace.slug}/members/{m.pk}/remove/")
    assert not Membership.objects.filter(pk=m.pk).exists()


def test_workspace_switcher_lists_all_my_workspaces(client, owner, workspace, other_workspace):
    Membership.objects.create(workspace=other_workspace, user=owner, role="viewer")
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/")
    assert f"/w/{other_workspace.slug}/".encode() in page.content
    client.get(f"/w/{other_workspace.slug}/")
    assert client.get("/").url == f"/w/{other_workspace.slug}/"


def test_settings_refuses_unknown_currency(client, owner, workspace):
    client.force_login(owner)
    r = client.post(
        f"/w/{workspace.slug}/settings/",
        {"name": "X", "kind": "artist", "default_currency": "ABC", "timezone": "UTC"},
    )
    assert r.status_code == 200 and b"Select a valid choice" in r.content


def test_anonymous_is_sent_to_login(client, workspace):
    r = client.get(f"/w/{workspace.slug}/people/")
    assert r.status_code == 302 and r.url.startswith("/accounts/login/")


def test_static_assets_come_from_the_app(client, owner, workspace):
    client.force_login(owner)
    page = client.get(f"/w/{workspace.slug}/").content.decode()
    assert "https://" not in page.split("<body")[0]  # nothing loaded from another host
    assert "/static/django_htmx/htmx" in page


def test_seed_demo_is_idempotent(db):
    from django.core.management import call_command

    call_command("seed_demo", "--password", "pw-for-tests-123", "--quick")
    counts = [m.objects.count() for m in (User, Workspace, Membership, Person)]
    call_command("seed_demo", "--password", "pw-for-tests-123", "--quick")
    assert [m.objects.count() for m in (User, Workspace, Membership, Person)] == counts
    outsider = User.objects.get(email="outsider@liner.test")
    demo = Workspace.objects.get(slug="maya-lind")
    assert not Membership.objects.filter(user=outsider, workspace=demo).exists()
    roles = dict(Membership.objects.filter(workspace=demo).values_list("user__email", "role"))
    # The engineer is a guest on one release (the releases demo), not a member.
    assert roles == {"artist@liner.test": "owner", "manager@liner.test": "manager"}
    assert User.objects.get(email="artist@liner.test").check_password("pw-for-tests-123")


def test_withdraw_and_resend_from_the_members_page(client, owner, workspace):
    from collaborators import services
    from collaborators.models import Invitation

    actor = Membership.objects.get(user=owner, workspace=workspace)
    inv = services.invitation_create(
        workspace=workspace, actor=actor, email="guest@example.com", role="member"
    )
    old_key = inv.key
    client.force_login(owner)
    r = client.post(f"/w/{workspace.slug}/invitations/{inv.pk}/resend/", follow=True)
    assert b"sent again" in r.content
    inv.refresh_from_db()
    assert inv.key != old_key
    r = client.post(f"/w/{workspace.slug}/invitations/{inv.pk}/revoke/", follow=True)
    assert b"withdrawn" in r.content
    assert Invitation.objects.get(pk=inv.pk).revoked_at is not None
    r = client.post(f"/w/{workspace.slug}/invitations/{inv.pk}/resend/", follow=True)
    assert b"Only an open invitation can be resent." in r.content
    assert client.get(f"/w/{workspace.slug}/invitations/{inv.pk}/revoke/").status_code == 405


def test_a_repeat_visit_does_not_rewrite_the_session(client, owner, workspace, other_workspace):
    """The workspace is remembered in the session, but only saved when it changes: pages poll
    job progress every second and each save is a database write."""
    from django.contrib.sessions.models import Session

    Membership.objects.create(workspace=other_workspace, user=owner, role="member")
    client.force_login(owner)
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    key = client.session.session_key
    saved = Session.objects.get(pk=key).expire_date
    Session.objects.filter(pk=key).update(expire_date=saved.replace(microsecond=0))
    assert client.get(f"/w/{workspace.slug}/").status_code == 200
    assert Session.objects.get(pk=key).expire_date == saved.replace(microsecond=0)
    assert client.get(f"/w/{other_workspace.slug}/").status_code == 200
    assert client.session["liner_workspace"] == other_workspace.slug
