"""A release's guests through the API: list, invite, add at once, remove; members only."""

from __future__ import annotations

import pytest

from collaborators.models import Invitation
from releases.models import ReleaseGuest

from ..conftest import assert_error_shape
from ..factories import ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_owner_manages_guests_and_a_member_may_not(api, owner, member, outsider, workspace):
    release = ReleaseFactory(workspace=workspace)
    url = f"/api/workspaces/{workspace.slug}/releases/{release.pk}/guests/"
    client = api(owner)
    r = client.post(url, {"email": "new@studio.example"})
    assert r.status_code == 202 and r.json()["email"] == "new@studio.example"
    sam = UserFactory(email="sam@studio.example")
    r = client.post(url, {"email": "SAM@studio.example", "add_now": True})
    assert r.status_code == 201 and r.json()["user"]["email"] == "sam@studio.example"
    listing = client.get(url).json()
    assert [g["user"]["email"] for g in listing["guests"]] == ["sam@studio.example"]
    assert [i["email"] for i in listing["invitations"]] == ["new@studio.example"]
    assert_error_shape(api(member).post(url, {"email": "x@y.example"}), 403)
    assert_error_shape(client.post(url, {"email": "not-an-email"}), 400)
    assert_error_shape(api(outsider).get(url), 404)
    assert_error_shape(api(sam).get(url), 404)  # a guest does not manage guests
    assert client.delete(f"{url}{sam.pk}/").status_code == 204
    assert not ReleaseGuest.objects.exists()
    assert Invitation.objects.filter(email="new@studio.example").count() == 1
