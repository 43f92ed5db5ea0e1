"""Every write about users, workspaces, members, people and invitations."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import RestrictedError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from .invitation_grants import invitation_grant
from .models import Invitation, Membership, Person, PersonRole, PersonRoleLink, User, Workspace
from .permissions import GUEST, ROLE_RANK, Action, Role, can, grantable_roles, require

logger = logging.getLogger(__name__)

_INVITE_SALT = "liner.invitation"


# --- Users ----------------------------------------------------------------------------------


def user_signup(*, email: str, password: str, name: str = "") -> User:
    email = User.objects.normalize_email(email or "").strip().lower()
    user = User(email=email, name=(name or "").strip())
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        if "email" in exc.message_dict and User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                {"email": "An account with this email already exists. Log in instead."}
            ) from exc
        raise
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"email": "An account with this email already exists. Log in instead."}
        ) from exc
    return user


# --- Workspaces -----------------------------------------------------------------------------


def _unique_slug(name: str, *, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 2
    qs = Workspace.objects.all()
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    while qs.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


@transaction.atomic
def workspace_create(
    *,
    user: User,
    name: str,
    kind: str = Workspace.Kind.ARTIST,
    default_currency: str = "USD",
    timezone_name: str = "UTC",
    slug: str | None = None,
) -> Workspace:
    """Create a workspace with ``user`` as its owner."""
    workspace = Workspace(
        name=(name or "").strip(),
        kind=kind,
        default_currency=(default_currency or "").upper(),
        timezone=timezone_name,
        slug=slug or _unique_slug(name or ""),
    )
    workspace.full_clean()
    for attempt in range(5):
        try:
            with transaction.atomic():
                workspace.save()
            break
        except IntegrityError as exc:
            # Someone took the same slug between our check and our insert: pick the next one.
            if slug or attempt == 4:
                raise ValidationError({"slug": "This address is taken; try another."}) from exc
            workspace.slug = _unique_slug(workspace.name)
    Membership.objects.create(workspace=workspace, user=user, role=Role.OWNER)
    return workspace


@transaction.atomic
def workspace_update(*, workspace: Workspace, actor_role: str, **fields: str) -> Workspace:
    require(actor_role, Action.WORKSPACE_EDIT)
    allowed = {"name", "kind", "default_currency", "timezone"}
    for key, value in fields.items():
        if key not in allowed:
            raise ValidationError({key: "This field cannot be changed."})
        setattr(workspace, key, value.upper() if key == "default_currency" else value)
    workspace.full_clean()
    workspace.save()
    return workspace


@transaction.atomic
def workspace_delete(*, workspace: Workspace, actor_role: str) -> None:
    require(actor_role, Action.WORKSPACE_DELETE)
    workspace.delete()


# --- Members --------------------------------------------------------------------------------


def _owners_left(workspace: Workspace, *, excluding: Membership) -> int:
    return (
        Membership.objects.filter(workspace=workspace, role=Role.OWNER)
        .exclude(pk=excluding.pk)
        .count()
    )


def _check_may_manage(actor: Membership, target: Membership, new_role: str | None) -> None:
    require(actor.role, Action.MEMBERS_MANAGE)
    if target.role == Role.OWNER and not can(actor.role, Action.OWNERS_MANAGE):
        raise PermissionDenied("Only an owner can change or remove another owner.")
    if new_role is not None and new_role not in grantable_roles(actor.role):
        raise PermissionDenied(f"Your role cannot give the role “{new_role}”.")


@transaction.atomic
def membership_role_change(*, actor: Membership, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    # Lock the workspace's owner rows so two owners demoting each other cannot leave none.
    list(Membership.objects.select_for_update().filter(workspace=membership.workspace_id))
    membership.refresh_from_db()
    _check_may_manage(actor, membership, role)
    demoting_owner = membership.role == Role.OWNER and role != Role.OWNER
    if demoting_owner and _owners_left(membership.workspace, excluding=membership) == 0:
        raise ValidationError({"role": "A workspace needs at least one owner."})
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """Remove a member; anyone may leave a workspace themselves (the last owner may not)."""
    list(Membership.objects.select_for_update().filter(workspace=membership.workspace_id))
    if membership.pk != actor.pk:
        _check_may_manage(actor, membership, None)
    if (
        membership.role == Role.OWNER
        and _owners_left(membership.workspace, excluding=membership) == 0
    ):
        raise ValidationError(
            "A workspace needs at least one owner: make someone else owner first."
        )
    membership.delete()


# --- People ---------------------------------------------------------------------------------

PERSON_FIELDS = ("name", "email", "phone", "organisation", "isni", "ipi", "pro", "notes", "links")


def _set_roles(person: Person, roles: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(roles))
    bad = [r for r in wanted if r not in PersonRole.values]
    if bad:
        raise ValidationError({"roles": f"Unknown role: {', '.join(bad)}."})
    PersonRoleLink.objects.filter(person=person).exclude(role__in=wanted).delete()
    have = set(PersonRoleLink.objects.filter(person=person).values_list("role", flat=True))
    PersonRoleLink.objects.bulk_create(
        [PersonRoleLink(person=person, role=r) for r in wanted if r not in have]
    )


def _check_email_free(person: Person) -> None:
    if person.email and (
        Person.objects.filter(workspace=person.workspace_id, email__iexact=person.email)
        .exclude(pk=person.pk)
        .exists()
    ):
        raise ValidationError({"email": "Someone in your address book already has this email."})


def _save_person(person: Person) -> None:
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent save took the same email
        raise ValidationError(
            {"email": "Someone in your address book already has this email."}
        ) from exc


def _link_login(person: Person) -> None:
    """A contact whose email belongs to a member of the workspace is linked to that login."""
    if person.email and person.user_id is None:
        person.user = User.objects.filter(
            email__iexact=person.email, memberships__workspace=person.workspace_id
        ).first()


@transaction.atomic
def person_create(*, workspace: Workspace, roles: Iterable[str] = (), **fields: object) -> Person:
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({k: "Unknown field." for k in unknown})
    person = Person(workspace=workspace, **fields)
    person.full_clean(validate_constraints=False)
    _check_email_free(person)
    _link_login(person)
    _save_person(person)
    _set_roles(person, roles)
    return person


@transaction.atomic
def person_update(
    *, person: Person, roles: Iterable[str] | None = None, **fields: object
) -> Person:
    for key, value in fields.items():
        if key not in PERSON_FIELDS:
            raise ValidationError({key: "Unknown field."})
        setattr(person, key, value)
    person.full_clean(validate_constraints=False)
    _check_email_free(person)
    _link_login(person)
    _save_person(person)
    if roles is not None:
        _set_roles(person, roles)
    return person


def restricted_words(exc: RestrictedError) -> str:
    """What still points at a row another app refuses to lose, in words ("2 credits")."""
    counts: dict[str, int] = {}
    for obj in exc.restricted_objects:
        meta = obj._meta
        counts[str(meta.verbose_name)] = counts.get(str(meta.verbose_name), 0) + 1
    return ", ".join(f"{n} {name if n == 1 else name + 's'}" for name, n in sorted(counts.items()))


@transaction.atomic
def person_delete(*, person: Person) -> None:
    """Remove someone from the address book, unless another app still relies on them (a
    credit on a release, say): then a ValidationError names what to remove first."""
    try:
        person.delete()
    except RestrictedError as exc:
        raise ValidationError(
            f"{person.name} is still in use ({restricted_words(exc)}); remove that first."
        ) from exc


# --- Invitations ----------------------------------------------------------------------------


class InvitationError(Exception):
    """An invitation link that cannot be used; the message is shown to the person."""


class _IssuedAtSigner(signing.TimestampSigner):
    """Signs with a given moment instead of the clock's."""

    def __init__(self, *, at: float) -> None:
        super().__init__(salt=_INVITE_SALT)
        self._at = int(at)

    def timestamp(self) -> str:
        return signing.b62_encode(self._at)


