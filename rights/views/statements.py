"""Rights pages: imported statements, the review queue of unmatched lines, the matching rules
it remembers and the saved column mappings. Finance view to read, finance edit to upload,
match and delete; the services decide everything else (``rights.services.statements``,
``rights.services.matching``, ``rights.selectors.statements``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.jobs.views import job_json, job_progress
from collaborators.models import Workspace
from collaborators.permissions import Action, require
from releases.models import Track

from ..models import (
    ColumnMapping,
    Earning,
    MatchRule,
    Source,
    Statement,
    StatementJob,
    earning_id,
)
from ..selectors import statements as selectors
from ..services import matching
from ..services import statements as svc
from ..statements import (
    GENERIC_FIELDS,
    GenericMapping,
    StatementError,
    mapping_errors,
    statement_header,
)

EARNINGS_PER_PAGE = 50


def _statement(workspace: Workspace, statement_id: int) -> Statement:
    # Fetched within the workspace: another workspace's statement is a 404.
    return get_object_or_404(
        Statement.objects.select_related("mapping"), pk=statement_id, workspace=workspace
    )


def _require_edit(workspace: Workspace) -> None:
    # The page reads with finance view; its form writes only with finance edit (403).
    require(workspace.membership.role, Action.FINANCE_EDIT)  # type: ignore[attr-defined]


def _mappings(workspace: Workspace) -> Any:
    return ColumnMapping.objects.filter(workspace=workspace)


class UploadForm(forms.Form):
    file = forms.FileField(label="Statement file", help_text="CSV, TSV or Excel-exported text.")
    source = forms.ChoiceField(
        choices=(("", "Detect from the file"), *Source.choices), required=False
    )
    mapping = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.none(), required=False, label="Column mapping",
        help_text="For “Other”: which of the file's columns hold what.",
    )  # fmt: skip

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = _mappings(workspace)


def _list(request: HttpRequest, workspace: Workspace, form: UploadForm, status: int = 200) -> Any:
    statements = list(selectors.statement_list(workspace=workspace))
    return render(
        request, "rights/statements/list.html",
        {"statements": statements, "form": form, "has_mappings": _mappings(workspace).exists()},
        status=status,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_VIEW)
def statement_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    if request.method == "GET":
        return _list(request, workspace, UploadForm(workspace=workspace))
    _require_edit(workspace)
    form = UploadForm(request.POST, request.FILES, workspace=workspace)
    if not form.is_valid():
        return _list(request, workspace, form, status=400)
    try:
        outcome = svc.statement_upload(
            workspace=workspace, upload=form.cleaned_data["file"],
            source=form.cleaned_data["source"] or None, mapping=form.cleaned_data["mapping"],
            user=request.user,
        )  # fmt: skip
    except ValidationError as exc:
        apply_errors(form, exc)
        return _list(request, workspace, form, status=400)
    statement = outcome.statement
    url = reverse("rights-statement-detail", args=[workspace.slug, statement.pk])
    if outcome.duplicate:
        when = statement.imported_at or statement.created_at
        messages.info(
            request,
            format_html(
                'This file was imported on {} — nothing changed. <a href="{}">See “{}”</a>.',
                f"{when:%-d %b %Y}", url, statement.filename,
            ),
        )  # fmt: skip
        return redirect("rights-statements", workspace.slug)
    messages.success(request, f"“{statement.filename}” is being imported; this page shows how far.")
    return redirect(url)


def _latest_job(statement: Statement) -> StatementJob | None:
    return StatementJob.objects.filter(statement=statement).order_by("-created_at", "-id").first()


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def statement_detail(request: HttpRequest, workspace: Workspace, statement_id: int) -> HttpResponse:
    statement = _statement(workspace, statement_id)
    earnings = selectors.statement_earnings(statement=statement)
    page = Paginator(earnings, EARNINGS_PER_PAGE).get_page(request.GET.get("page"))
    job = _latest_job(statement)
    booked: list[str] = []
    if statement.adjustments:
        months = (
            Earning.objects.of_statement(statement)
            .filter(adjustment=True)
            .values_list("booked_period", flat=True)
        )
        booked = sorted({f"{m:%Y-%m}" for m in months.distinct().order_by()})
    return render(
        request, "rights/statements/detail.html",
        {"statement": statement, "page": page, "job": job, "booked_into": booked},
    )  # fmt: skip


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def statement_line(
    request: HttpRequest, workspace: Workspace, statement_id: int, line_no: int
) -> HttpResponse:
    statement = _statement(workspace, statement_id)
    try:
        text = svc.statement_source_line(statement=statement, line_no=line_no)
    except ValidationError as exc:
        raise Http404(" ".join(exc.messages)) from exc
    except FileNotFoundError as exc:
        raise Http404("The stored file of this statement is missing.") from exc
    header = ""
    if line_no > 1:
        try:
            header = svc.statement_source_line(statement=statement, line_no=1)
        except (ValidationError, FileNotFoundError):
            header = ""
    earning = (
        Earning.objects.filter(statement=statement, pk=earning_id(statement_id=statement.pk,
                                                                 line_no=line_no))
        .select_related("track")
        .first()
    )  # fmt: skip
    return render(
        request, "rights/statements/line.html",
        {"statement": statement, "line_no": line_no, "text": text, "header": header,
         "earning": earning},
    )  # fmt: skip


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def statement_job(
    request: HttpRequest, workspace: Workspace, statement_id: int, job_id: int
) -> HttpResponse:
    """An import's progress: the bar (``jobs/_progress.html``), or JSON for a script."""
    statement = _statement(workspace, statement_id)
    job = get_object_or_404(StatementJob, pk=job_id, statement=statement)
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(job_json(job))
    poll_url = reverse("rights-statement-job", args=[workspace.slug, statement.pk, job.pk])
    return job_progress(request, job, poll_url=poll_url)


