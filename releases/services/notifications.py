"""Review emails (new version, comment on your mix, sign-off requested, sign-off given), sent
after commit through the worker, each kind switchable per user.

The review services call the four ``notify_*`` functions (after their own commit). Each works
out who should hear of the event, leaves out the person who caused it, anyone who has turned
that kind off and anyone who no longer reaches the track (a member who left, a guest taken off
the release), and writes one ``Notification`` row per person with the email's words; after
commit it enqueues ``releases.notify`` for each row. The task sends the row's email once:
``sent_at`` marks it, so a duplicate delivery sends nothing more. Settings are checked again
when sending, so turning a kind off stops the emails still in the queue.

Emails are plain text with a link to the track's page, built on ``settings.LINER_BASE_URL``
as invitation emails are.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from collaborators.models import Membership, User
from collaborators.permissions import Action, can

from ..models import (
    Approver,
    Comment,
    MixVersion,
    Notification,
    NotificationKind,
    NotificationSetting,
    SignOff,
    Track,
)

logger = logging.getLogger(__name__)

SUBJECT_MAX = 200


# --- Links and words --------------------------------------------------------------------------


def _absolute(path: str) -> str:
    return settings.LINER_BASE_URL.rstrip("/") + path


def track_url(track: Track) -> str:
    """The track's page, as a full address for an email."""
    slug = track.workspace.slug
    return _absolute(f"/w/{slug}/releases/{track.release_id}/tracks/{track.pk}/")


def _settings_url() -> str:
    try:
        return _absolute(reverse("notification-settings"))
    except NoReverseMatch:  # the page is not routed (a project without it): say nothing wrong
        return _absolute("/account/notifications/")


def _clock(seconds: float | None) -> str:
    total = int(seconds or 0)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _name(user: User | None) -> str:
    return user.display_name if user is not None else "Someone"


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.strip().splitlines())


def _where(track: Track) -> str:
    return f"“{track}” ({track.release})"


# --- Who hears -------------------------------------------------------------------------------


def _recipients(*, track: Track, kind: str, user_ids: Iterable[int | None]) -> list[User]:
    """Of ``user_ids``, those who still reach ``track`` and have not turned ``kind`` off."""
    ids = {pk for pk in user_ids if pk is not None}
    if not ids:
        return []
    off = NotificationSetting.objects.filter(kind=kind, enabled=False).values("user_id")
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .filter(_reaches(track))
        .exclude(pk__in=off)
        .distinct()
        .order_by("pk")
    )


def _reaches(track: Track) -> Q:
    return Q(memberships__workspace_id=track.workspace_id) | Q(
        guest_releases__release_id=track.release_id
    )


def _approver_ids(track: Track) -> Iterable[int]:
    return Approver.objects.filter(
        Q(track__isnull=True) | Q(track_id=track.pk), release_id=track.release_id
    ).values_list("user_id", flat=True)


def _thread_ids(root: Comment) -> set[int | None]:
    """Everyone who wrote in ``root``'s thread (replies hang off the thread's first comment)."""
    return set(
        Comment.objects.filter(Q(pk=root.pk) | Q(parent_id=root.pk)).values_list(
            "author_id", flat=True
        )
    )


# --- Writing the outbox ----------------------------------------------------------------------


def _tell(
    *,
    kind: str,
    key: str,
    track: Track,
    user_ids: Iterable[int | None],
    actor_id: int | None,
    subject: str,
    body: Callable[[User], str],
) -> list[int]:
    """Write the event's rows (one per person, never the actor) and send them after commit.
    Returns the ids of the rows still to send."""
    people = [u for u in _recipients(track=track, kind=kind, user_ids=user_ids) if u.pk != actor_id]
    if not people:
        return []
    footer = (
        f"\n\n--\nYou can turn off emails like this one ({NotificationKind(kind).label.lower()}) "
        f"or any other kind here: {_settings_url()}\n"
    )
    with transaction.atomic():
        have = set(
            Notification.objects.filter(key=key, recipient__in=people).values_list(
                "recipient_id", flat=True
            )
        )
        rows = []
        for user in people:
            if user.pk in have:
                continue
            row = Notification(
                kind=kind,
                key=key,
                recipient=user,
                track=track,
                subject=subject[:SUBJECT_MAX],
                body=f"Hi {user.display_name},\n\n{body(user).strip()}{footer}",
            )
            row.full_clean(exclude=["recipient", "track"], validate_constraints=False)
            rows.append(row)
        # A concurrent call for the same event may have written some: theirs stand.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            Notification.objects.filter(
                key=key, recipient__in=people, sent_at__isnull=True, skipped_at__isnull=True
            ).values_list("pk", flat=True)
        )
        transaction.on_commit(lambda: _enqueue(ids))
    return ids


def _enqueue(ids: list[int]) -> None:
    from ..tasks import notify

    for pk in ids:
        notify.delay(notification_id=pk)


def _track(track_id: int) -> Track:
    return Track.objects.select_related("release", "workspace").get(pk=track_id)


# --- The four events ---------------------------------------------------------------------------


def notify_new_version(*, version: MixVersion) -> None:
    """A new mix version of a track: tell its approvers and the people in its open threads
    (not the uploader)."""
    track = _track(version.track_id)
    uploader = version.uploaded_by
    open_roots = Comment.objects.filter(
        track=track, parent__isnull=True, resolved_at__isnull=True
    ).values("pk")
    in_threads = Comment.objects.filter(Q(pk__in=open_roots) | Q(parent_id__in=open_roots))
    user_ids = {*_approver_ids(track), *in_threads.values_list("author_id", flat=True)}
    note = f"\n\nWhat changed: {version.note}" if version.note else ""

    def body(user: User) -> str:
        return (
            f"{_name(uploader)} uploaded a new mix of {_where(track)}: {version.label}.{note}\n\n"
            f"Listen and comment here:\n{track_url(track)}"
        )

    _tell(
        kind=NotificationKind.NEW_VERSION,
        key=f"new_version:{version.pk}",
        track=track,
        user_ids=user_ids,
        actor_id=version.uploaded_by_id,
        subject=f"New mix of “{track}”: {version.label}",
        body=body,
    )


