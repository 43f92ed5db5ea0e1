"""Mix review through the REST API, on real small WAVs made here: versions with their analysis,
comments in threads, approvers, sign-off, the master lock; errors in the one shape; guests on
one release and nowhere else; list query counts that do not grow with rows."""

from __future__ import annotations

import io

import numpy as np
import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audio.models import AudioFile
from releases.models import Comment, MasterLock, MixVersion, ReleaseGuest, SignOff
from releases.services import review

from ..audio.dsp import signals
from ..collaborators.test_api_isolation import METHODS, fill, workspace_routes
from ..conftest import assert_error_shape
from ..factories import ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

RATE = 48_000


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def wav(seed: int = 0, *, dbfs: float = -20.0, seconds: float = 3.0, name: str = ""):
    """A 1 kHz stereo sine at ``dbfs`` (it reads ``dbfs`` LUFS, EBU Tech 3341), with a trace
    of noise (-80 dBFS) so that every seed gives different bytes."""
    x = signals.sine(seconds, rate=RATE, freq=1000.0, dbfs=dbfs, channels=2)
    x = x + np.random.default_rng(seed).normal(0, 1e-4, x.shape)
    buf = io.BytesIO()
    sf.write(buf, x, RATE, subtype="PCM_24", format="WAV")
    return SimpleUploadedFile(name or f"mix {seed}.wav", buf.getvalue(), content_type="audio/wav")


@pytest.fixture
def release(workspace):
    return ReleaseFactory(workspace=workspace, title="Night Drive")


@pytest.fixture
def track(release):
    return TrackFactory(release=release, title="Headlights")


@pytest.fixture
def add(track, member):
    """add(seed, ...) -> a new version of a track, through the service."""

    def make(seed: int = 0, *, on=None, user=None, seconds: float = 1.0):
        return review.mix_version_add(
            track=on or track, upload=wav(seed, seconds=seconds), user=user or member
        )

    return make


@pytest.fixture
def guest(release):
    user = UserFactory(email="engineer@example.org", name="Ines the engineer")
    ReleaseGuest.objects.create(release=release, user=user)
    return user


def T(track, tail: str = "") -> str:
    return f"/api/workspaces/{track.workspace.slug}/tracks/{track.pk}/{tail}"


def R(release, tail: str = "") -> str:
    return f"/api/workspaces/{release.workspace.slug}/releases/{release.pk}/{tail}"


def upload(client, track, seed: int = 0, **kwargs):
    note = kwargs.pop("note", "")
    return client.post(
        T(track, "versions/"), {"file": wav(seed, **kwargs), "note": note}, format="multipart"
    )


# --- Versions ---------------------------------------------------------------------------------


def test_upload_v1_and_v2_with_their_analysis(
    api, member, track, django_capture_on_commit_callbacks
):
    client = api(member)
    with django_capture_on_commit_callbacks(execute=True):  # the analysis runs after commit
        r = upload(client, track, 1, dbfs=-20.0, note="first pass")
    assert r.status_code == 201, r.content
    v1 = r.json()
    r = upload(client, track, 2, dbfs=-14.0, note=" vocals up ")  # not analysed yet
    assert r.status_code == 201, r.content
    v2 = r.json()
    assert (v1["number"], v1["label"], v2["number"], v2["label"]) == (1, "v1", 2, "v2")
    assert v2["analysis"]["status"] == "queued" and v2["integrated_lufs"] is None

    listed = client.get(T(track, "versions/")).json()
    assert listed["count"] == 2
    first, second = listed["results"]
    audio = AudioFile.objects.get(pk=first["audio_file"])
    assert first["sha256"] == audio.sha256 and first["id"] == v1["id"]
    assert first["duration_s"] == pytest.approx(3.0, abs=1e-3)
    assert first["integrated_lufs"] == pytest.approx(-20.0, abs=0.1)
    assert first["true_peak_dbtp"] == pytest.approx(-20.0, abs=0.1)
    assert first["analysis"]["status"] == "done" and first["analysis"]["progress"] == 100
    assert first["uploaded_by"] == {"id": member.pk, "name": str(member)}
    assert (first["note"], second["note"]) == ("first pass", "vocals up")
    assert second["sha256"] != first["sha256"] and second["analysis"]["status"] == "queued"
    one = client.get(T(track, f"versions/{v1['id']}/")).json()
    assert one == first


