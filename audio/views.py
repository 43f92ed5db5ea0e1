"""The audio pages: upload, the report, mastering, renders, and the files behind them."""

from __future__ import annotations

import json
import mimetypes
import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models.fields.files import FieldFile
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.models import Workspace
from collaborators.permissions import Action, can

from . import charts, selectors
from .forms import MasterForm, RenderForm
from .models import AudioFile, Job
from .services import mastering, renders, uploads

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
STREAM_CHUNK = 256 * 1024


def _may_edit(workspace: Workspace) -> bool:
    return can(workspace.membership.role, Action.CONTENT_EDIT)


@workspace_page(Action.CONTENT_VIEW)
def index(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    files = list(selectors.audio_files_list(workspace=workspace, search=search)[:200])
    rows = [{"file": f, "analysis": selectors.latest_job(f, Job.Kind.ANALYZE),
             "summary": charts.verdict_summary(f.analysis)} for f in files]  # fmt: skip
    return render(request, "audio/index.html", {
        "rows": rows, "search": search, "may_edit": _may_edit(workspace),
        "max_upload": uploads.size_words(settings.AUDIO_MAX_UPLOAD_BYTES),
    })  # fmt: skip


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def upload(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """One or several files. Answers JSON to the page's script, a redirect to a plain form."""
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > settings.AUDIO_MAX_UPLOAD_BYTES + (1 << 20):
        limit = uploads.size_words(settings.AUDIO_MAX_UPLOAD_BYTES)
        text = f"That upload is over the limit of {limit}."
        if wants_json:
            return JsonResponse({"results": [{"ok": False, "error": text}]}, status=413)
        messages.error(request, text)
        return redirect("audio-index", workspace.slug)
    results = []
    for item in request.FILES.getlist("files"):
        try:
            audio, created = uploads.audio_upload(
                workspace=workspace, upload=item, user=request.user
            )
        except ValidationError as exc:
            results.append({"ok": False, "name": item.name, "error": " ".join(exc.messages)})
            continue
        results.append({
            "ok": True, "name": item.name, "created": created, "id": audio.pk,
            "url": reverse("audio-file", args=[workspace.slug, audio.pk]),
        })  # fmt: skip
    if not results:
        results.append({"ok": False, "error": "Choose one or more audio files to upload."})
    if wants_json:
        return JsonResponse(
            {"results": results}, status=200 if any(r["ok"] for r in results) else 400
        )
    for r in results:
        if not r["ok"]:
            messages.error(request, r["error"])
        elif r["created"]:
            messages.success(request, f"“{r['name']}” is uploaded; its analysis has started.")
        else:
            messages.info(request, f"“{r['name']}” is already here.")
    return redirect("audio-index", workspace.slug)


@workspace_page(Action.CONTENT_VIEW)
def detail(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    return render(request, "audio/file.html", _detail_context(request, workspace, audio))


def _detail_context(request: HttpRequest, workspace: Workspace, audio: AudioFile,
                    master_form: MasterForm | None = None,
                    render_form: RenderForm | None = None) -> dict[str, Any]:  # fmt: skip
    jobs = list(selectors.jobs_list(workspace=workspace, audio_file=audio))
    analysis_job = next((j for j in jobs if j.kind == Job.Kind.ANALYZE), None)
    masters = [j for j in jobs if j.kind == Job.Kind.MASTER]
    done_masters = [j for j in masters if j.status == Job.Status.DONE]
    report = selectors.audio_file_report(audio_file=audio)
    return {
        "audio": audio,
        "report": report,
        "analysis_job": analysis_job,
        "masters": [charts.master_view(j, audio.analysis) for j in masters],
        "renders": [j for j in jobs if j.kind == Job.Kind.RENDER],
        "master_form": master_form or MasterForm(audio_file=audio),
        "render_form": render_form or RenderForm(masters=done_masters),
        "may_edit": _may_edit(workspace),
        "loudness_figure": charts.loudness_figure(audio.analysis) if report else None,
        "peaks": audio.peaks,
        "labels": renders.LABELS,
    }


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def analyze_again(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    uploads.analysis_request(audio_file=audio, user=request.user)
    return redirect("audio-file", workspace.slug, audio.pk)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def master(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    form = MasterForm(request.POST, audio_file=audio)
    if form.is_valid():
        try:
            mastering.master_request(audio_file=audio, user=request.user, **form.settings())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Mastering has started; this page follows its progress.")
            return redirect(reverse("audio-file", args=[workspace.slug, audio.pk]) + "#masters")
    context = _detail_context(request, workspace, audio, master_form=form)
    return render(request, "audio/file.html", context, status=400)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def render_file(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    masters = list(selectors.jobs_list(workspace=workspace, audio_file=audio,
                                       kind=Job.Kind.MASTER, status=Job.Status.DONE))  # fmt: skip
    form = RenderForm(request.POST, request.FILES, masters=masters)
    if form.is_valid():
        source = form.cleaned_data["source"]
        master_job = next((j for j in masters if str(j.pk) == source), None)
        artwork = form.cleaned_data["artwork"]
        if artwork is not None and artwork.size > renders.ARTWORK_MAX_BYTES:
            form.add_error("artwork", "The artwork is over 10 MB.")
        else:
            try:
                renders.render_request(
                    audio_file=audio, fmt=form.cleaned_data["format"], master_job=master_job,
                    tags=form.tags(), artwork=artwork.read() if artwork else None,
                    user=request.user,
                )  # fmt: skip
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "The render has started.")
                return redirect(reverse("audio-file", args=[workspace.slug, audio.pk]) + "#renders")
    context = _detail_context(request, workspace, audio, render_form=form)
    return render(request, "audio/file.html", context, status=400)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def delete(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    name = audio.original_name
    uploads.audio_file_delete(audio_file=audio)
    messages.success(request, f"“{name}” and everything made from it are deleted.")
    return redirect("audio-index", workspace.slug)


@workspace_page(Action.CONTENT_VIEW)
def job_status(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    """The progress fragment pages poll; when the job ends it asks the page to reload."""
    job = selectors.job_get(workspace=workspace, job_id=pk)
    response = render(request, "audio/_job.html", {"job": job, "poll": True})
    if job.status in (Job.Status.DONE, Job.Status.FAILED) and request.GET.get("was") in (
        Job.Status.QUEUED,
        Job.Status.RUNNING,
    ):
        response["HX-Refresh"] = "true"
    return response


@workspace_page(Action.CONTENT_VIEW)
def stream(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    return ranged_file(request, audio.file, audio.original_name)


@workspace_page(Action.CONTENT_VIEW)
def job_stream(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    job = _finished_output(workspace, pk)
    return ranged_file(request, job.output, job.output.name.rsplit("/", 1)[-1])


@workspace_page(Action.CONTENT_VIEW)
def job_download(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    job = _finished_output(workspace, pk)
    name = job.output.name.rsplit("/", 1)[-1]
    return FileResponse(job.output.open("rb"), as_attachment=True, filename=name)


@workspace_page(Action.CONTENT_VIEW)
def peaks(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    audio = selectors.audio_file_get(workspace=workspace, audio_file_id=pk)
    if not audio.peaks:
        raise Http404("No waveform yet.")
    return HttpResponse(json.dumps(audio.peaks), content_type="application/json")


def _finished_output(workspace: Workspace, pk: int) -> Job:
    job = selectors.job_get(workspace=workspace, job_id=pk)
    if job.status != Job.Status.DONE or not job.output:
        raise Http404("This job has no file yet.")
    return job


def ranged_file(request: HttpRequest, field: FieldFile, name: str) -> HttpResponse:
    """The file, honouring a single HTTP Range (players seek with it): 206 with the part
    asked for, 416 for a range outside the file, 200 with all of it otherwise."""
    size = field.size
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    match = RANGE_RE.match(request.headers.get("Range", "").strip())
    if not match or (not match.group(1) and not match.group(2)):
        response = FileResponse(field.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    else:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    handle = field.open("rb")
    handle.seek(start)

    def chunks():
        remaining = end - start + 1
        try:
            while remaining > 0:
                data = handle.read(min(STREAM_CHUNK, remaining))
                if not data:
                    return
                remaining -= len(data)
                yield data
        finally:
            handle.close()

    response = StreamingHttpResponse(chunks(), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response
