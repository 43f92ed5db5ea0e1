"""Licence expiry alerts: the nearest threshold once, larger ones passed, owners only."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.db import connection

from collaborators.permissions import Role
from rights.models import Licence, LicenceAlert
from rights.services.licences import licence_alerts_send, licence_create
from tests.factories import MembershipFactory, PersonFactory, TrackFactory, UserFactory

TODAY = date(2026, 6, 1)


@pytest.fixture
def make_licence(workspace, owner):
    def make(days_left: int | None, **kw):
        track = TrackFactory(release__workspace=workspace, title="Low Tide")
        values = dict(
            direction="granted", kind="sync", title="Low Tide in a trailer",
            counterparty=PersonFactory(workspace=workspace, name="Northlight Films"),
            track=track, term_start=TODAY - timedelta(days=365), currency="EUR",
            status=Licence.Status.ACTIVE, territories=["se", "GB"],
            term_end=None if days_left is None else TODAY + timedelta(days=days_left),
        )  # fmt: skip
        values.update(kw)
        return licence_create(workspace=workspace, user=owner, **values)

    return make


def test_twenty_days_left_sends_one_thirty_day_email(
    make_licence, owner, member, manager, mailoutbox
):
    licence = make_licence(20)
    assert licence_alerts_send(today=TODAY) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["owner@example.com"]  # owners only, not the manager or member
    assert "20 days" in mail.subject and "20 days" in mail.body
    assert "Northlight Films" in mail.body and "“Low Tide” (recording)" in mail.body
    assert "Sweden" in mail.body
    assert f"/w/maya/rights/licences/{licence.pk}/" in mail.body
    alerts = {a.days: a for a in LicenceAlert.objects.filter(licence=licence)}
    assert set(alerts) == {30, 90}
    assert alerts[30].sent_at is not None and alerts[90].sent_at is None
    assert alerts[30].recipients == ["owner@example.com"]


def test_each_threshold_once_over_the_days(make_licence, owner, mailoutbox):
    make_licence(95)
    sent = []
    for offset in range(0, 100):
        sent.append(licence_alerts_send(today=TODAY + timedelta(days=offset)))
        sent.append(licence_alerts_send(today=TODAY + timedelta(days=offset)))  # twice a day
    assert sum(sent) == 3
    assert [m.subject.split("ends ")[1] for m in mailoutbox] == [
        "in 90 days", "in 30 days", "in 7 days"
    ]  # fmt: skip


def test_expired_perpetual_and_inactive_get_nothing(make_licence, owner, mailoutbox):
    make_licence(-1)
    make_licence(None)
    make_licence(5, status=Licence.Status.DRAFT)
    assert licence_alerts_send(today=TODAY) == 0
    assert mailoutbox == []


def test_moving_the_end_later_allows_new_alerts(make_licence, owner, mailoutbox, workspace):
    from rights.services.licences import licence_update

    licence = make_licence(5)
    assert licence_alerts_send(today=TODAY) == 1
    licence_update(licence=licence, user=owner, term_end=TODAY + timedelta(days=60))
    assert licence_alerts_send(today=TODAY) == 1
    assert licence_alerts_send(today=TODAY) == 0
    assert "60 days" in mailoutbox[1].subject


def test_a_mail_failure_is_retried_next_run(make_licence, owner, mailoutbox):
    make_licence(3)
    failing = mock.patch("rights.services.licences.send_mail", side_effect=OSError("smtp down"))
    with failing, pytest.raises(OSError):
        licence_alerts_send(today=TODAY)
    assert LicenceAlert.objects.get(days=7).sent_at is None
    assert licence_alerts_send(today=TODAY) == 1


def test_owner_without_email_and_other_workspace(make_licence, owner, outsider, mailoutbox):
    make_licence(3)
    licence_alerts_send(today=TODAY)
    assert all("outsider@example.com" not in m.to for m in mailoutbox)


def test_the_beat_task_runs_the_service_with_today(make_licence, owner, mailoutbox, settings):
    from rights import tasks

    make_licence(3)
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        assert tasks.licence_alerts.delay().get() == 1
    assert len(mailoutbox) == 1
    entry = settings.CELERY_BEAT_SCHEDULE["rights-licence-alerts"]
    assert entry["task"] == "rights.licence_alerts"


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_email(mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks; SQLite serialises writers by itself")
    user = UserFactory(email="boss@example.com")
    ws = MembershipFactory(user=user, role=Role.OWNER).workspace
    licence_create(
        workspace=ws, user=user, direction="granted", kind="sync", title="Race",
        counterparty=PersonFactory(workspace=ws), track=TrackFactory(release__workspace=ws),
        term_start=TODAY - timedelta(days=10), term_end=TODAY + timedelta(days=5),
        currency="EUR", status=Licence.Status.ACTIVE,
    )  # fmt: skip
    start = threading.Barrier(3)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            start.wait()
            counts.append(licence_alerts_send(today=TODAY))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == [] and sorted(counts) == [0, 0, 1]
    assert len(mailoutbox) == 1
    assert LicenceAlert.objects.filter(days=7, sent_at__isnull=False).count() == 1
