"""The catalogue pages: the release list, a release (tracks, credits, artwork, codes,
editions, album consistency, metadata completeness), the forms to change them, settings.

Thin: services decide, selectors read, forms shape input.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audio import downloads
from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.models import Person, Workspace
from collaborators.permissions import Action

from .. import selectors
from ..access import may_download
from ..ddex_instruments import INSTRUMENTS
from ..forms import (
    ArtworkForm,
    CatalogueSettingsForm,
    CreditForm,
    EditionForm,
    ReleaseForm,
    TrackForm,
)
from ..models import Credit, PhysicalEdition, Release, Track
from ..services import artwork, catalogue, planning
from .common import release_page

PER_PAGE = 50


@functools.cache
def instrument_datalist() -> str:
    """DDEX's instrument names as one <datalist>, built once per process."""
    options = "".join(format_html('<option value="{}">', name) for name in INSTRUMENTS)
    return mark_safe(f'<datalist id="ddex-instruments">{options}</datalist>')


def _ordered(existing: list[int], chosen: list[Person]) -> list[Person]:
    """A multi-select keeps no order: keep the billing order already saved, new ones after."""
    by_id = {p.pk: p for p in chosen}
    kept = [by_id.pop(pk) for pk in existing if pk in by_id]
    return kept + sorted(by_id.values(), key=lambda p: p.name)


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def index(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Release.Status.values:
        status = ""
    search = request.GET.get("q", "").strip()[:100]
    qs = selectors.releases_list(workspace=workspace, status=status, search=search)
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "releases": page.object_list, "status": status, "q": search,
               "statuses": Release.Status.choices}  # fmt: skip
    if request.htmx:
        return render(request, "releases/index.html#release-rows", context)
    return render(request, "releases/index.html", context)


