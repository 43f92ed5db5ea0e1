"""The invitation lifecycle: invite, email, accept once, expire, withdraw, resend."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from collaborators import services
from collaborators.models import Invitation, Membership, User
from collaborators.permissions import Role

from ..conftest import assert_error_shape
from ..factories import PASSWORD, UserFactory


@pytest.fixture
def owner_m(owner, workspace):
    return Membership.objects.get(user=owner, workspace=workspace)


def invite(workspace, actor, email="new@example.com", role=Role.MEMBER):
    return services.invitation_create(workspace=workspace, actor=actor, email=email, role=role)


def test_invite_sends_one_email_after_commit(
    workspace, owner_m, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        inv = invite(workspace, owner_m, email="  New@Example.com ")
    assert len(callbacks) == 1
    assert inv.email == "new@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert workspace.name in message.subject
    assert services.invitation_token(inv) in message.body
    inv.refresh_from_db()
    assert inv.sent_at is not None


def test_sending_twice_sends_one_email(workspace, owner_m):
    inv = invite(workspace, owner_m)
    assert services.invitation_send_email(invitation_id=inv.pk) is True
    assert services.invitation_send_email(invitation_id=inv.pk) is False
    assert len(mail.outbox) == 1


def test_duplicate_invitation_is_refused(workspace, owner_m):
    invite(workspace, owner_m)
    with pytest.raises(ValidationError, match="already has a pending invitation"):
        invite(workspace, owner_m, email="NEW@example.com")
    assert Invitation.objects.count() == 1


def test_inviting_an_existing_member_is_refused(workspace, owner_m, member):
    with pytest.raises(ValidationError, match="already a member"):
        invite(workspace, owner_m, email=member.email)


@pytest.mark.parametrize("email", ["not-an-email", "", "a@b", "x" * 300 + "@example.com"])
def test_invalid_emails_are_refused_and_nothing_is_written(workspace, owner_m, email):
    with pytest.raises(ValidationError):
        invite(workspace, owner_m, email=email)
    assert Invitation.objects.count() == 0


def test_accept_creates_membership_once(workspace, owner_m):
    inv = invite(workspace, owner_m, role=Role.VIEWER)
    token = services.invitation_token(inv)
    user = UserFactory(email="new@example.com")
    membership = services.invitation_accept(token=token, user=user)
    assert membership.role == Role.VIEWER and membership.workspace == workspace
    with pytest.raises(services.InvitationError, match="already been used"):
        services.invitation_accept(token=token, user=user)
    assert Membership.objects.filter(workspace=workspace, user=user).count() == 1


def test_expired_invitation_cannot_be_used_and_can_be_replaced(workspace, owner_m):
    inv = invite(workspace, owner_m)
    Invitation.objects.filter(pk=inv.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    user = UserFactory(email="new@example.com")
    with pytest.raises(services.InvitationError, match="expired"):
        services.invitation_accept(token=services.invitation_token(inv), user=user)
    fresh = invite(workspace, owner_m)  # the expired one is closed, a new one is allowed
    inv.refresh_from_db()
    assert inv.revoked_at is not None and fresh.pk != inv.pk


def test_signature_older_than_max_age_is_expired(workspace, owner_m, settings):
    inv = invite(workspace, owner_m)
    token = services.invitation_token(inv)
    settings.INVITATION_MAX_AGE = timedelta(seconds=-1)
    with pytest.raises(services.InvitationError, match="expired"):
        services.invitation_from_token(token)


@pytest.mark.parametrize("token", ["", "garbage", "abc:def:ghi", "x" * 400])
def test_tampered_tokens_are_refused(token):
    with pytest.raises(services.InvitationError, match="not valid"):
        services.invitation_from_token(token)


def test_tampered_key_is_refused(workspace, owner_m):
    token = services.invitation_token(invite(workspace, owner_m))
    key, rest = token.split(":", 1)
    with pytest.raises(services.InvitationError, match="not valid"):
        services.invitation_from_token(key[:-1] + ("A" if key[-1] != "A" else "B") + ":" + rest)


def test_withdrawn_invitation_cannot_be_used(workspace, owner_m):
    inv = invite(workspace, owner_m)
    services.invitation_revoke(actor=owner_m, invitation=inv)
    with pytest.raises(services.InvitationError, match="withdrawn|replaced"):
        services.invitation_from_token(services.invitation_token(inv))


def test_resend_replaces_the_link(workspace, owner_m):
    inv = invite(workspace, owner_m)
    old = services.invitation_token(inv)
    services.invitation_resend(actor=owner_m, invitation=inv)
    inv.refresh_from_db()
    with pytest.raises(services.InvitationError):
        services.invitation_from_token(old)
    assert services.invitation_from_token(services.invitation_token(inv)).pk == inv.pk


def test_the_wrong_account_cannot_accept(workspace, owner_m):
    inv = invite(workspace, owner_m)
    other = UserFactory(email="someone-else@example.com")
    with pytest.raises(services.InvitationError, match="sent to new@example.com"):
        services.invitation_accept(token=services.invitation_token(inv), user=other)
    assert not Membership.objects.filter(user=other).exists()


def test_accept_page_creates_the_account_and_joins(client, workspace, owner_m):
    inv = invite(workspace, owner_m)
    url = f"/invite/{services.invitation_token(inv)}/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Create your account" in page.content
    weak = client.post(url, {"name": "New Person", "password": "123"})
    assert weak.status_code == 200 and b"too short" in weak.content
    assert not User.objects.filter(email="new@example.com").exists()  # nothing half-written
    done = client.post(url, {"name": "New Person", "password": PASSWORD})
    assert done.status_code == 302 and done["Location"] == f"/w/{workspace.slug}/"
    user = User.objects.get(email="new@example.com")
    assert Membership.objects.get(user=user, workspace=workspace).role == Role.MEMBER
    again = client.get(url)
    assert again.status_code == 400 and b"already been used" in again.content


def test_accept_page_for_an_existing_account_asks_to_log_in_then_joins(client, workspace, owner_m):
    user = UserFactory(email="new@example.com")
    inv = invite(workspace, owner_m)
    url = f"/invite/{services.invitation_token(inv)}/"
    assert b"Log in to accept" in client.get(url).content
    client.force_login(user)
    r = client.post(url)
    assert r.status_code == 302
    assert Membership.objects.filter(user=user, workspace=workspace).exists()


def test_accept_page_with_a_broken_link_says_so(client):
    r = client.get("/invite/not-a-real-token/")
    assert r.status_code == 400
    assert b"not valid" in r.content


def test_invitation_api_lifecycle(api, owner, workspace, django_capture_on_commit_callbacks):
    client = api(owner)
    base = f"/api/workspaces/{workspace.slug}/invitations/"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(base, {"email": "guest@example.com", "role": "member"})
    assert r.status_code == 201, r.content
    inv_id = r.json()["id"]
    assert r.json()["status"] == "pending"
    dup = client.post(base, {"email": "guest@example.com"})
    assert_error_shape(dup, 400)
    assert "email" in dup.json()["fields"]
    token = services.invitation_token(Invitation.objects.get(pk=inv_id))
    guest = UserFactory(email="guest@example.com")
    ok = api(guest).post("/api/invitations/accept/", {"token": token})
    assert ok.status_code == 200 and ok.json() == {"workspace": workspace.slug, "role": "member"}
    reused = api(guest).post("/api/invitations/accept/", {"token": token})
    body = assert_error_shape(reused, 400)
    assert "already been used" in body["fields"]["token"][0]
    assert client.get(f"{base}{inv_id}/").json()["status"] == "accepted"
    revoke_accepted = client.delete(f"{base}{inv_id}/")
    assert_error_shape(revoke_accepted, 400)
