"""Writes to a release's plan: the timeline made from the workspace's template, moving the
release date, milestones and their dependencies, the template itself, calendar feeds.

The template and the date arithmetic are ``releases.timeline`` (pure); this module applies
them to rows. Every write is one transaction that validates before it saves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from collaborators.models import Membership, Workspace
from collaborators.permissions import Role

from .. import timeline
from ..models import CalendarFeed, Milestone, Release, TemplateMilestone
from . import catalogue

# --- The template -----------------------------------------------------------------------------

TEMPLATE_FIELDS = frozenset(
    {
        "key",
        "title",
        "phase",
        "days_before",
        "minimum_days_before",
        "applies",
        "depends_on",
        "owner_role",
        "advice",
        "position",
    }
)


def template_steps(*, workspace: Workspace) -> list[timeline.Step]:
    """The workspace's template, or Liner's default when it has no rows of its own."""
    rows = list(TemplateMilestone.objects.filter(workspace=workspace))
    if not rows:
        return list(timeline.DEFAULT_TEMPLATE)
    defaults = {s.key: s for s in timeline.DEFAULT_TEMPLATE}
    return [
        timeline.Step(
            key=r.key,
            title=r.title,
            phase=r.phase,
            days_before=r.days_before,
            minimum_days_before=r.minimum_days_before,
            applies=r.applies,
            depends_on=tuple(r.depends_on or ()),
            owner_role=r.owner_role,
            advice=r.advice,
            source=_source(r, defaults.get(r.key)),
        )
        for r in rows
    ]


def _source(row: TemplateMilestone, default: timeline.Step | None) -> str:
    if default is None:
        return "Added in this workspace."
    if (row.days_before, row.minimum_days_before) == (
        default.days_before,
        default.minimum_days_before,
    ):
        return default.source
    return f"Changed in this workspace. Liner's figure: {default.source}"


@transaction.atomic
def template_copy_default(*, workspace: Workspace) -> list[TemplateMilestone]:
    """Give the workspace its own editable copy of Liner's template. Refused if it has one."""
    if TemplateMilestone.objects.select_for_update().filter(workspace=workspace).exists():
        raise ValidationError("This workspace already has its own template; edit it instead.")
    rows = []
    for position, step in enumerate(timeline.DEFAULT_TEMPLATE):
        row = TemplateMilestone(
            workspace=workspace,
            key=step.key,
            title=step.title,
            phase=step.phase,
            days_before=step.days_before,
            minimum_days_before=step.minimum_days_before,
            applies=step.applies,
            depends_on=list(step.depends_on),
            owner_role=step.owner_role,
            advice=step.advice,
            position=position,
        )
        row.full_clean()
        rows.append(row)
    return TemplateMilestone.objects.bulk_create(rows)


def _template_check(
    workspace: Workspace, changed: TemplateMilestone | None, removed: int | None = None
) -> None:
    graph = {
        r.key: list(r.depends_on or ())
        for r in TemplateMilestone.objects.filter(workspace=workspace)
        if r.pk not in (removed, getattr(changed, "pk", None))
    }
    if changed is not None:
        graph[changed.key] = list(changed.depends_on or ())
    if changed is not None and changed.key in graph[changed.key]:
        raise ValidationError({"depends_on": "A step cannot depend on itself."})
    problems = timeline.check_template(graph)
    if problems:
        field_ = "depends_on" if changed is not None else "__all__"
        raise ValidationError({field_: problems})


def _template_validate(row: TemplateMilestone) -> None:
    if not isinstance(row.depends_on, list) or not all(isinstance(k, str) for k in row.depends_on):
        raise ValidationError({"depends_on": "List the keys of the steps it waits for."})
    row.depends_on = list(dict.fromkeys(k.strip() for k in row.depends_on if k.strip()))
    if row.minimum_days_before is not None and row.minimum_days_before > row.days_before:
        raise ValidationError(
            {
                "minimum_days_before": "The hard deadline cannot be earlier than the due date: "
                "make it fewer days before release day."
            }
        )
    row.full_clean()


@transaction.atomic
def template_milestone_create(*, workspace: Workspace, **fields: Any) -> TemplateMilestone:
    """A step added to the workspace's own template (copied from Liner's first if needed)."""
    catalogue._only(fields, TEMPLATE_FIELDS)
    if not TemplateMilestone.objects.filter(workspace=workspace).exists():
        template_copy_default(workspace=workspace)
    if not fields.get("key") and fields.get("title"):
        fields["key"] = slugify(fields["title"])[:40]
    row = TemplateMilestone(workspace=workspace, **fields)
    if TemplateMilestone.objects.filter(workspace=workspace, key=row.key).exists():
        raise ValidationError({"key": "Another step of the template has this key."})
    _template_validate(row)
    _template_check(workspace, row)
    row.save()
    return row


