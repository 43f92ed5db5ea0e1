"""The track page: mix versions, the player with A/B between two versions, timestamped
comments, approvers and sign-off, the master lock; and the files of each version (streamed,
peaks, download, analysis progress) through releases URLs, so guests never need audio pages.

Thin: ``releases.services.review`` decides; what is here finds the rows (inside the track the
caller may see: anything else is a 404) and shapes them for the template.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.fields.json import KeyTextTransform
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audio import downloads
from audio.models import AudioFile, Job
from audio.services.uploads import size_words
from collaborators.jobs.views import job_progress
from collaborators.models import Membership
from collaborators.permissions import Action

from .. import registry
from ..access import access_track, may_download
from ..codes import isrc_format
from ..models import Comment, CreditRole, MixVersion, ReleaseGuest, Track
from ..services import review
from .common import as_page_context


def track_page(
    action: Action = Action.CONTENT_VIEW,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Resolve the track for a member or a guest on its release and pass it (with ``.viewer``)
    to the view. A track of another release or workspace, or of a release the guest is not
    on, is a 404; a role that may not do ``action``, a 403 page."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(
            request: HttpRequest, workspace_slug: str, release_id: int, track_id: int,
            *args: Any, **kwargs: Any,
        ) -> HttpResponse:  # fmt: skip
            track = access_track(
                user=request.user, workspace_slug=workspace_slug, track_id=track_id,
                action=action,
            )  # fmt: skip
            if track.release_id != release_id:
                raise Http404("No such track on this release.")
            as_page_context(request, track.viewer, track.release)
            return view(request, track, *args, **kwargs)

        return wrapper

    return decorate


def _url(name: str, track: Track, *extra: Any) -> str:
    return reverse(name, args=[track.workspace.slug, track.release_id, track.pk, *extra])


def page_url(track: Track, number: Any = None, anchor: str = "") -> str:
    """The track page (showing version ``number``, if given) at ``anchor``."""
    url = _url("track-detail", track)
    if as_int(number):
        url += f"?v={as_int(number)}"
    return url + (f"#{anchor}" if anchor else "")


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def version_of(track: Track, version_id: Any) -> MixVersion:
    found = (
        MixVersion.objects.select_related("audio_file")
        .filter(track=track, pk=as_int(version_id))
        .first()
    )
    if found is None:
        raise Http404("No such version of this track.")
    return found


def comment_of(track: Track, comment_id: Any) -> Comment:
    found = (
        Comment.objects.select_related("track__release")
        .filter(track=track, pk=as_int(comment_id))
        .first()
    )
    if found is None:
        raise Http404("No such comment on this track.")
    return found


_TIME = re.compile(r"^(?:(\d+):)?(?:(\d+):)?(\d+(?:[.,]\d+)?)$")


def parse_time(text: str) -> float | None:
    """Seconds from "83", "1:23", "1:23.4" or "1:02:03"; None if it is none of these."""
    match = _TIME.match((text or "").strip())
    if not match:
        return None
    first, second, secs = match.groups()
    seconds = float(secs.replace(",", "."))
    if first is not None and seconds >= 60:
        return None
    if second is None:
        return int(first or 0) * 60 + seconds
    if int(second) >= 60:
        return None
    return int(first) * 3600 + int(second) * 60 + seconds


def error_lists(exc: ValidationError, default: str = "form") -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: list(v) for k, v in exc.message_dict.items()}
    return {default: list(exc.messages)}


def _num(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- The page ---------------------------------------------------------------------------------


def _versions(track: Track) -> list[MixVersion]:
    """Every version with its uploader and the two QC numbers, without the large JSON."""
    return list(
        MixVersion.objects.filter(track=track)
        .select_related("audio_file", "uploaded_by")
        .defer("audio_file__analysis", "audio_file__peaks")
        .annotate(
            lufs=KeyTextTransform("integrated_lufs", "audio_file__analysis"),
            true_peak=KeyTextTransform("true_peak_dbtp", "audio_file__analysis"),
            analysed=ExpressionWrapper(
                Q(audio_file__analysis__isnull=False), output_field=BooleanField()
            ),
        )
        .order_by("number")
    )


def _threads(track: Track, versions: dict[int, MixVersion]) -> list[Comment]:
    """Every thread of the track (first comments, each with ``.thread_replies``), in order."""
    rows = list(
        Comment.objects.filter(track=track)
        .select_related("author", "resolved_by")
        .order_by("created_at", "id")
    )
    roots = {c.pk: c for c in rows if c.parent_id is None}
    for root in roots.values():
        root.thread_replies = []  # type: ignore[attr-defined]
        root.on = versions.get(root.version_id)  # type: ignore[attr-defined]
        root.clock = review.clock(root.at_s or 0)  # type: ignore[attr-defined]
    for c in rows:
        if c.parent_id in roots:
            roots[c.parent_id].thread_replies.append(c)  # type: ignore[attr-defined]
    return sorted(roots.values(), key=lambda c: (c.at_s or 0, c.created_at, c.pk))


def _pick(versions: list[MixVersion], value: Any) -> MixVersion | None:
    number = as_int(value)
    return next((v for v in versions if v.number == number), None)


def _lock_covers(lock: Any) -> dict[str, Any] | None:
    if lock is None:
        return None
    covered = lock.covered or {}
    labels = {p.name: p.label for p in registry.lock_parts()}
    credits = []
    for row in covered.get("credits") or []:
        role = row.get("role", "")
        credits.append({
            **row,
            "role_label": CreditRole(role).label if role in CreditRole.values else role,
        })  # fmt: skip
    return {
        "sha256": (covered.get("audio") or {}).get("sha256", lock.sha256),
        "isrc": isrc_format(covered.get("isrc") or ""),
        "credits": credits,
        "parts": [labels.get(name, name) for name in sorted(covered.get("parts") or {})],
    }


def _approver_choices(track: Track, state: review.ReviewState) -> list[dict[str, Any]]:
    """Members of the workspace and guests on the release, for the "add an approver" form."""
    release_wide = {a.user.pk for a in state.approvers if a.release_wide}
    people: dict[int, dict[str, Any]] = {}
    for m in Membership.objects.filter(workspace_id=track.workspace_id).select_related("user"):
        people[m.user_id] = {"user": m.user, "what": m.get_role_display()}
    for g in ReleaseGuest.objects.filter(release_id=track.release_id).select_related("user"):
        people.setdefault(g.user_id, {"user": g.user, "what": "Guest"})
    return sorted(
        (p for uid, p in people.items() if uid not in release_wide),
        key=lambda p: str(p["user"]).lower(),
    )


def _context(
    request: HttpRequest,
    track: Track,
    *,
    errors: dict[str, dict[str, list[str]]] | None = None,
    values: dict[str, Any] | None = None,
    selected_number: Any = None,
) -> dict[str, Any]:
    viewer = track.viewer  # type: ignore[attr-defined]
    release = track.release
    versions = _versions(track)
    by_id = {v.pk: v for v in versions}
    latest = versions[-1] if versions else None
    selected = _pick(versions, selected_number or request.GET.get("v")) or latest
    compare = _pick(versions, request.GET.get("compare"))
    if selected is not None and (compare is None or compare.pk == selected.pk):
        earlier = [v for v in versions if v.number < selected.number]
        compare = (
            earlier[-1] if earlier else next((v for v in reversed(versions) if v != selected), None)
        )
    shown = [v for v in (selected, compare) if v is not None]
    peaks = dict(
        AudioFile.objects.filter(pk__in=[v.audio_file_id for v in shown]).values_list("pk", "peaks")
    )
    jobs: dict[int, Job] = {}
    for job in (
        Job.objects.filter(
            audio_file_id__in=[v.audio_file_id for v in versions], kind=Job.Kind.ANALYZE
        )
        .defer("result")
        .order_by("-created_at", "-id")
    ):
        jobs.setdefault(job.audio_file_id, job)
    for v in versions:
        v.lufs_value, v.true_peak_value = _num(v.lufs), _num(v.true_peak)
        v.analysis_job = jobs.get(v.audio_file_id)
        v.duration = review.clock(v.audio_file.duration_s)
        v.job_url = _url("track-version-job", track, v.pk)
    threads = _threads(track, by_id)
    here = [t for t in threads if selected is not None and t.version_id == selected.pk]
    duration = selected.audio_file.duration_s if selected else 0
    for t in here:
        t.left = round(min(100.0, 100.0 * (t.at_s or 0) / duration), 2) if duration else 0
    elsewhere = [t for t in threads if t not in here and t.resolved_at is None]
    state = review.track_review_state(track)
    mine = state.approver_state(request.user)
    may_edit = viewer.can(Action.CONTENT_EDIT)
    ab = None
    if selected is not None and compare is not None:
        gain = None
        if selected.lufs_value is not None and compare.lufs_value is not None:
            gain = round(compare.lufs_value - selected.lufs_value, 2)
        ab = {"a": selected, "b": compare, "gain_db": gain or 0, "matched": gain is not None,
              "peaks": peaks.get(compare.audio_file_id)}  # fmt: skip
    return {
        "track": track,
        "release": release,
        "slug": track.workspace.slug,
        "viewer": viewer,
        "is_member": not viewer.is_guest,
        "versions": versions,
        "latest": latest,
        "selected": selected,
        "compare": compare,
        "ab": ab,
        "peaks": peaks.get(selected.audio_file_id) if selected else None,
        "threads_here": here,
        "threads_elsewhere": elsewhere,
        "open_count": sum(1 for t in threads if t.resolved_at is None),
        "state": state,
        "mine": mine,
        "covers": _lock_covers(state.lock),
        "ended_lock": state.ended_lock,
        "may_edit": may_edit,
        "may_comment": viewer.can(Action.REVIEW_COMMENT),
        "may_upload": review.version_upload_allowed(user=request.user, track=track),
        "may_download": may_download(viewer, release),
        "may_decide": mine is not None and latest is not None and state.lock is None,
        "approver_choices": _approver_choices(track, state) if may_edit else [],
        "isrc": isrc_format(track.isrc),
        "errors": errors or {},
        "values": values or {},
        "max_upload": size_words(settings.AUDIO_MAX_UPLOAD_BYTES),
    }


def render_page(
    request: HttpRequest, track: Track, status: int = 200, **kwargs: Any
) -> HttpResponse:
    return render(request, "releases/track.html", _context(request, track, **kwargs), status=status)


@require_GET
@track_page()
def track_detail(request: HttpRequest, track: Track) -> HttpResponse:
    return render_page(request, track)


# --- A version's files ------------------------------------------------------------------------


def _file_name(track: Track, version: MixVersion) -> str:
    ext = os.path.splitext(version.audio_file.original_name)[1] or ".wav"
    name = f"{track.title} - {version.label}"
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '/\\:*?"<>|')
    return (name.strip(" .") or "mix") + ext


@require_GET
@track_page()
def version_stream(request: HttpRequest, track: Track, version_id: int) -> HttpResponse:
    version = version_of(track, version_id)
    return downloads.ranged_file(request, version.audio_file.file, _file_name(track, version))


@require_GET
@track_page()
def version_download(request: HttpRequest, track: Track, version_id: int) -> HttpResponse:
    if not may_download(track.viewer, track.release):  # type: ignore[attr-defined]
        raise PermissionDenied("Downloads of this release's mixes are not switched on for guests.")
    version = version_of(track, version_id)
    return downloads.attachment(version.audio_file.file, _file_name(track, version))


@require_GET
@track_page()
def version_peaks(request: HttpRequest, track: Track, version_id: int) -> HttpResponse:
    version = version_of(track, version_id)
    peaks = AudioFile.objects.filter(pk=version.audio_file_id).values_list("peaks", flat=True)
    if not peaks or not peaks[0]:
        raise Http404("No waveform yet.")
    return JsonResponse(peaks[0])


@require_GET
@track_page()
def version_job(request: HttpRequest, track: Track, version_id: int) -> HttpResponse:
    """The progress bar of the version's analysis, for its poll (``jobs/_progress.html``)."""
    version = version_of(track, version_id)
    job = (
        Job.objects.filter(audio_file_id=version.audio_file_id, kind=Job.Kind.ANALYZE)
        .order_by("-created_at", "-id")
        .first()
    )
    if job is None:
        raise Http404("No analysis for this version.")
    return job_progress(request, job, poll_url=_url("track-version-job", track, version.pk))