def notify_comment(*, comment: Comment) -> None:
    """A comment or reply: tell the version's uploader and the thread's participants (not the
    author)."""
    track = _track(comment.track_id)
    root = comment.parent if comment.parent_id else comment
    version = MixVersion.objects.get(pk=comment.version_id)
    user_ids = {version.uploaded_by_id, *_thread_ids(root)}
    author = _name(comment.author)
    at = f"{version.label} at {_clock(root.at_s)}"
    did = "replied" if comment.parent_id else "commented"

    def body(user: User) -> str:
        return (
            f"{author} {did} on {_where(track)}, {at}:\n\n{_quote(comment.body)}\n\n"
            f"Read and reply here:\n{track_url(track)}"
        )

    _tell(
        kind=NotificationKind.COMMENT,
        key=f"comment:{comment.pk}",
        track=track,
        user_ids=user_ids,
        actor_id=comment.author_id,
        subject=f"{author} {did} on “{track}” ({at})",
        body=body,
    )


def notify_signoff_requested(*, track: Track, users: Iterable[User | int]) -> None:
    """Sign-off requested on a track: tell each of ``users`` (logins or their ids)."""
    track = _track(track.pk)
    latest = MixVersion.objects.filter(track=track).order_by("-number").first()
    what = f"{latest.label}, the latest mix," if latest is not None else "its latest mix"

    def body(user: User) -> str:
        return (
            f"Your sign-off is needed on {_where(track)}. Listen to {what} and approve it, or "
            f"ask for changes:\n{track_url(track)}"
        )

    _tell(
        kind=NotificationKind.SIGNOFF_REQUESTED,
        # Every request is its own event: asking again later is a reminder, not a duplicate.
        key=f"signoff_requested:{track.pk}:{uuid.uuid4().hex}",
        track=track,
        user_ids=[getattr(u, "pk", u) for u in users],
        actor_id=None,
        subject=f"Your sign-off is requested on “{track}”",
        body=body,
    )


def notify_signoff_given(*, signoff: SignOff) -> None:
    """An approval or a request for changes: tell the release workspace's owners and managers
    and the version's uploader (not the signer)."""
    track = _track(signoff.track_id)
    version = MixVersion.objects.get(pk=signoff.version_id)
    runners = [
        m.user_id
        for m in Membership.objects.filter(workspace_id=track.workspace_id)
        if can(m.role, Action.MEMBERS_MANAGE)
    ]
    signer = _name(User.objects.filter(pk=signoff.user_id).first())
    if signoff.decision == SignOff.Decision.APPROVED:
        did = f"approved {version.label} of “{track}”"
    else:
        did = f"asked for changes to {version.label} of “{track}”"
    note = f"\n\n{_quote(signoff.note)}" if signoff.note else ""

    def body(user: User) -> str:
        return f"{signer} {did} ({track.release}).{note}\n\nThe track:\n{track_url(track)}"

    _tell(
        kind=NotificationKind.SIGNOFF_GIVEN,
        key=f"signoff_given:{signoff.pk}",
        track=track,
        user_ids={*runners, version.uploaded_by_id},
        actor_id=signoff.user_id,
        subject=f"{signer} {did}",
        body=body,
    )


# --- Sending (the worker) ----------------------------------------------------------------------


def notification_send(*, notification_id: int) -> bool:
    """Send one notification's email, once; False when there is nothing (more) to send.

    Idempotent: the row is locked and ``sent_at`` marks it sent. A person who has turned the
    kind off, or no longer reaches the track, since the row was written is skipped.
    """
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "track")
            .filter(pk=notification_id, sent_at__isnull=True, skipped_at__isnull=True)
            .first()
        )
        if row is None:
            return False
        now = timezone.now()
        wanted = _recipients(track=row.track, kind=row.kind, user_ids=[row.recipient_id])
        if not wanted:
            row.skipped_at = now
            row.save(update_fields=["skipped_at"])
            logger.info("notification %s skipped (turned off or no access)", row.pk)
            return False
        send_mail(row.subject, row.body, None, [row.recipient.email])
        row.sent_at = now
        row.save(update_fields=["sent_at"])
    logger.info("notification %s (%s) sent to %s", row.pk, row.kind, row.recipient.email)
    return True


# --- Settings ----------------------------------------------------------------------------------


def notification_settings_get(*, user: User) -> dict[str, bool]:
    """Each kind of review email and whether ``user`` gets it (on unless turned off)."""
    stored = dict(NotificationSetting.objects.filter(user=user).values_list("kind", "enabled"))
    return {kind.value: stored.get(kind.value, True) for kind in NotificationKind}


@transaction.atomic
def notification_settings_update(*, user: User, enabled: Mapping[str, bool]) -> dict[str, bool]:
    """Turn kinds of review email on or off for ``user``; kinds not named keep their setting.
    Returns every kind's setting after the change."""
    errors = {
        kind: "There is no such kind of email."
        for kind in enabled
        if kind not in NotificationKind.values
    }
    errors.update(
        {
            kind: "Say true (send these emails) or false (don't)."
            for kind, on in enabled.items()
            if kind not in errors and not isinstance(on, bool)
        }
    )
    if errors:
        raise ValidationError(errors)
    for kind, on in enabled.items():
        NotificationSetting.objects.update_or_create(user=user, kind=kind, defaults={"enabled": on})
    return notification_settings_get(user=user)
