"""The release's deliveries page: a bundle per store with its progress bar and download, and the
ERN message. Members only (a guest, like a stranger, gets a 404). Thin:
``releases.services.bundles`` decides what can be built.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from audio.services.renders import LABELS
from collaborators.jobs.views import job_json, job_progress
from collaborators.permissions import Action

from ..models import BundleJob, Release
from ..services import bundles
from .common import release_page


def _members_only(release: Release) -> None:
    if release.viewer.is_guest:  # type: ignore[attr-defined]
        raise Http404("No such release in this workspace.")


def _bundle(release: Release, job_id: int) -> BundleJob:
    job = bundles.bundles_list(release=release).filter(pk=job_id).first()
    if job is None:
        raise Http404("No such bundle of this release.")
    return job


def _optional_url(name: str, release: Release) -> str | None:
    """The URL of a page another part of Liner adds (the ERN download, the cue sheet), if it
    is there."""
    try:
        return reverse(name, args=[release.workspace.slug, release.pk])
    except NoReverseMatch:
        return None


@require_GET
@release_page(Action.CONTENT_VIEW)
def deliveries(request: HttpRequest, release: Release) -> HttpResponse:
    _members_only(release)
    viewer = release.viewer  # type: ignore[attr-defined]
    jobs = list(bundles.bundles_list(release=release))
    latest: dict[str, BundleJob] = {}
    for job in jobs:
        latest.setdefault(job.profile, job)
    names = {p.slug: p.name for p, _ in bundles.bundle_profiles()}
    blockers = bundles.bundle_blockers(release=release)
    profiles: list[dict[str, Any]] = []
    for profile, formats in bundles.bundle_profiles():
        missing = bundles.artwork_missing(release=release, profile=profile)
        profiles.append({
            "profile": profile, "formats": [LABELS[f] for f in formats],
            "blocker": missing, "latest": latest.get(profile.slug),
        })  # fmt: skip
    context = {
        "release": release,
        "viewer": viewer,
        "may_edit": viewer.can(Action.CONTENT_EDIT),
        "may_download": viewer.can(Action.CONTENT_DOWNLOAD),
        "profiles": profiles,
        "blockers": blockers,
        "bundles": [{"job": j, "profile_name": names.get(j.profile, j.profile)} for j in jobs],
        "ern_url": _optional_url("release-ddex", release),
        "cue_sheet_url": _optional_url("release-cue", release),
    }
    return render(request, "releases/deliveries.html", context)


@require_POST
@release_page(Action.CONTENT_VIEW)  # a guest gets the 404 of every deliveries page first
def bundle_build(request: HttpRequest, release: Release) -> HttpResponse:
    _members_only(release)
    release.viewer.require(Action.CONTENT_EDIT)  # type: ignore[attr-defined]
    try:
        job = bundles.bundle_request(
            release=release, profile=request.POST.get("profile", ""), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if job.status == BundleJob.Status.DONE:
            messages.success(request, "Nothing changed since this bundle was made: it is ready.")
        else:
            messages.success(request, "The bundle is being built; this page shows its progress.")
    return redirect(reverse("release-deliveries", args=[release.workspace.slug, release.pk]))


@require_GET
@release_page(Action.CONTENT_VIEW)
def bundle_job(request: HttpRequest, release: Release, job_id: int) -> HttpResponse:
    """A bundle's progress: the bar (``jobs/_progress.html``), or JSON for a script."""
    _members_only(release)
    job = _bundle(release, job_id)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(job_json(job))
    poll_url = reverse("release-bundle-job", args=[release.workspace.slug, release.pk, job.pk])
    return job_progress(request, job, poll_url=poll_url)


@require_GET
@release_page(Action.CONTENT_DOWNLOAD)
def bundle_download(request: HttpRequest, release: Release, job_id: int) -> HttpResponse:
    _members_only(release)
    job = _bundle(release, job_id)
    if job.status != BundleJob.Status.DONE or not job.output:
        raise Http404("This bundle is not built yet.")
    name = job.output.name.rsplit("/", 1)[-1]
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=name)