def test_the_same_file_again_is_400_and_adds_nothing(api, member, track):
    client = api(member)
    assert upload(client, track, 1).status_code == 201
    body = assert_error_shape(upload(client, track, 1), 400)
    assert body["fields"]["file"] == ["This is the same file as v1; nothing was added."]
    assert MixVersion.objects.filter(track=track).count() == 1


def test_a_body_over_the_limit_is_413_and_stores_nothing(api, member, track, settings):
    settings.AUDIO_MAX_UPLOAD_BYTES = 1000  # the 1 MB allowed for the form around it stays
    r = upload(api(member), track, 1, seconds=8.0)  # 2.3 MB of 24-bit stereo
    body = assert_error_shape(r, 413, "too_large")
    assert "limit" in body["detail"]
    assert not MixVersion.objects.exists() and not AudioFile.objects.exists()


def test_who_may_upload(api, viewer, guest, track, release, owner):
    body = assert_error_shape(upload(api(viewer), track, 1), 403, "permission_denied")
    assert "upload" in body["detail"]
    assert_error_shape(upload(api(guest), track, 2), 403, "permission_denied")
    review.approver_add(release=release, user=guest, track=track, actor=owner)
    assert upload(api(guest), track, 3).status_code == 201  # an approver sends the next mix
    assert list(MixVersion.objects.values_list("uploaded_by", flat=True)) == [guest.pk]


# --- Comments ---------------------------------------------------------------------------------


def test_comment_at_a_time_reply_resolve_reopen(api, member, manager, track, add):
    v1 = add(1)
    r = api(member).post(T(track, "comments/"), {"version": v1.pk, "at_s": 0.5, "body": "Snare!"})
    assert r.status_code == 201, r.content
    thread = r.json()
    assert (thread["version"], thread["version_label"], thread["at_s"], thread["at"]) == (
        v1.pk, "v1", 0.5, "0:00",
    )  # fmt: skip
    assert thread["author"]["id"] == member.pk and thread["resolved"] is False
    r = api(manager).post(T(track, f"comments/{thread['id']}/replies/"), {"body": "Fixed in v2"})
    assert r.status_code == 201, r.content
    assert [x["body"] for x in r.json()["replies"]] == ["Fixed in v2"]
    reply_id = r.json()["replies"][0]["id"]
    # A reply to the reply goes in the same thread.
    r = api(member).post(T(track, f"comments/{reply_id}/replies/"), {"body": "Thanks"})
    assert r.json()["id"] == thread["id"] and len(r.json()["replies"]) == 2

    r = api(member).post(T(track, f"comments/{thread['id']}/resolve/"))
    assert r.status_code == 200 and r.json()["resolved"] is True
    assert r.json()["resolved_by"]["id"] == member.pk and r.json()["resolved_at"]
    listed = api(manager).get(T(track, "comments/")).json()["results"]
    assert [(t["body"], t["resolved"], len(t["replies"])) for t in listed] == [("Snare!", True, 2)]
    r = api(manager).post(T(track, f"comments/{reply_id}/reopen/"))  # a reply names its thread
    assert r.status_code == 200 and r.json()["resolved"] is False
    assert api(manager).get(T(track, f"comments/{reply_id}/")).json()["id"] == thread["id"]


def test_comment_errors(api, member, viewer, track, add):
    v1 = add(1)  # 1 s long
    body = assert_error_shape(
        api(member).post(T(track, "comments/"), {"version": v1.pk, "at_s": 5, "body": "x"}), 400
    )
    assert "past its end" in body["fields"]["at_s"][0]
    body = assert_error_shape(
        api(member).post(T(track, "comments/"), {"version": v1.pk, "at_s": 0.2, "body": "  "}),
        400,
    )  # fmt: skip
    assert "body" in body["fields"]
    r = api(viewer).post(T(track, "comments/"), {"version": v1.pk, "at_s": 0.2, "body": "Hi"})
    assert_error_shape(r, 403, "permission_denied")
    assert_error_shape(api(member).get(T(track, "comments/?version=v1")), 400)
    assert not Comment.objects.exists()


