"""The planning pages: a release's timeline (milestones by phase, the Gantt chart, moving the
release date), a milestone's edit page, the workspace's template editor, the calendar page and
the private ICS feed. Thin: ``releases.services.planning`` decides, ``selectors_planning``
reads."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.models import User, Workspace
from collaborators.permissions import Action, can, require

from .. import selectors_planning as sel
from ..forms import DateInput
from ..models import Applies, CalendarFeed, Milestone, Phase, Release, TemplateMilestone
from ..services import planning
from .common import release_page

# --- Forms ------------------------------------------------------------------------------------


class MoveDateForm(forms.Form):
    release_date = forms.DateField(label="New release date", widget=DateInput)


class MilestoneForm(forms.Form):
    title = forms.CharField(max_length=200)
    phase = forms.ChoiceField(choices=Phase.choices)
    due_date = forms.DateField(label="Due", widget=DateInput)
    owner = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Who does it"
    )
    depends_on = forms.ModelMultipleChoiceField(
        queryset=Milestone.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Waits for",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000
    )

    def __init__(
        self, *args: Any, release: Release, milestone: Milestone | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.filter(
            memberships__workspace_id=release.workspace_id
        ).order_by("email")
        self.fields["owner"].label_from_instance = lambda u: u.display_name or u.email
        others = Milestone.objects.filter(release=release).order_by("due_date", "id")
        # Offered, so the service's refusal of a self-dependency is what a tampered form gets.
        self.fields["depends_on"].queryset = others
        self.fields["depends_on"].label_from_instance = lambda m: f"{m.title} ({m.due_date:%-d %b})"


class TemplateStepForm(forms.Form):
    title = forms.CharField(max_length=200)
    phase = forms.ChoiceField(choices=Phase.choices)
    days_before = forms.IntegerField(
        label="Due (days before release day)",
        min_value=-365,
        max_value=730,
        help_text="Negative: after release day.",
    )
    minimum_days_before = forms.IntegerField(
        label="Hard deadline (days before)",
        required=False,
        min_value=-365,
        max_value=730,
        help_text="The latest it can still be done, e.g. a store's lead time; empty: none.",
    )
    applies = forms.ChoiceField(choices=Applies.choices)
    depends_on = forms.CharField(
        label="Waits for",
        required=False,
        help_text="Keys of other steps, separated by commas (e.g. mixes-approved).",
    )
    owner_role = forms.ChoiceField(
        label="Owner's role",
        required=False,
        choices=[("", "—"), ("owner", "Owner"), ("manager", "Manager"), ("member", "Member")],
    )
    advice = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def step_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["depends_on"] = [k.strip() for k in data["depends_on"].split(",") if k.strip()]
        return data


# --- The timeline page ------------------------------------------------------------------------


def _timeline_context(release: Release, **extra: Any) -> dict[str, Any]:
    t = sel.timeline_for_release(release=release)
    may_edit = release.viewer.can(Action.CONTENT_EDIT)
    return {
        "release": release,
        "viewer": release.viewer,
        "may_edit": may_edit,
        "timeline": t,
        "figure": sel.timeline_figure(t),
        "milestone_form": extra.pop("milestone_form", None)
        or (MilestoneForm(release=release, prefix="new") if may_edit else None),
        "move_form": extra.pop("move_form", None)
        or MoveDateForm(initial={"release_date": release.release_date}),
        **extra,
    }


@require_GET
@release_page(Action.CONTENT_VIEW)
def timeline_page(request: HttpRequest, release: Release) -> HttpResponse:
    return render(request, "releases/timeline.html", _timeline_context(release))


@require_POST
@release_page(Action.CONTENT_EDIT)
def timeline_generate(request: HttpRequest, release: Release) -> HttpResponse:
    try:
        made = planning.timeline_generate(release=release)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            f"The timeline has {len(made)} milestones, counted back from "
            f"{release.release_date:%-d %B %Y}.",
        )
    return redirect("release-timeline", release.workspace.slug, release.pk)


@require_http_methods(["GET", "POST"])
@release_page(Action.CONTENT_EDIT)
def timeline_move(request: HttpRequest, release: Release) -> HttpResponse:
    """GET with a date: what would move and what would become impossible. POST: do it."""
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = MoveDateForm(data)
    plan = None
    if form.is_valid():
        new_date = form.cleaned_data["release_date"]
        if request.method == "POST":
            try:
                plan = planning.release_date_move(release=release, new_date=new_date)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                moved = len(plan.moves)
                msg = f"Release date moved to {new_date:%-d %B %Y}; {moved} milestones moved."
                messages.success(request, msg)
                for flag in plan.flags:
                    messages.warning(request, flag.message)
                return redirect("release-timeline", release.workspace.slug, release.pk)
        else:
            plan = planning.release_date_move_plan(release=release, new_date=new_date)
    status = 400 if form.errors else 200
    return render(
        request,
        "releases/timeline.html",
        _timeline_context(release, move_form=form, plan=plan),
        status=status,
    )


def _milestone(release: Release, milestone_id: int) -> Milestone:
    found = Milestone.objects.filter(release=release, pk=milestone_id).first()
    if found is None:
        raise Http404("No such milestone on this release.")
    return found


@require_POST
@release_page(Action.CONTENT_EDIT)
def milestone_add(request: HttpRequest, release: Release) -> HttpResponse:
    form = MilestoneForm(request.POST, release=release, prefix="new")
    if form.is_valid():
        try:
            planning.milestone_create(release=release, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{form.cleaned_data['title']}” added.")
            return redirect("release-timeline", release.workspace.slug, release.pk)
    return render(
        request,
        "releases/timeline.html",
        _timeline_context(release, milestone_form=form, add_open=True),
        status=400,
    )


@require_http_methods(["GET", "POST"])
@release_page(Action.CONTENT_EDIT)
def milestone_edit(request: HttpRequest, release: Release, milestone_id: int) -> HttpResponse:
    milestone = _milestone(release, milestone_id)
    initial = {
        "title": milestone.title,
        "phase": milestone.phase,
        "due_date": milestone.due_date,
        "owner": milestone.owner_id,
        "notes": milestone.notes,
        "depends_on": list(milestone.depends_on.values_list("pk", flat=True)),
    }
    form = MilestoneForm(
        request.POST or None, release=release, milestone=milestone, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        depends_on = list(fields.pop("depends_on"))
        try:
            planning.milestone_update(milestone=milestone, depends_on=depends_on, **fields)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{fields['title']}” saved.")
            return redirect("release-timeline", release.workspace.slug, release.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "releases/_timeline_edit.html",
        {"release": release, "milestone": milestone, "form": form},
        status=status,
    )


@require_POST
@release_page(Action.CONTENT_EDIT)
def milestone_done(request: HttpRequest, release: Release, milestone_id: int) -> HttpResponse:
    milestone = _milestone(release, milestone_id)
    if request.POST.get("undo"):
        planning.milestone_undo(milestone=milestone)
    else:
        planning.milestone_done(milestone=milestone, user=request.user)
    return redirect(f"{_timeline_url(release)}#m-{milestone.pk}")


@require_POST
@release_page(Action.CONTENT_EDIT)
def milestone_delete(request: HttpRequest, release: Release, milestone_id: int) -> HttpResponse:
    milestone = _milestone(release, milestone_id)
    planning.milestone_delete(milestone=milestone)
    messages.success(request, f"“{milestone.title}” removed.")
    return redirect("release-timeline", release.workspace.slug, release.pk)


def _timeline_url(release: Release) -> str:
    return reverse("release-timeline", args=[release.workspace.slug, release.pk])


# --- The workspace's template -----------------------------------------------------------------


def _template_context(
    workspace: Workspace,
    *,
    form: TemplateStepForm | None = None,
    edit_form: TemplateStepForm | None = None,
    edit_row: TemplateMilestone | None = None,
) -> dict[str, Any]:
    own = {r.key: r for r in TemplateMilestone.objects.filter(workspace=workspace)}
    may_edit = can(workspace.membership.role, Action.CONTENT_EDIT)
    items = []
    for step in planning.template_steps(workspace=workspace):
        row = own.get(step.key)
        step_form = None
        if row is not None and may_edit:
            if edit_row is not None and edit_row.pk == row.pk:
                step_form = edit_form
            else:
                initial = {
                    "title": row.title,
                    "phase": row.phase,
                    "days_before": row.days_before,
                    "minimum_days_before": row.minimum_days_before,
                    "applies": row.applies,
                    "depends_on": ", ".join(row.depends_on or ()),
                    "owner_role": row.owner_role,
                    "advice": row.advice,
                }
                step_form = TemplateStepForm(prefix=f"s{row.pk}", initial=initial)
        items.append({"step": step, "row": row, "form": step_form})
    return {
        "workspace": workspace,
        "own": bool(own),
        "items": items,
        "phases": dict(Phase.choices),
        "applies": dict(Applies.choices),
        "may_edit": may_edit,
        "edit_row": edit_row,
        "form": form or TemplateStepForm(prefix="new"),
    }


@require_http_methods(["GET", "POST"])
@workspace_page(Action.CONTENT_VIEW)
def template_page(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Liner's template or the workspace's own; POST (content.edit) changes it: ``op`` is
    copy, reset, add, edit (with ``step``) or delete (with ``step``)."""
    if request.method == "GET":
        return render(request, "releases/_timeline_template.html", _template_context(workspace))
    require(workspace.membership.role, Action.CONTENT_EDIT)
    op = request.POST.get("op", "")
    row = None
    if op in ("edit", "delete"):
        row = TemplateMilestone.objects.filter(
            workspace=workspace, pk=_int(request.POST.get("step"))
        ).first()
        if row is None:
            raise Http404("No such step in this workspace's template.")
    form = None
    try:
        if op == "copy":
            planning.template_copy_default(workspace=workspace)
            messages.success(request, "This workspace now has its own template to edit.")
        elif op == "reset":
            planning.template_reset(workspace=workspace)
            messages.success(request, "Back to Liner's template.")
        elif op == "delete":
            planning.template_milestone_delete(row=row)
            messages.success(request, f"“{row.title}” removed from the template.")
        elif op in ("add", "edit"):
            form = TemplateStepForm(request.POST, prefix="new" if op == "add" else f"s{row.pk}")
            if not form.is_valid():
                raise ValidationError("")
            if op == "add":
                planning.template_milestone_create(workspace=workspace, **form.step_fields())
            else:
                planning.template_milestone_update(row=row, **form.step_fields())
            messages.success(
                request,
                "The template is saved. New timelines use it; "
                "regenerate a release's timeline to apply it there.",
            )
        else:
            raise Http404("No such change.")
    except ValidationError as exc:
        if form is not None:
            if exc.messages != [""]:
                apply_errors(form, exc)
            ctx = _template_context(
                workspace,
                **({"form": form} if op == "add" else {"edit_form": form, "edit_row": row}),
            )
            return render(request, "releases/_timeline_template.html", ctx, status=400)
        messages.error(request, " ".join(exc.messages))
    return redirect("releases-timeline-template", workspace.slug)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- The calendar -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Where the user finds their private calendar URL, and replaces it."""
    if request.method == "POST":
        planning.calendar_feed_reset(user=request.user)
        messages.success(request, "Your calendar has a new address; the old one no longer works.")
        return redirect("calendar-settings")
    feed = planning.calendar_feed_ensure(user=request.user)
    return render(request, "releases/_timeline_calendar.html", {"url": sel.calendar_url(feed=feed)})


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private ICS feed. No session: the secret in the URL is the key (calendar apps
    cannot log in)."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    response = HttpResponse(
        sel.calendar_ics(user=feed.user), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="liner.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response
