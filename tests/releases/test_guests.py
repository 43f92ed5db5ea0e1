"""Guests on one release: invited by email through the workspace's invitations, they see that
release and nothing else of the workspace, and never become members."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from audio.models import AudioFile
from collaborators import services as collab
from collaborators.models import Invitation, Membership, User
from collaborators.permissions import GUEST, Action, Role
from releases.access import access_release, access_track, guest_releases
from releases.models import Approver, MixVersion, ReleaseGuest, SignOff
from releases.services import guests

from ..conftest import assert_error_shape
from ..factories import PASSWORD, ReleaseFactory, TrackFactory, UserFactory

GUEST_EMAIL = "sam@studio.example"


@pytest.fixture
def release(workspace):
    return ReleaseFactory(workspace=workspace, title="Low Tide", type="album")


@pytest.fixture
def other_release(workspace):
    return ReleaseFactory(workspace=workspace, title="High Water", type="single")


def invite(release, actor, email=GUEST_EMAIL, **kwargs):
    return guests.release_guest_invite(release=release, email=email, actor=actor, **kwargs)


def accept_url(invitation):
    return f"/invite/{collab.invitation_token(invitation)}/"


# --- Inviting ---------------------------------------------------------------------------------


def test_invite_sends_one_email_naming_the_release_after_commit(
    release, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        inv = invite(release, owner, message="Notes on the mixes, please.")
    assert mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [GUEST_EMAIL]
    assert message.subject == "Maya Lind invites you to review the album “Low Tide”"
    assert "invites you to review the album “Low Tide” on Liner" in message.body
    assert "not the rest of Maya Lind's workspace" in message.body
    assert "Notes on the mixes, please." in message.body
    assert accept_url(inv) in message.body
    inv.refresh_from_db()
    assert inv.sent_at is not None
    assert (inv.grant_kind, inv.grant_id, inv.role) == (guests.GRANT_KIND, release.pk, Role.VIEWER)


def test_managers_invite_guests_members_and_viewers_do_not(release, manager, member, viewer):
    assert invite(release, manager).grant_id == release.pk
    for user in (member, viewer):
        with pytest.raises(PermissionDenied):
            invite(release, user, email="x@example.com")


def test_a_stranger_cannot_invite_to_someone_elses_release(release, outsider):
    with pytest.raises(PermissionDenied):
        invite(release, outsider)
    assert not Invitation.objects.exists()


def test_members_and_current_guests_are_not_invited(release, owner, member):
    with pytest.raises(ValidationError, match="already a member"):
        invite(release, owner, email=member.email)
    sam = UserFactory(email=GUEST_EMAIL)
    guests.release_guest_add(release=release, user=sam, actor=owner)
    with pytest.raises(ValidationError, match="guest on this release already"):
        invite(release, owner, email="SAM@studio.example")


def test_one_open_invitation_per_grant_beside_the_workspace_one(
    release, other_release, owner, workspace
):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    joining = collab.invitation_create(
        workspace=workspace, actor=owner_m, email=GUEST_EMAIL, role=Role.MEMBER
    )
    first = invite(release, owner)
    elsewhere = invite(other_release, owner)  # another release: its own invitation
    with pytest.raises(ValidationError, match="already has a pending invitation"):
        invite(release, owner, email="Sam@Studio.example")
    assert {joining.pk, first.pk, elsewhere.pk} == set(
        Invitation.objects.values_list("pk", flat=True)
    )
    # The database holds the rule too, whatever a service forgets.
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            workspace=workspace, email=GUEST_EMAIL, role=Role.VIEWER, key="k" * 20,
            expires_at=first.expires_at, grant_kind=guests.GRANT_KIND, grant_id=release.pk,
        )  # fmt: skip


def test_an_expired_guest_invitation_is_closed_and_replaced(release, owner):
    old = invite(release, owner)
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    fresh = invite(release, owner)
    old.refresh_from_db()
    assert old.revoked_at is not None and fresh.pk != old.pk


def test_a_grant_invitation_can_carry_no_role(release, owner, workspace):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    with pytest.raises(ValidationError, match="no role in the workspace"):
        collab.invitation_create(
            workspace=workspace, actor=owner_m, email=GUEST_EMAIL, role=Role.MANAGER,
            grant_kind=guests.GRANT_KIND, grant_id=release.pk,
        )  # fmt: skip
    with pytest.raises(ValidationError, match="Unknown invitation grant"):
        collab.invitation_create(
            workspace=workspace, actor=owner_m, email=GUEST_EMAIL,
            grant_kind="no_such_thing", grant_id=release.pk,
        )  # fmt: skip
    inv = invite(release, owner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.filter(pk=inv.pk).update(role=Role.OWNER)


# --- Accepting --------------------------------------------------------------------------------


def test_new_person_signs_up_on_the_accept_page_and_becomes_a_guest(
    client, release, owner, workspace
):
    inv = invite(release, owner)
    url = accept_url(inv)
    page = client.get(url)
    assert page.status_code == 200
    assert "Review the album “Low Tide”" in page.content.decode()
    assert b"Create your account" in page.content
    done = client.post(url, {"name": "Sam Rivera", "password": PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == f"/w/{workspace.slug}/releases/{release.pk}/"
    sam = User.objects.get(email=GUEST_EMAIL)
    assert ReleaseGuest.objects.filter(release=release, user=sam).count() == 1
    assert ReleaseGuest.objects.get(user=sam).added_by == owner
    assert not Membership.objects.filter(user=sam).exists()
    inv.refresh_from_db()
    assert inv.accepted_by == sam
    assert int(client.session["_auth_user_id"]) == sam.pk  # logged in as the new account
    again = client.get(url)
    assert again.status_code == 400 and b"already been used" in again.content


def test_existing_account_logs_in_and_accepts(client, release, owner, workspace):
    sam = UserFactory(email=GUEST_EMAIL)
    inv = invite(release, owner)
    url = accept_url(inv)
    assert b"Log in to accept" in client.get(url).content
    client.force_login(sam)
    assert b"Accept" in client.get(url).content
    r = client.post(url)
    assert r.status_code == 302 and r["Location"] == f"/w/{workspace.slug}/releases/{release.pk}/"
    assert ReleaseGuest.objects.filter(release=release, user=sam).exists()
    assert not Membership.objects.filter(user=sam).exists()
    assert guest_releases(user=sam) == [release]


def test_accept_through_the_api_makes_a_guest_not_a_member(api, release, owner, workspace):
    sam = UserFactory(email=GUEST_EMAIL)
    token = collab.invitation_token(invite(release, owner))
    ok = api(sam).post("/api/invitations/accept/", {"token": token})
    assert ok.status_code == 200, ok.content
    assert ok.json() == {"workspace": workspace.slug, "role": GUEST}
    assert ReleaseGuest.objects.filter(release=release, user=sam).exists()
    assert not Membership.objects.filter(user=sam).exists()
    reused = api(sam).post("/api/invitations/accept/", {"token": token})
    assert "already been used" in assert_error_shape(reused, 400)["fields"]["token"][0]


def test_the_service_says_what_was_given(release, owner):
    sam = UserFactory(email=GUEST_EMAIL)
    accepted = collab.invitation_accept(
        token=collab.invitation_token(invite(release, owner)), user=sam
    )
    assert accepted.membership is None and accepted.role == GUEST
    assert accepted.next_url == f"/w/{release.workspace.slug}/releases/{release.pk}/"


def test_the_wrong_account_cannot_accept(client, release, owner):
    inv = invite(release, owner)
    other = UserFactory(email="someone@example.com")
    with pytest.raises(collab.InvitationError, match=f"sent to {GUEST_EMAIL}"):
        collab.invitation_accept(token=collab.invitation_token(inv), user=other)
    client.force_login(other)
    assert b"but you are logged in as someone@example.com" in client.get(accept_url(inv)).content
    assert not ReleaseGuest.objects.exists()


def test_withdrawn_expired_and_used_links_are_refused(client, release, owner, workspace):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    sam = UserFactory(email=GUEST_EMAIL)

    withdrawn = invite(release, owner)
    collab.invitation_revoke(actor=owner_m, invitation=withdrawn)
    r = client.get(accept_url(withdrawn))
    assert r.status_code == 400 and b"withdrawn" in r.content

    expired = invite(release, owner)
    Invitation.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(collab.InvitationError, match="expired"):
        collab.invitation_accept(token=collab.invitation_token(expired), user=sam)

    used = invite(release, owner)
    token = collab.invitation_token(used)
    collab.invitation_accept(token=token, user=sam)
    with pytest.raises(collab.InvitationError, match="already been used"):
        collab.invitation_accept(token=token, user=sam)
    assert ReleaseGuest.objects.filter(user=sam).count() == 1


def test_resend_replaces_a_guest_link(release, owner, workspace):
    owner_m = Membership.objects.get(user=owner, workspace=workspace)
    inv = invite(release, owner)
    old = collab.invitation_token(inv)
    collab.invitation_resend(actor=owner_m, invitation=inv)
    inv.refresh_from_db()
    with pytest.raises(collab.InvitationError):
        collab.invitation_from_token(old)
    assert collab.invitation_from_token(collab.invitation_token(inv)).pk == inv.pk


def test_a_link_to_a_deleted_release_is_refused(client, release, owner):
    inv = invite(release, owner)
    release.delete()
    r = client.get(accept_url(inv))
    assert r.status_code == 400 and b"no longer exists" in r.content
    assert collab.invitation_send_email(invitation_id=inv.pk) is False


def test_a_member_accepting_a_guest_invitation_stays_a_member(release, owner, workspace):
    sam = UserFactory(email=GUEST_EMAIL)
    token = collab.invitation_token(invite(release, owner))
    Membership.objects.create(workspace=workspace, user=sam, role=Role.VIEWER)
    collab.invitation_accept(token=token, user=sam)
    assert Membership.objects.get(user=sam).role == Role.VIEWER
    assert not ReleaseGuest.objects.filter(user=sam).exists()


# --- What a guest reaches ---------------------------------------------------------------------


@pytest.fixture
def guest(release, owner):
    sam = UserFactory(email=GUEST_EMAIL)
    collab.invitation_accept(token=collab.invitation_token(invite(release, owner)), user=sam)
    return sam


def test_a_guest_reaches_their_release_and_its_tracks_only(
    guest, release, other_release, workspace
):
    seen = access_release(user=guest, workspace_slug=workspace.slug, release_id=release.pk)
    assert seen == release and seen.viewer.role == GUEST
    assert seen.viewer.can(Action.REVIEW_COMMENT) and not seen.viewer.can(Action.CONTENT_EDIT)
    track = TrackFactory(release=release)
    assert access_track(user=guest, workspace_slug=workspace.slug, track_id=track.pk) == track
    elsewhere = TrackFactory(release=other_release)
    with pytest.raises(Http404):
        access_release(user=guest, workspace_slug=workspace.slug, release_id=other_release.pk)
    with pytest.raises(Http404):
        access_track(user=guest, workspace_slug=workspace.slug, track_id=elsewhere.pk)
    with pytest.raises(PermissionDenied):
        access_release(
            user=guest, workspace_slug=workspace.slug, release_id=release.pk,
            action=Action.CONTENT_EDIT,
        )  # fmt: skip


@pytest.mark.parametrize(
    "path",
    [
        "/w/{slug}/",
        "/w/{slug}/audio/",
        "/w/{slug}/people/",
        "/w/{slug}/members/",
        "/w/{slug}/settings/",
        "/w/{slug}/releases/",
    ],
)
def test_a_guest_sees_none_of_the_workspace_pages(client, guest, workspace, path):
    client.force_login(guest)
    assert client.get(path.format(slug=workspace.slug)).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/workspaces/{slug}/",
        "/api/workspaces/{slug}/people/",
        "/api/workspaces/{slug}/members/",
        "/api/workspaces/{slug}/invitations/",
        "/api/workspaces/{slug}/audio/",
    ],
)
def test_a_guest_sees_none_of_the_workspace_api(api, guest, workspace, path):
    assert_error_shape(api(guest).get(path.format(slug=workspace.slug)), 404)
    assert api(guest).get("/api/workspaces/").json()["results"] == []


# --- Adding and removing ----------------------------------------------------------------------


def test_add_an_existing_login_directly(release, owner, workspace, member):
    sam = UserFactory(email=GUEST_EMAIL)
    pending = invite(release, owner)
    entry = guests.release_guest_add(release=release, user=sam, actor=owner)
    assert entry.added_by == owner
    assert guests.release_guest_add(release=release, user=sam, actor=owner) == entry  # again
    pending.refresh_from_db()
    assert pending.revoked_at is not None  # the invitation is no longer needed
    assert access_release(user=sam, workspace_slug=workspace.slug, release_id=release.pk)
    with pytest.raises(ValidationError, match="member of this workspace"):
        guests.release_guest_add(release=release, user=member, actor=owner)
    with pytest.raises(PermissionDenied):
        guests.release_guest_add(release=release, user=UserFactory(), actor=member)
    assert not Membership.objects.filter(user=sam).exists()


def test_remove_ends_access_and_approvals_on_that_release(guest, release, other_release, owner):
    track = TrackFactory(release=release)
    Approver.objects.create(release=release, user=guest, added_by=owner)
    Approver.objects.create(release=release, track=track, user=guest, added_by=owner)
    audio = AudioFile.objects.create(
        workspace=release.workspace, original_name="mix.wav", file="audio/mix.wav",
        sha256="a" * 64, format="WAV", sample_rate=44100, channels=2, duration_s=60.0,
        size_bytes=1000,
    )  # fmt: skip
    v1 = MixVersion.objects.create(track=track, number=1, audio_file=audio)
    decision = SignOff.objects.create(
        track=track, version=v1, user=guest, decision="approved", sha256=audio.sha256
    )
    guests.release_guest_add(release=other_release, user=guest, actor=owner)
    Approver.objects.create(release=other_release, user=guest, added_by=owner)

    guests.release_guest_remove(release=release, guest=guest, actor=owner)

    slug = release.workspace.slug
    with pytest.raises(Http404):
        access_release(user=guest, workspace_slug=slug, release_id=release.pk)
    assert not Approver.objects.filter(release=release, user=guest).exists()
    decision.refresh_from_db()
    assert decision.superseded_at is not None  # their approval no longer counts
    # Their standing on the other release is untouched.
    assert access_release(user=guest, workspace_slug=slug, release_id=other_release.pk)
    assert Approver.objects.filter(release=other_release, user=guest).count() == 1
    with pytest.raises(ValidationError, match="not a guest"):
        guests.release_guest_remove(release=release, guest=guest, actor=owner)


def test_remove_withdraws_an_open_invitation(release, owner):
    inv = invite(release, owner)
    sam = UserFactory(email=GUEST_EMAIL)
    guests.release_guest_remove(release=release, guest=sam, actor=owner)
    with pytest.raises(collab.InvitationError, match="withdrawn"):
        collab.invitation_from_token(collab.invitation_token(inv))


def test_only_managers_remove_guests(guest, release, member):
    with pytest.raises(PermissionDenied):
        guests.release_guest_remove(release=release, guest=guest, actor=member)
    assert ReleaseGuest.objects.filter(user=guest).exists()