def test_a_comment_on_a_version_of_another_workspace_is_404_and_changes_nothing(
    api, member, track, add, other_workspace, outsider
):
    add(1)
    theirs = TrackFactory(release=ReleaseFactory(workspace=other_workspace))
    their_version = add(2, on=theirs, user=outsider)
    other_track_here = TrackFactory(release=track.release)
    mine_elsewhere = add(3, on=other_track_here)
    for version in (their_version, mine_elsewhere):
        r = api(member).post(
            T(track, "comments/"), {"version": version.pk, "at_s": 0.1, "body": "Hacked"}
        )
        body = assert_error_shape(r, 404, "not_found")
        assert "version" in body["detail"]
    assert not Comment.objects.exists()
    # Their ids under my track are 404 too.
    their_comment = review.comment_add(version=their_version, user=outsider, at_s=0, body="Own")
    for path in (f"comments/{their_comment.pk}/", f"versions/{their_version.pk}/"):
        assert_error_shape(api(member).get(T(track, path)), 404, "not_found")
    assert_error_shape(api(member).post(T(track, f"comments/{their_comment.pk}/resolve/")), 404)
    assert Comment.objects.get(pk=their_comment.pk).resolved_at is None


# --- Approvers, sign-off, the review state ----------------------------------------------------


def test_approvers_of_the_release_and_of_one_track(
    api, owner, manager, member, viewer, guest, outsider, release, track
):
    other = TrackFactory(release=release)
    client = api(owner)
    r = client.post(R(release, "approvers/"), {"user": manager.pk})
    assert r.status_code == 201, r.content
    assert (r.json()["user"], r.json()["track"]) == ({"id": manager.pk, "name": str(manager)}, None)
    r = client.post(R(release, "approvers/"), {"user": guest.pk, "track": other.pk})
    assert r.status_code == 201 and r.json()["track"] == other.pk
    guest_entry = r.json()["id"]
    listed = client.get(R(release, "approvers/")).json()["results"]
    assert [a["user"]["id"] for a in listed] == [manager.pk, guest.pk]
    for_track = client.get(R(release, f"approvers/?track={track.pk}")).json()["results"]
    assert [a["user"]["id"] for a in for_track] == [manager.pk]
    assert_error_shape(client.get(R(release, "approvers/?track=x")), 400)

    # A login that is neither member nor guest, and one that does not exist: the same words.
    stranger = assert_error_shape(client.post(R(release, "approvers/"), {"user": outsider.pk}), 400)
    missing = assert_error_shape(client.post(R(release, "approvers/"), {"user": 999_999}), 400)
    assert stranger["fields"]["user"] == missing["fields"]["user"]
    body = assert_error_shape(client.post(R(release, "approvers/"), {"user": manager.pk}), 400)
    assert "already" in body["detail"]
    their_track = TrackFactory(release=ReleaseFactory(workspace=release.workspace))
    r = client.post(R(release, "approvers/"), {"user": member.pk, "track": their_track.pk})
    assert_error_shape(r, 404, "not_found")

    for who in (viewer, guest):
        r = api(who).post(R(release, "approvers/"), {"user": member.pk})
        assert_error_shape(r, 403, "permission_denied")
        assert_error_shape(api(who).delete(R(release, f"approvers/{guest_entry}/")), 403)
    assert api(guest).get(R(release, "approvers/")).status_code == 200
    assert client.delete(R(release, f"approvers/{guest_entry}/")).status_code == 204
    assert_error_shape(client.delete(R(release, f"approvers/{guest_entry}/")), 404, "not_found")
    assert [a["user"]["id"] for a in client.get(R(release, "approvers/")).json()["results"]] == [
        manager.pk
    ]


