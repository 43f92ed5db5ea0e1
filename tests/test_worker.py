"""A real Celery worker, on the configured broker (filesystem, Redis or RabbitMQ), against the
test database: an invitation's email goes out through it."""

import pytest

from collaborators import services
from collaborators.models import Invitation, Membership

from .conftest import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_invitation_email_round_trip_through_a_real_worker(celery_worker_process, owner, workspace):
    actor = Membership.objects.get(user=owner, workspace=workspace)
    invitation = services.invitation_create(
        workspace=workspace, actor=actor, email="roundtrip@example.com", role="member"
    )

    def sent():
        invitation.refresh_from_db()
        return invitation.sent_at

    wait_for(sent, timeout=60, what="the worker to send the invitation")
    mails = list(celery_worker_process["mail_dir"].glob("*.log"))
    bodies = "".join(p.read_text() for p in mails)
    assert "roundtrip@example.com" in bodies
    assert f"/invite/{invitation.key}:" in bodies  # the signed link to this invitation
    assert Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).count() == 1