@transaction.atomic
def template_milestone_update(*, row: TemplateMilestone, **fields: Any) -> TemplateMilestone:
    catalogue._only(fields, TEMPLATE_FIELDS - {"key"})
    row = TemplateMilestone.objects.select_for_update().get(pk=row.pk)
    for name, value in fields.items():
        setattr(row, name, value)
    _template_validate(row)
    _template_check(row.workspace, row)
    row.save()
    return row


@transaction.atomic
def template_milestone_delete(*, row: TemplateMilestone) -> None:
    """Remove a step; refused while another step depends on it."""
    waiting = [
        r.title
        for r in TemplateMilestone.objects.filter(workspace_id=row.workspace_id).exclude(pk=row.pk)
        if row.key in (r.depends_on or ())
    ]
    if waiting:
        raise ValidationError(
            f"“{row.title}” is needed by {', '.join(waiting)}; remove it from their "
            "dependencies first."
        )
    row.delete()


@transaction.atomic
def template_reset(*, workspace: Workspace) -> None:
    """Go back to Liner's template (the workspace's own rows are deleted)."""
    TemplateMilestone.objects.filter(workspace=workspace).delete()


# --- Generating a release's timeline ----------------------------------------------------------


def lead_days_for(*, release: Release) -> int:
    """The distributor's delivery lead time for this release, in days."""
    if release.delivery_lead_days is not None:
        return release.delivery_lead_days
    return catalogue.catalogue_settings_get(workspace=release.workspace).delivery_lead_days


def _rule(step: timeline.Step, lead_days: int) -> tuple[int, int | None]:
    if step.key == timeline.DELIVERY_KEY:
        return timeline.delivery_rule(
            days_before=step.days_before,
            minimum_days_before=step.minimum_days_before,
            lead_days=lead_days,
        )
    return step.days_before, step.minimum_days_before


def _owners(release: Release) -> dict[str, Any]:
    """The first member in each role, to own the steps the template gives that role."""
    found: dict[str, Any] = {}
    for m in Membership.objects.filter(workspace_id=release.workspace_id).select_related("user"):
        found.setdefault(m.role, m.user)
    return found


def _need_date(release: Release) -> dt.date:
    if release.release_date is None:
        raise ValidationError(
            {"release_date": "Set a release date first: the timeline counts back from it."}
        )
    return release.release_date


@transaction.atomic
def timeline_generate(*, release: Release) -> list[Milestone]:
    """Make or refresh the release's milestones from its workspace's template.

    Idempotent: running it again changes nothing. Done milestones and milestones added by hand
    are kept as they are; undone ones made from the template take the template's current rule
    (their owner and notes are kept); a template step that no longer applies (the vinyl
    edition was removed) is removed if it was not done.
    """
    release = Release.objects.select_for_update().get(pk=release.pk)
    release_date = _need_date(release)
    steps = template_steps(workspace=release.workspace)
    template_keys = {s.key for s in steps} | timeline.DEFAULT_KEYS
    formats = set(release.editions.values_list("format", flat=True))
    wanted = [s for s in steps if timeline.applies_to(s.applies, formats)]
    lead = lead_days_for(release=release)
    existing = {m.key: m for m in Milestone.objects.filter(release=release)}
    owners = _owners(release)
    roles = {Role.OWNER.value, Role.MANAGER.value, Role.MEMBER.value}

    wanted_keys = {s.key for s in wanted}
    for key, m in existing.items():
        if key in template_keys and key not in wanted_keys and not m.done:
            m.delete()

    by_key: dict[str, Milestone] = {}
    for step in wanted:
        days, minimum = _rule(step, lead)
        m = existing.get(step.key)
        if m is not None and m.done:
            by_key[step.key] = m
            continue
        if m is None:
            # A solo artist's workspace has no manager: its owner does the manager's steps.
            owner = owners.get(step.owner_role) if step.owner_role in roles else None
            owner = owner or owners.get(Role.OWNER.value) or release.created_by
            m = Milestone(release=release, key=step.key, owner=owner)
        m.title, m.phase, m.advice = step.title, step.phase, step.advice
        m.days_before, m.minimum_days_before = days, minimum
        m.due_date = timeline.due_date(release_date, days)
        m.full_clean(exclude=["depends_on"])
        m.save()
        by_key[step.key] = m
    for step in wanted:
        m = by_key[step.key]
        if m.done:
            continue
        m.depends_on.set([by_key[k] for k in step.depends_on if k in by_key])
    return list(Milestone.objects.filter(release=release))


