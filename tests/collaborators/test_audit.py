"""The audit log: chained entries nobody edits, read by members (money with finance only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collaborators.audit import GENESIS, AuditEntry, audit_record, audit_verify
from releases.services import review
from tests.factories import ReleaseFactory, TrackFactory
from tests.releases.test_review import wav


def record(workspace, n: int = 1, *, finance: bool = False, action: str = "rights.split_changed"):
    return [
        audit_record(workspace=workspace, action=action, summary=f"change {i}", finance=finance,
                     actor_name="Liner", data={"i": i})
        for i in range(n)
    ]  # fmt: skip


def test_entries_chain_to_the_previous_one_of_their_workspace(workspace, other_workspace):
    a, b = record(workspace, 2)
    (c,) = record(other_workspace)
    assert a.prev_hash == GENESIS and b.prev_hash == a.hash
    assert c.prev_hash == GENESIS  # each workspace has its own chain
    assert b.hash == b.content_hash() and len(b.hash) == 64
    assert audit_verify(workspace=workspace) == []


def test_the_database_refuses_an_update(workspace):
    (entry,) = record(workspace)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "UPDATE collaborators_auditentry SET summary = %s WHERE id = %s", ["forged", entry.pk]
        )
    assert AuditEntry.objects.get(pk=entry.pk).summary == "change 0"


def _drop_trigger() -> None:
    # What someone with the database's owner rights could do; undone with the test's
    # transaction (DDL is transactional on SQLite and PostgreSQL).
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks of the inserts must run before the table is altered.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(
                "ALTER TABLE collaborators_auditentry "
                "DISABLE TRIGGER collaborators_auditentry_no_update"
            )
        else:
            cur.execute("DROP TRIGGER collaborators_auditentry_no_update")


def test_verify_finds_a_row_changed_behind_liners_back(workspace):
    a, b, c = record(workspace, 3, finance=True)
    _drop_trigger()
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE collaborators_auditentry SET summary = %s WHERE id = %s", ["paid 0", b.pk]
        )
    assert audit_verify(workspace=workspace) == [b.pk]


def test_verify_finds_a_removed_row(workspace):
    a, b, c = record(workspace, 3)
    with connection.cursor() as cur:  # the trigger guards updates; a raw delete is possible
        cur.execute("DELETE FROM collaborators_auditentry WHERE id = %s", [b.pk])
    assert audit_verify(workspace=workspace) == [c.pk]


def test_the_model_and_queryset_refuse_changes(workspace):
    (entry,) = record(workspace)
    entry.summary = "forged"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="forged")
    with pytest.raises(ValidationError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "change 0"


def test_a_release_sign_off_and_lock_are_recorded(workspace, owner, member, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    track = TrackFactory(release=ReleaseFactory(workspace=workspace), title="Low Tide")
    version = review.mix_version_add(track=track, upload=wav(), user=member, note="")
    review.approver_add(release=track.release, user=owner, actor=owner)
    signoff = review.signoff_record(track=track, version=version, user=owner, decision="approved")
    review.master_lock(track=track, version=version, user=member)
    review.master_unlock(track=track, user=member, reason="the fade is short")
    entries = list(AuditEntry.objects.filter(workspace=workspace).order_by("id"))
    assert [e.action for e in entries] == [
        "releases.signoff", "releases.master_locked", "releases.master_unlocked"
    ]  # fmt: skip
    first = entries[0]
    assert first.actor == owner and "approved “Low Tide” v1" in first.summary
    assert first.data == {"track": track.pk, "version": 1, "decision": "approved",
                          "sha256": signoff.sha256}  # fmt: skip
    assert "the fade is short" in entries[2].summary
    assert audit_verify(workspace=workspace) == []


def test_a_lock_ended_by_a_change_is_recorded(workspace, owner, member, settings, tmp_path):
    from releases.models import Track

    settings.MEDIA_ROOT = str(tmp_path / "media")
    track = TrackFactory(release=ReleaseFactory(workspace=workspace), title="Low Tide")
    version = review.mix_version_add(track=track, upload=wav(), user=member, note="")
    review.approver_add(release=track.release, user=owner, actor=owner)
    review.signoff_record(track=track, version=version, user=owner, decision="approved")
    review.master_lock(track=track, version=version, user=member)
    Track.objects.filter(pk=track.pk).update(isrc="GBEMI2500007")
    assert review.master_lock_recheck(track=track, reason="ISRC edited") is True
    ended = AuditEntry.objects.filter(workspace=workspace).order_by("-id").first()
    assert ended.action == "releases.master_lock_ended" and ended.actor is None
    assert "the ISRC changed" in ended.summary and "Low Tide" in ended.summary


# --- The page ---------------------------------------------------------------------------------


def test_the_page_hides_money_from_members_without_finance(client, workspace, owner, member):
    record(workspace, finance=False, action="releases.signoff")
    audit_record(workspace=workspace, action="rights.payout_paid", summary="Paid Sam 120.00 EUR",
                 actor_name="Liner", finance=True)  # fmt: skip
    client.force_login(member)
    page = client.get(reverse("audit-log", args=[workspace.slug])).content.decode()
    assert "change 0" in page and "Paid Sam" not in page
    client.force_login(owner)
    page = client.get(reverse("audit-log", args=[workspace.slug])).content.decode()
    assert "Paid Sam" in page
    assert 'href="/w/maya/audit/"' in page  # the navigation links to it


def test_the_page_filters_verifies_and_keeps_its_queries(client, workspace, owner, other_workspace):
    record(workspace, 3, action="releases.signoff")
    record(workspace, 2, action="rights.split_changed")
    audit_record(workspace=other_workspace, action="releases.signoff", summary="elsewhere",
                 actor_name="Liner")  # fmt: skip
    client.force_login(owner)
    url = reverse("audit-log", args=[workspace.slug])
    page = client.get(url, {"show": "splits"}).content.decode()
    assert page.count("<tr><td>") == 2 and "elsewhere" not in page
    assert "The chain verifies" in client.get(url, {"verify": "1"}).content.decode()
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    record(workspace, 30)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_stranger_gets_a_404(client, workspace, outsider):
    client.force_login(outsider)
    assert client.get(reverse("audit-log", args=[workspace.slug])).status_code == 404


# --- The API ----------------------------------------------------------------------------------


def test_the_api_lists_filters_and_hides(api, workspace, other_workspace, owner, member):
    record(workspace, 2, action="releases.signoff")
    record(workspace, 1, action="rights.payout_paid", finance=True)
    record(other_workspace, 1)
    url = f"/api/workspaces/{workspace.slug}/audit/"
    body = api(owner).get(url).json()
    assert body["count"] == 3
    assert {
        r["action"] for r in api(owner).get(url, {"action": "releases."}).json()["results"]
    } == {"releases.signoff"}
    assert api(member).get(url).json()["count"] == 2  # no finance: no payouts


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(api, workspace, owner, method):
    (entry,) = record(workspace)
    response = getattr(api(owner), method)(f"/api/workspaces/{workspace.slug}/audit/", {})
    assert response.status_code == 405
    assert AuditEntry.objects.get(pk=entry.pk).summary == "change 0"


def test_the_api_query_count_does_not_grow(api, workspace, owner):
    url = f"/api/workspaces/{workspace.slug}/audit/"
    client = api(owner)
    record(workspace, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    record(workspace, 20)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_admin_cannot_add_change_or_delete(rf, workspace):
    from django.contrib import admin

    (entry,) = record(workspace)
    model_admin = admin.site._registry[AuditEntry]
    request = rf.get("/admin/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
