"""A release's timeline: counted back from release day by phase, moved with the date, deadlines
that can no longer be met flagged with what to do; dependencies without circles; the private
ICS feed; the timeline API and page."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collaborators.permissions import Role
from releases import selectors_planning as sel
from releases import timeline
from releases.models import CalendarFeed, Milestone, Release, TemplateMilestone
from releases.services import catalogue, planning

from ..conftest import assert_error_shape
from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
DAY = dt.timedelta(days=1)


def _release(workspace, *, days_ahead: int = 150, **fields) -> Release:
    return catalogue.release_create(
        workspace=workspace, title="Glasshouse", type="album",
        release_date=TODAY() + days_ahead * DAY, **fields,
    )  # fmt: skip


def _by_key(release: Release) -> dict[str, Milestone]:
    return {m.key: m for m in Milestone.objects.filter(release=release)}


# --- Pure: the template and the arithmetic ------------------------------------------------------


def test_the_default_template_is_consistent_and_names_its_sources():
    assert timeline.check_template(timeline.DEFAULT_TEMPLATE) == []
    steps = {s.key: s for s in timeline.DEFAULT_TEMPLATE}
    assert {s.phase for s in steps.values()} == set(timeline.PHASES)
    pitch = steps["pitch"]
    assert pitch.minimum_days_before == 7 and pitch.days_before == 28
    assert "Spotify for Artists" in pitch.source
    assert "typical figure" in steps["vinyl-order"].source
    assert steps["vinyl-order"].applies == timeline.VINYL
    assert 8 * 7 <= steps["vinyl-order"].minimum_days_before <= steps["vinyl-order"].days_before
    assert timeline.delivery_rule(days_before=35, minimum_days_before=21, lead_days=42) == (42, 42)


def test_the_arithmetic_of_dates_and_flags():
    release_day = dt.date(2027, 3, 1)
    assert timeline.due_date(release_day, 28) == dt.date(2027, 2, 1)
    assert timeline.due_date(release_day, -7) == dt.date(2027, 3, 8)
    today = dt.date(2027, 2, 26)
    assert timeline.state(due=dt.date(2027, 2, 25), done=False, today=today) == "overdue"
    assert timeline.state(due=dt.date(2027, 2, 26), done=False, today=today) == "due"
    assert timeline.state(due=dt.date(2027, 2, 1), done=True, today=today) == "done"
    flag = timeline.flag_for(key="pitch", title="Pitch", release_date=release_day,
                             minimum_days_before=7, done=False, today=today)  # fmt: skip
    assert flag.earliest_release_date == dt.date(2027, 3, 5)
    assert flag.message.startswith("The pitch deadline has passed (2027-02-22): pitch anyway")
    assert "move the release date to 2027-03-05 or later" in flag.message
    # Still meetable, done, or without a hard limit: no flag.
    for kwargs in ({"today": dt.date(2027, 2, 22)}, {"done": True}, {"minimum_days_before": None}):
        args = {"key": "pitch", "title": "Pitch", "release_date": release_day,
                "minimum_days_before": 7, "done": False, "today": today, **kwargs}  # fmt: skip
        assert timeline.flag_for(**args) is None
    assert timeline.find_cycle({1: [2], 2: [3], 3: [1]}) == [1, 2, 3, 1]
    assert timeline.find_cycle({1: [2], 2: [3], 3: []}) is None


# --- Generating ---------------------------------------------------------------------------------


def test_the_timeline_is_counted_back_from_release_day_in_five_phases(workspace, owner):
    release = _release(workspace, user=owner)
    made = planning.timeline_generate(release=release)
    by_key = {m.key: m for m in made}
    day = release.release_date
    for step in timeline.DEFAULT_TEMPLATE:
        if step.applies != timeline.ALWAYS:
            assert step.key not in by_key  # no physical edition yet
            continue
        m = by_key[step.key]
        assert m.phase == step.phase
        assert m.due_date == day - dt.timedelta(days=step.days_before), step.key
    assert {m.phase for m in made} == set(timeline.PHASES)
    # The distributor's lead time (21 days by default) is the delivery's hard deadline.
    assert by_key["delivery"].minimum_days_before == 21
    assert set(by_key["pitch"].depends_on.all()) == {by_key["delivery"]}
    assert by_key["plan"].owner == owner
    assert by_key["pitch"].owner == owner  # a manager's step; the workspace has no manager
    # Idempotent: again, nothing changes.
    before = sorted(Milestone.objects.values_list("key", "due_date", "id"))
    planning.timeline_generate(release=release)
    assert sorted(Milestone.objects.values_list("key", "due_date", "id")) == before


def test_the_distributors_lead_time_sets_the_delivery_deadline(workspace):
    release = _release(workspace, distributor="Slow Distro", delivery_lead_days=42)
    planning.timeline_generate(release=release)
    delivery = _by_key(release)["delivery"]
    assert delivery.minimum_days_before == 42
    assert delivery.due_date == release.release_date - dt.timedelta(days=42)


def test_vinyl_pressing_only_with_a_vinyl_edition(workspace):
    release = _release(workspace)
    catalogue.edition_create(release=release, format="cd", quantity=300)
    planning.timeline_generate(release=release)
    keys = set(_by_key(release))
    assert "vinyl-order" not in keys and "cd-order" in keys
    vinyl = catalogue.edition_create(release=release, format="vinyl", vinyl="12-33", quantity=300)
    planning.timeline_generate(release=release)
    pressing = _by_key(release)["vinyl-order"]
    assert pressing.due_date == release.release_date - dt.timedelta(days=105)
    assert pressing.minimum_days_before == 56
    # The vinyl edition goes: its undone step goes with it.
    catalogue.edition_delete(edition=vinyl)
    planning.timeline_generate(release=release)
    assert "vinyl-order" not in _by_key(release)


def test_regenerating_keeps_done_and_hand_made_milestones(workspace, owner):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    plan = _by_key(release)["plan"]
    planning.milestone_done(milestone=plan, user=owner)
    mine = planning.milestone_create(release=release, title="Film the video", phase="release",
                                     due_date=release.release_date - 10 * DAY)  # fmt: skip
    TemplateMilestone.objects.all().delete()
    planning.template_copy_default(workspace=workspace)
    TemplateMilestone.objects.filter(workspace=workspace, key="plan").update(days_before=200)
    TemplateMilestone.objects.filter(workspace=workspace, key="recording").update(days_before=90)
    planning.timeline_generate(release=release)
    after = _by_key(release)
    assert after["plan"].done and after["plan"].due_date == plan.due_date  # done: kept
    assert after["recording"].due_date == release.release_date - 90 * DAY  # undone: new rule
    assert after[mine.key].title == "Film the video"


def test_a_timeline_needs_a_release_date(workspace):
    release = catalogue.release_create(workspace=workspace, title="Someday")
    with pytest.raises(ValidationError) as exc:
        planning.timeline_generate(release=release)
    assert "release_date" in exc.value.message_dict
    assert not Milestone.objects.exists()


# --- Moving the release date -------------------------------------------------------------------


def test_moving_the_date_moves_undone_milestones_and_keeps_done_ones(workspace, owner):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    before = _by_key(release)
    planning.milestone_done(milestone=before["plan"], user=owner)
    plan = planning.release_date_move(release=release, new_date=release.release_date + 14 * DAY)
    after = _by_key(release)
    assert after["plan"].due_date == before["plan"].due_date
    for key in ("recording", "mixes-approved", "delivery", "pitch", "first-week"):
        assert after[key].due_date == before[key].due_date + 14 * DAY, key
    assert Release.objects.get(pk=release.pk).release_date == release.release_date + 14 * DAY
    assert {m.milestone.key for m in plan.moves} == set(before) - {"plan"}
    assert [m.key for m in plan.kept] == ["plan"] and plan.flags == []


def test_moving_the_date_close_flags_the_pitch_with_the_date_that_still_works(workspace):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    new_date = TODAY() + 4 * DAY
    preview = planning.release_date_move_plan(release=release, new_date=new_date)
    assert Release.objects.get(pk=release.pk).release_date == release.release_date  # a preview
    plan = planning.release_date_move(release=release, new_date=new_date)
    flags = {f.key: f for f in plan.flags}
    assert {f.key for f in preview.flags} == set(flags)
    pitch = flags["pitch"]
    earliest = TODAY() + 7 * DAY
    assert pitch.earliest_release_date == earliest
    assert pitch.message.startswith("The pitch deadline has passed")
    assert "pitch anyway" in pitch.message
    assert f"move the release date to {earliest.isoformat()} or later" in pitch.message
    assert flags["delivery"].earliest_release_date == TODAY() + 21 * DAY
    # The page's selector says the same, and the readiness gate reads it.
    state = sel.deadline_state(release=Release.objects.get(pk=release.pk))
    assert {f.key for f in state["flags"]} == set(flags)
    assert state["overdue"]
    # Moving to the suggested date for the delivery clears every flag.
    plan = planning.release_date_move(release=release, new_date=TODAY() + 21 * DAY)
    assert plan.flags == []


def test_a_release_date_in_the_past_is_refused_unless_it_is_out(workspace):
    yesterday = TODAY() - DAY
    with pytest.raises(ValidationError) as exc:
        catalogue.release_create(workspace=workspace, title="Late", release_date=yesterday)
    assert "has passed" in exc.value.message_dict["release_date"][0]
    assert not Release.objects.exists()
    # Already out, or back catalogue: fine.
    catalogue.release_create(workspace=workspace, title="Out", release_date=yesterday,
                             status="released")  # fmt: skip
    catalogue.release_create(workspace=workspace, title="Reissue", release_date=yesterday,
                             original_release_date=dt.date(1999, 5, 1))  # fmt: skip
    release = _release(workspace)
    planning.timeline_generate(release=release)
    before = sorted(Milestone.objects.filter(release=release).values_list("key", "due_date"))
    with pytest.raises(ValidationError) as exc:
        planning.release_date_move(release=release, new_date=yesterday)
    assert "release_date" in exc.value.message_dict
    release.refresh_from_db()
    assert release.release_date == TODAY() + 150 * DAY  # nothing half-saved
    assert (
        sorted(Milestone.objects.filter(release=release).values_list("key", "due_date")) == before
    )
    # A planned release with an old date can still change its other fields.
    Release.objects.filter(pk=release.pk).update(release_date=yesterday)
    catalogue.release_update(release=release, title="Renamed")


# --- Dependencies -------------------------------------------------------------------------------


def test_a_milestone_cannot_depend_on_itself_or_close_a_circle(workspace):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    m = _by_key(release)
    edges = Milestone.depends_on.through.objects
    deps_before = sorted(edges.values_list("from_milestone", "to_milestone"))
    with pytest.raises(ValidationError, match="cannot depend on itself"):
        planning.milestone_update(milestone=m["pitch"], depends_on=[m["pitch"]], title="Changed")
    # recording waits for plan; plan waiting for recording closes a circle.
    with pytest.raises(ValidationError, match="circle"):
        planning.milestone_update(milestone=m["plan"], depends_on=[m["mixes-approved"]])
    assert Milestone.objects.get(pk=m["pitch"].pk).title == m["pitch"].title
    after = sorted(edges.values_list("from_milestone", "to_milestone"))
    assert after == deps_before


def test_a_workspace_template_refuses_self_and_cyclic_steps(workspace):
    planning.template_copy_default(workspace=workspace)
    row = TemplateMilestone.objects.get(workspace=workspace, key="plan")
    with pytest.raises(ValidationError, match="itself"):
        planning.template_milestone_update(row=row, depends_on=["plan"])
    with pytest.raises(ValidationError, match="circle"):
        planning.template_milestone_update(row=row, depends_on=["recording"])
    with pytest.raises(ValidationError, match="not in the template"):
        planning.template_milestone_update(row=row, depends_on=["nope"])
    assert TemplateMilestone.objects.get(pk=row.pk).depends_on == []
    added = planning.template_milestone_create(
        workspace=workspace, title="Music video shot", phase="release", days_before=30,
        depends_on=["masters-approved"],
    )  # fmt: skip
    assert added.key == "music-video-shot"
    release = _release(workspace)
    planning.timeline_generate(release=release)
    assert _by_key(release)["music-video-shot"].due_date == release.release_date - 30 * DAY


# --- The calendar feed --------------------------------------------------------------------------


def _events(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_the_ics_feed_holds_the_users_releases_only(client, workspace, other_workspace, owner):
    mine = _release(workspace)
    planning.timeline_generate(release=mine)
    theirs = catalogue.release_create(workspace=other_workspace, title="Secret Album",
                                      release_date=TODAY() + 90 * DAY)  # fmt: skip
    planning.timeline_generate(release=theirs)
    guest_on = catalogue.release_create(workspace=other_workspace, title="Guest Single",
                                        release_date=TODAY() + 60 * DAY)  # fmt: skip
    planning.milestone_create(release=guest_on, title="Vocal session", phase="production",
                              due_date=TODAY() + 20 * DAY)  # fmt: skip
    from releases.services import guests

    boss = UserFactory()
    MembershipFactory(workspace=other_workspace, user=boss, role=Role.OWNER)
    guests.release_guest_add(release=guest_on, user=owner, actor=boss)

    url = sel.calendar_url(feed=planning.calendar_feed_ensure(user=owner))
    path = url.split("://", 1)[1].split("/", 1)[1]
    client.logout()
    response = client.get("/" + path)  # no session: the token is the key
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = _events(response.content)
    assert "Glasshouse: Pitched to Spotify editorial" in events
    assert "Guest Single: Vocal session" in events
    assert not any("Secret Album" in s for s in events)
    count = Milestone.objects.filter(release=mine).count() + 1
    assert len(events) == count
    pitch = events["Glasshouse: Pitched to Spotify editorial"]
    assert pitch.decoded("dtstart") == _by_key(mine)["pitch"].due_date  # an all-day date
    assert pitch.decoded("dtend") == _by_key(mine)["pitch"].due_date + DAY
    assert pitch.get("dtstamp") is not None
    uid = str(pitch["uid"])
    # UIDs stay the same when the date moves, so calendar apps update instead of duplicating.
    planning.release_date_move(release=mine, new_date=mine.release_date + 7 * DAY)
    moved = _events(client.get("/" + path).content)["Glasshouse: Pitched to Spotify editorial"]
    assert str(moved["uid"]) == uid
    assert moved.decoded("dtstart") == _by_key(mine)["pitch"].due_date


def test_a_wrong_or_replaced_token_is_a_404(client, owner):
    feed = planning.calendar_feed_ensure(user=owner)
    old = feed.token
    assert client.get(f"/calendar/{'x' * 43}.ics").status_code == 404
    assert client.get(f"/calendar/{old}.ics").status_code == 200
    planning.calendar_feed_reset(user=owner)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{CalendarFeed.objects.get().token}.ics").status_code == 200


def test_the_calendar_page_shows_and_replaces_the_url(client, owner):
    client.force_login(owner)
    page = client.get("/account/calendar/")
    token = CalendarFeed.objects.get(user=owner).token
    assert page.status_code == 200 and token.encode() in page.content
    assert b"/account/calendar/" in client.get("/account/notifications/").content
    client.post("/account/calendar/")
    assert CalendarFeed.objects.get(user=owner).token != token


# --- The API ------------------------------------------------------------------------------------


def test_api_milestones_and_the_calendar_url(api, workspace, owner, viewer, outsider, settings):
    settings.LINER_BASE_URL = "https://liner.example/"
    release = _release(workspace)
    base = f"/api/workspaces/{workspace.slug}/releases/{release.pk}/"
    client = api(owner)
    r = client.post(base + "timeline/generate/")
    assert r.status_code == 200, r.content
    rows = {row["key"]: row for row in r.json()}
    assert rows["pitch"]["state"] == "due" and rows["pitch"]["flag"] is None
    listed = client.get(base + "milestones/")
    assert listed.status_code == 200 and len(listed.json()) == len(rows)

    made = client.post(base + "milestones/", {"title": "Video shoot", "phase": "release",
                                              "due_date": str(TODAY() + 30 * DAY),
                                              "depends_on": [rows["masters-approved"]["id"]],
                                              "owner": owner.pk}, format="json")  # fmt: skip
    assert made.status_code == 201, made.content
    video = made.json()
    assert video["depends_on"] == [rows["masters-approved"]["id"]]
    assert video["owner"]["id"] == owner.pk
    selfish = client.patch(base + f"milestones/{video['id']}/", {"depends_on": [video["id"]]},
                           format="json")  # fmt: skip
    body = assert_error_shape(selfish, 400)
    assert "itself" in body["fields"]["depends_on"][0]
    done = client.post(base + f"milestones/{video['id']}/done/")
    assert done.status_code == 200 and done.json()["state"] == "done"
    assert client.delete(base + f"milestones/{video['id']}/done/").json()["state"] == "due"

    preview = client.post(base + "timeline/move/", {"release_date": str(TODAY() + 4 * DAY),
                                                    "dry_run": True}, format="json")  # fmt: skip
    assert preview.status_code == 200 and preview.json()["applied"] is False
    assert "pitch" in {f["key"] for f in preview.json()["flags"]}
    past = client.post(base + "timeline/move/", {"release_date": str(TODAY() - DAY)},
                       format="json")  # fmt: skip
    assert "release_date" in assert_error_shape(past, 400)["fields"]

    assert_error_shape(api(viewer).post(base + "milestones/", {}, format="json"), 403)
    assert api(viewer).get(base + "milestones/").status_code == 200
    assert_error_shape(api(outsider).get(base + "milestones/"), 404)
    assert client.delete(base + f"milestones/{video['id']}/").status_code == 204

    url = client.get("/api/calendar/")
    assert url.status_code == 200
    token = CalendarFeed.objects.get(user=owner).token
    assert url.json() == {"url": f"https://liner.example/calendar/{token}.ics"}
    assert_error_shape(api().get("/api/calendar/"), 401)


def test_the_milestone_list_api_query_count_is_flat(api, workspace, owner):
    release = _release(workspace)
    client = api(owner)
    url = f"/api/workspaces/{workspace.slug}/releases/{release.pk}/milestones/"
    planning.milestone_create(release=release, title="One", phase="concept",
                              due_date=TODAY() + 10 * DAY)  # fmt: skip
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    planning.timeline_generate(release=release)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(url).json()) > 15
    assert len(many) == len(one)


# --- The pages ----------------------------------------------------------------------------------


def test_the_timeline_page_renders_its_chart_with_a_flat_query_count(client, workspace, owner):
    release = _release(workspace)
    client.force_login(owner)
    url = f"/w/{workspace.slug}/releases/{release.pk}/timeline/"
    planning.milestone_create(release=release, title="One", phase="concept",
                              due_date=TODAY() + 10 * DAY)  # fmt: skip
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    assert client.post(url + "generate/").status_code == 302
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(many) == len(one)
    html = page.content.decode()
    assert 'id="timeline-figure"' in html and "vendor/plotly.min.js" in html
    assert "cdn" not in html.lower()
    for phase in ("Concept and pre-production", "Release and promotion"):
        assert phase in html
    assert "Pitched to Spotify editorial" in html
    assert f'href="{url}"' in html and 'aria-current="page">Timeline' in html
    figure = page.context["figure"]
    assert {trace["type"] for trace in figure["data"]} == {"bar"}


def test_the_move_form_shows_what_moves_and_refuses_a_past_date(client, workspace, owner):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    client.force_login(owner)
    url = f"/w/{workspace.slug}/releases/{release.pk}/timeline/move/"
    new = TODAY() + 4 * DAY
    preview = client.get(url, {"release_date": new.isoformat()})
    html = preview.content.decode()
    assert preview.status_code == 200 and "The pitch deadline has passed" in html
    assert "What moves" in html
    assert Release.objects.get(pk=release.pk).release_date == release.release_date
    past = client.post(url, {"release_date": (TODAY() - DAY).isoformat()})
    assert past.status_code == 400 and "has passed" in past.content.decode()
    moved = client.post(url, {"release_date": new.isoformat()}, follow=True)
    assert Release.objects.get(pk=release.pk).release_date == new
    assert "The pitch deadline has passed" in moved.content.decode()


def test_marking_done_and_a_self_dependency_on_the_page(client, workspace, owner):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    pitch = _by_key(release)["pitch"]
    client.force_login(owner)
    base = f"/w/{workspace.slug}/releases/{release.pk}/timeline/milestones/{pitch.pk}/"
    assert client.post(base + "done/").status_code == 302
    assert Milestone.objects.get(pk=pitch.pk).done
    form = {"title": "Pitch", "phase": "release", "due_date": pitch.due_date.isoformat(),
            "depends_on": [pitch.pk]}  # fmt: skip
    r = client.post(base + "edit/", form)
    assert r.status_code == 400 and "cannot depend on itself" in r.content.decode()
    assert Milestone.objects.get(pk=pitch.pk).title == "Pitched to Spotify editorial"


def test_the_template_editor(client, workspace, owner, viewer):
    client.force_login(viewer)
    url = f"/w/{workspace.slug}/releases/timeline-template/"
    page = client.get(url)
    assert page.status_code == 200 and b"Spotify for Artists" in page.content
    assert client.post(url, {"op": "copy"}).status_code == 403
    client.force_login(owner)
    client.post(url, {"op": "copy"})
    assert TemplateMilestone.objects.filter(workspace=workspace).count() == len(
        timeline.DEFAULT_TEMPLATE
    )
    row = TemplateMilestone.objects.get(workspace=workspace, key="pitch")
    p = f"s{row.pk}-"
    form = {"op": "edit", "step": row.pk, p + "title": "Pitch", p + "phase": "release",
            p + "days_before": 35, p + "minimum_days_before": 7, p + "applies": "always",
            p + "depends_on": "pitch"}  # fmt: skip
    r = client.post(url, form)
    assert r.status_code == 400 and "itself" in r.content.decode()
    form[p + "depends_on"] = "delivery"
    assert client.post(url, form).status_code == 302
    assert TemplateMilestone.objects.get(pk=row.pk).days_before == 35
    page = client.get(url).content.decode()
    assert "Changed in this workspace. Liner&#x27;s figure: Spotify for Artists" in page
    assert "Pressing plants&#x27; stated lead times" in page  # unchanged rows keep their source


def test_a_guest_reads_their_releases_timeline_and_changes_nothing(client, workspace, owner):
    from releases.services import guests

    release = _release(workspace)
    other = _release(workspace)
    planning.timeline_generate(release=release)
    planning.timeline_generate(release=other)
    guest = UserFactory(email="sam@studio.example")
    guests.release_guest_add(release=release, user=guest, actor=owner)
    client.force_login(guest)
    base = f"/w/{workspace.slug}/releases/"
    page = client.get(f"{base}{release.pk}/timeline/")
    assert page.status_code == 200 and b"Pitched to Spotify editorial" in page.content
    assert b"Mark " not in page.content  # no buttons for a guest
    pitch = _by_key(release)["pitch"]
    assert (
        client.post(f"{base}{release.pk}/timeline/milestones/{pitch.pk}/done/").status_code == 403
    )
    assert client.post(f"{base}{release.pk}/timeline/generate/").status_code == 403
    assert client.get(f"{base}{other.pk}/timeline/").status_code == 404
    assert client.get(f"{base}timeline-template/").status_code == 404
    assert not Milestone.objects.filter(done_at__isnull=False).exists()


def test_a_date_changed_on_the_edit_form_is_offered_to_the_milestones(client, workspace, owner):
    release = _release(workspace)
    planning.timeline_generate(release=release)
    new = release.release_date + 30 * DAY
    catalogue.release_update(release=release, release_date=new)  # not through the timeline
    client.force_login(owner)
    url = f"/w/{workspace.slug}/releases/{release.pk}/timeline/"
    assert b"The release date changed" in client.get(url).content
    client.post(url + "move/", {"release_date": new.isoformat()})
    assert _by_key(release)["pitch"].due_date == new - 28 * DAY
    assert b"The release date changed" not in client.get(url).content


def test_the_ics_feed_query_count_is_flat(client, workspace, owner):
    token = planning.calendar_feed_ensure(user=owner).token
    planning.timeline_generate(release=_release(workspace))
    with CaptureQueriesContext(connection) as one:
        assert client.get(f"/calendar/{token}.ics").status_code == 200
    for days in (60, 90, 120):
        planning.timeline_generate(release=_release(workspace, days_ahead=days))
    with CaptureQueriesContext(connection) as four:
        body = client.get(f"/calendar/{token}.ics").content
    assert len(four) == len(one)
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    assert len(events) == Milestone.objects.count() == 60
    assert len({str(e["uid"]) for e in events}) == 60
