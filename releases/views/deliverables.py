"""The release's deliverables page: the checklist in five groups, what Liner worked out, what
is ticked, the files attached, and the findings (missing required items) at the top.

Members of the workspace see it (a guest on the release gets the 403 page); those who edit
content tick, attach and add their own items. Thin: ``releases.services.deliverables`` writes,
``releases.deliverables`` reads.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audio import downloads
from collaborators.forms import apply_errors
from collaborators.permissions import Action

from ..deliverables import deliverables_status, findings_from
from ..models import Deliverable, DeliverableGroup, Release
from ..services import deliverables as service
from .common import release_page


class CustomItemForm(forms.Form):
    group = forms.ChoiceField(choices=DeliverableGroup.choices)
    title = forms.CharField(max_length=200, help_text="e.g. Instrumental versions for sync")
    required = forms.BooleanField(required=False, help_text="Must be done before delivery.")
    note = forms.CharField(max_length=500, required=False, label="What it means")


class AttachForm(forms.Form):
    file = forms.FileField(
        help_text=f"Any document or image, at most {service.ATTACHMENT_MAX_MB} MB."
    )


def _members_only(release: Release) -> None:
    if release.viewer.is_guest:
        raise PermissionDenied("The deliverables checklist is for the workspace's members.")


def _url(release: Release, item: Deliverable | None = None) -> str:
    url = reverse("release-deliverables", args=[release.workspace.slug, release.pk])
    if item is not None:
        url += f"#item-{item.key or item.pk}"
    return url


def _item_of(release: Release, deliverable_id: Any) -> Deliverable:
    try:
        return Deliverable.objects.get(release=release, pk=int(deliverable_id))
    except (Deliverable.DoesNotExist, TypeError, ValueError):
        raise Http404("No such item on this release's checklist.") from None


def _page(
    request: HttpRequest, release: Release, *, form: CustomItemForm | None = None,
    attach_errors: dict[int, list[str]] | None = None, status: int = 200,
) -> HttpResponse:  # fmt: skip
    service.deliverables_ensure(release=release)
    groups = deliverables_status(release=release)
    context = {
        "release": release,
        "viewer": release.viewer,
        "groups": groups,
        "findings": findings_from(groups),
        "may_edit": release.viewer.can(Action.CONTENT_EDIT),
        "form": form or CustomItemForm(),
        "attach_form": AttachForm(),
        "attach_errors": attach_errors or {},
        "max_mb": service.ATTACHMENT_MAX_MB,
    }
    return render(request, "releases/deliverables.html", context, status=status)


@require_http_methods(["GET", "POST"])
@release_page(Action.CONTENT_VIEW)
def deliverables_page(request: HttpRequest, release: Release) -> HttpResponse:
    """The checklist; POST adds a custom item."""
    _members_only(release)
    if request.method != "POST":
        return _page(request, release)
    release.viewer.require(Action.CONTENT_EDIT)
    form = CustomItemForm(request.POST)
    if form.is_valid():
        try:
            item = service.deliverable_custom_add(
                release=release, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"“{item.title}” added to the checklist.")
            return redirect(_url(release, item))
    return _page(request, release, form=form, status=400)


@require_POST
@release_page(Action.CONTENT_EDIT)
def deliverable_tick(request: HttpRequest, release: Release, deliverable_id: int) -> HttpResponse:
    """``done=1`` ticks the item, ``done=0`` unticks it."""
    item = _item_of(release, deliverable_id)
    done = request.POST.get("done", "1") not in ("0", "", "false")
    try:
        if done:
            service.deliverable_tick(deliverable=item, user=request.user)
        else:
            service.deliverable_untick(deliverable=item, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_url(release, item))


@require_POST
@release_page(Action.CONTENT_EDIT)
def deliverable_attach(request: HttpRequest, release: Release, deliverable_id: int) -> HttpResponse:
    item = _item_of(release, deliverable_id)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            service.deliverable_attach(
                deliverable=item, upload=form.cleaned_data["file"], user=request.user
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"File attached to “{item.title}”.")
            return redirect(_url(release, item))
    errors = [e for errs in form.errors.values() for e in errs]
    return _page(request, release, attach_errors={item.pk: errors}, status=400)


@require_POST
@release_page(Action.CONTENT_EDIT)
def deliverable_attachment_remove(
    request: HttpRequest, release: Release, deliverable_id: int
) -> HttpResponse:
    item = _item_of(release, deliverable_id)
    service.deliverable_attachment_remove(deliverable=item)
    messages.success(request, f"The file of “{item.title}” is removed.")
    return redirect(_url(release, item))


@require_GET
@release_page(Action.CONTENT_VIEW)
def deliverable_file(request: HttpRequest, release: Release, deliverable_id: int) -> HttpResponse:
    _members_only(release)
    item = _item_of(release, deliverable_id)
    if not item.attachment:
        raise Http404("No file is attached to this item.")
    return downloads.attachment(item.attachment, item.attachment_name or "attachment")


@require_POST
@release_page(Action.CONTENT_EDIT)
def deliverable_remove(request: HttpRequest, release: Release, deliverable_id: int) -> HttpResponse:
    item = _item_of(release, deliverable_id)
    try:
        service.deliverable_custom_remove(deliverable=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"“{item.title}” removed from the checklist.")
    return redirect(_url(release))
