"""Roles and what each may do: the permission table, and the same rules through the API."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from collaborators import services
from collaborators.models import Membership
from collaborators.permissions import GUEST, ROLE_ACTIONS, Action, Role, can, grantable_roles

from ..conftest import assert_error_shape

EXPECTED = {
    # action: roles allowed
    Action.WORKSPACE_VIEW: {"owner", "manager", "member", "viewer"},  # not "guest"
    Action.WORKSPACE_EDIT: {"owner", "manager"},
    Action.WORKSPACE_DELETE: {"owner"},
    Action.MEMBERS_VIEW: {"owner", "manager", "member", "viewer"},
    Action.MEMBERS_MANAGE: {"owner", "manager"},
    Action.OWNERS_MANAGE: {"owner"},
    Action.PEOPLE_VIEW: {"owner", "manager", "member", "viewer"},
    Action.PEOPLE_EDIT: {"owner", "manager", "member"},
    Action.CONTENT_VIEW: {"owner", "manager", "member", "viewer", "guest"},
    Action.CONTENT_EDIT: {"owner", "manager", "member"},
    Action.CONTENT_DOWNLOAD: {"owner", "manager", "member", "viewer", "guest"},
    Action.REVIEW_COMMENT: {"owner", "manager", "member", "guest"},
    Action.FINANCE_VIEW: {"owner", "manager"},
    Action.FINANCE_EDIT: {"owner", "manager"},
}


def test_every_action_has_an_expected_row():
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("role", [*(r.value for r in Role), GUEST])
def test_permission_table(role, action):
    assert can(role, action) == (role in EXPECTED[action])


def test_roles_are_nested():
    assert ROLE_ACTIONS[Role.VIEWER] < ROLE_ACTIONS[Role.MEMBER] < ROLE_ACTIONS[Role.MANAGER]
    assert ROLE_ACTIONS[Role.MANAGER] < ROLE_ACTIONS[Role.OWNER]
    assert not can(None, Action.WORKSPACE_VIEW)
    assert not can("admin", Action.WORKSPACE_VIEW)
    # A guest on one release has no standing in the workspace at all.
    assert ROLE_ACTIONS[GUEST] < ROLE_ACTIONS[Role.MEMBER]
    assert not ROLE_ACTIONS[GUEST] & {
        Action.WORKSPACE_VIEW,
        Action.PEOPLE_VIEW,
        Action.MEMBERS_VIEW,
    }


def test_grantable_roles():
    assert grantable_roles(Role.OWNER) == ["owner", "manager", "member", "viewer"]
    assert grantable_roles(Role.MANAGER) == ["manager", "member", "viewer"]
    assert grantable_roles(Role.MEMBER) == []
    assert grantable_roles(Role.VIEWER) == []


def _m(user, workspace):
    return Membership.objects.get(user=user, workspace=workspace)


def test_manager_changes_a_members_role_but_not_an_owners(workspace, owner, manager, member):
    services.membership_role_change(
        actor=_m(manager, workspace), membership=_m(member, workspace), role=Role.VIEWER
    )
    assert _m(member, workspace).role == Role.VIEWER
    with pytest.raises(PermissionDenied):
        services.membership_role_change(
            actor=_m(manager, workspace), membership=_m(owner, workspace), role=Role.MEMBER
        )
    with pytest.raises(PermissionDenied):
        services.membership_role_change(
            actor=_m(manager, workspace), membership=_m(member, workspace), role=Role.OWNER
        )


def test_member_and_viewer_cannot_manage_members(workspace, member, viewer):
    for actor in (member, viewer):
        with pytest.raises(PermissionDenied):
            services.membership_role_change(
                actor=_m(actor, workspace), membership=_m(viewer, workspace), role=Role.MEMBER
            )


def test_last_owner_cannot_be_demoted_or_leave(workspace, owner):
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_role_change(
            actor=_m(owner, workspace), membership=_m(owner, workspace), role=Role.MANAGER
        )
    with pytest.raises(ValidationError, match="at least one owner"):
        services.membership_remove(actor=_m(owner, workspace), membership=_m(owner, workspace))
    assert _m(owner, workspace).role == Role.OWNER


def test_an_owner_can_hand_over_then_step_down(workspace, owner, manager):
    services.membership_role_change(
        actor=_m(owner, workspace), membership=_m(manager, workspace), role=Role.OWNER
    )
    services.membership_role_change(
        actor=_m(owner, workspace), membership=_m(owner, workspace), role=Role.MANAGER
    )
    assert _m(owner, workspace).role == Role.MANAGER


def test_anyone_may_leave(workspace, owner, viewer):
    services.membership_remove(actor=_m(viewer, workspace), membership=_m(viewer, workspace))
    assert not Membership.objects.filter(user=viewer, workspace=workspace).exists()


# --- The same rules through the API ---------------------------------------------------------


@pytest.mark.parametrize(
    "role, status", [("owner", 201), ("manager", 201), ("member", 201), ("viewer", 403)]
)
def test_who_may_add_people(api, member_of, workspace, role, status):
    user = member_of(role)
    r = api(user).post(f"/api/workspaces/{workspace.slug}/people/", {"name": "Ines"})
    assert r.status_code == status, r.content
    if status == 403:
        assert_error_shape(r, 403, "permission_denied")


@pytest.mark.parametrize(
    "role, status", [("owner", 201), ("manager", 201), ("member", 403), ("viewer", 403)]
)
def test_who_may_invite(api, member_of, workspace, role, status):
    user = member_of(role)
    r = api(user).post(f"/api/workspaces/{workspace.slug}/invitations/", {"email": "x@example.com"})
    assert r.status_code == status, r.content


@pytest.mark.parametrize(
    "role, status", [("owner", 200), ("manager", 200), ("member", 403), ("viewer", 403)]
)
def test_who_may_edit_the_workspace(api, member_of, workspace, role, status):
    r = api(member_of(role)).patch(f"/api/workspaces/{workspace.slug}/", {"name": "New name"})
    assert r.status_code == status, r.content


@pytest.mark.parametrize("role, status", [("owner", 204), ("manager", 403), ("member", 403)])
def test_only_an_owner_deletes_the_workspace(api, member_of, workspace, role, status):
    r = api(member_of(role)).delete(f"/api/workspaces/{workspace.slug}/")
    assert r.status_code == status, r.content


def test_manager_cannot_invite_an_owner(api, manager, workspace):
    r = api(manager).post(
        f"/api/workspaces/{workspace.slug}/invitations/",
        {"email": "x@example.com", "role": "owner"},
    )
    body = assert_error_shape(r, 400)
    assert "role" in body["fields"]


def test_member_cannot_change_roles_via_api(api, member, viewer, workspace):
    target = _m(viewer, workspace)
    r = api(member).patch(
        f"/api/workspaces/{workspace.slug}/members/{target.pk}/", {"role": "manager"}
    )
    assert_error_shape(r, 403)
    assert _m(viewer, workspace).role == Role.VIEWER
