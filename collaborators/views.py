"""Pages for accounts, workspaces, people, members and invitations. Thin: services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import selectors, services
from .api_support import json_error
from .decorators import SESSION_KEY, workspace_page
from .forms import (
    InvitedSignupForm,
    InviteForm,
    PersonForm,
    SignupForm,
    WorkspaceForm,
    apply_errors,
)
from .home import home_destinations
from .models import Person, PersonRole, User, Workspace
from .permissions import Action, Role, can, grantable_roles

_BACKEND = "django.contrib.auth.backends.ModelBackend"


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    memberships = list(selectors.memberships_for_user(user=request.user))
    if not memberships:
        # A guest on someone else's release has no workspace of their own, only that release.
        places = home_destinations(request.user)
        if len(places) == 1:
            return redirect(places[0].url)
        if places:
            return render(request, "collaborators/guest_home.html", {"places": places})
        return redirect("workspace-create")
    last = request.session.get(SESSION_KEY)
    slug = next((m.workspace.slug for m in memberships if m.workspace.slug == last), None)
    return redirect("workspace-dashboard", workspace_slug=slug or memberships[0].workspace.slug)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_signup(**form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            login(request, user, backend=_BACKEND)
            messages.success(request, "Welcome to Liner. Start by naming your workspace.")
            return redirect("workspace-create")
    return render(request, "registration/signup.html", {"form": form})


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes calls this when a login is throttled."""
    text = "Too many failed logins. Wait 15 minutes, or reset your password."
    if request.path.startswith("/api/"):
        return json_error(429, text, "throttled")
    return render(request, "registration/locked_out.html", {"text": text}, status=429)


