"""The deliverables checklist: the default rows made once, the items Liner works out following
the release (a locked master, its QC analysis, credits, lyrics, artwork), ticks, attachments
(kept name, replaced file deleted after commit, size limit), custom items, findings for missing
required items, flat query counts; pages and API, members only."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audio.models import AudioFile
from releases.deliverables import (
    AUTO_DONE,
    DEFAULT_ITEMS,
    DONE,
    MISSING,
    deliverables_findings,
    deliverables_status,
)
from releases.models import Credit, Deliverable, DeliverableGroup, MasterLock, MixVersion
from releases.services import deliverables as service

from ..conftest import assert_error_shape
from ..factories import PersonFactory, ReleaseFactory, TrackFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def release(workspace):
    return ReleaseFactory(workspace=workspace, title="Glasshouse")


def items(release) -> dict[str, object]:
    return {i.key or i.title: i for g in deliverables_status(release=release) for i in g.items}


def lock_master(track, *, analysed: bool = True) -> MasterLock:
    """A locked master as the review services leave it (rows only: the review flow is tested
    in test_review.py); ``analysed`` says whether its audio has its QC analysis."""
    n = MixVersion.objects.filter(track=track).count() + 1
    sha = hashlib.sha256(f"{track.pk}-{n}".encode()).hexdigest()
    audio = AudioFile.objects.create(
        workspace=track.workspace, original_name=f"{track.title}.wav", file=f"x/{sha}.wav",
        sha256=sha, format="WAV", sample_rate=48000, channels=2, duration_s=3.0, size_bytes=10,
        analysis={"integrated_lufs": -14.0} if analysed else None,
    )  # fmt: skip
    version = MixVersion.objects.create(track=track, number=n, audio_file=audio)
    return MasterLock.objects.create(track=track, version=version, sha256=sha, fingerprint="f")


def upload(name="split sheet.pdf", content=b"%PDF-1.4 signed"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def page(release, tail=""):
    return f"/w/{release.workspace.slug}/releases/{release.pk}/deliverables/{tail}"


def api_url(release, tail=""):
    return f"/api/workspaces/{release.workspace.slug}/releases/{release.pk}/deliverables/{tail}"


# --- The default checklist ---------------------------------------------------------------------


def test_defaults_cover_five_groups_and_are_made_once(release):
    assert {i.group for i in DEFAULT_ITEMS} == set(DeliverableGroup.values)
    assert service.deliverables_ensure(release=release) == len(DEFAULT_ITEMS)
    assert service.deliverables_ensure(release=release) == 0
    assert Deliverable.objects.filter(release=release).count() == len(DEFAULT_ITEMS)
    # A row deleted behind Liner's back comes back, and only that one.
    Deliverable.objects.filter(release=release, key="bio").delete()
    assert service.deliverables_ensure(release=release) == 1
    assert Deliverable.objects.filter(release=release, key="bio").count() == 1


def test_status_works_before_the_rows_exist_and_reads_nothing_more(release):
    state = items(release)
    assert state["split-sheets"].state == MISSING and state["split-sheets"].deliverable is None
    assert not Deliverable.objects.exists()


# --- Worked-out items follow the release -------------------------------------------------------


def test_masters_and_qc_follow_the_lock_and_the_analysis(release):
    t1 = TrackFactory(release=release, title="Headlights")
    t2 = TrackFactory(release=release, title="Static")
    assert items(release)["masters"].state == MISSING
    lock_master(t1)
    masters = items(release)["masters"]
    assert masters.state == MISSING and "“Static”" in masters.detail
    assert f"/tracks/{t2.pk}/" in masters.fix_url
    lock_master(t2, analysed=False)
    state = items(release)
    assert state["masters"].state == AUTO_DONE
    assert state["qc-reports"].state == MISSING and "“Static”" in state["qc-reports"].detail
    AudioFile.objects.filter(pk=MasterLock.objects.get(track=t2).version.audio_file_id).update(
        analysis={"integrated_lufs": -9.0}
    )
    assert items(release)["qc-reports"].state == AUTO_DONE
    # An ended lock (a new mix came in) takes the master away again.
    MasterLock.objects.filter(track=t1).update(ended_at="2026-01-01T00:00:00Z")
    assert items(release)["masters"].state == MISSING


def test_credits_need_a_main_artist_composers_and_lyricists_where_there_are_lyrics(release):
    ws = release.workspace
    t1 = TrackFactory(release=release, title="Words", lyrics="la la")
    t2 = TrackFactory(release=release, title="Instrumental")
    credits = items(release)["credits"]
    assert credits.state == MISSING and "main artist" in credits.detail
    p = PersonFactory(workspace=ws)
    Credit.objects.create(workspace=ws, release=release, person=p, role="main_artist")
    Credit.objects.create(workspace=ws, track=t1, person=p, role="composer")
    Credit.objects.create(workspace=ws, track=t2, person=p, role="composer")
    credits = items(release)["credits"]
    assert credits.state == MISSING and "no lyricist on “Words”" in credits.detail
    Credit.objects.create(workspace=ws, track=t1, person=p, role="lyricist")
    assert items(release)["credits"].state == AUTO_DONE
    assert items(release)["lyric-sheet"].state == AUTO_DONE


def test_artwork_must_be_square_and_large_enough(release):
    assert items(release)["artwork"].state == MISSING
    release.artwork = "releases/artwork/cover.jpg"
    release.artwork_format = "JPEG"
    release.artwork_width, release.artwork_height = 3000, 2999
    release.save()
    assert "square" in items(release)["artwork"].detail
    release.artwork_width = release.artwork_height = 2000
    release.save()
    art = items(release)["artwork"]
    assert art.state == AUTO_DONE and "3000" in art.warning
    assert any(f["severity"] == "warning" for f in deliverables_findings(release))
    release.artwork_width = release.artwork_height = 3000
    release.save()
    assert items(release)["artwork"].state == AUTO_DONE and not items(release)["artwork"].warning


# --- Ticks, attachments, custom items ----------------------------------------------------------


def test_tick_and_untick_and_auto_items_refuse(release, member):
    service.deliverables_ensure(release=release)
    bio = Deliverable.objects.get(release=release, key="bio")
    service.deliverable_tick(deliverable=bio, user=member)
    state = items(release)["bio"]
    assert state.state == DONE and member.display_name in state.detail
    service.deliverable_untick(deliverable=bio, user=member)
    assert items(release)["bio"].state == MISSING
    masters = Deliverable.objects.get(release=release, key="masters")
    with pytest.raises(ValidationError):
        service.deliverable_tick(deliverable=masters, user=member)
    assert Deliverable.objects.get(pk=masters.pk).done_at is None


def test_attach_keeps_the_name_and_replacing_deletes_the_old_file_after_commit(
    release, member, django_capture_on_commit_callbacks
):
    service.deliverables_ensure(release=release)
    item = Deliverable.objects.get(release=release, key="split-sheets")
    with django_capture_on_commit_callbacks(execute=True):
        first = service.deliverable_attach(deliverable=item, upload=upload(), user=member)
    storage, old = first.attachment.storage, first.attachment.name
    assert first.attachment_name == "split sheet.pdf" and storage.exists(old)
    assert first.done_at is not None  # attaching the signed sheet is doing it
    assert f"releases/{release.workspace_id}/{release.pk}/deliverables/" in old
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = service.deliverable_attach(
            deliverable=item, upload=upload("v2.pdf", b"%PDF v2"), user=member
        )
    assert storage.exists(old)  # not before the commit
    for callback in callbacks:
        callback()
    assert not storage.exists(old) and storage.exists(second.attachment.name)
    assert second.attachment_name == "v2.pdf"
    with storage.open(second.attachment.name) as fh:
        assert fh.read() == b"%PDF v2"


def test_attach_refuses_empty_and_too_large(release, member, monkeypatch):
    service.deliverables_ensure(release=release)
    item = Deliverable.objects.get(release=release, key="press-kit")
    with pytest.raises(ValidationError):
        service.deliverable_attach(deliverable=item, upload=upload(content=b""), user=member)
    monkeypatch.setattr(service, "ATTACHMENT_MAX_BYTES", 10)
    with pytest.raises(ValidationError) as exc:
        service.deliverable_attach(deliverable=item, upload=upload(content=b"x" * 11), user=member)
    assert "at most" in " ".join(exc.value.message_dict["file"])
    item.refresh_from_db()
    assert not item.attachment and item.done_at is None


def test_custom_items_are_added_and_removed_defaults_stay(release, member):
    item = service.deliverable_custom_add(
        release=release, group="marketing", title="Lyric video", required=True, user=member
    )
    assert item.key == ""
    finding = [f for f in deliverables_findings(release) if "Lyric video" in f["message"]]
    assert finding and finding[0]["severity"] == "blocker"
    assert finding[0]["fix_url"].endswith(f"#item-{item.pk}")
    service.deliverable_custom_remove(deliverable=item)
    assert not Deliverable.objects.filter(pk=item.pk).exists()
    service.deliverables_ensure(release=release)
    with pytest.raises(ValidationError):
        service.deliverable_custom_remove(deliverable=Deliverable.objects.get(key="bio"))
    with pytest.raises(ValidationError):
        service.deliverable_custom_add(release=release, group="nope", title="x")


# --- Findings ----------------------------------------------------------------------------------


def test_missing_required_items_are_blocker_findings_and_done_ones_are_not(release, member):
    found = deliverables_findings(release)
    required = [i for i in DEFAULT_ITEMS if i.required]
    assert len([f for f in found if f["severity"] == "blocker"]) == len(required)
    assert all(set(f) == {"message", "severity", "fix_url"} for f in found)
    assert all(f["fix_url"].startswith(f"/w/{release.workspace.slug}/") for f in found)
    assert not any("Press kit" in f["message"] for f in found)  # optional: not a finding
    manual = deliverables_findings(release, include_auto=False)
    assert len(manual) == len([i for i in required if not i.auto])
    service.deliverables_ensure(release=release)
    service.deliverable_tick(deliverable=Deliverable.objects.get(key="bio"), user=member)
    after = deliverables_findings(release)
    assert len(after) == len(found) - 1 and not any("Artist bio" in f["message"] for f in after)


def test_status_query_count_is_flat(release):
    TrackFactory(release=release)
    service.deliverables_ensure(release=release)
    with CaptureQueriesContext(connection) as few:
        deliverables_status(release=release)
    ws = release.workspace
    p = PersonFactory(workspace=ws)
    for _ in range(6):
        t = TrackFactory(release=release, lyrics="words")
        lock_master(t)
        Credit.objects.create(workspace=ws, track=t, person=p, role="composer_lyricist")
        service.deliverable_custom_add(release=release, group="audio", title="Stems")
    with CaptureQueriesContext(connection) as many:
        deliverables_status(release=release)
    assert len(many) == len(few) <= 4


# --- Pages -------------------------------------------------------------------------------------


def test_page_ticks_attaches_and_replaces(client, member, release):
    client.force_login(member)
    r = client.get(page(release))
    assert r.status_code == 200 and b"Split sheets signed" in r.content
    assert b"Every track has a locked master" in r.content
    bio = Deliverable.objects.get(release=release, key="bio")
    assert client.post(page(release, f"{bio.pk}/tick/"), {"done": "1"}).status_code == 302
    assert Deliverable.objects.get(pk=bio.pk).done_at is not None
    sheet = Deliverable.objects.get(release=release, key="split-sheets")
    r = client.post(page(release, f"{sheet.pk}/attach/"), {"file": upload()})
    assert r.status_code == 302
    sheet.refresh_from_db()
    assert sheet.attachment_name == "split sheet.pdf"
    r = client.get(page(release, f"{sheet.pk}/file/"))
    assert r.status_code == 200 and b"".join(r.streaming_content) == b"%PDF-1.4 signed"
    assert "attachment" in r["Content-Disposition"]
    r = client.post(page(release, f"{sheet.pk}/attach/"), {"file": upload(content=b"")})
    assert r.status_code == 400 and b"empty" in r.content
    r = client.post(page(release), {"group": "audio", "title": "Stems", "required": "on"})
    assert r.status_code == 302
    custom = Deliverable.objects.get(release=release, title="Stems")
    assert client.post(page(release, f"{custom.pk}/remove/")).status_code == 302
    assert not Deliverable.objects.filter(pk=custom.pk).exists()


def test_page_for_viewer_guest_and_stranger(client, viewer, outsider, release):
    client.force_login(viewer)
    assert client.get(page(release)).status_code == 200
    item = Deliverable.objects.get(release=release, key="bio")
    assert client.post(page(release, f"{item.pk}/tick/")).status_code == 403
    guest = UserFactory()
    from releases.models import ReleaseGuest

    ReleaseGuest.objects.create(release=release, user=guest)
    client.force_login(guest)
    assert client.get(page(release)).status_code == 403
    client.force_login(outsider)
    assert client.get(page(release)).status_code == 404
    assert client.post(page(release, f"{item.pk}/tick/")).status_code == 404
    assert Deliverable.objects.get(pk=item.pk).done_at is None


def test_sub_nav_has_the_deliverables_link(client, member, release):
    client.force_login(member)
    r = client.get(f"/w/{release.workspace.slug}/releases/{release.pk}/")
    assert page(release).encode() in r.content


# --- API ---------------------------------------------------------------------------------------


def test_api_list_tick_attach_custom_and_findings(api, member, release):
    client = api(member)
    r = client.get(api_url(release))
    assert r.status_code == 200
    groups = r.json()
    assert [g["group"] for g in groups] == DeliverableGroup.values
    by_key = {i["key"]: i for g in groups for i in g["items"]}
    bio = by_key["bio"]
    r = client.post(api_url(release, f"{bio['id']}/tick/"), {"done": True}, format="json")
    assert r.status_code == 200 and r.json()["done_at"]
    r = client.post(api_url(release, f"{by_key['masters']['id']}/tick/"), {"done": True},
                    format="json")  # fmt: skip
    assert_error_shape(r, 400)
    sheet = by_key["split-sheets"]["id"]
    r = client.post(api_url(release, f"{sheet}/attach/"), {"file": upload()}, format="multipart")
    assert r.status_code == 200 and r.json()["attachment_name"] == "split sheet.pdf"
    r = client.post(api_url(release, f"{sheet}/attach/"), {"file": upload(content=b"")},
                    format="multipart")  # fmt: skip
    assert "file" in assert_error_shape(r, 400)["fields"]
    r = client.post(api_url(release), {"group": "audio", "title": "Stems"}, format="json")
    assert r.status_code == 201
    custom = r.json()["id"]
    findings = client.get(api_url(release, "findings/")).json()
    assert findings and all(f["severity"] in ("blocker", "warning") for f in findings)
    assert client.delete(api_url(release, f"{custom}/")).status_code == 204
    assert_error_shape(client.delete(api_url(release, f"{bio['id']}/")), 400)


def test_api_attach_over_the_limit_is_413_before_reading(api, member, release):
    service.deliverables_ensure(release=release)
    item = Deliverable.objects.get(release=release, key="bio")
    r = api(member).post(
        api_url(release, f"{item.pk}/attach/"), b"x", content_type="multipart/form-data; b=x",
        CONTENT_LENGTH=str(service.ATTACHMENT_MAX_BYTES + (2 << 20)),
    )  # fmt: skip
    assert_error_shape(r, 413, "too_large")


def test_api_viewer_reads_but_cannot_write_and_stranger_is_404(api, viewer, outsider, release):
    service.deliverables_ensure(release=release)
    item = Deliverable.objects.get(release=release, key="bio")
    assert api(viewer).get(api_url(release)).status_code == 200
    r = api(viewer).post(api_url(release, f"{item.pk}/tick/"), {"done": True}, format="json")
    assert_error_shape(r, 403)
    assert_error_shape(api(outsider).get(api_url(release)), 404, "not_found")
    r = api(outsider).post(api_url(release, f"{item.pk}/tick/"), {"done": True}, format="json")
    assert_error_shape(r, 404)
    assert Deliverable.objects.get(pk=item.pk).done_at is None


def test_api_list_query_count_is_flat(api, member, release):
    client = api(member)
    client.get(api_url(release))
    with CaptureQueriesContext(connection) as few:
        client.get(api_url(release))
    for _ in range(5):
        t = TrackFactory(release=release)
        lock_master(t)
        service.deliverable_custom_add(release=release, group="audio", title="Stems")
    with CaptureQueriesContext(connection) as many:
        client.get(api_url(release))
    assert len(many) == len(few)


def test_page_query_count_is_flat(client, member, release):
    client.force_login(member)
    client.get(page(release))
    with CaptureQueriesContext(connection) as few:
        assert client.get(page(release)).status_code == 200
    for _ in range(5):
        t = TrackFactory(release=release, lyrics="words")
        lock_master(t)
        service.deliverable_custom_add(release=release, group="audio", title="Stems")
    with CaptureQueriesContext(connection) as many:
        assert client.get(page(release)).status_code == 200
    assert len(many) == len(few)