def invitation_token(invitation: Invitation) -> str:
    """The link's token: the key, signed with the moment the invitation was issued (or last
    resent), so the same invitation always has the same link and its age is the invitation's."""
    issued = invitation.expires_at - settings.INVITATION_MAX_AGE
    return _IssuedAtSigner(at=issued.timestamp()).sign(invitation.key)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("invitation-accept", kwargs={"token": invitation_token(invitation)})
    return settings.LINER_BASE_URL.rstrip("/") + path


def _enqueue_invitation_email(invitation: Invitation) -> None:
    from .tasks import send_invitation

    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation.delay(invitation_id=invitation_id))


@transaction.atomic
def invitation_create(
    *,
    workspace: Workspace,
    actor: Membership,
    email: str,
    role: str | None = None,
    message: str = "",
    grant_kind: str = "",
    grant_id: int | None = None,
) -> Invitation:
    """Invite ``email`` to ``workspace`` with ``role``; the email goes out after commit.

    With ``grant_kind`` (registered in ``invitation_grants``) and ``grant_id`` the invitation
    gives that grant instead of membership, and takes no role. The caller has checked whatever
    the grant itself requires; this checks only that ``actor`` may invite people at all.
    """
    require(actor.role, Action.MEMBERS_MANAGE)
    email = User.objects.normalize_email((email or "").strip()).lower()
    if grant_kind:
        if role not in (None, Role.VIEWER):
            raise ValidationError({"role": "This invitation gives no role in the workspace."})
        role = Role.VIEWER
    elif role not in Role.values:
        raise ValidationError({"role": f"Choose one of: {', '.join(Role.values)}."})
    elif role not in grantable_roles(actor.role):
        raise ValidationError({"role": f"Your role cannot invite someone as {role}."})
    now = timezone.now()
    invitation = Invitation(
        workspace=workspace,
        email=email,
        role=role,
        message=(message or "").strip(),
        invited_by=actor.user,
        key=secrets.token_urlsafe(32),
        expires_at=now + settings.INVITATION_MAX_AGE,
        grant_kind=grant_kind,
        grant_id=grant_id,
    )
    invitation.full_clean(validate_constraints=False)
    if Membership.objects.filter(workspace=workspace, user__email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already a member of this workspace."})
    open_ = Invitation.objects.select_for_update().filter(
        workspace=workspace,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        grant_kind=grant_kind,
        grant_id=grant_id,
    )
    for old in open_:
        if old.expires_at > now:
            raise ValidationError(
                {"email": f"{email} already has a pending invitation. Resend it instead."}
            )
        old.revoked_at = now  # an expired invitation is closed so a new one can be written
        old.save(update_fields=["revoked_at"])
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:  # a concurrent invite for the same address won the race
        raise ValidationError({"email": f"{email} already has a pending invitation."}) from exc
    _enqueue_invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    require(actor.role, Action.MEMBERS_MANAGE)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at:
        raise ValidationError("This invitation was already accepted; remove the member instead.")
    if not invitation.revoked_at:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Membership, invitation: Invitation) -> Invitation:
    """Send the invitation again with a fresh expiry (an expired one is revived)."""
    require(actor.role, Action.MEMBERS_MANAGE)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("Only an open invitation can be resent.")
    invitation.key = secrets.token_urlsafe(32)  # the old link stops working
    invitation.expires_at = timezone.now() + settings.INVITATION_MAX_AGE
    invitation.sent_at = None
    invitation.save(update_fields=["key", "expires_at", "sent_at"])
    _enqueue_invitation_email(invitation)
    return invitation


