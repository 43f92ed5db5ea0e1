"""Reads of release plans: a release's timeline (milestones by phase with state, dependencies
and flags, and its Gantt chart), the deadline state others ask (the readiness gate), and the
milestones of a user's calendar feed. Each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils import timezone

from . import timeline
from .models import CalendarFeed, Milestone, Phase, Release


@dataclass
class MilestoneRow:
    milestone: Milestone
    state: str
    deadline: dt.date | None
    flag: timeline.Flag | None
    depends_on: list[Milestone]
    waiting_on: list[Milestone]  # dependencies not done yet


@dataclass
class PhaseGroup:
    key: str
    label: str
    rows: list[MilestoneRow] = field(default_factory=list)


@dataclass
class Timeline:
    release: Release
    today: dt.date
    phases: list[PhaseGroup]
    rows: list[MilestoneRow]
    flags: list[timeline.Flag]
    counts: dict[str, int]
    # Undone milestones no longer at their distance to release day: the date was changed
    # elsewhere (the release's edit form) and they have not been moved with it yet.
    out_of_step: list[Milestone] = field(default_factory=list)


def milestones_of(*, release: Release) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(release=release)
        .select_related("owner", "done_by")
        .prefetch_related(
            Prefetch(
                "depends_on", queryset=Milestone.objects.only("id", "title", "due_date", "done_at")
            )
        )
        .order_by("due_date", "id")
    )


def timeline_for_release(*, release: Release, today: dt.date | None = None) -> Timeline:
    """The release's milestones grouped by phase (in phase order), each with its state,
    its hard deadline, its flag if that deadline can no longer be met, and its dependencies.
    Two queries, however many milestones."""
    today = today or timezone.localdate()
    rows = []
    for m in milestones_of(release=release):
        deps = list(m.depends_on.all())
        flag = None
        last = None
        if release.release_date:
            last = timeline.deadline(release.release_date, m.minimum_days_before)
            if release.status not in (Release.Status.DELIVERED, Release.Status.RELEASED):
                flag = timeline.flag_for(
                    key=m.key,
                    title=m.title,
                    release_date=release.release_date,
                    minimum_days_before=m.minimum_days_before,
                    done=m.done,
                    today=today,
                )
        rows.append(
            MilestoneRow(
                milestone=m,
                state=timeline.state(due=m.due_date, done=m.done, today=today),
                deadline=last,
                flag=flag,
                depends_on=deps,
                waiting_on=[d for d in deps if d.done_at is None],
            )
        )
    phases = [PhaseGroup(key=p.value, label=p.label) for p in Phase]
    by_phase = {g.key: g for g in phases}
    for row in rows:
        by_phase[row.milestone.phase].rows.append(row)
    counts = {
        s: sum(1 for r in rows if r.state == s)
        for s in (timeline.DONE, timeline.DUE, timeline.OVERDUE)
    }
    out_of_step = [
        r.milestone
        for r in rows
        if release.release_date
        and not r.milestone.done
        and r.milestone.days_before is not None
        and r.milestone.due_date != timeline.due_date(release.release_date, r.milestone.days_before)
    ]
    return Timeline(
        release=release,
        today=today,
        phases=phases,
        rows=rows,
        flags=[r.flag for r in rows if r.flag],
        counts=counts,
        out_of_step=out_of_step,
    )


def deadline_state(*, release: Release, today: dt.date | None = None) -> dict[str, Any]:
    """For the readiness gate and others: how the release's plan stands.

    ``flags``: hard deadlines (store lead times) that can no longer be met, with what to do;
    ``overdue``: undone milestones past their due date; ``has_timeline``: any milestones.
    """
    t = timeline_for_release(release=release, today=today)
    return {
        "has_timeline": bool(t.rows),
        "flags": t.flags,
        "overdue": [r.milestone for r in t.rows if r.state == timeline.OVERDUE],
        "counts": t.counts,
    }


# --- The Gantt chart --------------------------------------------------------------------------

_COLOURS = {timeline.DONE: "#2f855a", timeline.DUE: "#5b3cc4", timeline.OVERDUE: "#c53030"}
_DAY_MS = 86_400_000


def timeline_figure(t: Timeline) -> dict[str, Any] | None:
    """A Gantt-style chart of the timeline as plotly figure data (a dict for ``json_script``):
    one bar per milestone, from when it can start (its latest dependency's due date, or a week
    before) to its due date, coloured by state; release day and today marked."""
    import json

    import plotly.graph_objects as go

    rows = [r for g in t.phases for r in g.rows]
    if not rows:
        return None
    fig = go.Figure()
    # Plotly merges bars of the same category: two milestones of one title get their dates.
    titles = [r.milestone.title for r in rows]
    labels = [
        f"{r.milestone.title} ({r.milestone.due_date:%-d %b})"
        if titles.count(r.milestone.title) > 1
        else r.milestone.title
        for r in rows
    ]
    for state in (timeline.DONE, timeline.DUE, timeline.OVERDUE):
        picked = [(i, r) for i, r in enumerate(rows) if r.state == state]
        if not picked:
            continue
        starts, lengths, names, texts = [], [], [], []
        for i, r in picked:
            due = r.milestone.due_date
            start = max((d.due_date for d in r.depends_on if hasattr(d, "due_date")), default=None)
            if start is None or start >= due:
                start = due - dt.timedelta(days=7)
            starts.append(start.isoformat())
            lengths.append((due - start).days * _DAY_MS)
            names.append(labels[i])
            texts.append(f"{r.milestone.title}: due {due:%-d %b %Y} ({state})")
        fig.add_trace(
            go.Bar(
                y=names,
                x=lengths,
                base=starts,
                orientation="h",
                name=state,
                marker={"color": _COLOURS[state]},
                hovertext=texts,
                hoverinfo="text",
            )
        )
    if t.release.release_date:
        fig.add_vline(x=t.release.release_date.isoformat(), line={"color": "#1d1b22", "width": 2})
        fig.add_annotation(
            x=t.release.release_date.isoformat(),
            y=1,
            yref="paper",
            text="release day",
            showarrow=False,
            yanchor="bottom",
        )
    fig.add_vline(x=t.today.isoformat(), line={"color": "#b9b3c4", "dash": "dot"})
    fig.update_layout(
        template="none",
        barmode="overlay",
        height=max(240, 26 * len(rows) + 80),
        margin={"l": 20, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.08},
        xaxis={"type": "date"},
        paper_bgcolor="#fff",
        plot_bgcolor="#faf9fc",
        yaxis={
            "autorange": "reversed",
            "automargin": True,
            "categoryorder": "array",
            "categoryarray": labels,
        },
    )
    return json.loads(fig.to_json())


# --- The calendar feed ------------------------------------------------------------------------


def calendar_milestones(*, user: Any) -> QuerySet[Milestone]:
    """Every milestone of every release the user can see (their workspaces' and the releases
    they are a guest on), with its release and workspace: one query."""
    visible = Release.objects.visible_to(user).values("pk")
    return (
        Milestone.objects.filter(release__in=visible)
        .select_related("release__workspace")
        .order_by("due_date", "id")
    )


def base_url() -> str:
    return settings.LINER_BASE_URL.rstrip("/")


def calendar_url(*, feed: CalendarFeed) -> str:
    """The feed's absolute secret URL, on the same base as Liner's emails."""
    return base_url() + reverse("calendar-feed", args=[feed.token])


def calendar_ics(*, user: Any, now: dt.datetime | None = None) -> bytes:
    """The user's calendar: one all-day event per milestone, with a UID that stays the same
    across fetches and date moves, so calendar apps update events instead of duplicating."""
    host = base_url().split("://", 1)[-1].split("/", 1)[0] or "liner"
    events = []
    for m in calendar_milestones(user=user):
        r = m.release
        url = base_url() + reverse("release-timeline", args=[r.workspace.slug, r.pk])
        tick = "✓ " if m.done else ""
        description = m.advice
        if m.minimum_days_before is not None and r.release_date:
            last = timeline.deadline(r.release_date, m.minimum_days_before)
            description = f"Hard deadline: {last:%-d %B %Y}.\n{description}".strip()
        events.append(
            timeline.CalendarEvent(
                uid=f"milestone-{m.pk}@{host}",
                date=m.due_date,
                summary=f"{tick}{r}: {m.title}",
                description=description,
                url=url,
                categories=(m.get_phase_display(),),
            )
        )
    name = f"Liner: {getattr(user, 'display_name', '') or user.get_username()}"
    return timeline.ics_build(name=name, events=events, stamp=now or timezone.now())
