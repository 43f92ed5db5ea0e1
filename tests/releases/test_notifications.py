"""Review emails: who hears of what, never of their own doing, only what they want, only after
the commit, once; and the settings page and API where each kind is turned on or off."""

from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator

from audio.models import AudioFile
from collaborators.models import Membership
from collaborators.permissions import Role
from releases.models import (
    Approver,
    Comment,
    MixVersion,
    Notification,
    NotificationKind,
    NotificationSetting,
    ReleaseGuest,
    SignOff,
)
from releases.services import notifications
from releases.tasks import notify

from ..conftest import assert_error_shape
from ..factories import ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

_n = itertools.count(1)
GUEST_EMAIL = "sam@studio.example"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.LINER_BASE_URL = "https://liner.example/"


@pytest.fixture
def release(workspace):
    return ReleaseFactory(workspace=workspace, title="Low Tide")


@pytest.fixture
def track(release):
    return TrackFactory(release=release, title="Undertow")


@pytest.fixture
def other_track(release):
    return TrackFactory(release=release, title="Shoreline")


@pytest.fixture
def engineer(member_of):
    """The member who uploads the mixes."""
    return member_of(Role.MEMBER, email="engineer@example.com", name="Ines")


@pytest.fixture
def guest(release):
    user = UserFactory(email=GUEST_EMAIL, name="Sam")
    ReleaseGuest.objects.create(release=release, user=user)
    return user


def version_of(track, user, note=""):
    n = next(_n)
    audio = AudioFile.objects.create(
        workspace=track.workspace, original_name=f"mix{n}.wav", file=f"audio/mix{n}.wav",
        sha256=f"{n:064x}", format="WAV", sample_rate=44100, channels=2, duration_s=240.0,
        size_bytes=1000, uploaded_by=user,
    )  # fmt: skip
    number = MixVersion.objects.filter(track=track).count() + 1
    return MixVersion.objects.create(
        track=track, number=number, audio_file=audio, uploaded_by=user, note=note
    )


def comment_on(version, user, body="Kick is buried at the drop", parent=None, at_s=83.0):
    return Comment.objects.create(
        track=version.track, version=version, author=user, body=body, parent=parent,
        at_s=None if parent else at_s,
    )  # fmt: skip


def sent():
    """Emails sent, as {address: [subjects]}; then the outbox is emptied."""
    by = {}
    for m in mail.outbox:
        by.setdefault(m.to[0], []).append(m.subject)
    mail.outbox.clear()
    return by


def told(fn, django_capture_on_commit_callbacks, **kwargs):
    """Call a notify_* as the review services do, inside their transaction, then commit."""
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        fn(**kwargs)
    return sent()


def track_link(track):
    return (
        f"https://liner.example/w/{track.workspace.slug}/releases/{track.release_id}"
        f"/tracks/{track.pk}/"
    )


# --- Who hears of what ---------------------------------------------------------------------


def test_a_new_version_tells_approvers_and_open_threads_not_the_uploader(
    track, other_track, engineer, owner, manager, member, viewer, guest,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    Approver.objects.create(release=track.release, user=owner)  # every track
    Approver.objects.create(release=track.release, track=track, user=guest)  # this one
    Approver.objects.create(release=track.release, track=other_track, user=manager)  # not this
    Approver.objects.create(release=track.release, user=engineer)  # the uploader
    v1 = version_of(track, engineer)
    open_thread = comment_on(v1, member)
    comment_on(v1, viewer, "agreed", parent=open_thread)
    closed = comment_on(v1, UserFactory(email="closed@example.com"))
    closed.resolved_at = closed.created_at
    closed.save()
    Membership.objects.create(workspace=track.workspace, user=closed.author, role=Role.MEMBER)

    v2 = version_of(track, engineer, note="Kick up 2 dB")
    emails = told(notifications.notify_new_version, django_capture_on_commit_callbacks, version=v2)

    subject = "New mix of “Undertow”: v2"
    assert emails == {
        "owner@example.com": [subject],
        GUEST_EMAIL: [subject],
        "member@example.com": [subject],
        "viewer@example.com": [subject],
    }


def test_the_new_version_email_links_to_the_track(
    track, engineer, owner, django_capture_on_commit_callbacks
):
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, engineer, note="First pass")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_new_version(version=v1)
    (message,) = mail.outbox
    assert message.to == ["owner@example.com"]
    assert track_link(track) in message.body
    assert "Ines uploaded a new mix of “Undertow” (Low Tide): v1." in message.body
    assert "What changed: First pass" in message.body
    assert "https://liner.example/account/notifications/" in message.body
    assert message.alternatives == []  # plain text


