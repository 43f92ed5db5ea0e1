"""A release's plan, counted backwards from release day: Liner's default template and the date
arithmetic. Pure: no Django, tested without a database.

Each lead time names where it comes from. Figures that are a store's or a service's own rule
say so; the rest are Liner's judgement of a comfortable pace for an independent release, and
are there to be edited (a workspace copies this template and changes it).

``days_before`` is when a step is due (negative: after release day). ``minimum_days_before``
is the latest it can still be done and count: a store's deadline. Missing a due date makes a
step overdue; missing a minimum makes it impossible for this release date, which is flagged
with what to do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

PHASES = ("concept", "production", "post", "mastering", "release")

ALWAYS, VINYL, CD, CASSETTE, PHYSICAL = "always", "vinyl", "cd", "cassette", "physical"

# The step whose hard deadline is the distributor's delivery lead time (the release's own, or
# the workspace's catalogue setting), whatever the template says.
DELIVERY_KEY = "delivery"

JUDGEMENT = "Liner's judgement: a comfortable pace for an independent release; edit to taste."


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    phase: str
    days_before: int
    minimum_days_before: int | None = None
    applies: str = ALWAYS
    depends_on: tuple[str, ...] = ()
    owner_role: str = ""
    advice: str = ""
    source: str = JUDGEMENT


DEFAULT_TEMPLATE: tuple[Step, ...] = (
    # --- Concept and pre-production
    Step(
        "plan",
        "Release plan, budget and date agreed",
        "concept",
        120,
        owner_role="owner",
        advice="Decide the format (single, EP, album), the editions, the budget and who does "
        "what. Everything after this is counted back from the release date.",
    ),
    Step(
        "artwork-brief",
        "Cover artwork briefed",
        "concept",
        100,
        depends_on=("plan",),
        owner_role="owner",
        advice="Brief the designer with the title, the mood and the 3000 x 3000 px square "
        "stores ask for.",
    ),
    # --- Production and recording
    Step(
        "recording",
        "Recording finished",
        "production",
        84,
        depends_on=("plan",),
        owner_role="owner",
        advice="All parts tracked and comped; book extra sessions now if something is missing.",
    ),
    Step(
        "credits-collected",
        "Credits and split agreements collected",
        "production",
        70,
        depends_on=("recording",),
        owner_role="manager",
        advice="Who wrote, played, produced: the credits stores show, and the splits everyone "
        "signs before money comes in.",
    ),
    # --- Post-production and mixing
    Step(
        "mixes-approved",
        "Mixes signed off",
        "post",
        56,
        depends_on=("recording",),
        owner_role="owner",
        advice="Every approver has signed off the final mix version of every track.",
    ),
    # Pressing plants quote 8 to 16 weeks from approved lacquers/test pressings to finished
    # records (longer in busy seasons): a typical figure as plants state it, not a spec.
    Step(
        "vinyl-order",
        "Vinyl masters and pressing order at the plant",
        "mastering",
        105,
        minimum_days_before=56,
        applies=VINYL,
        owner_role="manager",
        advice="Pressing plants quote 8 to 16 weeks from order to finished records, test "
        "pressings included; ask your plant for its current lead time and put it here. "
        "The vinyl master and the sequence of sides must be final by then.",
        source="Pressing plants' stated lead times, typically 8-16 weeks (a typical figure, "
        "not a specification; plants vary and busy seasons are longer).",
    ),
    Step(
        "cd-order",
        "CD replication ordered",
        "mastering",
        49,
        minimum_days_before=21,
        applies=CD,
        owner_role="manager",
        advice="Replication plants typically need 2 to 4 weeks from approved master and "
        "artwork; ask yours.",
        source="Replication plants' stated turnaround, typically 2-4 weeks (a typical figure, "
        "not a specification).",
    ),
    Step(
        "cassette-order",
        "Cassette duplication ordered",
        "mastering",
        56,
        minimum_days_before=28,
        applies=CASSETTE,
        owner_role="manager",
        advice="Duplication with printed J-cards typically takes 3 to 6 weeks; ask your "
        "duplicator.",
        source="Tape duplicators' stated turnaround, typically 3-6 weeks (a typical figure, "
        "not a specification).",
    ),
    # --- Mastering and finalisation
    Step(
        "masters-approved",
        "Masters approved",
        "mastering",
        45,
        depends_on=("mixes-approved",),
        owner_role="owner",
        advice="Mastered for each store's loudness and true-peak ceiling, QC passed.",
    ),
    Step(
        "artwork-final",
        "Final cover art delivered",
        "mastering",
        42,
        depends_on=("artwork-brief",),
        owner_role="owner",
        advice="3000 x 3000 px, RGB, no URLs, prices or social handles on the cover.",
    ),
    Step(
        "metadata-complete",
        "Metadata and codes complete",
        "mastering",
        40,
        depends_on=("credits-collected",),
        owner_role="manager",
        advice="Titles, artists, credits, ISRCs, UPC, genre, language, explicit flags.",
    ),
    # --- Release and promotion
    Step(
        "press-plan",
        "Press and promotion plan",
        "release",
        42,
        depends_on=("plan",),
        owner_role="manager",
        advice="Who you pitch (blogs, radio, playlists, press), with what (press release, "
        "photos, private links), and when; many outlets want material 4-6 weeks "
        "ahead.",
    ),
    # Deliver two weeks before the distributor's deadline, so the release reaches Spotify for
    # Artists in time for a four-week pitch (Liner's judgement); the hard deadline is the
    # distributor's lead time (see DELIVERY_KEY).
    Step(
        DELIVERY_KEY,
        "Delivered to the distributor",
        "release",
        35,
        minimum_days_before=21,
        depends_on=("masters-approved", "artwork-final", "metadata-complete"),
        owner_role="manager",
        advice="Distributors ask for 2 to 4 weeks before release day so stores can ingest it "
        "and show it as upcoming; the deadline here is your distributor's lead time.",
        source="Distributors' stated delivery lead times, typically 2-4 weeks (the release's "
        "distributor setting; 21 days unless set). The two weeks' margin before it is "
        "Liner's judgement.",
    ),
    Step(
        "pitch",
        "Pitched to Spotify editorial",
        "release",
        28,
        minimum_days_before=7,
        depends_on=(DELIVERY_KEY,),
        owner_role="manager",
        advice="Pitch one unreleased track in Spotify for Artists. Spotify needs the pitch at "
        "least 7 days before release day and recommends several weeks ahead.",
        source="Spotify for Artists: pitch at least 7 days before release (needed for "
        "Release Radar); 4 weeks ahead recommended.",
    ),
    Step(
        "presave",
        "Pre-save campaign live",
        "release",
        21,
        minimum_days_before=1,
        depends_on=(DELIVERY_KEY,),
        owner_role="manager",
        advice="Pre-save links need the release to be delivered (its UPC and store links); "
        "share the link with your audience.",
        source=JUDGEMENT + " A pre-save only helps before release day.",
    ),
    Step(
        "announce",
        "Release announced",
        "release",
        21,
        depends_on=("artwork-final",),
        owner_role="owner",
        advice="Cover, date and pre-save link on your channels.",
    ),
    Step(
        "release-day",
        "Release day",
        "release",
        0,
        depends_on=(DELIVERY_KEY,),
        owner_role="owner",
        advice="Check it is live on every store, then share the links.",
    ),
    Step(
        "first-week",
        "First-week review",
        "release",
        -7,
        depends_on=("release-day",),
        owner_role="manager",
        advice="Streams, playlist adds, press; thank who helped; plan the next push.",
    ),
)

DEFAULT_KEYS = frozenset(s.key for s in DEFAULT_TEMPLATE)

# What to do when a hard deadline has passed: (the deadline in words, what to do anyway).
LATE_ACTIONS: dict[str, tuple[str, str]] = {
    "pitch": ("the pitch deadline", "pitch anyway (it may miss editorial playlists, and "
                                    "Release Radar needs the 7 days)"),
    DELIVERY_KEY: ("the distributor's delivery deadline",
                   "ask your distributor whether they can still make the date"),
    "vinyl-order": ("the vinyl pressing lead time",
                    "release the digital edition first and the vinyl when it is pressed"),
    "cd-order": ("the CD replication lead time", "ask your plant for a rush order"),
    "cassette-order": ("the cassette duplication lead time",
                       "ask your duplicator for a rush order"),
    "presave": ("the last day for a pre-save", "skip the pre-save and promote the release"),
}  # fmt: skip


def applies_to(applies: str, formats: Iterable[str]) -> bool:
    """Whether a step belongs on a release with physical editions of these formats."""
    formats = set(formats)
    if applies == ALWAYS:
        return True
    if applies == PHYSICAL:
        return bool(formats)
    return applies in formats


def delivery_rule(
    *, days_before: int, minimum_days_before: int | None, lead_days: int
) -> tuple[int, int]:
    """The delivery step's rule on one release: its hard deadline is the distributor's lead
    time; it is due no later than that."""
    return max(days_before, lead_days), lead_days


def due_date(release_date: dt.date, days_before: int) -> dt.date:
    return release_date - dt.timedelta(days=days_before)


def days_before_of(release_date: dt.date, due: dt.date) -> int:
    return (release_date - due).days


def deadline(release_date: dt.date, minimum_days_before: int | None) -> dt.date | None:
    """The last day a step can still be done for this release date (None: no hard limit)."""
    if minimum_days_before is None:
        return None
    return due_date(release_date, minimum_days_before)


def earliest_release_date(today: dt.date, minimum_days_before: int) -> dt.date:
    """The first release date that a step with this hard limit, done today, still meets."""
    return today + dt.timedelta(days=minimum_days_before)


DONE, DUE, OVERDUE = "done", "due", "overdue"


def state(*, due: dt.date, done: bool, today: dt.date) -> str:
    if done:
        return DONE
    return OVERDUE if due < today else DUE


@dataclass(frozen=True)
class Flag:
    """A step that can no longer be met on this release date, and what to do."""

    key: str
    title: str
    deadline: dt.date
    earliest_release_date: dt.date
    message: str


def flag_for(
    *,
    key: str,
    title: str,
    release_date: dt.date,
    minimum_days_before: int | None,
    done: bool,
    today: dt.date,
) -> Flag | None:
    """A flag when an undone step's hard deadline has passed before release day."""
    if done or minimum_days_before is None or release_date < today:
        return None
    last = deadline(release_date, minimum_days_before)
    assert last is not None
    if last >= today:
        return None
    earliest = earliest_release_date(today, minimum_days_before)
    words, anyway = LATE_ACTIONS.get(
        key, (f"the deadline for “{title}”", "do it as soon as you can")
    )
    message = (
        f"{words[0].upper()}{words[1:]} has passed ({last.isoformat()}): {anyway}, or move the "
        f"release date to {earliest.isoformat()} or later."
    )
    return Flag(key=key, title=title, deadline=last, earliest_release_date=earliest,
                message=message)  # fmt: skip


