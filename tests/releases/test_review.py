"""Mix review services: versions, comments, approvers, sign-off and the master lock, on real
small WAV files made here."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from audio.models import AudioFile
from collaborators.permissions import Role
from releases import registry, selectors
from releases.models import (
    Approver,
    Comment,
    Credit,
    MasterLock,
    MixVersion,
    ReleaseGuest,
    SignOff,
    Track,
)
from releases.services import notifications, review

from ..audio.dsp import signals
from ..factories import MembershipFactory, PersonFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

RATE = 44_100


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def wav(name: str = "mix.wav", *, seconds: float = 4.0, freq: float = 440.0, seed: int = 0):
    """A real WAV: a sine with a little noise, different bytes for each (freq, seed)."""
    x = signals.sine(seconds, rate=RATE, freq=freq, dbfs=-12.0, channels=2)
    x = x + np.random.default_rng(seed).normal(0, 0.001, x.shape)
    buf = io.BytesIO()
    sf.write(buf, x, RATE, subtype="PCM_16", format="WAV")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="audio/wav")


def stored(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def track(workspace):
    return TrackFactory(release=ReleaseFactory(workspace=workspace, title="Night Drive"))


@pytest.fixture
def add(track, member):
    """add(seed=..., user=..., note=...) -> a new version of ``track``."""

    def make(seed: int = 0, *, user=None, note: str = "", on=None, seconds: float = 4.0):
        return review.mix_version_add(
            track=on or track, upload=wav(f"mix {seed}.wav", seed=seed, seconds=seconds),
            user=user or member, note=note,
        )  # fmt: skip

    return make


@pytest.fixture
def guest(track):
    user = UserFactory(email="engineer@example.org", name="Ines the engineer")
    ReleaseGuest.objects.create(release=track.release, user=user)
    return user


def approve_all(track, *users):
    version = review.latest_version(track)
    for u in users:
        review.signoff_record(track=track, version=version, user=u, decision="approved")
    return version


@pytest.fixture
def locked(track, add, owner, manager, member):
    """``track`` with v1 approved by the owner and the manager and locked by the member."""
    add(1)
    for u in (owner, manager):
        review.approver_add(release=track.release, user=u, actor=owner)
    version = approve_all(track, owner, manager)
    return review.master_lock(track=track, version=version, user=member)


def open_lock(track):
    return MasterLock.objects.filter(track=track, ended_at__isnull=True).first()


def current_signoffs(track):
    return list(SignOff.objects.filter(track=track, superseded_at__isnull=True))


# --- Versions ---------------------------------------------------------------------------------


def test_versions_are_numbered_in_order_with_who_and_what(track, add, member):
    v1 = add(1, note="first pass")
    v2 = add(2)
    v3 = add(3, note="  vocals up 1 dB ")
    assert [v.label for v in track.versions.order_by("number")] == ["v1", "v2", "v3"]
    assert (v1.note, v3.note, v3.uploaded_by) == ("first pass", "vocals up 1 dB", member)
    assert v2.audio_file.duration_s == pytest.approx(4.0, abs=1e-3)
    assert len({v.audio_file.sha256 for v in (v1, v2, v3)}) == 3
    assert all(v.audio_file.workspace_id == track.workspace_id for v in (v1, v2, v3))


def test_the_same_file_again_is_refused_naming_the_version(track, add, settings):
    add(1)
    add(2)
    with pytest.raises(ValidationError) as exc:
        add(1)
    assert exc.value.message_dict["file"] == ["This is the same file as v1; nothing was added."]
    assert track.versions.count() == 2
    assert AudioFile.objects.count() == 2 and len(stored(settings)) == 2


def test_the_same_file_may_be_a_version_of_another_track(track, add):
    other = TrackFactory(release=track.release)
    first = add(1)
    again = add(1, on=other)
    assert again.label == "v1" and again.audio_file_id == first.audio_file_id


def test_a_file_audio_refuses_writes_nothing(track, add, locked, member, settings):
    before = (AudioFile.objects.count(), len(stored(settings)), len(current_signoffs(track)))
    junk = SimpleUploadedFile("v2.wav", b"%PDF-1.7\n" + b"x" * 5000)
    with pytest.raises(ValidationError) as exc:
        review.mix_version_add(track=track, upload=junk, user=member, note="new mix")
    assert "file" in exc.value.message_dict
    assert track.versions.count() == 1
    assert (AudioFile.objects.count(), len(stored(settings)), len(current_signoffs(track))) == (
        before
    )
    assert open_lock(track) == locked  # the lock holds: no new version arrived


def test_a_note_too_long_is_refused_before_the_file_is_stored(track, member, settings):
    with pytest.raises(ValidationError) as exc:
        review.mix_version_add(track=track, upload=wav(), user=member, note="x" * 501)
    assert "note" in exc.value.message_dict
    assert AudioFile.objects.count() == 0 and stored(settings) == []


def test_who_may_upload_a_version(track, add, viewer, guest, outsider, workspace, owner):
    with pytest.raises(PermissionDenied):
        add(1, user=viewer)
    with pytest.raises(PermissionDenied):
        add(1, user=guest)  # a guest on the release, neither approver nor credited
    with pytest.raises(PermissionDenied):
        add(1, user=outsider)
    person = PersonFactory(workspace=workspace, user=guest, name="Ines")
    Credit.objects.create(
        workspace=workspace, track=track, person=person, role=Credit.Role.MIXING_ENGINEER
    )
    assert add(1, user=guest).label == "v1"  # the credited mixing engineer
    other_guest = UserFactory()
    ReleaseGuest.objects.create(release=track.release, user=other_guest)
    review.approver_add(release=track.release, track=track, user=other_guest, actor=owner)
    assert add(2, user=other_guest).label == "v2"  # an approver of the track
    assert MixVersion.objects.filter(track=track).count() == 2


def test_a_credit_on_another_track_does_not_let_a_guest_upload(track, guest, workspace, add):
    other = TrackFactory(release=track.release)
    person = PersonFactory(workspace=workspace, user=guest)
    Credit.objects.create(
        workspace=workspace, track=other, person=person, role=Credit.Role.MIXING_ENGINEER
    )
    assert review.version_upload_allowed(user=guest, track=other)
    assert not review.version_upload_allowed(user=guest, track=track)


def test_people_are_told_of_a_new_version_after_the_commit(
    track, member, monkeypatch, django_capture_on_commit_callbacks
):
    from audio.services import uploads

    told = []
    monkeypatch.setattr(uploads, "analysis_request", lambda **kw: None)
    monkeypatch.setattr(notifications, "notify_new_version", lambda **kw: told.append(kw))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = review.mix_version_add(track=track, upload=wav(), user=member)
    assert told == [] and len(callbacks) == 1
    callbacks[0]()
    assert told == [{"version": version}]


# --- Comments ---------------------------------------------------------------------------------


def test_a_comment_at_a_time_within_the_mix(track, add, member, guest):
    v1 = add(1)
    c = review.comment_add(version=v1, user=member, at_s=83.0 / 30, body="  Snare too loud  ")
    assert (c.track, c.version, c.at_s, c.body, c.author) == (
        track,
        v1,
        2.77,
        "Snare too loud",
        member,
    )
    assert review.comment_add(version=v1, user=guest, at_s=0, body="Intro clicks").author == guest
    assert review.comment_add(version=v1, user=guest, at_s=4.0, body="The very end").at_s == 4.0


@pytest.mark.parametrize(
    ("at_s", "words"),
    [
        (4.5, "v1 is 0:04 long; 0:04 is past its end"),
        (95, "v1 is 0:04 long; 1:35 is past its end"),
        (-1, "Say where in the mix"),
        (float("nan"), "Say where in the mix"),
        ("soon", "Say where in the mix"),
        (None, "Say where in the mix"),
    ],
)
def test_a_time_outside_the_mix_is_refused(add, member, at_s, words):
    v1 = add(1)
    with pytest.raises(ValidationError) as exc:
        review.comment_add(version=v1, user=member, at_s=at_s, body="here")
    assert words in exc.value.message_dict["at_s"][0]
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(("body", "words"), [("", "Write something"), ("   ", "Write something"),
                                             ("x" * 5001, "under 5000 characters")])  # fmt: skip
def test_an_empty_or_overlong_comment_is_refused(add, member, body, words):
    with pytest.raises(ValidationError) as exc:
        review.comment_add(version=add(1), user=member, at_s=1, body=body)
    assert words in exc.value.message_dict["body"][0]
    assert review.comment_add(version=add(2), user=member, at_s=1, body="x" * 5000)


def test_viewers_and_strangers_may_not_comment(add, viewer, outsider):
    v1 = add(1)
    with pytest.raises(PermissionDenied):
        review.comment_add(version=v1, user=viewer, at_s=1, body="hm")
    # A version of another workspace: not the outsider's to name.
    with pytest.raises(ValidationError):
        review.comment_add(version=v1, user=outsider, at_s=1, body="hm")
    other_guest = UserFactory()
    ReleaseGuest.objects.create(
        release=ReleaseFactory(workspace=v1.track.workspace), user=other_guest
    )
    with pytest.raises(ValidationError):
        review.comment_add(version=v1, user=other_guest, at_s=1, body="hm")
    assert Comment.objects.count() == 0


def test_replies_go_on_the_thread_root(add, member, guest, outsider):
    v1 = add(1)
    root = review.comment_add(version=v1, user=guest, at_s=2, body="Bass muddy?")
    r1 = review.comment_reply(parent=root, user=member, body="Cut 200 Hz in v2")
    r2 = review.comment_reply(parent=r1, user=guest, body="Better, thanks")
    assert r1.parent == root and r2.parent == root
    assert (r2.version, r2.track, r2.at_s) == (v1, v1.track, None)
    assert list(root.replies.order_by("id")) == [r1, r2]
    with pytest.raises(ValidationError):
        review.comment_reply(parent=root, user=member, body=" ")
    with pytest.raises(ValidationError):
        review.comment_reply(parent=root, user=outsider, body="Hello")


def test_resolve_and_reopen_a_thread(add, member, guest, viewer):
    root = review.comment_add(version=add(1), user=guest, at_s=1, body="Click at 0:01")
    reply = review.comment_reply(parent=root, user=member, body="Fixed")
    resolved = review.comment_resolve(comment=reply, user=member)  # from a reply: the thread
    assert resolved.pk == root.pk and resolved.resolved_by == member
    first_time = resolved.resolved_at
    assert review.comment_resolve(comment=root, user=guest).resolved_at == first_time
    with pytest.raises(PermissionDenied):
        review.comment_reopen(comment=root, user=viewer)
    reopened = review.comment_reopen(comment=root, user=guest)
    root.refresh_from_db()
    assert reopened.resolved_at is None and root.resolved_at is None and root.resolved_by is None


# --- Approvers --------------------------------------------------------------------------------


def test_approvers_are_members_or_guests_of_the_release(
    track, owner, member, viewer, guest, outsider
):
    release = track.release
    assert review.approver_add(release=release, user=member, actor=owner).track is None
    assert review.approver_add(release=release, user=guest, track=track, actor=owner).track == track
    assert review.approver_add(release=release, user=viewer, actor=member)
    with pytest.raises(ValidationError) as exc:
        review.approver_add(release=release, user=outsider, actor=owner)
    assert "Only members of this workspace or guests" in exc.value.message_dict["user"][0]
    other_guest = UserFactory()
    ReleaseGuest.objects.create(
        release=ReleaseFactory(workspace=release.workspace), user=other_guest
    )
    with pytest.raises(ValidationError):
        review.approver_add(release=release, user=other_guest, actor=owner)
    with pytest.raises(ValidationError) as exc:
        review.approver_add(release=release, user=member, actor=owner)
    assert "already" in exc.value.message_dict["user"][0]
    with pytest.raises(ValidationError):
        review.approver_add(release=release, user=member, track=track, actor=owner)
    with pytest.raises(ValidationError):
        review.approver_add(release=release, user=owner, track=TrackFactory(), actor=owner)
    with pytest.raises(PermissionDenied):
        review.approver_add(release=release, user=owner, actor=viewer)
    with pytest.raises(PermissionDenied):
        review.approver_add(release=release, user=owner, actor=guest)
    assert Approver.objects.count() == 3


def test_removing_an_approver_drops_their_sign_off(track, add, owner, manager):
    add(1)
    a = review.approver_add(release=track.release, user=owner, actor=owner)
    review.approver_add(release=track.release, user=manager, actor=owner)
    approve_all(track, owner)
    assert [s.user for s in review.track_review_state(track).approved] == [owner]
    review.approver_remove(approver=a, actor=manager)
    state = review.track_review_state(track)
    assert [s.user for s in state.approvers] == [manager] and not state.fully_approved
    gone = SignOff.objects.get(user=owner)
    assert gone.superseded_reason == "no longer an approver"


# --- Sign-off ---------------------------------------------------------------------------------


def test_only_an_approver_signs_off(track, add, owner, member, guest):
    v1 = add(1)
    review.approver_add(release=track.release, user=owner, actor=owner)
    for user in (member, guest):
        with pytest.raises(PermissionDenied):
            review.signoff_record(track=track, version=v1, user=user, decision="approved")
    assert SignOff.objects.count() == 0


def test_a_per_track_approver_signs_off_that_track_only(track, add, owner, guest):
    other = TrackFactory(release=track.release)
    v1, w1 = add(1), add(2, on=other)
    review.approver_add(release=track.release, user=guest, track=track, actor=owner)
    s = review.signoff_record(track=track, version=v1, user=guest, decision="approved")
    assert s.sha256 == v1.audio_file.sha256
    with pytest.raises(PermissionDenied):
        review.signoff_record(track=other, version=w1, user=guest, decision="approved")
    with pytest.raises(ValidationError):
        review.signoff_record(track=track, version=w1, user=guest, decision="approved")


def test_an_older_version_cannot_be_signed_off(track, add, owner):
    v1 = add(1)
    add(2)
    review.approver_add(release=track.release, user=owner, actor=owner)
    with pytest.raises(ValidationError) as exc:
        review.signoff_record(track=track, version=v1, user=owner, decision="approved")
    assert exc.value.message_dict["version"] == [
        "v1 is not the latest version: v2 is. Listen to v2 and decide on that one."
    ]
    assert SignOff.objects.count() == 0


def test_one_current_decision_per_approver(track, add, owner):
    v1 = add(1)
    review.approver_add(release=track.release, user=owner, actor=owner)
    with pytest.raises(ValidationError) as exc:
        review.signoff_record(track=track, version=v1, user=owner, decision="changes")
    assert "Say what should change" in exc.value.message_dict["note"][0]
    with pytest.raises(ValidationError):
        review.signoff_record(track=track, version=v1, user=owner, decision="maybe")
    first = review.signoff_record(
        track=track, version=v1, user=owner, decision="changes", note="More vocal"
    )
    second = review.signoff_record(track=track, version=v1, user=owner, decision="approved")
    first.refresh_from_db()
    assert current_signoffs(track) == [second]
    assert first.superseded_reason == "replaced by a newer decision"
    assert SignOff.objects.count() == 2  # nothing deleted


def test_the_review_state_says_who_approved_and_who_is_pending(track, add, owner, manager, guest):
    assert not review.track_review_state(track).fully_approved  # no version, no approvers
    v1 = add(1)
    assert not review.track_review_state(track).fully_approved  # no approvers
    for u in (owner, manager):
        review.approver_add(release=track.release, user=u, actor=owner)
    review.approver_add(release=track.release, user=guest, track=track, actor=owner)
    review.signoff_record(track=track, version=v1, user=owner, decision="approved")
    review.signoff_record(track=track, version=v1, user=guest, decision="changes", note="Hiss")
    state = review.track_review_state(track)
    assert state.latest == v1 and not state.fully_approved
    assert [a.user for a in state.approved] == [owner]
    assert [a.user for a in state.pending] == [manager, guest]
    assert state.approver_state(guest).changes_requested
    review.signoff_record(track=track, version=v1, user=guest, decision="approved")
    review.signoff_record(track=track, version=v1, user=manager, decision="approved")
    assert review.track_review_state(track).fully_approved


def test_a_new_version_resets_sign_offs_and_ends_the_lock(track, add, locked, owner):
    assert open_lock(track) == locked
    v2 = add(2)
    locked.refresh_from_db()
    assert locked.ended_at is not None and locked.ended_reason == "v2 arrived"
    assert current_signoffs(track) == []
    assert set(SignOff.objects.values_list("superseded_reason", flat=True)) == {"v2 arrived"}
    state = review.track_review_state(track)
    assert state.latest == v2 and not state.fully_approved and len(state.pending) == 2
    assert state.ended_lock == locked
    add(3)
    assert MasterLock.objects.get().ended_reason == "v2 arrived"  # the end is not rewritten


# --- The lock ---------------------------------------------------------------------------------


def test_the_lock_needs_every_approval(track, add, owner, manager, member):
    v1 = add(1)
    with pytest.raises(ValidationError) as exc:
        review.master_lock(track=track, version=v1, user=member)
    assert "at least one approver" in exc.value.messages[0]
    for u in (owner, manager):
        review.approver_add(release=track.release, user=u, actor=owner)
    approve_all(track, owner)
    with pytest.raises(ValidationError) as exc:
        review.master_lock(track=track, version=v1, user=member)
    assert exc.value.messages == [
        f"v1 needs every approver's approval first; waiting for {manager}."
    ]
    review.signoff_record(track=track, version=v1, user=manager, decision="changes", note="Hiss")
    with pytest.raises(ValidationError):
        review.master_lock(track=track, version=v1, user=member)
    assert MasterLock.objects.count() == 0


def test_guests_and_viewers_cannot_lock(track, add, owner, viewer, guest):
    v1 = add(1)
    review.approver_add(release=track.release, user=guest, actor=owner)
    approve_all(track, guest)
    for user in (guest, viewer):
        with pytest.raises(PermissionDenied):
            review.master_lock(track=track, version=v1, user=user)
    assert review.master_lock(track=track, version=v1, user=owner)


def test_an_older_version_cannot_be_locked(track, add, owner):
    v1 = add(1)
    add(2)
    review.approver_add(release=track.release, user=owner, actor=owner)
    approve_all(track, owner)
    with pytest.raises(ValidationError) as exc:
        review.master_lock(track=track, version=v1, user=owner)
    assert exc.value.message_dict["version"] == ["Only the latest version (v2) can be locked."]


def test_the_lock_records_what_it_covers(track, workspace, add, owner):
    Track.objects.filter(pk=track.pk).update(isrc="GBEMI2500001")
    artist = PersonFactory(workspace=workspace, name="Maya Lind")
    mixer = PersonFactory(workspace=workspace, name="Ines Ortega")
    Credit.objects.create(
        workspace=workspace, release=track.release, person=artist, role=Credit.Role.MAIN_ARTIST
    )
    Credit.objects.create(workspace=workspace, track=track, person=mixer, role="performer",
                          instrument="ElectricGuitar")  # fmt: skip
    Credit.objects.create(  # another track's credit is not this track's
        workspace=workspace, track=TrackFactory(release=track.release), person=mixer,
        role=Credit.Role.MIXING_ENGINEER,
    )  # fmt: skip
    v1 = add(1, seconds=3.5)
    review.approver_add(release=track.release, user=owner, actor=owner)
    approve_all(track, owner)
    lock = review.master_lock(track=track, version=v1, user=owner)
    assert lock.sha256 == v1.audio_file.sha256 and lock.version == v1 and lock.locked_by == owner
    assert lock.covered == {
        "audio": {"version": 1, "sha256": v1.audio_file.sha256},
        "isrc": "GBEMI2500001",
        "credits": [
            {"on": "release", "person_id": artist.pk, "name": "Maya Lind", "role": "main_artist",
             "instrument": ""},
            {"on": "track", "person_id": mixer.pk, "name": "Ines Ortega", "role": "performer",
             "instrument": "ElectricGuitar"},
        ],
        # rights registers the track's master split as a part; this track has none yet.
        "parts": {"splits": None},
    }  # fmt: skip
    assert lock.fingerprint == review.snapshot_fingerprint(lock.covered)
    assert selectors.track_duration_s(track) == pytest.approx(3.5, abs=1e-3)
    with pytest.raises(ValidationError):
        review.master_lock(track=track, version=v1, user=owner)  # locked already
    # Approvals wait while the master is locked.
    with pytest.raises(ValidationError):
        review.signoff_record(track=track, version=v1, user=owner, decision="changes", note="x")


def test_no_duration_without_a_locked_master(track, add):
    add(1)
    assert selectors.track_duration_s(track) is None


def test_a_recheck_with_nothing_changed_keeps_the_lock(track, locked):
    assert review.master_lock_recheck(track=track, reason="track saved") is False
    assert open_lock(track) == locked and len(current_signoffs(track)) == 2


def test_an_isrc_change_ends_the_lock_and_resets_sign_offs(track, locked, owner, monkeypatch):
    asked = []
    monkeypatch.setattr(notifications, "notify_signoff_requested", lambda **kw: asked.append(kw))
    Track.objects.filter(pk=track.pk).update(isrc="GBEMI2500007")
    assert review.master_lock_recheck(track=track, reason="ISRC edited") is True
    locked.refresh_from_db()
    assert locked.ended_reason == "the ISRC changed from none to GB-EMI-25-00007"
    assert current_signoffs(track) == []
    assert (
        SignOff.objects.filter(
            superseded_reason="the master lock ended: the ISRC changed from none to GB-EMI-25-00007"
        ).count()
        == 2
    )
    state = review.track_review_state(track)
    assert state.lock is None and state.ended_lock == locked and not state.fully_approved
    assert review.master_lock_recheck(track=track, reason="again") is False  # nothing open


def test_a_credit_change_ends_the_lock(track, workspace, locked):
    person = PersonFactory(workspace=workspace, name="Ana Costa")
    Credit.objects.create(
        workspace=workspace, track=track, person=person, role=Credit.Role.PRODUCER
    )
    assert review.master_lock_recheck(track=track, reason="credit added")
    locked.refresh_from_db()
    assert locked.ended_reason == "credits changed (Ana Costa as producer added)"
    assert current_signoffs(track) == []


def test_a_release_credit_change_ends_the_locks_of_its_tracks(track, workspace, add, owner, locked):
    other = TrackFactory(release=track.release)  # not locked: nothing to end
    add(5, on=other)
    person = PersonFactory(workspace=workspace, name="Maya Lind")
    credit = Credit.objects.create(
        workspace=workspace, release=track.release, person=person, role=Credit.Role.MAIN_ARTIST
    )
    assert review.master_locks_recheck_release(release=track.release, reason="artists") == [track]
    locked.refresh_from_db()
    assert locked.ended_reason == (
        "credits changed (Maya Lind as main artist of the release added)"
    )
    # Locked again, then the person is renamed in the address book: the credit reads otherwise.
    version = approve_all(track, *[a.user for a in review.track_review_state(track).approvers])
    relock = review.master_lock(track=track, version=version, user=owner)
    person.name = "Maya Lind Trio"
    person.save()
    assert review.master_locks_recheck_release(release=track.release, reason="renamed") == [track]
    relock.refresh_from_db()
    assert relock.ended_reason == "credits changed (Maya Lind is now named Maya Lind Trio)"
    credit.delete()


def test_removing_and_adding_the_same_credits_back_keeps_the_lock(track, workspace, add, owner):
    a, b = PersonFactory(workspace=workspace), PersonFactory(workspace=workspace)
    for i, p in enumerate((a, b)):
        Credit.objects.create(workspace=workspace, release=track.release, person=p,
                              role=Credit.Role.MAIN_ARTIST, position=i)  # fmt: skip
    Credit.objects.create(workspace=workspace, release=track.release, person=b,
                          role=Credit.Role.PRODUCER)  # fmt: skip
    v1 = add(1)
    review.approver_add(release=track.release, user=owner, actor=owner)
    approve_all(track, owner)
    lock = review.master_lock(track=track, version=v1, user=owner)
    Credit.objects.filter(role=Credit.Role.MAIN_ARTIST).delete()  # new ids, same credits
    for i, p in enumerate((a, b)):
        Credit.objects.create(workspace=workspace, release=track.release, person=p,
                              role=Credit.Role.MAIN_ARTIST, position=i)  # fmt: skip
    assert review.master_locks_recheck_release(release=track.release, reason="artists") == []
    Credit.objects.filter(role=Credit.Role.MAIN_ARTIST, person=a).update(position=5)
    assert review.master_lock_recheck(track=track, reason="reordered")
    lock.refresh_from_db()
    assert lock.ended_reason == "credits changed (their order changed)"


@pytest.fixture
def splits_part():
    splits = {"value": [{"payee": "Maya", "share": "60.00"}, {"payee": "Ines", "share": "40.00"}]}
    registry.register_lock_part("test_splits", lambda track: splits["value"], label="the splits")
    yield splits
    registry.unregister_lock_part("test_splits")


def test_a_registered_lock_part_is_covered_and_its_change_ends_the_lock(
    track, add, owner, splits_part
):
    v1 = add(1)
    review.approver_add(release=track.release, user=owner, actor=owner)
    approve_all(track, owner)
    lock = review.master_lock(track=track, version=v1, user=owner)
    assert lock.covered["parts"] == {"test_splits": splits_part["value"], "splits": None}
    assert review.master_lock_recheck(track=track, reason="nothing") is False
    splits_part["value"] = [
        {"payee": "Maya", "share": "50.00"},
        {"payee": "Ines", "share": "50.00"},
    ]
    assert review.master_lock_recheck(track=track, reason="splits edited") is True
    lock.refresh_from_db()
    assert lock.ended_reason == "the splits changed"
    assert current_signoffs(track) == []


def test_lock_part_names_are_checked():
    def fn(track):
        return None

    with pytest.raises(ValueError):
        registry.register_lock_part("Bad Name", fn)
    registry.register_lock_part("test_once", fn)
    try:
        registry.register_lock_part("test_once", fn)  # the same again: harmless
        with pytest.raises(ValueError):
            registry.register_lock_part("test_once", lambda track: 1)
    finally:
        registry.unregister_lock_part("test_once")


def test_a_lock_part_that_is_not_json_is_an_error(track, add, owner):
    v1 = add(1)
    review.approver_add(release=track.release, user=owner, actor=owner)
    approve_all(track, owner)
    registry.register_lock_part("test_bad", lambda track: {1, 2})
    try:
        with pytest.raises(TypeError, match="test_bad"):
            review.master_lock(track=track, version=v1, user=owner)
    finally:
        registry.unregister_lock_part("test_bad")
    assert MasterLock.objects.count() == 0


def test_unlock_by_hand_keeps_the_sign_offs(track, locked, member, guest):
    with pytest.raises(ValidationError):
        review.master_unlock(track=track, user=member, reason="  ")
    with pytest.raises(PermissionDenied):
        review.master_unlock(track=track, user=guest, reason="I want to")
    review.master_unlock(track=track, user=member, reason="The ISRC was a typo")
    locked.refresh_from_db()
    assert locked.ended_reason == f"unlocked by {member}: The ISRC was a typo"
    assert len(current_signoffs(track)) == 2
    relock = review.master_lock(track=track, version=locked.version, user=member)
    assert relock.fingerprint == locked.fingerprint
    review.master_unlock(track=track, user=member, reason="again")
    with pytest.raises(ValidationError) as exc:
        review.master_unlock(track=track, user=member, reason="and again")
    assert exc.value.messages == ["This track's master is not locked."]


# --- Concurrency (PostgreSQL: SQLite runs one writer at a time anyway) --------------------------


@pytest.mark.django_db(transaction=True)
def test_versions_uploaded_at_once_get_distinct_numbers_without_gaps(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises writers by itself")
    from audio.services import uploads

    # The analyses are beside the point here; each would run inline on commit.
    monkeypatch.setattr(uploads, "analysis_request", lambda **kw: None)
    user = UserFactory()
    ws = MembershipFactory(user=user, role=Role.MEMBER).workspace
    track = TrackFactory(release=ReleaseFactory(workspace=ws))
    files = [wav(f"take {i}.wav", seed=100 + i, seconds=1.0) for i in range(4)]
    start = threading.Barrier(len(files))
    errors: list[BaseException] = []

    def upload(f):
        try:
            start.wait()
            review.mix_version_add(track=track, upload=f, user=user)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=upload, args=(f,)) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(MixVersion.objects.filter(track=track).values_list("number", flat=True)) == [
        1, 2, 3, 4,
    ]  # fmt: skip