@require_http_methods(["GET", "POST"])
@workspace_page(Action.CONTENT_EDIT)
def release_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    settings_ = catalogue.catalogue_settings_get(workspace=workspace)
    form = ReleaseForm(
        request.POST or None, workspace=workspace,
        initial={"type": "single", "status": "planning", "territory_mode": "worldwide",
                 "label": settings_.default_label},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        fields, artists = form.service_fields()
        try:
            release = catalogue.release_create(
                workspace=workspace, user=request.user, artists=_ordered([], artists), **fields
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{release}” is in your catalogue. Add its tracks next.")
            return redirect("release-detail", workspace.slug, release.pk)
    return render(
        request, "releases/release_form.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@release_page(Action.CONTENT_VIEW)
def release_detail(request: HttpRequest, release: Release) -> HttpResponse:
    viewer = release.viewer
    release = selectors.release_detail(release=release)
    release.viewer = viewer
    tracks = list(release.tracks.all())
    rows = [
        {
            "track": t,
            "duration": selectors.track_length_s(t),
            "artists": selectors.track_artists(t, release),
            "featured": selectors.track_featured(t),
            "version": selectors.track_latest_version(t),
            "locked": bool(t.open_locks),
            "credits": [
                c for c in t.credits.all() if c.role not in ("main_artist", "featured_artist")
            ],
        }
        for t in tracks
    ]
    may_edit = viewer.can(Action.CONTENT_EDIT)
    context: dict[str, Any] = {
        "release": release,
        "rows": rows,
        "viewer": viewer,
        "may_edit": may_edit,
        "may_download": may_download(viewer, release),
        "release_credits": [c for c in release.credits.all() if c.role != Credit.Role.MAIN_ARTIST],
        "artists": [c for c in release.credits.all() if c.role == Credit.Role.MAIN_ARTIST],
        "editions": list(release.editions.all()),
        "total_s": sum(r["duration"] or 0 for r in rows),
    }
    if not viewer.is_guest:
        context["people"] = selectors.release_people(release=release)
        context["may_manage_guests"] = viewer.can(Action.MEMBERS_MANAGE)
        context["consistency"] = selectors.album_consistency(release=release)
        context["completeness"] = selectors.metadata_completeness(release=release)
    if may_edit:
        # Plain loops, not form widgets: rendering 700 instruments and a big address book
        # through Django's widget templates costs more than the rest of the page.
        context["credit_people"] = list(
            Person.objects.filter(workspace=release.workspace).values_list("pk", "name")
        )
        context["credit_roles"] = Credit.Role.choices
        context["instrument_datalist"] = instrument_datalist()
        context["artwork_form"] = ArtworkForm()
        context["edition_form"] = EditionForm(
            initial={"currency": release.workspace.default_currency}
        )
    return render(request, "releases/release_detail.html", context)


@require_http_methods(["GET", "POST"])
@release_page(Action.CONTENT_EDIT)
def release_edit(request: HttpRequest, release: Release) -> HttpResponse:
    workspace = release.workspace
    form = ReleaseForm(
        request.POST or None, workspace=workspace, initial=ReleaseForm.initial_from(release)
    )
    if request.method == "POST" and form.is_valid():
        fields, artists = form.service_fields()
        existing = list(
            release.credits.filter(role="main_artist").order_by("position")
            .values_list("person_id", flat=True)
        )  # fmt: skip
        try:
            with transaction.atomic():
                release, plan = planning.release_update_moving_timeline(release=release, **fields)
                catalogue.release_artists_set(release=release, artists=_ordered(existing, artists))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            if plan is not None:
                messages.info(request, f"{len(plan.moves)} milestones moved with the date.")
                for flag in plan.flags:
                    messages.warning(request, flag.message)
            return redirect("release-detail", workspace.slug, release.pk)
    return render(request, "releases/release_form.html", {"form": form, "release": release},
                  status=400 if form.errors else 200)  # fmt: skip


@require_POST
@release_page(Action.CONTENT_EDIT)
def release_delete(request: HttpRequest, release: Release) -> HttpResponse:
    try:
        catalogue.release_delete(release=release)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("release-detail", release.workspace.slug, release.pk)
    messages.success(request, f"“{release}” is deleted.")
    return redirect("releases-index", release.workspace.slug)


@require_http_methods(["GET", "POST"])
@release_page(Action.CONTENT_EDIT)
def track_create(request: HttpRequest, release: Release) -> HttpResponse:
    form = TrackForm(request.POST or None, initial={"disc": 1})
    if request.method == "POST" and form.is_valid():
        try:
            track = catalogue.track_create(release=release, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            code = f" with ISRC {track.isrc_display}" if track.isrc else ""
            messages.success(request, f"“{track}” added as track {track.position}{code}.")
            return redirect("release-detail", release.workspace.slug, release.pk)
    return render(request, "releases/track_form.html", {"form": form, "release": release},
                  status=400 if form.errors else 200)  # fmt: skip


def _track_of(release: Release, track_id: Any) -> Track:
    try:
        return release.tracks.get(pk=int(track_id))
    except (Track.DoesNotExist, TypeError, ValueError):
        raise Http404("No such track on this release.") from None


@require_http_methods(["GET", "POST"])
@release_page(Action.CONTENT_EDIT)
def track_edit(request: HttpRequest, release: Release, track_id: int) -> HttpResponse:
    track = _track_of(release, track_id)
    form = TrackForm(request.POST or None, initial=TrackForm.initial_from(track))
    if request.method == "POST" and form.is_valid():
        try:
            catalogue.track_update(track=track, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{track.title}” saved.")
            return redirect("release-detail", release.workspace.slug, release.pk)
    context = {"form": form, "release": release, "track": track}
    return render(request, "releases/track_form.html", context, status=400 if form.errors else 200)


@require_POST
@release_page(Action.CONTENT_EDIT)
def track_delete(request: HttpRequest, release: Release, track_id: int) -> HttpResponse:
    track = _track_of(release, track_id)
    try:
        catalogue.track_delete(track=track)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{track}” removed from the release.")
    return redirect("release-detail", release.workspace.slug, release.pk)


@require_POST
@release_page(Action.CONTENT_EDIT)
def credit_add(request: HttpRequest, release: Release) -> HttpResponse:
    """Credit someone on the release, or (with ``track``) on one of its tracks."""
    form = CreditForm(request.POST, workspace=release.workspace)
    target: dict[str, Any] = {"release": release}
    if request.POST.get("track"):
        target = {"track": _track_of(release, request.POST["track"])}
    if form.is_valid():
        try:
            catalogue.credit_add(
                person=form.cleaned_data["person"], role=form.cleaned_data["role"],
                instrument=form.cleaned_data["instrument"], **target,
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Credit added.")
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(f"{_detail_url(release)}#credits")


@require_POST
@release_page(Action.CONTENT_EDIT)
def credit_remove(request: HttpRequest, release: Release, credit_id: int) -> HttpResponse:
    credit = (
        Credit.objects.filter(pk=credit_id, workspace=release.workspace)
        .filter(Q(release=release) | Q(track__release=release))
        .first()
    )
    if credit is None:
        raise Http404("No such credit on this release.")
    catalogue.credit_remove(credit=credit)
    messages.success(request, "Credit removed.")
    return redirect(f"{_detail_url(release)}#credits")


def _detail_url(release: Release) -> str:
    return reverse("release-detail", args=[release.workspace.slug, release.pk])


@require_POST
@release_page(Action.CONTENT_EDIT)
def artwork_upload(request: HttpRequest, release: Release) -> HttpResponse:
    form = ArtworkForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            artwork.release_artwork_set(
                release=release, upload=form.cleaned_data["artwork"], user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "The artwork is saved.")
    else:
        messages.error(request, "Choose an image file to upload.")
    return redirect(f"{_detail_url(release)}#artwork")


@require_GET
@release_page(Action.CONTENT_VIEW)
def artwork_file(request: HttpRequest, release: Release) -> HttpResponse:
    field = release.artwork_thumb if request.GET.get("size") == "thumb" else release.artwork
    if not field:
        raise Http404("No artwork yet.")
    if request.GET.get("download") and may_download(release.viewer, release):
        return downloads.attachment(
            field, f"{release.title} artwork.{field.name.rsplit('.', 1)[-1]}"
        )
    return downloads.ranged_file(request, field, field.name.rsplit("/", 1)[-1])


@require_POST
@release_page(Action.CONTENT_EDIT)
def edition_add(request: HttpRequest, release: Release) -> HttpResponse:
    form = EditionForm(request.POST)
    if form.is_valid():
        try:
            catalogue.edition_create(release=release, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Edition added.")
    else:
        messages.error(
            request, " ".join(f"{k}: {e}" for k, errs in form.errors.items() for e in errs)
        )
    return redirect(f"{_detail_url(release)}#editions")


@require_POST
@release_page(Action.CONTENT_EDIT)
def edition_delete(request: HttpRequest, release: Release, edition_id: int) -> HttpResponse:
    edition = PhysicalEdition.objects.filter(pk=edition_id, release=release).first()
    if edition is None:
        raise Http404("No such edition.")
    catalogue.edition_delete(edition=edition)
    messages.success(request, "Edition removed.")
    return redirect(f"{_detail_url(release)}#editions")


@require_http_methods(["GET", "POST"])
@workspace_page(Action.CONTENT_VIEW)
def catalogue_settings(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    current = catalogue.catalogue_settings_get(workspace=workspace)
    form = CatalogueSettingsForm(
        request.POST or None,
        initial={"isrc_prefix": current.isrc_prefix, "default_label": current.default_label},
    )
    may_edit = workspace.membership.role in ("owner", "manager")
    if request.method == "POST":
        if not may_edit:
            raise Http404("Only owners and managers change catalogue settings.")
        if form.is_valid():
            try:
                catalogue.catalogue_settings_update(workspace=workspace, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "Catalogue settings saved.")
                return redirect("releases-settings", workspace.slug)
    return render(request, "releases/settings.html", {"form": form, "may_edit": may_edit},
                  status=400 if form.errors else 200)  # fmt: skip
