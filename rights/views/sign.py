"""The signing page for a party without a login: /sign/<token>/ from the emailed link.

The token is ``django.core.signing`` over (sheet version id, person id), good for 14 days, so the
link itself is the proof of who is signing; nothing else about the workspace is shown.
"""

from __future__ import annotations

from django.core import signing
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_http_methods

from ..services import sheets


def _problem(request: HttpRequest, title: str, text: str, status: int) -> HttpResponse:
    return render(
        request, "rights/sign/problem.html", {"title": title, "text": text}, status=status
    )


@require_http_methods(["GET", "POST"])
def sign_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        version_id, person_id = sheets.sign_token_read(token)
    except signing.SignatureExpired:
        return _problem(
            request, "This link has expired",
            "Signing links are good for 14 days. Ask the person who sent it for a new one.", 410,
        )  # fmt: skip
    except signing.BadSignature:
        return _problem(
            request, "This link does not work",
            "Check that the whole address from the email was copied.", 400,
        )  # fmt: skip
    try:
        version, person = sheets.version_for_link(version_id=version_id, person_id=person_id)
    except ObjectDoesNotExist:
        return _problem(request, "This sheet is gone", "The split sheet was deleted.", 404)
    work = version.sheet.work
    if version.number != version.sheet.version:
        sheets.request_current(work=work, person=person)
        return _problem(
            request, "This sheet changed",
            f"The split sheet of “{work.title}” changed since this link was sent; the new "
            "version was sent to you by email.", 409,
        )  # fmt: skip
    signed = version.signatures.filter(person=person).first()
    errors: list[str] = []
    if request.method == "POST" and signed is None:
        if not request.POST.get("agree"):
            errors.append("Tick “I agree” to sign.")
        else:
            try:
                signed = sheets.split_sheet_sign(
                    version=version, person=person, via="link",
                    signed_name=request.POST.get("signed_name", ""),
                )  # fmt: skip
            except ValidationError as exc:
                errors.extend(exc.messages)
    return render(
        request, "rights/sign/page.html",
        {"version": version, "person": person, "work": work, "snap": version.snapshot,
         "signed": signed, "errors": errors,
         "typed": request.POST.get("signed_name", person.name)},
        status=400 if errors else 200,
    )  # fmt: skip


urlpatterns: list[URLPattern] = [path("<str:token>/", sign_page, name="rights-sign")]
