"""The track page (review in the browser) through the Django test client: who sees it, the
versions with their QC numbers, the player and A/B, comments and threads, sign-off and the
lock, uploads, the version files behind it, bad input, and the page's query count."""

from __future__ import annotations

import io
import re
from html import unescape

import numpy as np
import pytest
import soundfile as sf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audio.models import AudioFile
from releases.models import Comment, Credit, MasterLock, MixVersion, ReleaseGuest, SignOff, Track
from releases.services import review

from ..audio.dsp import signals
from ..factories import PersonFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db

RATE = 44_100
PEAKS = {"levels": {"512": {"min": [-0.5] * 512, "max": [0.5] * 512}}}


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def wav(name: str = "mix.wav", *, seconds: float = 4.0, seed: int = 0) -> SimpleUploadedFile:
    x = signals.sine(seconds, rate=RATE, freq=440.0, dbfs=-12.0, channels=2)
    x = x + np.random.default_rng(seed).normal(0, 0.001, x.shape)
    buf = io.BytesIO()
    sf.write(buf, x, RATE, subtype="PCM_16", format="WAV")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="audio/wav")


def text(response) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.fixture
def track(workspace):
    return TrackFactory(release=ReleaseFactory(workspace=workspace, title="Night Drive"),
                        title="Low Tide")  # fmt: skip


def url(track, tail: str = "") -> str:
    return f"/w/{track.workspace.slug}/releases/{track.release_id}/tracks/{track.pk}/{tail}"


def add_version(track, user, seed: int = 0, *, analysed: bool = True, note: str = ""):
    version = review.mix_version_add(track=track, upload=wav(f"mix {seed}.wav", seed=seed),
                                     user=user, note=note)  # fmt: skip
    if analysed:
        AudioFile.objects.filter(pk=version.audio_file_id).update(
            analysis={"integrated_lufs": -14.24 - seed, "true_peak_dbtp": -1.06}, peaks=PEAKS
        )
    return version


@pytest.fixture
def guest(track):
    user = UserFactory(email="ines@example.org", name="Ines Ortega")
    ReleaseGuest.objects.create(release=track.release, user=user)
    return user


@pytest.fixture
def two_versions(track, member):
    return add_version(track, member, 1, note="first pass"), add_version(track, member, 2)


# --- Who sees it ------------------------------------------------------------------------------


def test_a_member_sees_versions_with_qc_player_ab_and_forms(client, track, member, two_versions):
    v1, v2 = two_versions
    client.force_login(member)
    r = client.get(url(track))
    assert r.status_code == 200
    page, words = r.content.decode(), text(r)
    assert "Low Tide" in words and "v2 the latest mix" in words
    assert "-15.2 LUFS" in words and "-16.2 LUFS" in words and "-1.1 dBTP" in words
    assert "first pass" in words
    assert f'href="/w/maya/audio/{v2.audio_file_id}/"' in page  # the QC report, for members
    assert 'id="waveform"' in page and 'id="peaks-data"' in page
    assert url(track, f"versions/{v2.pk}/stream/") in page
    # A/B of v2 against v1 at matched loudness: v1 reads 1 LU louder, so it is turned down.
    assert 'data-label-a="v2" data-label-b="v1"' in page and 'data-gain-db="1.0"' in page
    assert "the louder one turned down 1.0 dB" in words
    assert url(track, f"versions/{v1.pk}/stream/") in page
    assert 'id="comment-form"' in page and 'id="version-form"' in page
    assert "Download v2" in words  # members may download


def test_selecting_an_older_version_and_what_to_compare(client, track, member, two_versions):
    v1, v2 = two_versions
    add_version(track, member, 3)
    client.force_login(member)
    page = client.get(url(track) + "?v=1&compare=3").content.decode()
    assert 'data-label-a="v1" data-label-b="v3"' in page
    assert f'<input type="hidden" name="version" value="{v1.pk}">' in page
    assert "an earlier mix; the latest is" in text(client.get(url(track) + "?v=1"))
    # Nonsense picks fall back to the latest.
    assert (
        'data-label-a="v3" data-label-b="v2"'
        in client.get(url(track) + "?v=x&compare=99").content.decode()
    )


