"""The readiness page: every blocker and warning per delivery profile, each with what to do
and a link to where it is done; the side planner of records and tapes.
Members only (a guest gets a 404). Thin: ``releases.readiness`` judges,
``releases.services.physical`` plans."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from collaborators.permissions import Action

from ..models import PhysicalEdition, Release
from ..readiness import readiness_report
from ..readiness.checks.physical import side_limit, suggestion_words
from ..readiness.figures import clock
from ..readiness.profiles import PHYSICAL
from ..services import catalogue, physical
from .common import release_page


def _members_only(release: Release) -> None:
    if release.viewer.is_guest:  # type: ignore[attr-defined]
        raise Http404("No such page.")


def _status(p: Any) -> str:
    return "fail" if p.blockers else "warn" if p.warnings else "pass"


def _sides(report: Any) -> list[dict[str, Any]]:
    """Each record or tape: its limit, its sides with their lengths, every track's side."""
    ctx = report.context
    out = []
    for edition in ctx.editions:
        if edition.format not in (PhysicalEdition.Format.VINYL, PhysicalEdition.Format.CASSETTE):
            continue
        limit = side_limit(edition)
        placed = {p.track_id: p for p in ctx.sides.get(edition.pk, [])}
        totals: dict[str, float] = {}
        rows = []
        for track in ctx.tracks:
            seconds = ctx.duration(track)
            where = placed.get(track.pk)
            if where is not None:
                totals[where.side] = totals.get(where.side, 0.0) + (seconds or 0.0)
            rows.append({"track": track, "seconds": seconds,
                         "side": where.side if where else ""})  # fmt: skip
        sides = [
            {
                "side": side, "length": clock(total),
                "state": "fail" if limit and total > limit.max_s
                else "warn" if limit and total > limit.comfortable_s else "pass",
            }
            for side, total in sorted(totals.items())
        ]  # fmt: skip
        out.append({
            "edition": edition, "limit": limit, "rows": rows, "sides": sides,
            "letters": list(limit.sides) if limit else [],
            "max": clock(limit.max_s) if limit else "",
            "comfortable": clock(limit.comfortable_s) if limit else "",
            "suggestion": suggestion_words(ctx, limit) if limit and ctx.tracks else "",
        })  # fmt: skip
    return out


@require_GET
@release_page(Action.CONTENT_VIEW)
def readiness(request: HttpRequest, release: Release) -> HttpResponse:
    _members_only(release)
    viewer = release.viewer  # type: ignore[attr-defined]
    report = readiness_report(release=release)
    detail = report.release
    detail.viewer = viewer  # type: ignore[attr-defined]
    profiles = [
        {"slug": p.slug, "name": p.name, "status": _status(p), "blockers": p.blockers,
         "warnings": p.warnings, "physical": p.slug in PHYSICAL}
        for p in report.profiles.values()
    ]  # fmt: skip
    context = {
        "release": detail, "viewer": viewer, "report": report, "profiles": profiles,
        "blockers": report.blockers, "warnings": report.warnings,
        "ready_for": [p["name"] for p in profiles if p["status"] != "fail"],
        "sided": _sides(report), "may_edit": viewer.can(Action.CONTENT_EDIT),
        "has_cd": any(e.format == "cd" for e in report.context.editions),
        "vinyl_choices": PhysicalEdition.Vinyl.choices,
    }  # fmt: skip
    return render(request, "releases/readiness.html", context)


def _edition_of(release: Release, edition_id: Any) -> PhysicalEdition:
    edition = PhysicalEdition.objects.filter(release=release, pk=edition_id).first()
    if edition is None:
        raise Http404("No such edition of this release.")
    edition.release = release
    return edition


def _back(release: Release, edition: PhysicalEdition) -> HttpResponse:
    url = reverse("release-readiness", args=[release.workspace.slug, release.pk])
    return redirect(f"{url}#sides-{edition.pk}")


@require_POST
@release_page(Action.CONTENT_EDIT)
def sides_plan(request: HttpRequest, release: Release, edition_id: int) -> HttpResponse:
    """The planner's form: a side (or none) for each track; order within a side is the
    release's track order."""
    edition = _edition_of(release, edition_id)
    plan: dict[str, list[int]] = {}
    for track in release.tracks.order_by("disc", "position"):
        side = request.POST.get(f"side-{track.pk}", "").strip().upper()
        if side:
            plan.setdefault(side, []).append(track.pk)
    try:
        physical.edition_sides_plan(edition=edition, sides=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Sides saved.")
    return _back(release, edition)


@require_POST
@release_page(Action.CONTENT_EDIT)
def sides_format(request: HttpRequest, release: Release, edition_id: int) -> HttpResponse:
    """The record's size and speed, or the tape's length, chosen from the planner."""
    edition = _edition_of(release, edition_id)
    fields: dict[str, Any] = {}
    if edition.format == PhysicalEdition.Format.VINYL:
        fields["vinyl"] = request.POST.get("vinyl", "")
    elif edition.format == PhysicalEdition.Format.CASSETTE:
        raw = request.POST.get("tape_minutes", "").strip()
        if not raw.isdigit():
            messages.error(
                request, "Give the tape's length in minutes, both sides together (C60: 60)."
            )
            return _back(release, edition)
        fields["tape_minutes"] = int(raw)
    else:
        raise Http404("A CD has no sides.")
    try:
        catalogue.edition_update(edition=edition, **fields)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Saved.")
    return _back(release, edition)


@require_POST
@release_page(Action.CONTENT_EDIT)
def sides_suggest(request: HttpRequest, release: Release, edition_id: int) -> HttpResponse:
    edition = _edition_of(release, edition_id)
    try:
        physical.edition_sides_apply_suggestion(edition=edition)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "The tracks are planned onto the sides Liner suggested.")
    return _back(release, edition)
