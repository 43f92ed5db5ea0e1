"""Timestamped comments on a mix version, threads of replies, resolving and reopening."""

from __future__ import annotations

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from collaborators.permissions import Action

from ...models import Comment, MixVersion
from .. import notifications
from .common import BODY_MAX, _require, clock


def _body(body: Any) -> str:
    text = str(body or "").strip()
    if not text:
        raise ValidationError({"body": "Write something first."})
    if len(text) > BODY_MAX:
        raise ValidationError(
            {"body": f"Keep a comment under {BODY_MAX} characters (this one has {len(text)})."}
        )
    return text


def _time(at_s: Any, version: MixVersion) -> float:
    try:
        at = float(at_s)
    except (TypeError, ValueError):
        raise ValidationError({"at_s": "Say where in the mix, e.g. 1:23."}) from None
    if not math.isfinite(at) or at < 0:
        raise ValidationError({"at_s": "Say where in the mix, e.g. 1:23."})
    duration = version.audio_file.duration_s
    if at > duration:
        raise ValidationError(
            {
                "at_s": f"{version.label} is {clock(duration)} long; "
                f"{clock(at)} is past its end. Choose a time within it."
            }
        )
    return round(at, 2)


def _thread_root(comment: Comment) -> Comment:
    return comment.parent if comment.parent_id else comment


@transaction.atomic
def comment_add(*, version: MixVersion, user: Any, at_s: float, body: str) -> Comment:
    """A new thread on ``version`` at ``at_s`` seconds (within the version's duration)."""
    track = version.track
    _require(user=user, release=track.release, action=Action.REVIEW_COMMENT)
    comment = Comment(
        track=track, version=version, author=user, at_s=_time(at_s, version), body=_body(body)
    )
    comment.full_clean()
    comment.save()
    transaction.on_commit(lambda: notifications.notify_comment(comment=comment))
    return comment


@transaction.atomic
def comment_reply(*, parent: Comment, user: Any, body: str) -> Comment:
    """A reply in ``parent``'s thread (a reply to a reply goes on the thread's first comment)."""
    root = _thread_root(parent)
    _require(user=user, release=root.track.release, action=Action.REVIEW_COMMENT)
    reply = Comment(
        track_id=root.track_id, version_id=root.version_id, parent=root, author=user,
        at_s=None, body=_body(body),
    )  # fmt: skip
    reply.full_clean()
    reply.save()
    transaction.on_commit(lambda: notifications.notify_comment(comment=reply))
    return reply


def _thread_locked(comment: Comment, user: Any) -> Comment:
    root = _thread_root(comment)
    _require(user=user, release=root.track.release, action=Action.REVIEW_COMMENT)
    return Comment.objects.select_for_update().get(pk=root.pk)


@transaction.atomic
def comment_resolve(*, comment: Comment, user: Any) -> Comment:
    """Mark the comment's thread resolved (a thread already resolved stays as it was)."""
    root = _thread_locked(comment, user)
    if root.resolved_at is None:
        root.resolved_at = timezone.now()
        root.resolved_by = user
        root.save(update_fields=["resolved_at", "resolved_by"])
    return root


@transaction.atomic
def comment_reopen(*, comment: Comment, user: Any) -> Comment:
    """Open the comment's thread again."""
    root = _thread_locked(comment, user)
    if root.resolved_at is not None:
        root.resolved_at = None
        root.resolved_by = None
        root.save(update_fields=["resolved_at", "resolved_by"])
    return root