def test_a_guest_sees_the_page_without_audio_pages_or_downloads(client, track, guest, two_versions):
    v1, v2 = two_versions
    client.force_login(guest)
    r = client.get(url(track))
    assert r.status_code == 200
    page = r.content.decode()
    assert "/audio/" not in page  # guests cannot reach the audio pages: no links there
    assert 'id="comment-form"' in page and "Download" not in text(r)
    assert 'id="version-form"' not in page  # neither approver nor credited engineer
    stream = client.get(url(track, f"versions/{v2.pk}/stream/"), HTTP_RANGE="bytes=0-99")
    assert stream.status_code == 206 and len(b"".join(stream.streaming_content)) == 100
    assert client.get(url(track, f"versions/{v2.pk}/peaks/")).json() == PEAKS
    assert client.get(url(track, f"versions/{v2.pk}/download/")).status_code == 403
    track.release.guest_downloads = True
    track.release.save()
    download = client.get(url(track, f"versions/{v2.pk}/download/"))
    assert download.status_code == 200
    assert 'filename="Low Tide - v2.wav"' in download["Content-Disposition"]


def test_strangers_get_a_404_and_the_anonymous_a_login(client, track, outsider, two_versions):
    v1, v2 = two_versions
    paths = [url(track)] + [
        url(track, f"versions/{v2.pk}/{f}/") for f in ("stream", "peaks", "job")
    ]
    for path in paths:
        r = client.get(path)
        assert r.status_code == 302 and r.url.startswith("/accounts/login/"), path
    client.force_login(outsider)  # a member of another workspace
    for path in paths:
        assert client.get(path).status_code == 404, path
    elsewhere = UserFactory()
    ReleaseGuest.objects.create(release=ReleaseFactory(workspace=track.workspace), user=elsewhere)
    client.force_login(elsewhere)  # a guest on another release of the same workspace
    for path in paths:
        assert client.get(path).status_code == 404, path


def test_a_track_under_the_wrong_release_or_a_version_of_another_track_is_a_404(
    client, track, member, two_versions
):
    v1, _ = two_versions
    other = TrackFactory(release=ReleaseFactory(workspace=track.workspace))
    client.force_login(member)
    wrong = f"/w/maya/releases/{other.release_id}/tracks/{track.pk}/"
    assert client.get(wrong).status_code == 404
    assert client.get(url(other, f"versions/{v1.pk}/stream/")).status_code == 404
    assert client.get(url(track, "versions/999999/peaks/")).status_code == 404


def test_the_page_without_a_version_yet(client, track, member, viewer):
    client.force_login(member)
    r = client.get(url(track))
    assert r.status_code == 200 and "Upload the first version" in text(r)
    client.force_login(viewer)
    r = client.get(url(track))
    assert r.status_code == 200 and "When the first mix is uploaded" in text(r)


def test_the_analysis_progress_shows_and_polls_through_releases(client, track, member, guest):
    version = add_version(track, member, 1, analysed=False)
    client.force_login(guest)
    r = client.get(url(track))
    page = r.content.decode()
    poll = url(track, f"versions/{version.pk}/job/")
    assert "The waveform appears when the analysis is done" in text(r)
    assert f'hx-get="{poll}?was=queued"' in page and "measuring…" in text(r)
    bar = client.get(poll + "?was=queued")
    assert bar.status_code == 200 and 'role="progressbar"' in bar.content.decode()
    assert client.get(url(track, f"versions/{version.pk}/peaks/")).status_code == 404