def test_signoff_rules_and_the_review_state(api, owner, manager, member, release, track, add):
    v1 = add(1)
    for u in (owner, manager):
        review.approver_add(release=release, user=u, actor=owner)
    v2 = add(2)

    r = api(member).post(T(track, "signoffs/"), {"version": v2.pk, "decision": "approved"})
    body = assert_error_shape(r, 403, "permission_denied")
    assert "approvers" in body["detail"]
    r = api(owner).post(T(track, "signoffs/"), {"version": v1.pk, "decision": "approved"})
    body = assert_error_shape(r, 400)
    assert "v1 is not the latest version: v2 is" in body["fields"]["version"][0]
    r = api(owner).post(T(track, "signoffs/"), {"version": v2.pk, "decision": "changes"})
    assert "note" in assert_error_shape(r, 400)["fields"]
    r = api(owner).post(T(track, "signoffs/"), {"version": v2.pk, "decision": "maybe"})
    assert "decision" in assert_error_shape(r, 400)["fields"]
    assert not SignOff.objects.exists()

    r = api(owner).post(T(track, "signoffs/"), {"version": v2.pk, "decision": "approved"})
    assert r.status_code == 201, r.content
    assert (r.json()["version_label"], r.json()["sha256"]) == ("v2", v2.audio_file.sha256)
    r = api(manager).post(
        T(track, "signoffs/"), {"version": v2.pk, "decision": "changes", "note": "Bass is muddy"}
    )
    assert r.status_code == 201

    state = api(member).get(T(track, "review/")).json()
    assert state["latest_version"]["label"] == "v2" and state["fully_approved"] is False
    by_user = {a["user"]["id"]: a for a in state["approvers"]}
    assert by_user[owner.pk]["approved"] is True and by_user[owner.pk]["release_wide"] is True
    assert by_user[manager.pk]["changes_requested"] is True
    assert by_user[manager.pk]["decision"]["note"] == "Bass is muddy"
    assert [u["id"] for u in state["pending"]] == [manager.pk]

    r = api(manager).post(T(track, "signoffs/"), {"version": v2.pk, "decision": "approved"})
    assert r.status_code == 201
    state = api(member).get(T(track, "review/")).json()
    assert state["fully_approved"] is True and state["pending"] == []
    history = api(member).get(T(track, "signoffs/")).json()["results"]
    assert [(s["user"]["id"], s["decision"], s["current"]) for s in history] == [
        (manager.pk, "approved", True), (manager.pk, "changes", False),
        (owner.pk, "approved", True),
    ]  # fmt: skip


# --- The master lock --------------------------------------------------------------------------


def test_lock_after_full_approval_and_a_new_version_ends_it(
    api, owner, manager, member, release, track, add, guest
):
    v1 = add(1)
    client = api(owner)
    for u in (owner, manager):
        assert client.post(R(release, "approvers/"), {"user": u.pk}).status_code == 201
    assert client.get(T(track, "lock/")).json() == {"locked": False, "lock": None}
    client.post(T(track, "signoffs/"), {"version": v1.pk, "decision": "approved"})
    body = assert_error_shape(api(member).post(T(track, "lock/"), {"version": v1.pk}), 400)
    assert "waiting for" in body["detail"] and str(manager) in body["detail"]
    api(manager).post(T(track, "signoffs/"), {"version": v1.pk, "decision": "approved"})
    assert_error_shape(api(guest).post(T(track, "lock/"), {"version": v1.pk}), 403)

    r = api(member).post(T(track, "lock/"), {"version": v1.pk})
    assert r.status_code == 201, r.content
    state = r.json()
    lock = state["lock"]
    assert state["locked"] is True and lock["active"] is True and lock["ended_at"] is None
    assert (lock["version_label"], lock["sha256"]) == ("v1", v1.audio_file.sha256)
    assert lock["covers"]["sha256"] == v1.audio_file.sha256 and lock["covers"]["version"] == 1
    assert lock["locked_by"]["id"] == member.pk
    assert_error_shape(api(member).post(T(track, "lock/"), {"version": v1.pk}), 400)
    r = api(owner).post(T(track, "signoffs/"), {"version": v1.pk, "decision": "approved"})
    assert "locked" in assert_error_shape(r, 400)["detail"]
    assert api(guest).get(T(track, "lock/")).json()["locked"] is True

    assert upload(api(member), track, 2).status_code == 201
    state = api(owner).get(T(track, "lock/")).json()
    assert state["locked"] is False and state["lock"]["id"] == lock["id"]
    assert state["lock"]["ended_reason"] == "v2 arrived" and state["lock"]["ended_at"]
    review_state = api(owner).get(T(track, "review/")).json()
    assert review_state["locked"] is False and review_state["fully_approved"] is False
    assert len(review_state["pending"]) == 2