def invitation_from_token(token: str) -> Invitation:
    """The open invitation a link points to, or InvitationError saying why it can't be used."""
    max_age = settings.INVITATION_MAX_AGE
    try:
        key = signing.TimestampSigner(salt=_INVITE_SALT).unsign(token or "", max_age=max_age)
    except signing.SignatureExpired as exc:
        raise InvitationError("This invitation has expired. Ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise InvitationError(
            "This invitation link is not valid. Check that you copied all of it."
        ) from exc
    invitation = (
        Invitation.objects.select_related("workspace", "invited_by").filter(key=key).first()
    )
    if invitation is None:
        raise InvitationError("This invitation link was replaced by a newer one or withdrawn.")
    if invitation.accepted_at:
        raise InvitationError("This invitation has already been used.")
    if invitation.revoked_at:
        raise InvitationError("This invitation was withdrawn.")
    if invitation.expires_at <= timezone.now():
        raise InvitationError("This invitation has expired. Ask for a new one.")
    if invitation.grant_description is None:
        raise InvitationError("What this invitation was for no longer exists. Ask for a new one.")
    return invitation


@dataclass(frozen=True)
class InvitationAcceptance:
    """What accepting an invitation did: made or promoted a membership, or (``membership``
    None) gave a grant; and the path to send the person to next."""

    invitation: Invitation
    user: User
    membership: Membership | None
    next_url: str

    @property
    def workspace(self) -> Workspace:
        return self.invitation.workspace

    @property
    def role(self) -> str:
        """The member's role, or ``guest`` for a grant (no standing in the workspace)."""
        return self.membership.role if self.membership is not None else GUEST


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> InvitationAcceptance:
    """Accept an invitation as ``user``: a membership, or the invitation's grant (never a
    membership then). Single use, race-safe."""
    found = invitation_from_token(token)
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("workspace")
        .get(pk=found.pk)
    )
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationError("This invitation has already been used.")
    if invitation.email.lower() != user.email.lower():
        raise InvitationError(
            f"This invitation was sent to {invitation.email}, but you are logged in as "
            f"{user.email}. Log out and open the link again."
        )
    membership: Membership | None = None
    if invitation.grant_kind:
        grant = invitation_grant(invitation.grant_kind)
        if grant is None:
            raise InvitationError("This invitation can no longer be used. Ask for a new one.")
        next_url = grant.accept(invitation, user)
    else:
        membership = _membership_from_invitation(invitation, user)
        next_url = reverse(
            "workspace-dashboard", kwargs={"workspace_slug": invitation.workspace.slug}
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    return InvitationAcceptance(
        invitation=invitation, user=user, membership=membership, next_url=next_url
    )


def _membership_from_invitation(invitation: Invitation, user: User) -> Membership:
    membership = Membership.objects.filter(workspace=invitation.workspace, user=user).first()
    if membership is None:
        membership = Membership.objects.create(
            workspace=invitation.workspace, user=user, role=invitation.role
        )
    elif ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(membership.role)]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    Person.objects.filter(
        workspace=invitation.workspace, email__iexact=user.email, user__isnull=True
    ).update(user=user)
    return membership


