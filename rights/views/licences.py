"""Rights pages: licences (finance view to read, finance edit to change)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collaborators.currencies import COMMON_CURRENCIES, CURRENCY_CODES
from collaborators.decorators import workspace_page
from collaborators.forms import apply_errors
from collaborators.models import Person, Workspace
from collaborators.permissions import Action
from releases.models import Track

from ..models import Licence, Work
from ..services import licences as svc

STATES = (("", "All"), ("active", "Active"), ("expiring", "Ending within 90 days"),
          ("expired", "Ended"))  # fmt: skip


def _currency_choices() -> list[tuple[str, str]]:
    rest = sorted(CURRENCY_CODES - set(COMMON_CURRENCIES))
    return [(c, c) for c in (*COMMON_CURRENCIES, *rest)]


class LicenceForm(forms.Form):
    title = forms.CharField(max_length=200)
    direction = forms.ChoiceField(choices=Licence.Direction.choices)
    kind = forms.ChoiceField(choices=Licence.Kind.choices)
    counterparty = forms.ModelChoiceField(
        queryset=Person.objects.none(),
        label="Licensee (granted) or licensor (obtained)",
        help_text="Whom the licence is granted to, or obtained from.",
    )
    work = forms.ModelChoiceField(queryset=Work.objects.none(), required=False, label="Song (work)")
    track = forms.ModelChoiceField(
        queryset=Track.objects.none(), required=False, label="Recording (track)"
    )
    media = forms.ChoiceField(choices=Licence.Media.choices)
    territories = forms.CharField(
        required=False, help_text="ISO country codes separated by spaces (SE GB US); empty: world."
    )
    term_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    term_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: in perpetuity.",
    )  # fmt: skip
    fee = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, initial=0)
    currency = forms.ChoiceField(choices=())
    exclusive = forms.BooleanField(required=False)
    mfn = forms.BooleanField(required=False, label="Most favoured nation")
    status = forms.ChoiceField(choices=Licence.Status.choices)
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, workspace: Workspace, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = Person.objects.filter(workspace=workspace)
        self.fields["work"].queryset = Work.objects.filter(workspace=workspace)
        self.fields["track"].queryset = Track.objects.filter(
            release__workspace=workspace
        ).select_related("release")
        self.fields["currency"].choices = _currency_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("work") and not data.get("track") and "work" not in self.errors:
            self.add_error("work", "Say what the licence covers: a song, a recording, or both.")
        start, end = data.get("term_start"), data.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", "The term ends on or after the day it starts.")
        return data


def _initial(licence: Licence) -> dict[str, Any]:
    values = {name: getattr(licence, name) for name in svc.FIELDS}
    values["territories"] = " ".join(licence.territories)
    return values


def _licence(workspace: Workspace, licence_id: int) -> Licence:
    # Fetched within the workspace: another workspace's licence is a 404.
    return get_object_or_404(
        Licence.objects.select_related("counterparty", "work", "track"),
        pk=licence_id, workspace=workspace,
    )  # fmt: skip


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def licence_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    today = timezone.localdate()
    state = request.GET.get("state", "")
    qs = Licence.objects.filter(workspace=workspace).select_related("counterparty", "work", "track")
    qs = svc.licences_filter(qs=qs, state=state, today=today)
    kind, direction = request.GET.get("kind", ""), request.GET.get("direction", "")
    if kind in Licence.Kind.values:
        qs = qs.filter(kind=kind)
    if direction in Licence.Direction.values:
        qs = qs.filter(direction=direction)
    rows = [
        {"licence": lic, "days_left": svc.licence_days_left(licence=lic, today=today),
         "covers": svc.licence_covers(licence=lic)}
        for lic in qs
    ]  # fmt: skip
    return render(
        request, "rights/licences/list.html",
        {"rows": rows, "state": state, "kind": kind, "direction": direction, "states": STATES,
         "kinds": Licence.Kind.choices, "directions": Licence.Direction.choices},
    )  # fmt: skip


def _save(request: HttpRequest, workspace: Workspace, licence: Licence | None) -> HttpResponse:
    form = LicenceForm(
        request.POST or None, workspace=workspace,
        initial=_initial(licence) if licence else {"currency": workspace.default_currency,
                                                    "status": Licence.Status.ACTIVE},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            if licence is None:
                licence = svc.licence_create(workspace=workspace, user=request.user, **values)
            else:
                licence = svc.licence_update(licence=licence, user=request.user, **values)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Licence “{licence}” saved.")
            return redirect("rights-licence-detail", workspace.slug, licence.pk)
    return render(
        request, "rights/licences/form.html", {"form": form, "licence": licence},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_EDIT)
def licence_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return _save(request, workspace, None)


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_EDIT)
def licence_edit(request: HttpRequest, workspace: Workspace, licence_id: int) -> HttpResponse:
    return _save(request, workspace, _licence(workspace, licence_id))


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def licence_detail(request: HttpRequest, workspace: Workspace, licence_id: int) -> HttpResponse:
    licence = _licence(workspace, licence_id)
    today = timezone.localdate()
    return render(
        request, "rights/licences/detail.html",
        {"licence": licence, "days_left": svc.licence_days_left(licence=licence, today=today),
         "covers": svc.licence_covers(licence=licence), "alerts": licence.alerts.all()},
    )  # fmt: skip


@require_http_methods(["GET", "POST"])
@workspace_page(Action.FINANCE_EDIT)
def licence_delete(request: HttpRequest, workspace: Workspace, licence_id: int) -> HttpResponse:
    licence = _licence(workspace, licence_id)
    if request.method == "POST":
        svc.licence_delete(licence=licence, user=request.user)
        messages.success(request, f"Licence “{licence}” deleted.")
        return redirect("rights-licences", workspace.slug)
    return render(request, "rights/licences/delete.html", {"licence": licence})


@require_POST
@workspace_page(Action.FINANCE_EDIT)
def licence_document_upload(
    request: HttpRequest, workspace: Workspace, licence_id: int
) -> HttpResponse:
    licence = _licence(workspace, licence_id)
    upload = request.FILES.get("document")
    if upload is None:
        messages.error(request, "Choose the licence document to upload.")
        return redirect("rights-licence-detail", workspace.slug, licence.pk)
    try:
        svc.licence_document_attach(licence=licence, upload=upload)
    except ValidationError as exc:
        for msgs in exc.message_dict.values():
            for msg in msgs:
                messages.error(request, msg)
    else:
        messages.success(request, "Document attached.")
    return redirect("rights-licence-detail", workspace.slug, licence.pk)


@require_GET
@workspace_page(Action.FINANCE_VIEW)
def licence_document_download(
    request: HttpRequest, workspace: Workspace, licence_id: int
) -> FileResponse:
    licence = _licence(workspace, licence_id)
    if not licence.document:
        raise Http404("This licence has no document.")
    return FileResponse(
        licence.document.open("rb"), as_attachment=True,
        filename=licence.document_name or licence.document.name.rsplit("/", 1)[-1],
    )  # fmt: skip


L = "licences/<int:licence_id>/"
urlpatterns: list[URLPattern] = [
    path("licences/", licence_list, name="rights-licences"),
    path("licences/new/", licence_create, name="rights-licence-create"),
    path(L, licence_detail, name="rights-licence-detail"),
    path(L + "edit/", licence_edit, name="rights-licence-edit"),
    path(L + "delete/", licence_delete, name="rights-licence-delete"),
    path(L + "document/", licence_document_upload, name="rights-licence-document-upload"),
    path(L + "document/download/", licence_document_download, name="rights-licence-document"),
]
