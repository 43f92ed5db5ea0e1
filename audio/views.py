"""The audio pages: upload, the report, mastering, renders, and the files behind them.

Thin: the services decide and the selectors read; what is here shapes their answers for the
templates (units, plain words, which findings belong to the file rather than a store).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig, TooManyFilesSent, ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.jobs.views import job_json, job_progress
from collaborators.models import Workspace
from collaborators.permissions import Action, can

from . import charts, downloads, presenters, selectors
from .forms import MasterForm, RenderForm
from .models import AudioFile, Job
from .services import mastering, renders, uploads

PER_PAGE = 50
# Multipart framing around a file: a body a little over the limit still holds a file under it.
UPLOAD_OVERHEAD = 1 << 20


def _may_edit(workspace: Workspace) -> bool:
    return can(workspace.membership.role, Action.CONTENT_EDIT)


# --- Words and numbers ------------------------------------------------------------------------


# --- Index ------------------------------------------------------------------------------------


def _index_context(request: HttpRequest, workspace: Workspace) -> dict[str, Any]:
    search = request.GET.get("q", "").strip()[:100]
    paginator = Paginator(selectors.audio_files_list(workspace=workspace, search=search), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    return {
        "rows": [presenters.row(f) for f in page.object_list],
        "page": page,
        "search": search,
        "may_edit": _may_edit(workspace),
        "max_upload": uploads.size_words(settings.AUDIO_MAX_UPLOAD_BYTES),
        "max_upload_bytes": settings.AUDIO_MAX_UPLOAD_BYTES,
    }


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def index(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return render(request, "audio/index.html", _index_context(request, workspace))


# --- Upload -----------------------------------------------------------------------------------


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@csrf_exempt  # checked by _upload, once the body is known not to be too large to read
@require_POST
def upload(request: HttpRequest, workspace_slug: str) -> HttpResponse:
    """One or several files: JSON (one result per file) to the page's script, or a redirect
    with messages to a plain form. A body over the limit is refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.AUDIO_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD:
        return _upload_too_large(request, workspace_slug, length=length)
    return _upload(request, workspace_slug)


@workspace_page(Action.CONTENT_EDIT)
def _upload_too_large(request: HttpRequest, workspace: Workspace, *, length: int) -> HttpResponse:
    limit = uploads.size_words(settings.AUDIO_MAX_UPLOAD_BYTES)
    text = (
        f"That upload is {uploads.size_words(length)}, over the limit of {limit} per file. "
        "Nothing was stored. Several files at once? Send them in smaller groups (or drop them "
        "on the page, which sends each on its own). One big file? A 24-bit WAV or a FLAC is "
        "plenty; a 32-bit float or 192 kHz export is much larger."
    )
    if _wants_json(request):
        return JsonResponse({"results": [{"ok": False, "name": "", "error": text}]}, status=413)
    context = _index_context(request, workspace)
    context["upload_errors"] = [text]
    return render(request, "audio/index.html", context, status=413)