# --- Moving the release date ------------------------------------------------------------------


@dataclass
class Move:
    milestone: Milestone
    old_date: dt.date
    new_date: dt.date


@dataclass
class MovePlan:
    """What moving the release date does: the milestones that move, the done ones that stay,
    and the deadlines that can no longer be met on the new date (with what to do)."""

    old_date: dt.date | None
    new_date: dt.date
    moves: list[Move] = field(default_factory=list)
    kept: list[Milestone] = field(default_factory=list)
    flags: list[timeline.Flag] = field(default_factory=list)
    overdue: list[Milestone] = field(default_factory=list)


def release_date_move_plan(
    *, release: Release, new_date: dt.date, today: dt.date | None = None
) -> MovePlan:
    """What ``release_date_move`` would do, without doing it (for the form's preview)."""
    today = today or timezone.localdate()
    plan = MovePlan(old_date=release.release_date, new_date=new_date)
    for m in Milestone.objects.filter(release=release).order_by("due_date", "id"):
        if m.done:
            plan.kept.append(m)
            continue
        days = m.days_before
        if days is None:
            plan.kept.append(m)
            continue
        target = timeline.due_date(new_date, days)
        if target != m.due_date:
            plan.moves.append(Move(milestone=m, old_date=m.due_date, new_date=target))
        if target < today:
            plan.overdue.append(m)
        flag = timeline.flag_for(
            key=m.key,
            title=m.title,
            release_date=new_date,
            minimum_days_before=m.minimum_days_before,
            done=False,
            today=today,
        )
        if flag:
            plan.flags.append(flag)
    return plan


@transaction.atomic
def release_date_move(
    *, release: Release, new_date: dt.date, today: dt.date | None = None
) -> MovePlan:
    """Set a new release date and move every undone milestone with it (done ones stay where
    they were). Returns the plan: what moved, and the deadlines the new date can no longer
    meet, each with what to do. A date in the past is refused for a release not yet out
    (``catalogue.release_update`` says so), and nothing moves."""
    release = catalogue.release_update(release=release, release_date=new_date)
    plan = release_date_move_plan(release=release, new_date=new_date, today=today)
    for move in plan.moves:
        Milestone.objects.filter(pk=move.milestone.pk).update(due_date=move.new_date)
        move.milestone.due_date = move.new_date
    return plan


@transaction.atomic
def release_update_moving_timeline(
    *, release: Release, **fields: Any
) -> tuple[Release, MovePlan | None]:
    """``catalogue.release_update``, except that a new release date also moves the release's
    undone milestones (``release_date_move``). The pages and the API change a release through
    this, so the timeline never silently stays on the old date. Returns the plan, if any."""
    new_date = fields.get("release_date")
    moving = (
        "release_date" in fields
        and new_date is not None
        and new_date != release.release_date
        and release.milestones.exists()
    )
    if not moving:
        return catalogue.release_update(release=release, **fields), None
    fields.pop("release_date")
    if fields:
        release = catalogue.release_update(release=release, **fields)
    plan = release_date_move(release=release, new_date=new_date)
    release.refresh_from_db()
    return release, plan


# --- Milestones -------------------------------------------------------------------------------

MILESTONE_FIELDS = frozenset(
    {"title", "phase", "due_date", "minimum_days_before", "owner", "advice", "notes"}
)


def _check_owner(release: Release, owner: Any) -> None:
    if owner is None:
        return
    if not Membership.objects.filter(workspace_id=release.workspace_id, user=owner).exists():
        raise ValidationError({"owner": "Choose a member of this workspace."})


def _free_key(release: Release, title: str) -> str:
    base = (slugify(title) or "milestone")[:30]
    taken = set(
        Milestone.objects.filter(release=release, key__startswith=base).values_list(
            "key", flat=True
        )
    )
    key, n = base, 2
    while key in taken or key in timeline.DEFAULT_KEYS:
        key, n = f"{base}-{n}", n + 1
    return key