def test_a_comment_tells_the_uploader_and_the_thread_not_the_author(
    track, engineer, owner, member, viewer, guest, django_capture_on_commit_callbacks
):
    v1 = version_of(track, engineer)
    root = comment_on(v1, member, "Vocal is harsh at 1:23")
    comment_on(v1, viewer, "+1", parent=root)
    comment_on(v1, owner, "Elsewhere")  # another thread: not told

    reply = comment_on(v1, guest, "Fixed in my next bounce", parent=root)
    emails = told(notifications.notify_comment, django_capture_on_commit_callbacks, comment=reply)
    subject = "Sam replied on “Undertow” (v1 at 1:23)"
    assert emails == {
        "engineer@example.com": [subject],
        "member@example.com": [subject],
        "viewer@example.com": [subject],
    }

    first = comment_on(v1, member, "Second thought", at_s=125)
    emails = told(notifications.notify_comment, django_capture_on_commit_callbacks, comment=first)
    # A new thread: the uploader hears of it; the other thread's people do not.
    assert emails == {
        "engineer@example.com": [f"{member.display_name} commented on “Undertow” (v1 at 2:05)"]
    }


def test_the_comment_email_quotes_the_comment(
    track, engineer, member, django_capture_on_commit_callbacks
):
    v1 = version_of(track, engineer)
    c = comment_on(v1, member, "Too much reverb\non the snare")
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_comment(comment=c)
    (message,) = mail.outbox
    assert "> Too much reverb\n> on the snare" in message.body
    assert track_link(track) in message.body


def test_signoff_requested_tells_each_person_asked(
    track, engineer, owner, guest, django_capture_on_commit_callbacks
):
    version_of(track, engineer)
    emails = told(
        notifications.notify_signoff_requested,
        django_capture_on_commit_callbacks,
        track=track,
        users=[owner, guest],
    )
    subject = "Your sign-off is requested on “Undertow”"
    assert emails == {"owner@example.com": [subject], GUEST_EMAIL: [subject]}
    # Asking again later is a reminder, sent again.
    emails = told(
        notifications.notify_signoff_requested,
        django_capture_on_commit_callbacks,
        track=track,
        users=[guest],
    )
    assert emails == {GUEST_EMAIL: [subject]}


def test_signoff_given_tells_owners_managers_and_the_uploader_not_the_signer(
    track, engineer, owner, manager, member, viewer, django_capture_on_commit_callbacks
):
    v1 = version_of(track, engineer)
    signoff = SignOff.objects.create(
        track=track, version=v1, user=manager, decision="changes", sha256=v1.audio_file.sha256,
        note="Bring the bass down",
    )  # fmt: skip
    emails = told(
        notifications.notify_signoff_given, django_capture_on_commit_callbacks, signoff=signoff
    )
    subject = f"{manager.display_name} asked for changes to v1 of “Undertow”"
    assert emails == {"owner@example.com": [subject], "engineer@example.com": [subject]}
    body = Notification.objects.get(recipient=owner).body
    assert "> Bring the bass down" in body


def test_nobody_is_told_of_their_own_doing(track, owner, django_capture_on_commit_callbacks):
    # The owner uploads, comments, and approves: each event's only candidate is the owner.
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, owner)
    c = comment_on(v1, owner)
    s = SignOff.objects.create(
        track=track, version=v1, user=owner, decision="approved", sha256=v1.audio_file.sha256
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_new_version(version=v1)
        notifications.notify_comment(comment=c)
        notifications.notify_signoff_given(signoff=s)
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_people_who_no_longer_reach_the_track_are_not_told(
    track, engineer, member, guest, django_capture_on_commit_callbacks
):
    Approver.objects.create(release=track.release, user=guest)
    v1 = version_of(track, engineer)
    comment_on(v1, member)
    Membership.objects.filter(user=member).delete()  # left the workspace
    ReleaseGuest.objects.filter(user=guest).delete()  # taken off the release
    v2 = version_of(track, engineer)
    assert (
        told(notifications.notify_new_version, django_capture_on_commit_callbacks, version=v2) == {}
    )


# --- What people want -------------------------------------------------------------------------


def test_a_kind_turned_off_is_not_sent(
    track, engineer, owner, manager, django_capture_on_commit_callbacks
):
    notifications.notification_settings_update(
        user=owner, enabled={NotificationKind.NEW_VERSION: False}
    )
    for u in (owner, manager):
        Approver.objects.create(release=track.release, user=u)
    v1 = version_of(track, engineer)
    emails = told(notifications.notify_new_version, django_capture_on_commit_callbacks, version=v1)
    assert list(emails) == ["manager@example.com"]
    # Other kinds still come to the owner.
    emails = told(
        notifications.notify_signoff_requested,
        django_capture_on_commit_callbacks,
        track=track,
        users=[owner],
    )
    assert list(emails) == ["owner@example.com"]


def test_turning_a_kind_off_stops_an_email_already_queued(
    track, engineer, owner, django_capture_on_commit_callbacks
):
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, engineer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        notifications.notify_new_version(version=v1)
    notifications.notification_settings_update(user=owner, enabled={"new_version": False})
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    row = Notification.objects.get()
    assert row.sent_at is None and row.skipped_at is not None


# --- After the commit, once ---------------------------------------------------------------------


def test_emails_go_only_after_the_commit(
    track, engineer, owner, django_capture_on_commit_callbacks
):
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, engineer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        notifications.notify_new_version(version=v1)
        assert mail.outbox == []
    assert mail.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["owner@example.com"]]


