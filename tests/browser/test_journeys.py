"""Real journeys in a real browser, against a live server."""

import pytest

from collaborators.models import Membership, Person
from collaborators.permissions import Role

from ..factories import PASSWORD, MembershipFactory, UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def artist():
    user = UserFactory(email="artist@example.com", name="Maya Lind")
    ws = WorkspaceFactory(name="Maya Lind", slug="maya-lind")
    MembershipFactory(workspace=ws, user=user, role=Role.OWNER)
    other = WorkspaceFactory(name="Someone Else Records", slug="someone-else")
    MembershipFactory(workspace=other, user=UserFactory(), role=Role.OWNER)
    return user


def login(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_login_through_the_real_page_and_see_the_workspace(page, artist):
    login(page, "artist@example.com", "wrong password")
    assert page.get_by_text("don't match an account").is_visible()
    login(page, "artist@example.com")
    page.wait_for_url("**/w/maya-lind/")
    assert page.get_by_role("heading", level=1).inner_text() == "Maya Lind"
    nav = page.get_by_role("navigation", name="Main")
    for item in ("Releases", "Audio", "Rights", "Analytics", "People"):
        assert nav.get_by_role("link", name=item).is_visible()
    assert page.get_by_text("Someone Else Records").count() == 0


def test_add_a_person_with_the_keyboard_and_find_them(page, artist):
    login(page, "artist@example.com")
    page.wait_for_url("**/w/maya-lind/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="People").click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("Name", exact=True).fill("Clara Weiss")
    page.get_by_label("Email (optional)").fill("clara@nightfeed.example")
    page.get_by_label("Press / journalist").check()
    page.get_by_label("ISNI (optional)").fill(
        "0000 0001 2281 9551"
    )  # a typo: wrong check character
    page.get_by_label("ISNI (optional)").press("Enter")
    assert page.get_by_text("check character does not match").is_visible()
    page.get_by_label("ISNI (optional)").fill("")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", name="Clara Weiss").is_visible()
    assert Person.objects.get().role_list == ["press"]
    page.get_by_role("link", name="← All people").click()
    page.get_by_label("Search").fill("nomatch")
    page.get_by_text("Nobody matches that search.").wait_for()
    page.get_by_label("Search").fill("clara")
    page.get_by_role("link", name="Clara Weiss").wait_for()


def test_invite_then_join_as_the_invited_person(page, browser, live_server, artist, mailoutbox):
    login(page, "artist@example.com")
    page.wait_for_url("**/w/maya-lind/")
    page.goto("/w/maya-lind/members/")
    page.get_by_label("Email").fill("sam@studio.example")
    page.get_by_label("Role").select_option("member")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invitation sent to sam@studio.example").is_visible()
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/invite/" in line)
    path = link[link.index("/invite/") :]

    guest = browser.new_context(base_url=live_server.url).new_page()
    guest.goto(path)
    guest.get_by_label("Your name").fill("Sam Reyes")
    guest.get_by_label("Password").fill(PASSWORD)
    guest.get_by_role("button", name="Create account and join").click()
    guest.wait_for_url("**/w/maya-lind/")
    assert guest.get_by_text("Welcome to Maya Lind").is_visible()
    assert Membership.objects.get(user__email="sam@studio.example").role == Role.MEMBER
    guest.goto(path)
    assert guest.get_by_text("already been used").is_visible()