def milestone_dependencies_check(*, milestone: Milestone, depends_on: Sequence[Milestone]) -> None:
    """Refuse a dependency on itself, on another release's milestone, or one that closes a
    circle (A waits for B, which waits for A)."""
    ids = {d.pk for d in depends_on}
    if milestone.pk is not None and milestone.pk in ids:
        raise ValidationError({"depends_on": f"“{milestone.title}” cannot depend on itself."})
    if any(d.release_id != milestone.release_id for d in depends_on):
        raise ValidationError({"depends_on": "Choose milestones of this release."})
    if milestone.pk is None:
        return  # nothing can depend on a milestone that does not exist yet
    edges: dict[int, set[int]] = {}
    through = Milestone.depends_on.through.objects.filter(
        from_milestone__release=milestone.release_id
    )
    for a, b in through.values_list("from_milestone_id", "to_milestone_id"):
        edges.setdefault(a, set()).add(b)
    edges[milestone.pk] = ids
    cycle = timeline.find_cycle(edges)
    if cycle:
        names = dict(Milestone.objects.filter(pk__in=cycle).values_list("pk", "title"))
        path = " → ".join(f"“{names.get(pk, pk)}”" for pk in cycle)
        raise ValidationError(
            {"depends_on": f"That would make milestones wait on each other in a circle: {path}."}
        )


def _days_before(release: Release, due: dt.date) -> int | None:
    return timeline.days_before_of(release.release_date, due) if release.release_date else None


@transaction.atomic
def milestone_create(
    *,
    release: Release,
    title: str,
    phase: str,
    due_date: dt.date,
    owner: Any = None,
    depends_on: Sequence[Milestone] = (),
    minimum_days_before: int | None = None,
    advice: str = "",
    notes: str = "",
) -> Milestone:
    """A milestone added by hand. It keeps its distance to release day, so moving the release
    date moves it too."""
    _check_owner(release, owner)
    m = Milestone(
        release=release,
        key=_free_key(release, title),
        title=title,
        phase=phase,
        due_date=due_date,
        days_before=_days_before(release, due_date),
        minimum_days_before=minimum_days_before,
        owner=owner,
        advice=advice,
        notes=notes,
    )
    m.full_clean(exclude=["depends_on"])
    milestone_dependencies_check(milestone=m, depends_on=depends_on)
    m.save()
    m.depends_on.set(depends_on)
    return m


@transaction.atomic
def milestone_update(
    *, milestone: Milestone, depends_on: Sequence[Milestone] | None = None, **fields: Any
) -> Milestone:
    """Change a milestone; a new due date becomes its new distance to release day."""
    catalogue._only(fields, MILESTONE_FIELDS)
    m = Milestone.objects.select_for_update().select_related("release").get(pk=milestone.pk)
    if "owner" in fields:
        _check_owner(m.release, fields["owner"])
    for name, value in fields.items():
        setattr(m, name, value)
    if "due_date" in fields and fields["due_date"] is not None:
        m.days_before = _days_before(m.release, m.due_date)
    m.full_clean(exclude=["depends_on"])
    if depends_on is not None:
        milestone_dependencies_check(milestone=m, depends_on=depends_on)
    m.save()
    if depends_on is not None:
        m.depends_on.set(depends_on)
    return m


@transaction.atomic
def milestone_done(*, milestone: Milestone, user: Any) -> Milestone:
    m = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if m.done_at is None:
        m.done_at = timezone.now()
        m.done_by = user if getattr(user, "is_authenticated", False) else None
        m.save(update_fields=["done_at", "done_by"])
    return m


@transaction.atomic
def milestone_undo(*, milestone: Milestone) -> Milestone:
    """Mark a milestone not done again; it takes its place relative to today's release date."""
    m = Milestone.objects.select_for_update().select_related("release").get(pk=milestone.pk)
    m.done_at, m.done_by = None, None
    if m.days_before is not None and m.release.release_date:
        m.due_date = timeline.due_date(m.release.release_date, m.days_before)
    m.save(update_fields=["done_at", "done_by", "due_date"])
    return m


@transaction.atomic
def milestone_delete(*, milestone: Milestone) -> None:
    milestone.delete()


# --- Calendar feeds ---------------------------------------------------------------------------


def calendar_feed_ensure(*, user: Any) -> CalendarFeed:
    """The user's feed, made the first time it is asked for."""
    feed, _ = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def calendar_feed_reset(*, user: Any) -> CalendarFeed:
    """A new secret URL; the old one stops working at once."""
    feed = calendar_feed_ensure(user=user)
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    feed.token = CalendarFeed._meta.get_field("token").get_default()
    feed.full_clean()
    feed.save(update_fields=["token"])
    return feed
