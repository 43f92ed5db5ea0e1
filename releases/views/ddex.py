"""DDEX pages: a release's ERN 4.3 message and CD cue sheet as downloads (members only), and
the page that imports a release from an ERN file. Thin: ``services.ddex`` decides."""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from collaborators.decorators import workspace_page
from collaborators.models import Workspace
from collaborators.permissions import Action

from ..ddex.parse import MAX_BYTES
from ..models import Release
from ..services import ddex
from .common import release_page


def _file_name(release: Release, suffix: str) -> str:
    stem = re.sub(r"[^\w\- ]+", "", str(release)).strip() or f"release-{release.pk}"
    return f"{stem} {suffix}"


def _members_only(release: Release) -> None:
    if release.viewer.is_guest:  # type: ignore[attr-defined]
        raise Http404("No such page.")


@require_GET
@release_page(Action.CONTENT_VIEW)
def release_ddex(request: HttpRequest, release: Release) -> HttpResponse:
    _members_only(release)
    try:
        data = ddex.release_message(release=release)
    except ValidationError as exc:
        messages.error(request, "The ERN message cannot be made yet: " + " ".join(exc.messages))
        return redirect("release-detail", release.workspace.slug, release.pk)
    response = HttpResponse(data, content_type="application/xml; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    name = _file_name(release, f"ERN 4.3 {stamp}.xml")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@release_page(Action.CONTENT_VIEW)
def release_cue(request: HttpRequest, release: Release) -> HttpResponse:
    _members_only(release)
    try:
        disc = max(1, int(request.GET.get("disc", 1)))
    except ValueError:
        disc = 1
    try:
        text = ddex.release_cue_sheet(release=release, disc=disc)
    except ValidationError as exc:
        messages.error(request, "The cue sheet cannot be made yet: " + " ".join(exc.messages))
        return redirect("release-detail", release.workspace.slug, release.pk)
    response = HttpResponse(text.encode("utf-8"), content_type="application/x-cue; charset=utf-8")
    name = _file_name(release, f"disc {disc}.cue")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class DdexImportForm(forms.Form):
    file = forms.FileField(
        label="ERN file (XML)",
        help_text="A DDEX ERN 4.3 NewReleaseMessage from your distributor or label, at most "
        f"{MAX_BYTES // 1_048_576} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                f"This file is larger than {MAX_BYTES // 1_048_576} MB; a DDEX message is not."
            )
        return upload


@require_http_methods(["GET", "POST"])
@workspace_page(Action.CONTENT_EDIT)
def ddex_import(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = DdexImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(MAX_BYTES + 1)
        try:
            release = ddex.release_import(workspace=workspace, data=data, user=request.user)
        except ValidationError as exc:
            form.add_error("file", " ".join(exc.messages))
        else:
            messages.success(
                request, f"“{release}” is in your catalogue with {release.tracks.count()} "
                "track(s), imported from its DDEX message.",
            )  # fmt: skip
            for warning in getattr(release, "import_warnings", []):
                messages.info(request, warning)
            return redirect("release-detail", workspace.slug, release.pk)
    status = 400 if form.errors else 200
    return render(request, "releases/ddex_import.html", {"form": form}, status=status)