def check_template(steps: Sequence[Step] | Mapping[str, Sequence[str]]) -> list[str]:
    """What is wrong with a template's dependencies: unknown keys, self-dependencies, cycles.

    ``steps``: the steps, or a mapping of key to the keys it depends on.
    """
    graph = (
        {k: list(v) for k, v in steps.items()}
        if isinstance(steps, Mapping)
        else {s.key: list(s.depends_on) for s in steps}
    )
    problems = []
    for key, deps in graph.items():
        if key in deps:
            problems.append(f"“{key}” cannot depend on itself.")
        for d in deps:
            if d not in graph:
                problems.append(f"“{key}” depends on “{d}”, which is not in the template.")
    cycle = find_cycle(graph)
    if cycle and len(cycle) > 2:
        problems.append("These steps wait on each other in a circle: " + " → ".join(cycle) + ".")
    return problems


def find_cycle(graph: Mapping[Any, Iterable[Any]]) -> list[Any] | None:
    """A cycle in a dependency graph as the path [a, b, …, a], or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour: dict[Any, int] = {}
    stack: list[Any] = []

    def visit(node: Any) -> list[Any] | None:
        colour[node] = GREY
        stack.append(node)
        for nxt in graph.get(node, ()):
            c = colour.get(nxt, WHITE)
            if c == GREY:
                return [*stack[stack.index(nxt) :], nxt]
            if c == WHITE and nxt in graph:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = BLACK
        return None

    for node in graph:
        if colour.get(node, WHITE) == WHITE:
            found = visit(node)
            if found:
                return found
    return None


# --- The calendar -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    date: dt.date
    summary: str
    description: str = ""
    url: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def ics_build(*, name: str, events: Iterable[CalendarEvent], stamp: dt.datetime) -> bytes:
    """An RFC 5545 calendar of all-day events (DTEND the day after, as RFC 5545 has it)."""
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", "-//Liner//Release timeline//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for e in events:
        event = icalendar.Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", e.date)
        event.add("dtend", e.date + dt.timedelta(days=1))
        event.add("summary", e.summary)
        event.add("transp", "TRANSPARENT")  # a deadline, not a busy day
        if e.description:
            event.add("description", e.description)
        if e.url:
            event.add("url", e.url)
        if e.categories:
            event.add("categories", list(e.categories))
        cal.add_component(event)
    return cal.to_ical()