def test_a_rolled_back_event_sends_nothing(
    track, engineer, owner, django_capture_on_commit_callbacks
):
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, engineer)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notifications.notify_new_version(version=v1)
        raise RuntimeError("the review service failed after telling")
    assert callbacks == [] and mail.outbox == []
    assert not Notification.objects.exists()


def test_a_duplicate_task_delivery_sends_once(track, engineer, owner):
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, engineer)
    # Inside the test's transaction, which never commits: the row is written and its task
    # never enqueued, so the task is run by hand, as a broker delivering it twice would.
    notifications.notify_new_version(version=v1)
    row = Notification.objects.get()
    assert mail.outbox == []
    assert notify(notification_id=row.pk) is True
    assert notify(notification_id=row.pk) is False  # the broker delivered it again
    assert notifications.notification_send(notification_id=row.pk) is False
    assert len(mail.outbox) == 1


def test_telling_of_the_same_event_twice_sends_once(
    track, engineer, owner, django_capture_on_commit_callbacks
):
    Approver.objects.create(release=track.release, user=owner)
    v1 = version_of(track, engineer)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify_new_version(version=v1)
        notifications.notify_new_version(version=v1)
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_through_the_review_service(track, engineer, member, django_capture_on_commit_callbacks):
    from releases.services import review

    v1 = version_of(track, engineer)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review.comment_add(version=v1, user=member, at_s=12.0, body="Lovely intro")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    assert [m.to for m in mail.outbox] == [["engineer@example.com"]]


# --- Settings: the page ---------------------------------------------------------------------------


def test_settings_page_turns_kinds_off_and_on(client, member):
    client.force_login(member)
    page = client.get("/account/notifications/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<h1>Email settings</h1>" in html
    for kind in NotificationKind:
        assert f'name="{kind.value}"' in html and kind.label in html
    assert html.count("checked") == len(NotificationKind)  # all on to start
    r = client.post("/account/notifications/", {"new_version": "on", "signoff_requested": "on"})
    assert r.status_code == 302 and r["Location"] == "/account/notifications/"
    assert notifications.notification_settings_get(user=member) == {
        "new_version": True,
        "comment": False,
        "signoff_requested": True,
        "signoff_given": False,
    }
    html = client.get("/account/notifications/").content.decode()
    assert "saved" in html and html.count("checked") == 2
    client.post("/account/notifications/", {k.value: "on" for k in NotificationKind})
    assert all(notifications.notification_settings_get(user=member).values())
    assert NotificationSetting.objects.filter(user=member).count() == len(NotificationKind)


def test_settings_page_needs_a_login_and_is_linked_from_the_top_bar(client, member):
    r = client.get("/account/notifications/")
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]
    client.force_login(member)
    assert b'href="/account/notifications/"' in client.get("/workspaces/new/").content


# --- Settings: the API ----------------------------------------------------------------------------


def test_api_reads_and_changes_settings(api, member, guest):
    client = api(member)
    assert client.get("/api/notifications/").json() == {
        "new_version": True,
        "comment": True,
        "signoff_requested": True,
        "signoff_given": True,
    }
    r = client.put("/api/notifications/", {"comment": False}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["comment"] is False and r.json()["new_version"] is True
    assert client.get("/api/notifications/").json()["comment"] is False
    # Each person's own: the guest's are untouched.
    assert api(guest).get("/api/notifications/").json()["comment"] is True


@pytest.mark.parametrize(
    ("body", "field"),
    [({"coment": False}, "coment"), ({"comment": "maybe"}, "comment")],
)
def test_api_refuses_what_it_cannot_store(api, member, body, field):
    r = api(member).put("/api/notifications/", body, format="json")
    assert field in assert_error_shape(r, 400)["fields"]
    assert not NotificationSetting.objects.exists()


def test_api_needs_a_login(api):
    assert_error_shape(api().get("/api/notifications/"), 401)
    assert_error_shape(api().put("/api/notifications/", {"comment": False}, format="json"), 401)


def test_api_is_in_the_schema_with_its_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    path = schema["paths"]["/api/notifications/"]
    assert set(path) >= {"get", "put"}
    assert {"200", "401"} <= set(path["get"]["responses"])
    assert {"200", "400", "401", "403"} <= set(path["put"]["responses"])
    components = schema["components"]["schemas"]
    assert set(components["NotificationSettingsOutput"]["properties"]) == set(
        NotificationKind.values
    )


def test_api_form_input_leaves_out_what_it_does_not_name(api, member):
    r = api(member).put("/api/notifications/", {"comment": "false"}, format="multipart")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "new_version": True,
        "comment": False,
        "signoff_requested": True,
        "signoff_given": True,
    }