@csrf_protect
@workspace_page(Action.CONTENT_EDIT)
def _upload(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    try:
        files = request.FILES.getlist("files")
    except (TooManyFilesSent, RequestDataTooBig):
        files, problem = [], "Send at most 100 files at a time."
    except MultiPartParserError:
        files, problem = [], "The upload could not be read; try again."
    else:
        problem = "Choose one or more audio files to upload."
    results = [_upload_one(request, workspace, item) for item in files]
    if not results:
        results.append({"ok": False, "name": "", "error": problem})
    if _wants_json(request):
        status = 200 if any(r["ok"] for r in results) else 400
        return JsonResponse({"results": results}, status=status)
    for r in results:
        if not r["ok"]:
            messages.error(request, r["error"])
        elif r["created"]:
            messages.success(request, f"“{r['name']}” is uploaded; its analysis has started.")
        else:
            messages.info(
                request, format_html("“{}” is already here: <a href=\"{}\">open it</a>.",
                                     r["name"], r["url"]),
            )  # fmt: skip
    return redirect("audio-index", workspace.slug)


def _upload_one(request: HttpRequest, workspace: Workspace, item: Any) -> dict[str, Any]:
    try:
        audio, created = uploads.audio_upload(workspace=workspace, upload=item, user=request.user)
    except ValidationError as exc:
        return {"ok": False, "name": item.name, "error": " ".join(exc.messages)}
    url = reverse("audio-file", args=[workspace.slug, audio.pk])
    result: dict[str, Any] = {
        "ok": True, "name": item.name, "created": created, "id": audio.pk, "url": url,
        "message": "Uploaded; the analysis has started." if created
        else f"Already here, as “{audio.original_name}”.",
    }  # fmt: skip
    if _wants_json(request):
        # An inline worker (tests, or a fast one) may have analysed it already.
        audio.refresh_from_db(fields=["analysis"])
        result["row"] = render_to_string(
            "audio/index.html#row", {"row": presenters.row(audio)}, request=request
        )
    return result


# --- The file page ----------------------------------------------------------------------------


def _file_context(
    request: HttpRequest,
    workspace: Workspace,
    audio: AudioFile,
    *,
    master_form: MasterForm | None = None,
    render_form: RenderForm | None = None,
) -> dict[str, Any]:
    jobs = list(selectors.jobs_list(workspace=workspace, audio_file=audio))
    analysis_job = next((j for j in jobs if j.kind == Job.Kind.ANALYZE), None)
    masters = [j for j in jobs if j.kind == Job.Kind.MASTER]
    by_id = {m.pk: m for m in masters}
    done_masters = [j for j in masters if j.status == Job.Status.DONE]
    report = selectors.audio_file_report(audio_file=audio)
    rows, common = presenters.destination_rows(report) if report else ([], [])
    figure = charts.loudness_figure(audio.analysis) if report else None
    if render_form is None:
        initial = {}
        if request.GET.get("from") in {str(j.pk) for j in done_masters}:
            initial["source"] = request.GET["from"]
        render_form = RenderForm(
            masters=done_masters, audio_file=audio, initial=initial
        )  # fmt: skip
    return {
        "audio": audio,
        "format": presenters.format_words(audio),
        "duration": presenters.duration_words(audio.duration_s),
        "report": report,
        "measurements": presenters.measurements(report) if report else [],
        "destinations": rows,
        "common_findings": common,
        "codec": presenters.codec_section(report) if report else None,
        "analysis_job": analysis_job,
        "outdated": presenters.outdated(report, analysis_job),
        "masters": [presenters.master_item(j, audio) for j in masters],
        "renders": [presenters.render_item(j, by_id) for j in jobs if j.kind == Job.Kind.RENDER],
        "master_form": master_form or MasterForm(audio_file=audio),
        "render_form": render_form,
        "may_edit": _may_edit(workspace),
        "loudness_figure": json.loads(figure) if figure else None,
        "peaks": audio.peaks,
    }


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def detail(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    return render(request, "audio/file.html", _file_context(request, workspace, audio))


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def analyze_again(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    uploads.analysis_request(audio_file=audio, user=request.user)
    messages.success(request, "The analysis has started again.")
    return redirect("audio-file", workspace.slug, audio.pk)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def master(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    form = MasterForm(request.POST, audio_file=audio)
    if form.is_valid():
        try:
            job = mastering.master_request(audio_file=audio, user=request.user, **form.settings())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            if job.status == Job.Status.DONE:
                messages.info(request, "A master with these settings exists already; here it is.")
            else:
                messages.success(request, "Mastering has started; this page follows its progress.")
            url = reverse("audio-file", args=[workspace.slug, audio.pk])
            return redirect(f"{url}#master-{job.pk}")
    context = _file_context(request, workspace, audio, master_form=form)
    return render(request, "audio/file.html", context, status=400)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def render_file(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    masters = list(
        selectors.jobs_list(
            workspace=workspace, audio_file=audio, kind=Job.Kind.MASTER, status=Job.Status.DONE
        )
    )
    form = RenderForm(request.POST, request.FILES, masters=masters, audio_file=audio)
    if form.is_valid():
        try:
            job = renders.render_request(
                audio_file=audio, fmt=form.cleaned_data["format"], master_job=form.master_job(),
                tags=form.tags(), artwork=form.artwork_bytes, user=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "master" in exc.error_dict:
                exc = ValidationError({"source": exc.error_dict.pop("master"), **exc.error_dict})
            apply_errors(form, exc)
        else:
            messages.success(request, "The render has started.")
            url = reverse("audio-file", args=[workspace.slug, audio.pk])
            return redirect(f"{url}#render-{job.pk}")
    context = _file_context(request, workspace, audio, render_form=form)
    return render(request, "audio/file.html", context, status=400)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def delete(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    name = audio.original_name
    try:
        uploads.audio_file_delete(audio_file=audio)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("audio-file", workspace.slug, audio.pk)
    messages.success(request, f"“{name}” and everything made from it are deleted.")
    return redirect("audio-index", workspace.slug)


# --- Job progress -----------------------------------------------------------------------------


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def job_status(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    """The one progress endpoint every page polls.

    ``?as=`` picks what comes back, so the piece of page that polls is replaced whole: ``bar``
    (the progress bar alone; default), ``row`` (the file's line in the list), ``master`` (a
    master's section) or ``render`` (a render's line). With ``Accept: application/json``, the
    job's state as JSON. The bar asks the page to reload when the job it watched has ended.
    """
    job = selectors.job_get(workspace=workspace, job_id=pk)
    if _wants_json(request):
        return JsonResponse(job_json(job))
    shape = request.GET.get("as", "bar")
    context: dict[str, Any] = {"may_edit": _may_edit(workspace)}
    if shape == "row" and job.kind == Job.Kind.ANALYZE:
        context["row"] = presenters.row(job.audio_file)
        return render(request, "audio/index.html#row", context)
    if shape == "master" and job.kind == Job.Kind.MASTER:
        context["m"] = presenters.master_item(job, job.audio_file)
        context["audio"] = job.audio_file
        return render(request, "audio/file.html#master", context)
    if shape == "render" and job.kind == Job.Kind.RENDER:
        masters = {}
        if (job.params or {}).get("master"):
            masters = {m.pk: m for m in selectors.jobs_list(
                workspace=workspace, audio_file=job.audio_file, kind=Job.Kind.MASTER)}  # fmt: skip
        context["r"] = presenters.render_item(job, masters)
        context["audio"] = job.audio_file
        return render(request, "audio/file.html#render-row", context)
    poll_url = reverse("audio-job", args=[workspace.slug, job.pk])
    return job_progress(request, job, poll_url=poll_url, context=context)


# --- Files ------------------------------------------------------------------------------------


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def stream(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    """The original upload, for the player (ranges) or, with ``?download=1``, to keep."""
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    if request.GET.get("download"):
        return downloads.attachment(audio.file, audio.original_name)
    return downloads.ranged_file(request, audio.file, audio.original_name)


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def job_stream(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    job = _finished_output(workspace, pk)
    return downloads.ranged_file(request, job.output, downloads.output_name(job))


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def job_download(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    job = _finished_output(workspace, pk)
    return downloads.attachment(job.output, downloads.output_name(job))


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def peaks(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    if not audio.peaks:
        raise Http404("No waveform yet.")
    return JsonResponse(audio.peaks)


def _finished_output(workspace: Workspace, pk: int) -> Job:
    job = selectors.job_get(workspace=workspace, job_id=pk)
    if job.kind == Job.Kind.ANALYZE or job.status != Job.Status.DONE or not job.output:
        raise Http404("This job has no file yet.")
    return job
