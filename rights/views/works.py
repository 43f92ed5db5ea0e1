"""Rights pages: works (songs), their parties and recordings, split versions and the split sheet.

Members read who owns what share (no money here: content view); works change with content
edit; splits change, and reminders go out, with finance edit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collaborators.csv_export import csv_bytes
from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.models import Person, Workspace
from collaborators.permissions import Action
from releases.models import Track

from ..codes import iswc_format
from ..models import RecoupOrder, Share, SplitKind, SplitSheetVersion, Work, WorkParty
from ..selectors import works as sel
from ..services import sheets, splits
from ..services import works as svc

SHARE_ROWS = 8  # rows offered on the split form; more with its "Add a row" button


class WorkForm(forms.Form):
    title = forms.CharField(max_length=200)
    alternative_titles = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="One per line."
    )
    iswc = forms.CharField(
        required=False, max_length=20, label="ISWC", help_text="Like T-034.524.680-1."
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["alternative_titles"] = [
            t.strip() for t in data["alternative_titles"].splitlines() if t.strip()
        ]
        return data


def _work(workspace: Workspace, work_id: int) -> Work:
    # Fetched within the workspace: another workspace's work is a 404.
    return get_object_or_404(Work, pk=work_id, workspace=workspace)


def _party_of(workspace: Workspace, user: Any) -> Person | None:
    return Person.objects.filter(workspace=workspace, user=user).first()


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def work_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    search = request.GET.get("q", "")
    works = list(sel.works_list(workspace=workspace, search=search))
    states = sel.sheet_states(works=works)
    rows = [{"work": w, "state": states.get(w.pk)} for w in works]
    return render(request, "rights/works/list.html", {"rows": rows, "q": search})


@require_http_methods(["GET", "POST"])
@workspace_page(Action.CONTENT_EDIT)
def work_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return _work_save(request, workspace, None)


@require_http_methods(["GET", "POST"])
@workspace_page(Action.CONTENT_EDIT)
def work_edit(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    return _work_save(request, workspace, _work(workspace, work_id))


def _work_save(request: HttpRequest, workspace: Workspace, work: Work | None) -> HttpResponse:
    initial = (
        {"title": work.title, "alternative_titles": "\n".join(work.alternative_titles),
         "iswc": iswc_format(work.iswc) if work.iswc else "", "notes": work.notes}
        if work else {}
    )  # fmt: skip
    form = WorkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if work is None:
                work = svc.work_create(workspace=workspace, user=request.user, **form.values())
            else:
                work = svc.work_update(work=work, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{work.title}” saved.")
            return redirect("rights-work-detail", workspace.slug, work.pk)
    return render(
        request, "rights/works/form.html", {"form": form, "work": work},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def work_delete(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    try:
        svc.work_delete(work=work)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
        return redirect("rights-work-detail", workspace.slug, work.pk)
    messages.success(request, f"“{work.title}” deleted.")
    return redirect("rights-works", workspace.slug)


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def work_detail(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    version = sheets.current_version(work=work)
    state = sheets.sheet_state(version=version)
    me = _party_of(workspace, request.user)
    party_ids = {p["id"] for p in version.snapshot["parties"]} if version else set()
    signed_ids = {s.person_id for s in state["signed"]}
    recordings = list(work.recordings.select_related("release").order_by("release_id", "position"))
    context = {
        "work": work, "iswc": iswc_format(work.iswc) if work.iswc else "",
        "parties": work.parties.select_related("person", "publisher"),
        "recordings": recordings,
        "publishing": sel.split_history(work=work),
        "masters": [(t, sel.split_history(track=t)) for t in recordings],
        "version": version, "state": state,
        "can_sign": bool(me and version and me.pk in party_ids and me.pk not in signed_ids
                         and not version.agreed_at),
        "me": me, "people": Person.objects.filter(workspace=workspace).order_by("name"),
        "tracks": Track.objects.filter(workspace=workspace).select_related("release")
        .order_by("release__title", "position"),
        "roles": WorkParty.Role.choices,
        "versions": version.sheet.versions.order_by("-number") if version else [],
    }  # fmt: skip
    return render(request, "rights/works/detail.html", context)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def work_party_add(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    try:
        svc.work_party_add(
            work=work, person=int(request.POST.get("person") or 0),
            role=request.POST.get("role", ""), controlled=bool(request.POST.get("controlled")),
        )  # fmt: skip
    except (ValidationError, ValueError) as exc:
        for msg in getattr(exc, "messages", ["Choose a person and a role."]):
            messages.error(request, msg)
    return redirect("rights-work-detail", workspace.slug, work.pk)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def work_party_remove(
    request: HttpRequest, workspace: Workspace, work_id: int, party_id: int
) -> HttpResponse:
    work = _work(workspace, work_id)
    svc.work_party_remove(party=get_object_or_404(WorkParty, pk=party_id, work=work))
    return redirect("rights-work-detail", workspace.slug, work.pk)


@require_POST
@workspace_page(Action.CONTENT_EDIT)
def work_recordings(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    try:
        ids = [int(v) for v in request.POST.getlist("recordings")]
        svc.work_recordings_set(work=work, tracks=ids)
    except (ValidationError, ValueError) as exc:
        for msg in getattr(exc, "messages", ["Choose tracks of this workspace."]):
            messages.error(request, msg)
    else:
        messages.success(request, "Recordings saved.")
    return redirect("rights-work-detail", workspace.slug, work.pk)


def _share_rows(post: Any) -> list[dict[str, Any]]:
    rows = []
    for person, role, percent in zip(
        post.getlist("person"), post.getlist("role"), post.getlist("percent"), strict=False
    ):
        if not (person or percent):
            continue
        try:
            rows.append({"person": int(person), "role": role, "percent": percent})
        except ValueError as exc:
            raise ValidationError({"shares": "Choose a person on every row with a share."}) from exc
    return rows


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_EDIT)
def split_create(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    """A new version of the publishing split, or (``?track=``) a recording's master split."""
    work = _work(workspace, work_id)
    track = None
    track_id = request.GET.get("track") or request.POST.get("track")
    if track_id:
        try:
            track = work.recordings.get(pk=int(track_id))
        except (Track.DoesNotExist, ValueError) as exc:
            raise Http404("Not a recording of this work.") from exc
    kind = SplitKind.MASTER if track else SplitKind.PUBLISHING
    history = sel.split_history(track=track) if track else sel.split_history(work=work)
    latest = history.first()
    errors: dict[str, list[str]] = {}
    rows = [{"person": s.person_id, "role": s.role, "percent": str(s.percent)}
            for s in latest.shares.all()] if latest else []  # fmt: skip
    effective = request.POST.get("effective_from", "")
    if request.method == "POST":
        try:
            rows = _share_rows(request.POST)
            try:
                start = dt.date.fromisoformat(
                    effective + "-01" if len(effective) == 7 else effective
                )
            except ValueError as exc:
                raise ValidationError(
                    {"effective_from": "Choose the month it starts from."}
                ) from exc
            splits.split_set_create(
                kind=kind, work=None if track else work, track=track, shares=rows,
                effective_from=start,
                recoup_order=request.POST.get("recoup_order", RecoupOrder.EXPENSES_FIRST),
                note=request.POST.get("note", ""), user=request.user,
            )  # fmt: skip
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
        else:
            messages.success(request, "New split version saved; the parties are asked to sign.")
            return redirect("rights-work-detail", workspace.slug, work.pk)
    roles = Share.PUBLISHING_ROLES if kind == SplitKind.PUBLISHING else splits.MASTER_ROLES
    rows = rows + [{"person": "", "role": "", "percent": ""}] * max(2, SHARE_ROWS - len(rows))
    return render(
        request, "rights/works/split_form.html",
        {"work": work, "track": track, "kind": kind, "rows": rows, "errors": errors,
         "general": errors.get("general", []) + errors.get("__all__", []),
         "people": Person.objects.filter(workspace=workspace).order_by("name"),
         "roles": [(r, Share.Role(r).label) for r in roles], "effective": effective,
         "recoup_orders": RecoupOrder.choices, "latest": latest},
        status=400 if errors else 200,
    )  # fmt: skip


