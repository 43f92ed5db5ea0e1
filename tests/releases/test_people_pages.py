"""The release page's people panel: approvers and guests, and where a guest lands."""

from __future__ import annotations

import pytest

from collaborators.models import Invitation
from releases.models import Approver, ReleaseGuest

from ..factories import ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(workspace):
    return ReleaseFactory(workspace=workspace, title="Glasshouse")


def _url(release, tail=""):
    return f"/w/{release.workspace.slug}/releases/{release.pk}/{tail}"


def test_owner_invites_a_guest_by_email_and_adds_an_existing_login(client, owner, release):
    client.force_login(owner)
    r = client.post(_url(release, "guests/"), {"email": "new@studio.example"})
    assert r.status_code == 302
    invitation = Invitation.objects.get(email="new@studio.example")
    assert invitation.grant_id == release.pk and invitation.grant_kind
    sam = UserFactory(email="sam@studio.example")
    client.post(_url(release, "guests/"), {"email": "sam@studio.example", "add_now": "1"})
    assert ReleaseGuest.objects.filter(release=release, user=sam).exists()
    page = client.get(_url(release)).content.decode()
    assert "sam@studio.example" in page and "new@studio.example" in page
    client.post(_url(release, f"guests/invitations/{invitation.pk}/withdraw/"))
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None


def test_a_guest_lands_on_their_release_and_cannot_manage_it(client, owner, release):
    sam = UserFactory(email="sam@studio.example")
    ReleaseGuest.objects.create(release=release, user=sam)
    client.force_login(sam)
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == _url(release)
    page = client.get(_url(release)).content.decode()
    assert "Glasshouse" in page and "guest of" in page
    assert "Metadata completeness" not in page and "People</a>" not in page
    assert client.post(_url(release, "guests/"), {"email": "x@y.example"}).status_code == 403
    assert client.post(_url(release, "approvers/"), {"user": sam.pk}).status_code == 403
    assert not Invitation.objects.exists() and not Approver.objects.exists()


def test_approvers_are_added_and_removed_and_members_cannot_invite(client, owner, member, release):
    client.force_login(owner)
    client.post(_url(release, "approvers/"), {"user": member.pk})
    approver = Approver.objects.get(release=release, user=member, track__isnull=True)
    client.post(_url(release, f"approvers/{approver.pk}/remove/"))
    assert not Approver.objects.exists()
    stranger = UserFactory()
    r = client.post(_url(release, "approvers/"), {"user": stranger.pk}, follow=True)
    assert "Only members" in r.content.decode() and not Approver.objects.exists()
    client.force_login(member)
    r = client.post(_url(release, "guests/"), {"email": "x@y.example"}, follow=True)
    assert not Invitation.objects.exists()
    assert "owners and managers" in r.content.decode().lower() or r.status_code == 403