@login_required
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            workspace = services.workspace_create(
                user=request.user,
                name=data["name"],
                kind=data["kind"],
                default_currency=data["default_currency"],
                timezone_name=data["timezone"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{workspace.name} is ready.")
            return redirect("workspace-dashboard", workspace_slug=workspace.slug)
    return render(request, "collaborators/workspace_create.html", {"form": form})


@workspace_page()
def workspace_dashboard(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return render(
        request,
        "collaborators/dashboard.html",
        {"counts": selectors.workspace_overview(workspace=workspace)},
    )


@workspace_page(Action.WORKSPACE_EDIT)
def workspace_settings(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = WorkspaceForm(request.POST or None, instance=Workspace.objects.get(pk=workspace.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_update(
                workspace=workspace, actor_role=workspace.membership.role, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Workspace settings saved.")
            return redirect("workspace-settings", workspace_slug=workspace.slug)
    return render(request, "collaborators/workspace_settings.html", {"form": form})


# --- People ---------------------------------------------------------------------------------


@workspace_page(Action.PEOPLE_VIEW)
def people_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    role = request.GET.get("role", "")
    if role not in PersonRole.values:
        role = ""
    people = selectors.people_list(workspace=workspace, search=q, role=role)
    context = {"people": people, "q": q, "role": role, "roles": PersonRole.choices}
    template = "collaborators/people_list.html"
    if request.htmx:
        template += "#people-rows"
    return render(request, template, context)


def _person_initial(person: Person) -> dict[str, Any]:
    return {
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "organisation": person.organisation,
        "roles": person.role_list,
        "isni": person.isni,
        "ipi": person.ipi,
        "pro": person.pro,
        "links": "\n".join(person.links),
        "notes": person.notes,
    }


@workspace_page(Action.PEOPLE_EDIT)
def person_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("roles")
        try:
            person = services.person_create(workspace=workspace, roles=roles, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"{person.name} added to your people.")
            return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
    return render(request, "collaborators/person_form.html", {"form": form, "person": None})


@workspace_page(Action.PEOPLE_VIEW)
def person_detail(request: HttpRequest, workspace: Workspace, person_id: int) -> HttpResponse:
    person = selectors.access_person(workspace=workspace, person_id=person_id)
    return render(request, "collaborators/person_detail.html", {"person": person})


@workspace_page(Action.PEOPLE_EDIT)
def person_edit(request: HttpRequest, workspace: Workspace, person_id: int) -> HttpResponse:
    person = selectors.access_person(workspace=workspace, person_id=person_id)
    form = PersonForm(request.POST or None, initial=_person_initial(person))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        roles = data.pop("roles")
        try:
            services.person_update(person=person, roles=roles, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
    return render(request, "collaborators/person_form.html", {"form": form, "person": person})


@workspace_page(Action.PEOPLE_EDIT)
def person_delete(request: HttpRequest, workspace: Workspace, person_id: int) -> HttpResponse:
    person = selectors.access_person(workspace=workspace, person_id=person_id)
    if request.method == "POST":
        try:
            services.person_delete(person=person)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("person-detail", workspace_slug=workspace.slug, person_id=person.pk)
        messages.success(request, f"{person.name} removed from your people.")
        return redirect("people-list", workspace_slug=workspace.slug)
    return render(request, "collaborators/person_confirm_delete.html", {"person": person})


# --- Members and invitations ----------------------------------------------------------------


def _members_context(workspace: Workspace, form: InviteForm | None = None) -> dict[str, Any]:
    role = workspace.membership.role
    roles = grantable_roles(role)
    me = workspace.membership.pk
    may_manage = can(role, Action.MEMBERS_MANAGE)
    may_owners = can(role, Action.OWNERS_MANAGE)
    rows = [
        {
            "m": m,
            "me": m.pk == me,
            "may_change": m.pk != me and may_manage and (m.role != Role.OWNER or may_owners),
        }
        for m in selectors.members_list(workspace=workspace)
    ]
    return {
        "rows": rows,
        "invitations": selectors.invitations_list(workspace=workspace).filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ),
        "form": form or (InviteForm(roles=roles) if roles else None),
        "grantable_roles": [(r, Role(r).label) for r in roles],
    }


@workspace_page(Action.MEMBERS_VIEW)
def members(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    return render(request, "collaborators/members.html", _members_context(workspace))


@workspace_page(Action.MEMBERS_MANAGE)
def invitation_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    form = InviteForm(request.POST or None, roles=grantable_roles(workspace.membership.role))
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                workspace=workspace, actor=workspace.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("members", workspace_slug=workspace.slug)
    return render(
        request, "collaborators/members.html", _members_context(workspace, form), status=400
    )


def _member_action(request: HttpRequest, workspace: Workspace, fn: Any, ok: str) -> HttpResponse:
    try:
        fn()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, ok)
    return redirect("members", workspace_slug=workspace.slug)


@require_POST
@workspace_page(Action.MEMBERS_MANAGE)
def member_role(request: HttpRequest, workspace: Workspace, membership_id: int) -> HttpResponse:
    target = selectors.access_membership(workspace=workspace, membership_id=membership_id)
    role = request.POST.get("role", "")
    label = Role(role).label.lower() if role in Role.values else role
    return _member_action(
        request,
        workspace,
        lambda: services.membership_role_change(
            actor=workspace.membership, membership=target, role=role
        ),
        f"{target.user.display_name} is now {label}.",
    )


@require_POST
@workspace_page(Action.MEMBERS_VIEW)
def member_remove(request: HttpRequest, workspace: Workspace, membership_id: int) -> HttpResponse:
    target = selectors.access_membership(workspace=workspace, membership_id=membership_id)
    leaving = target.pk == workspace.membership.pk
    try:
        services.membership_remove(actor=workspace.membership, membership=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("members", workspace_slug=workspace.slug)
    if leaving:
        messages.success(request, f"You left {workspace.name}.")
        request.session.pop(SESSION_KEY, None)
        return redirect("home")
    messages.success(request, f"{target.user.display_name} was removed from {workspace.name}.")
    return redirect("members", workspace_slug=workspace.slug)


_INVITATION_ACTIONS = {
    "revoke": (services.invitation_revoke, "Invitation to {email} withdrawn."),
    "resend": (services.invitation_resend, "Invitation to {email} sent again."),
}


@require_POST
@workspace_page(Action.MEMBERS_MANAGE)
def invitation_action(
    request: HttpRequest, workspace: Workspace, invitation_id: int, verb: str
) -> HttpResponse:
    service, done = _INVITATION_ACTIONS[verb]
    invitation = selectors.access_invitation(workspace=workspace, invitation_id=invitation_id)
    return _member_action(
        request,
        workspace,
        lambda: service(actor=workspace.membership, invitation=invitation),
        done.format(email=invitation.email),
    )


def _accepted_message(accepted: services.InvitationAcceptance, *, welcome: bool) -> str:
    if accepted.membership is None:
        return f"You're in: you can now {accepted.invitation.grant_description}."
    name = accepted.workspace.name
    return f"Welcome to {name}." if welcome else f"You joined {name}."


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: join, log in first, or create an account."""
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationError as exc:
        return render(
            request, "collaborators/invitation_invalid.html", {"reason": str(exc)}, status=400
        )
    context: dict[str, Any] = {"invitation": invitation, "token": token}
    user = request.user
    if user.is_authenticated:
        if request.method == "POST":
            try:
                accepted = services.invitation_accept(token=token, user=user)
            except (services.InvitationError, ValidationError) as exc:
                context["error"] = " ".join(getattr(exc, "messages", [str(exc)]))
                return render(request, "collaborators/invitation_accept.html", context, status=400)
            messages.success(request, _accepted_message(accepted, welcome=False))
            return redirect(accepted.next_url)
        context["wrong_account"] = user.email.lower() != invitation.email.lower()
        return render(request, "collaborators/invitation_accept.html", context)

    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    context["has_account"] = has_account
    context["login_url"] = f"{reverse('login')}?next={request.path}"
    form = InvitedSignupForm(request.POST or None)
    if request.method == "POST" and not has_account and form.is_valid():
        try:
            accepted = services.invitation_accept_with_signup(token=token, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except services.InvitationError as exc:
            context["error"] = str(exc)
        else:
            login(request, accepted.user, backend=_BACKEND)
            messages.success(request, _accepted_message(accepted, welcome=True))
            return redirect(accepted.next_url)
    context["form"] = form
    return render(request, "collaborators/invitation_accept.html", context)


# --- Audit log ------------------------------------------------------------------------------

# The page's filters: a name and the prefix of the actions it shows.
AUDIT_FILTERS = {
    "signoffs": ("Sign-offs and master locks", "releases."),
    "splits": ("Splits", "rights.split"),
    "payouts": ("Payouts", "rights.payout"),
    "periods": ("Closed periods", "rights.period"),
}


@workspace_page(Action.WORKSPACE_VIEW)
def audit_log(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    from django.core.paginator import Paginator

    from .audit import AuditEntry, audit_verify

    shown = request.GET.get("show", "")
    entries = AuditEntry.objects.visible_to(workspace=workspace, role=workspace.membership.role)
    if shown in AUDIT_FILTERS:
        entries = entries.filter(action__startswith=AUDIT_FILTERS[shown][1])
    page = Paginator(entries.select_related("actor"), 50).get_page(request.GET.get("page"))
    # Checking the chain reads every entry of the workspace: only when asked for.
    broken = audit_verify(workspace=workspace) if request.GET.get("verify") else None
    context = {
        "page": page, "shown": shown, "filters": AUDIT_FILTERS.items(), "broken": broken,
    }  # fmt: skip
    return render(request, "collaborators/audit.html", context)