# --- The review queue and its rules ----------------------------------------------------------


def _track_choices(workspace: Workspace) -> list[tuple[int, str]]:
    tracks = Track.objects.filter(workspace=workspace).select_related("release")
    tracks = tracks.order_by("release__title", "pk")
    return [
        (t.pk, f"{t.release.title} — {t.title}" + (f" ({t.isrc})" if t.isrc else ""))
        for t in tracks
    ]


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_VIEW)
def review_queue(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    errors: dict[str, str] = {}
    if request.method == "POST":
        _require_edit(workspace)
        key = request.POST.get("key", "")
        chosen = request.POST.get("track") or ""
        track = (
            Track.objects.filter(pk=int(chosen), workspace=workspace).first()
            if chosen.isdigit()
            else None
        )
        if track is None:
            errors[key] = "Choose the recording these lines are for."
        else:
            try:
                rule = matching.match_rule_create(
                    workspace=workspace, key=key, track=track, user=request.user
                )
            except ValidationError as exc:
                errors[key] = " ".join(exc.messages)
            else:
                count = rule.matched
                messages.success(
                    request,
                    f"Matched {count} line{'' if count == 1 else 's'} to “{track.title}”; "
                    "later statements will match too.",
                )
                return redirect("rights-review-queue", workspace.slug)
    groups = selectors.unmatched_groups(workspace=workspace)
    return render(
        request, "rights/statements/review.html",
        {"groups": groups, "tracks": _track_choices(workspace), "errors": errors,
         "chosen": request.POST.get("track", "")},
        status=400 if errors else 200,
    )  # fmt: skip


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def match_rules(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    rules = MatchRule.objects.filter(workspace=workspace).select_related("track__release")
    return render(request, "rights/statements/rules.html", {"rules": rules})


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def match_rule_delete(request: HttpRequest, workspace: Workspace, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(MatchRule, pk=rule_id, workspace=workspace)
    label = rule.label
    count = matching.match_rule_delete(rule=rule, user=request.user)
    messages.success(
        request,
        f"The rule for {label} is deleted; {count} line{'' if count == 1 else 's'} "
        "went back to the review queue.",
    )
    return redirect("rights-match-rules", workspace.slug)


# --- Column mappings ------------------------------------------------------------------------


class MappingForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="e.g. “Amuse monthly report”")
    date_format = forms.CharField(
        max_length=20, required=False, initial="%Y-%m",
        help_text="How the file writes months, e.g. %Y-%m or %d/%m/%Y; empty: Liner guesses.",
    )  # fmt: skip
    currency = forms.CharField(
        max_length=3, required=False, help_text="When the file has no currency column (e.g. EUR)."
    )
    check_file = forms.FileField(
        required=False, label="Check against a file",
        help_text="Optional: a statement whose header the mapping is checked against.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in GENERIC_FIELDS.items():
            self.fields[f"col_{name}"] = forms.CharField(
                max_length=200, required=False, label=label,
                help_text="The file's column header.",
            )  # fmt: skip

    def columns(self) -> dict[str, str]:
        return {
            name: self.cleaned_data[f"col_{name}"].strip()
            for name in GENERIC_FIELDS
            if self.cleaned_data.get(f"col_{name}", "").strip()
        }

    def column_fields(self) -> list[forms.BoundField]:
        return [self[f"col_{name}"] for name in GENERIC_FIELDS]


def _mapping_initial(mapping: ColumnMapping) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "name": mapping.name, "date_format": mapping.date_format, "currency": mapping.currency,
    }  # fmt: skip
    for name, header in (mapping.columns or {}).items():
        initial[f"col_{name}"] = header
    return initial


def _field_name(name: str) -> str:
    return f"col_{name}" if name in GENERIC_FIELDS else name


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_VIEW)
def column_mappings(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    editing: ColumnMapping | None = None
    edit_id = request.GET.get("edit") or request.POST.get("mapping_id") or ""
    if edit_id.isdigit():
        editing = get_object_or_404(ColumnMapping, pk=int(edit_id), workspace=workspace)
    form = MappingForm(
        request.POST or None, request.FILES or None,
        initial=_mapping_initial(editing) if editing else None,
    )  # fmt: skip
    header: list[str] | None = None
    if request.method == "POST":
        _require_edit(workspace)
        if form.is_valid():
            data = form.cleaned_data
            columns = form.columns()
            upload = data.get("check_file")
            if upload is not None:
                try:
                    header = statement_header(upload)
                except StatementError as exc:
                    form.add_error("check_file", str(exc))
                else:
                    problems = mapping_errors(
                        mapping=GenericMapping(
                            columns=columns, date_format=data["date_format"],
                            currency=data["currency"].upper(),
                        ),
                        header=header,
                    )  # fmt: skip
                    for name, message in problems.items():
                        field = _field_name(name)
                        form.add_error(field if field in form.fields else None, message)
            if not form.errors and "save" in request.POST:
                try:
                    mapping = matching.column_mapping_save(
                        workspace=workspace, name=data["name"], columns=columns,
                        date_format=data["date_format"], currency=data["currency"].upper(),
                        mapping=editing,
                    )  # fmt: skip
                except ValidationError as exc:
                    if hasattr(exc, "error_dict"):
                        exc = ValidationError(
                            {_field_name(k): v for k, v in exc.error_dict.items()}
                        )
                    apply_errors(form, exc)
                else:
                    messages.success(request, f"Column mapping “{mapping.name}” saved.")
                    return redirect("rights-column-mappings", workspace.slug)
            elif not form.errors and header is not None:
                messages.success(request, "Every field fits the file's columns.")
    return render(
        request, "rights/statements/mappings.html",
        {"mappings": _mappings(workspace), "form": form, "editing": editing, "header": header},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def column_mapping_delete(
    request: HttpRequest, workspace: Workspace, mapping_id: int
) -> HttpResponse:
    mapping = get_object_or_404(ColumnMapping, pk=mapping_id, workspace=workspace)
    name = mapping.name
    matching.column_mapping_delete(mapping=mapping)
    messages.success(request, f"Column mapping “{name}” deleted.")
    return redirect("rights-column-mappings", workspace.slug)


S = "statements/<int:statement_id>/"
urlpatterns: list[URLPattern] = [
    path("statements/", statement_list, name="rights-statements"),
    path(S, statement_detail, name="rights-statement-detail"),
    path(S + "lines/<int:line_no>/", statement_line, name="rights-statement-line"),
    path(S + "job/<int:job_id>/", statement_job, name="rights-statement-job"),
    path("review/", review_queue, name="rights-review-queue"),
    path("rules/", match_rules, name="rights-match-rules"),
    path("rules/<int:rule_id>/delete/", match_rule_delete, name="rights-match-rule-delete"),
    path("mappings/", column_mappings, name="rights-column-mappings"),
    path(
        "mappings/<int:mapping_id>/delete/",
        column_mapping_delete,
        name="rights-column-mapping-delete",
    ),  # fmt: skip
]