def test_unlock_with_a_reason(api, owner, member, viewer, release, track, add):
    v1 = add(1)
    review.approver_add(release=release, user=owner, actor=owner)
    review.signoff_record(track=track, version=v1, user=owner, decision="approved")
    body = assert_error_shape(api(member).post(T(track, "unlock/"), {"reason": "x"}), 400)
    assert "not locked" in body["detail"]
    assert api(member).post(T(track, "lock/"), {"version": v1.pk}).status_code == 201
    assert "reason" in assert_error_shape(api(member).post(T(track, "unlock/"), {}), 400)["fields"]
    assert_error_shape(api(viewer).post(T(track, "unlock/"), {"reason": "x"}), 403)
    r = api(member).post(T(track, "unlock/"), {"reason": "wrong ISRC on the sheet"})
    assert r.status_code == 200, r.content
    assert r.json()["locked"] is False
    assert r.json()["lock"]["ended_reason"].endswith(": wrong ISRC on the sheet")
    assert not MasterLock.objects.filter(ended_at__isnull=True).exists()
    # Sign-offs stay: the same version can be locked again.
    assert api(member).post(T(track, "lock/"), {"version": v1.pk}).status_code == 201


# --- Guests -----------------------------------------------------------------------------------


def test_a_guest_reviews_their_release_through_the_api(api, owner, guest, release, track, add):
    v1 = add(1)
    client = api(guest)
    assert client.get(T(track, "versions/")).json()["count"] == 1
    r = client.post(T(track, "comments/"), {"version": v1.pk, "at_s": 0.3, "body": "Hats loud"})
    assert r.status_code == 201 and r.json()["author"]["id"] == guest.pk
    r = client.post(T(track, "signoffs/"), {"version": v1.pk, "decision": "approved"})
    assert_error_shape(r, 403, "permission_denied")
    review.approver_add(release=release, user=guest, actor=owner)
    r = client.post(T(track, "signoffs/"), {"version": v1.pk, "decision": "approved"})
    assert r.status_code == 201
    assert client.get(T(track, "review/")).json()["fully_approved"] is True


def test_a_guest_gets_404_everywhere_else(api, owner, member, guest, release, track, add):
    """On another release's tracks and approvers, and on every workspace endpoint that is not
    a review endpoint of their own release."""
    add(1)
    elsewhere = TrackFactory(release=ReleaseFactory(workspace=release.workspace, title="Private"))
    version = add(2, on=elsewhere)
    comment = review.comment_add(version=version, user=member, at_s=0, body="secret")
    approver = review.approver_add(release=elsewhere.release, user=member, actor=owner)
    there = {"track_id": elsewhere.pk, "release_id": elsewhere.release_id}
    pks = {"comments": comment.pk, "versions": version.pk, "approvers": approver.pk}
    client = api(guest)
    checked = 0
    for route in workspace_routes():
        if "<int:track_id>" in route or "<int:release_id>" in route:
            pk = next((v for k, v in pks.items() if k in route), 1)
            url = fill(route, release.workspace.slug, pk, there)
        else:  # members only: even with the ids of the guest's own release and track
            pk = release.pk if "releases" in route else track.pk
            url = fill(route, release.workspace.slug, pk)
        for method in METHODS:
            body = {"body": "x", "at_s": 0, "version": version.pk, "decision": "approved"}
            r = getattr(client, method)(url, body, format="json")
            if r.status_code == 405:
                continue
            assert "Private" not in assert_error_shape(r, 404, "not_found")["detail"], url
            checked += 1
    assert checked > 40
    assert Comment.objects.get(pk=comment.pk).resolved_at is None
    assert Comment.objects.count() == 1 and not SignOff.objects.exists()
    assert MixVersion.objects.filter(track=elsewhere).count() == 1


# --- Query counts -----------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content
    return len(ctx.captured_queries)


def test_version_list_queries_do_not_grow_with_rows(api, member, track, add):
    client = api(member)
    add(0, seconds=0.5)
    one = _queries(client, T(track, "versions/"))
    for seed in range(1, 10):
        add(seed, seconds=0.5)
    assert client.get(T(track, "versions/")).json()["count"] == 10
    assert _queries(client, T(track, "versions/")) == one


def test_comment_list_queries_do_not_grow_with_rows(api, member, manager, track, add):
    client = api(member)
    version = add(0)

    def thread(n: int) -> None:
        root = review.comment_add(version=version, user=member, at_s=n / 20, body=f"c{n}")
        review.comment_reply(parent=root, user=manager, body=f"r{n}")
        review.comment_resolve(comment=root, user=manager)

    thread(0)
    one = _queries(client, T(track, "comments/"))
    for n in range(1, 10):
        thread(n)
    listed = client.get(T(track, "comments/")).json()
    assert listed["count"] == 10 and all(len(t["replies"]) == 1 for t in listed["results"])
    assert _queries(client, T(track, "comments/")) == one