def test_a_real_analysis_gives_the_qc_numbers(
    client, track, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        version = review.mix_version_add(track=track, upload=wav(seconds=3.0), user=member)
    audio = AudioFile.objects.get(pk=version.audio_file_id)
    client.force_login(member)
    words = text(client.get(url(track)))
    assert f"{audio.analysis['integrated_lufs']:.1f} LUFS" in words
    assert f"{audio.analysis['true_peak_dbtp']:.1f} dBTP" in words


# --- Comments ---------------------------------------------------------------------------------


def test_comment_at_a_time_then_reply_and_resolve(client, track, member, guest, two_versions):
    v1, v2 = two_versions
    client.force_login(guest)
    r = client.post(url(track, "comments/"), {"version": v2.pk, "at": "0:02.5", "body": "Snare!"})
    comment = Comment.objects.get()
    assert r.status_code == 302 and r.url == url(track) + f"?v=2#comment-{comment.pk}"
    assert (comment.version, comment.at_s, comment.author) == (v2, 2.5, guest)
    page = client.get(url(track)).content.decode()
    assert f'href="#comment-{comment.pk}" data-seek="2.5"' in page  # a marker on the waveform
    assert "left: 62.5%" in page
    client.force_login(member)
    r = client.post(url(track, f"comments/{comment.pk}/reply/"), {"body": "Tamed in v3", "v": 2})
    assert r.status_code == 302
    assert comment.replies.get().body == "Tamed in v3"
    r = client.post(url(track, f"comments/{comment.pk}/resolve/"), {"v": 2})
    assert r.status_code == 302 and r.url.endswith(f"?v=2#comment-{comment.pk}")
    comment.refresh_from_db()
    assert comment.resolved_by == member
    words = text(client.get(url(track)))
    assert "resolved" in words and "Resolved by" in words and "Reopen" in words
    client.post(url(track, f"comments/{comment.pk}/reopen/"))
    comment.refresh_from_db()
    assert comment.resolved_at is None


@pytest.mark.parametrize(
    ("at", "body", "words"),
    [
        ("0:09", "Too late", "v2 is 0:04 long; 0:09 is past its end"),
        ("", "No time", "Say where in the mix, as minutes:seconds"),
        ("soon", "No time", "Say where in the mix, as minutes:seconds"),
        ("1:75", "No time", "Say where in the mix, as minutes:seconds"),
        ("0:01", "   ", "Write something first."),
        ("0:01", "x" * 5001, "Keep a comment under 5000 characters"),
    ],
)
def test_bad_comments_get_words_next_to_the_field(
    client, track, member, two_versions, at, body, words
):
    _, v2 = two_versions
    client.force_login(member)
    r = client.post(url(track, "comments/"), {"version": v2.pk, "at": at, "body": body})
    assert r.status_code == 400
    assert words in text(r)
    assert 'aria-invalid="true"' in r.content.decode()
    if body.strip() and len(body) < 100:
        assert body in r.content.decode()  # what was typed is kept
    assert Comment.objects.count() == 0


def test_an_empty_reply_is_refused_in_the_page(client, track, member, two_versions):
    root = review.comment_add(version=two_versions[1], user=member, at_s=1, body="Hm")
    client.force_login(member)
    r = client.post(url(track, f"comments/{root.pk}/reply/"), {"body": " ", "v": 2})
    assert r.status_code == 400 and "Write something first." in text(r)
    assert f'id="reply-{root.pk}-error"' in r.content.decode()


def test_a_version_of_another_workspace_is_a_404_to_comment_on(
    client, track, member, outsider, other_workspace, two_versions
):
    theirs = add_version(
        TrackFactory(release=ReleaseFactory(workspace=other_workspace)), outsider, 9
    )
    client.force_login(member)
    r = client.post(url(track, "comments/"), {"version": theirs.pk, "at": "0:01", "body": "hi"})
    assert r.status_code == 404
    their_comment = review.comment_add(version=theirs, user=outsider, at_s=1, body="ours")
    assert client.post(url(track, f"comments/{their_comment.pk}/resolve/")).status_code == 404
    assert Comment.objects.filter(track=track).count() == 0


def test_viewers_read_comments_but_cannot_write(client, track, member, viewer, two_versions):
    review.comment_add(version=two_versions[1], user=member, at_s=1, body="Kick too loud")
    client.force_login(viewer)
    r = client.get(url(track))
    assert "Kick too loud" in text(r) and 'id="comment-form"' not in r.content.decode()
    r = client.post(
        url(track, "comments/"), {"version": two_versions[1].pk, "at": "1", "body": "x"}
    )
    assert r.status_code == 403


def test_open_comments_of_older_versions_stay_listed(client, track, member, two_versions):
    v1, v2 = two_versions
    old = review.comment_add(version=v1, user=member, at_s=1, body="Hiss in the intro")
    done = review.comment_add(version=v1, user=member, at_s=2, body="Fixed already")
    review.comment_resolve(comment=done, user=member)
    client.force_login(member)
    r = client.get(url(track))
    words = text(r)
    assert "Still open on other versions" in words and "Hiss in the intro" in words
    assert "on v1" in words and "Fixed already" not in words
    assert f'href="?v=1#comment-{old.pk}"' in r.content.decode()


# --- Sign-off and the lock --------------------------------------------------------------------


def test_approve_on_the_page_then_lock_and_see_what_it_covers(
    client, track, owner, member, guest, two_versions
):
    v1, v2 = two_versions
    Track.objects.filter(pk=track.pk).update(isrc="GBEMI2500001")
    person = PersonFactory(workspace=track.workspace, name="Ines Ortega")
    Credit.objects.create(workspace=track.workspace, track=track, person=person,
                          role=Credit.Role.MIXING_ENGINEER)  # fmt: skip
    client.force_login(owner)
    r = client.post(url(track, "approvers/"), {"user": guest.pk, "scope": "track"})
    assert r.status_code == 302
    assert (
        client.post(url(track, "approvers/"), {"user": owner.pk, "scope": "release"}).status_code
        == 302
    )
    client.force_login(guest)
    page = client.get(url(track)).content.decode()
    assert "Your decision on v2" in page and "Lock v2 as the master" not in page
    r = client.post(url(track, "signoff/"), {"version": v2.pk, "decision": "approved"})
    assert r.status_code == 302
    client.force_login(owner)
    client.post(url(track, "signoff/"), {"version": v2.pk, "decision": "approved"})
    words = text(client.get(url(track)))
    assert "Everyone approved v2." in words and "approved v2" in words
    r = client.post(url(track, "lock/"), {"version": v2.pk})
    assert r.status_code == 302
    lock = MasterLock.objects.get()
    words = text(client.get(url(track)))
    assert "v2 is locked as the master" in words and "GB-EMI-25-00001" in words
    assert "Ines Ortega: Mixing engineer" in words and lock.sha256[:12] in words
    # The ISRC changes: the page says what changed since the lock.
    Track.objects.filter(pk=track.pk).update(isrc="GBEMI2500002")
    review.master_lock_recheck(track=track, reason="ISRC edited")
    words = text(client.get(url(track)))
    assert "Changed since lock: the ISRC changed from GB-EMI-25-00001 to GB-EMI-25-00002" in words
    assert "waiting for v2" in words


def test_approval_by_a_non_approver_and_of_an_old_version(
    client, track, owner, member, two_versions
):
    v1, v2 = two_versions
    client.force_login(member)
    assert "Your decision" not in client.get(url(track)).content.decode()
    assert (
        client.post(url(track, "signoff/"), {"version": v2.pk, "decision": "approved"}).status_code
        == 403
    )
    review.approver_add(release=track.release, user=member, actor=owner)
    r = client.post(url(track, "signoff/"), {"version": v1.pk, "decision": "approved"})
    assert r.status_code == 400
    assert "v1 is not the latest version: v2 is." in text(r)
    r = client.post(url(track, "signoff/"), {"version": v2.pk, "decision": "changes", "note": ""})
    assert r.status_code == 400 and "Say what should change" in text(r)
    assert SignOff.objects.count() == 0


def test_lock_before_full_approval_and_by_a_guest(client, track, owner, guest, two_versions):
    v2 = two_versions[1]
    review.approver_add(release=track.release, user=guest, actor=owner)
    client.force_login(owner)
    r = client.post(url(track, "lock/"), {"version": v2.pk}, follow=True)
    assert "waiting for Ines Ortega" in text(r)
    review.signoff_record(track=track, version=v2, user=guest, decision="approved")
    client.force_login(guest)
    assert client.post(url(track, "lock/"), {"version": v2.pk}).status_code == 403
    assert MasterLock.objects.count() == 0


def test_unlock_needs_a_reason(client, track, owner, two_versions):
    v2 = two_versions[1]
    review.approver_add(release=track.release, user=owner, actor=owner)
    review.signoff_record(track=track, version=v2, user=owner, decision="approved")
    review.master_lock(track=track, version=v2, user=owner)
    client.force_login(owner)
    r = client.post(url(track, "unlock/"), {"reason": " "})
    assert r.status_code == 400 and "Say why the master is unlocked." in text(r)
    assert client.post(url(track, "unlock/"), {"reason": "Wrong ISRC"}).status_code == 302
    assert "Changed since lock: unlocked by" in text(client.get(url(track)))


def test_approvers_added_and_removed_on_the_page(client, track, owner, member, viewer, outsider):
    client.force_login(owner)
    r = client.post(
        url(track, "approvers/"), {"user": outsider.pk, "scope": "release"}, follow=True
    )
    assert "Choose someone of this workspace, or a guest on this release, to sign off." in text(r)
    client.post(url(track, "approvers/"), {"user": member.pk, "scope": "release"})
    approver = track.release.approvers.get()
    r = client.post(url(track, f"approvers/{approver.pk}/remove/"), follow=True)
    assert "no longer signs off" in text(r) and not track.release.approvers.exists()
    client.force_login(viewer)
    assert client.post(url(track, "approvers/"), {"user": member.pk}).status_code == 403


# --- Uploads ----------------------------------------------------------------------------------


def test_upload_a_new_version_on_the_page(client, track, member, two_versions):
    client.force_login(member)
    r = client.post(url(track, "versions/"), {"file": wav("v3.wav", seed=3), "note": "less reverb"})
    assert r.status_code == 302 and r.url == url(track) + "?v=3#player"
    assert MixVersion.objects.get(number=3).note == "less reverb"
    r = client.post(url(track, "versions/"), {"file": wav("again.wav", seed=3)})
    assert r.status_code == 400 and "This is the same file as v3" in text(r)
    junk = SimpleUploadedFile("v4.wav", b"%PDF-1.7\n" + b"x" * 4000)
    r = client.post(url(track, "versions/"), {"file": junk, "note": "the new one"})
    assert r.status_code == 400 and 'id="version-file-error"' in r.content.decode()
    assert "the new one" in r.content.decode()
    assert client.post(url(track, "versions/"), {"note": "no file"}).status_code == 400
    assert MixVersion.objects.count() == 3 and AudioFile.objects.count() == 3


def test_a_too_large_upload_is_refused_before_it_is_read(client, track, member, settings):
    settings.AUDIO_MAX_UPLOAD_BYTES = 10_000
    client.force_login(member)
    r = client.post(
        url(track, "versions/"), {"file": SimpleUploadedFile("big.wav", b"x" * 2_000_000)}
    )
    assert r.status_code == 413 and "over the limit" in text(r)
    assert MixVersion.objects.count() == 0


def test_the_credited_mixing_engineer_guest_uploads_a_version(client, track, guest, member):
    client.force_login(guest)
    assert client.post(url(track, "versions/"), {"file": wav()}).status_code == 403
    person = PersonFactory(workspace=track.workspace, user=guest, name="Ines Ortega")
    Credit.objects.create(workspace=track.workspace, track=track, person=person,
                          role=Credit.Role.MIXING_ENGINEER)  # fmt: skip
    assert 'id="version-form"' in client.get(url(track)).content.decode()
    r = client.post(url(track, "versions/"), {"file": wav(), "note": "from the studio"})
    assert r.status_code == 302
    assert MixVersion.objects.get().uploaded_by == guest


# --- Queries ----------------------------------------------------------------------------------


def _fill(track, member, guest, versions: int, comments: int) -> None:
    made = [add_version(track, member, seed) for seed in range(versions)]
    for i in range(comments):
        version = made[i % len(made)]
        root = review.comment_add(version=version, user=guest if i % 2 else member,
                                  at_s=i % 4, body=f"Note {i}")  # fmt: skip
        if i % 3 == 0:
            review.comment_reply(parent=root, user=member, body="Yes")
        if i % 5 == 0:
            review.comment_resolve(comment=root, user=member)


@pytest.mark.parametrize("as_guest", [False, True])
def test_the_page_query_count_does_not_grow_with_versions_or_comments(
    client, workspace, owner, member, as_guest
):
    counts = []
    for versions, comments in ((1, 2), (5, 50)):
        t = TrackFactory(release=ReleaseFactory(workspace=workspace))
        g = UserFactory()
        ReleaseGuest.objects.create(release=t.release, user=g)
        review.approver_add(release=t.release, user=owner, actor=owner)
        review.approver_add(release=t.release, user=g, track=t, actor=owner)
        _fill(t, member, g, versions, comments)
        client.force_login(g if as_guest else member)
        client.get(url(t))  # warm the session
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url(t))
        assert r.status_code == 200
        assert text(r).count("Note ") >= min(comments, 2)
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