@require_POST
@workspace_page(Action.CONTENT_VIEW)
def sheet_sign(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    version = sheets.current_version(work=work)
    me = _party_of(workspace, request.user)
    if version is None or me is None:
        messages.error(request, "You are not a party to this split sheet.")
        return redirect("rights-work-detail", workspace.slug, work.pk)
    if not request.POST.get("agree"):
        messages.error(request, "Tick “I agree” to sign.")
        return redirect("rights-work-detail", workspace.slug, work.pk)
    try:
        sheets.split_sheet_sign(
            version=version, person=me, signed_name=request.POST.get("signed_name", ""),
            via="login", user=request.user,
        )  # fmt: skip
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "Signed. Thank you.")
    return redirect("rights-work-detail", workspace.slug, work.pk)


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def sheet_remind(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    try:
        sheets.split_sheet_remind(work=work, user=request.user)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, "Reminders sent to everyone who has not signed.")
    return redirect("rights-work-detail", workspace.slug, work.pk)


def _version(request: HttpRequest, work: Work) -> SplitSheetVersion:
    number = request.GET.get("version")
    qs = SplitSheetVersion.objects.filter(sheet__work=work)
    if number:
        try:
            return get_object_or_404(qs, number=int(number))
        except ValueError as exc:
            raise Http404("No such version.") from exc
    version = sheets.current_version(work=work)
    if version is None:
        raise Http404("This work has no split sheet yet.")
    return version


def _filename(work: Work, version: SplitSheetVersion, ext: str) -> str:
    stem = "".join(c if c.isalnum() else "-" for c in work.title).strip("-")[:60] or "work"
    return f"split-sheet-{stem}-v{version.number}.{ext}"


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def sheet_pdf(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    version = _version(request, work)
    response = HttpResponse(sheets.sheet_pdf(version=version), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(work, version, "pdf")}"'
    return response


@require_GET
@workspace_page(Action.CONTENT_VIEW)
def sheet_csv(request: HttpRequest, workspace: Workspace, work_id: int) -> HttpResponse:
    work = _work(workspace, work_id)
    version = _version(request, work)
    response = HttpResponse(
        csv_bytes(sheets.sheet_rows(version=version)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(work, version, "csv")}"'
    return response


W = "works/<int:work_id>/"
urlpatterns: list[URLPattern] = [
    path("works/", work_list, name="rights-works"),
    path("works/new/", work_create, name="rights-work-create"),
    path(W, work_detail, name="rights-work-detail"),
    path(W + "edit/", work_edit, name="rights-work-edit"),
    path(W + "delete/", work_delete, name="rights-work-delete"),
    path(W + "parties/", work_party_add, name="rights-work-party-add"),
    path(W + "parties/<int:party_id>/remove/", work_party_remove, name="rights-work-party-remove"),
    path(W + "recordings/", work_recordings, name="rights-work-recordings"),
    path(W + "splits/new/", split_create, name="rights-split-create"),
    path(W + "sheet/sign/", sheet_sign, name="rights-sheet-sign"),
    path(W + "sheet/remind/", sheet_remind, name="rights-sheet-remind"),
    path(W + "sheet.pdf", sheet_pdf, name="rights-sheet-pdf"),
    path(W + "sheet.csv", sheet_csv, name="rights-sheet-csv"),
]