@transaction.atomic
def invitation_accept_with_signup(
    *, token: str, password: str, name: str = ""
) -> InvitationAcceptance:
    """Create the invited person's account and accept in one step: both happen or neither."""
    invitation = invitation_from_token(token)
    user = user_signup(email=invitation.email, password=password, name=name)
    return invitation_accept(token=token, user=user)


def invitation_send_email(*, invitation_id: int) -> bool:
    """Send the invitation email once; returns False when there is nothing to send.

    Idempotent: the row is locked and ``sent_at`` marks it sent, so a task that runs twice
    sends one email.
    """
    with transaction.atomic():
        invitation = (
            # Lock only the invitation: PostgreSQL refuses FOR UPDATE on the nullable side of
            # the outer join to invited_by.
            Invitation.objects.select_for_update(of=("self",))
            .select_related("workspace", "invited_by")
            .filter(pk=invitation_id, sent_at__isnull=True, accepted_at__isnull=True)
            .filter(revoked_at__isnull=True)
            .first()
        )
        if invitation is None:
            return False
        grant = invitation.grant_description
        if grant is None:  # what it granted is gone: nothing worth sending
            logger.info("invitation %s not sent: its grant no longer exists", invitation.pk)
            return False
        context = {
            "invitation": invitation,
            "grant": grant,
            "url": invitation_url(invitation),
            "inviter": invitation.invited_by.display_name if invitation.invited_by else "Someone",
        }
        if grant:
            subject = f"{invitation.workspace.name} invites you to {grant}"
        else:
            subject = f"You're invited to {invitation.workspace.name} on Liner"
        body = render_to_string("collaborators/email/invitation.txt", context)
        send_mail(subject, body, None, [invitation.email])
        invitation.sent_at = timezone.now()
        invitation.save(update_fields=["sent_at"])
    logger.info("invitation %s sent to %s", invitation.pk, invitation.email)
    return True
