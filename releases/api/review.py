"""REST API of mix review, under ``/api/workspaces/<slug>/``: versions and comments here,
approvers, sign-offs, the review state and the lock in ``signoff``. Thin:
``releases.services.review`` decides who may do what and raises PermissionDenied (403) or
ValidationError (400); what is here finds the rows, inside the track or release the caller
may see, and shapes the answer.

====================================================  ========================================
``tracks/<track_id>/versions/``                       GET the mix versions; POST a new one
                                                      (multipart ``file`` + ``note``)
``tracks/<track_id>/versions/<id>/``                  GET one (poll its ``analysis``)
``tracks/<track_id>/comments/``                       GET the threads; POST a new thread
``tracks/<track_id>/comments/<id>/``                  GET one thread
``tracks/<track_id>/comments/<id>/replies/``          POST a reply in the thread
``tracks/<track_id>/comments/<id>/resolve|reopen/``   POST: resolve / reopen the thread
``tracks/<track_id>/signoffs/``                       GET every decision; POST an approver's
``tracks/<track_id>/review/``                         GET who approved what, who is pending
``tracks/<track_id>/lock/``                           GET the lock's state; POST to lock
``tracks/<track_id>/unlock/``                         POST to unlock, with a reason
``releases/<release_id>/approvers/``                  GET (``?track=``); POST to add one
``releases/<release_id>/approvers/<id>/``             DELETE to remove one
====================================================  ========================================

Guests are let in here, and only here. A guest on a release listens to, comments on and (when
an approver) signs off its mixes, and may upload one where ``version_upload_allowed`` says so;
the engineer sending the next mix is often a guest, so the API serves them as the track page
does. The caller is resolved through ``releases.access`` (``access_track``/``access_release``),
never ``WorkspaceScopedMixin``: a member by their role, a guest only on the one release they
are a guest on. A guest asking for another release's track or approvers gets a 404, as does a
stranger anywhere; every other workspace endpoint stays members-only, so a guest gets a 404
there too. An id in the body that names something outside the track in the path (another
track's version, another workspace's) is a 404 as well, and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import FloatField, Prefetch, QuerySet
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from audio.api import UPLOAD_OVERHEAD_BYTES, PayloadTooLarge
from audio.models import Job
from audio.services.uploads import size_words
from collaborators.api_support import error_response
from collaborators.permissions import Action

from ..access import access_release, access_track
from ..models import Comment, MixVersion, Release, Track
from ..serializers_review import (
    CommentInputSerializer,
    CommentReplyInputSerializer,
    CommentThreadSerializer,
    MixVersionOutputSerializer,
    MixVersionUploadInputSerializer,
)
from ..services import review

# --- Reads: each list costs the same number of queries whatever its length -------------------


def _figure(key: str) -> Cast:
    # KT("audio_file__analysis__…") would take ``audio_file`` for the JSON column; the
    # transform over the joined column reads the audio's analysis.
    return Cast(KeyTextTransform(key, "audio_file__analysis"), FloatField())


def _versions(track: Track) -> QuerySet[MixVersion]:
    """The track's versions with uploader, audio (without its big JSON), the two QC figures
    read out by the database, and the newest analysis job of each."""
    jobs = Job.objects.filter(kind=Job.Kind.ANALYZE).defer("result").order_by("-created_at", "-id")
    return (
        MixVersion.objects.filter(track=track)
        .select_related("audio_file", "uploaded_by")
        .defer("audio_file__analysis", "audio_file__peaks")
        .annotate(lufs=_figure("integrated_lufs"), true_peak=_figure("true_peak_dbtp"))
        .prefetch_related(Prefetch("audio_file__jobs", queryset=jobs, to_attr="analysis_jobs"))
        .order_by("number")
    )


def _threads(track: Track) -> QuerySet[Comment]:
    """The track's threads (first comments) with their replies, by version then time."""
    replies = Comment.objects.select_related("author").order_by("created_at", "id")
    return (
        Comment.objects.filter(track=track, parent__isnull=True)
        .select_related("version", "author", "resolved_by")
        .prefetch_related(Prefetch("replies", queryset=replies))
        .order_by("version__number", "at_s", "created_at", "id")
    )


def one_or_404(qs: QuerySet, pk: Any, what: str) -> Any:
    try:
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, TypeError, ValueError):
        raise Http404(f"No such {what}.") from None


def track_version(track: Track, version_id: Any) -> MixVersion:
    version = one_or_404(
        MixVersion.objects.filter(track=track).select_related("audio_file"),
        version_id, "version of this track",
    )  # fmt: skip
    version.track = track  # with its release and viewer, as access_track left them
    return version


def id_filter(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()):
        raise ValidationError({name: ["An id is a number."]})
    return int(value)


# --- Schema words -----------------------------------------------------------------------------

_CSRF = "Logged in with a session: the CSRF token is missing or wrong."


def forbidden(who: str) -> Any:
    return error_response(f"{who} (`permission_denied`). {_CSRF}")


def _not_found(what: str) -> Any:
    return error_response(
        f"No such track (or not yours: another workspace's, or a release you are not a guest "
        f"on), or {what} (`not_found`). Nothing is changed."
    )


VERSION_NOT_FOUND = _not_found("`version` is not a version of this track")
BAD_FILTER = error_response("A filter value is not valid (see `fields`).")
_COMMENT_FORBIDDEN = forbidden(
    "Your role does not comment: viewers read only; members and guests on the release comment, "
    "reply, resolve and reopen"
)
EDIT_FORBIDDEN = forbidden("This needs a role that edits the release: not a viewer, not a guest")


# --- Scoping ----------------------------------------------------------------------------------


class TrackScopedMixin:
    """Resolves ``track_id`` through ``releases.access.access_track``, before any handler.

    A member by their role, a guest only on a track of the release they are a guest on; anyone
    else, or a track of another workspace or release, is a 404. Reading needs
    ``content.view`` (every role and guests); a write ``write_action`` (the services then
    check finer rules, e.g. who approves).
    """

    write_action: Action = Action.CONTENT_VIEW
    track: Track

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        safe = request.method in permissions.SAFE_METHODS
        self.track = access_track(
            user=request.user, workspace_slug=kwargs["workspace_slug"],
            track_id=kwargs["track_id"], action=Action.CONTENT_VIEW if safe else self.write_action,
        )  # fmt: skip


class ReleaseScopedMixin:
    """As ``TrackScopedMixin``, for ``release_id`` (``releases.access.access_release``)."""

    write_action: Action = Action.CONTENT_EDIT
    release: Release

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        safe = request.method in permissions.SAFE_METHODS
        self.release = access_release(
            user=request.user, workspace_slug=kwargs["workspace_slug"],
            release_id=kwargs["release_id"],
            action=Action.CONTENT_VIEW if safe else self.write_action,
        )  # fmt: skip


# --- Versions ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="A track's mix versions, v1 first, with their analysis"),
    retrieve=extend_schema(summary="One mix version (poll it while its analysis runs)"),
)
class MixVersionViewSet(
    TrackScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A track's mix versions. Members and guests on the release list them. Uploading needs
    ``content.edit``, or, for a guest, to sign the track off or be credited on it as its
    engineer, producer or remixer (``review.version_upload_allowed``). A body over the upload
    limit is refused (413) before it is read, for anyone, so nothing of it is stored."""

    serializer_class = MixVersionOutputSerializer
    queryset = MixVersion.objects.none()
    parser_classes = [MultiPartParser, FormParser]
    filter_backends: list[Any] = []
    lookup_value_converter = "int"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if self.action == "create":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if length > settings.AUDIO_MAX_UPLOAD_BYTES + UPLOAD_OVERHEAD_BYTES:
                limit = size_words(settings.AUDIO_MAX_UPLOAD_BYTES)
                raise PayloadTooLarge(f"The upload is over the limit of {limit}.")
        super().initial(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[MixVersion]:
        return _versions(self.track)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "workspace_slug": self.kwargs["workspace_slug"]}

    def get_object(self) -> MixVersion:
        return one_or_404(self.get_queryset(), self.kwargs["pk"], "version of this track")

    @extend_schema(
        summary="Upload the track's next mix version; its analysis starts in the background",
        request={"multipart/form-data": MixVersionUploadInputSerializer},
        responses={
            201: MixVersionOutputSerializer,
            403: forbidden(
                "You may not upload mixes of this track: members need a role that edits "
                "content; a guest must sign this track off, or be credited on it as its "
                "engineer, producer or remixer"
            ),
            413: error_response(
                "The request is over the upload limit (`too_large`); nothing was read or stored."
            ),
        },
    )
    def create(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        data = MixVersionUploadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = review.mix_version_add(
            track=self.track, upload=data.validated_data["file"], user=request.user,
            note=data.validated_data["note"],
        )  # fmt: skip
        version = self.get_queryset().get(pk=version.pk)
        body = MixVersionOutputSerializer(version, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)


# --- Comments ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="A track's comment threads, each with its replies",
        parameters=[OpenApiParameter("version", int, description="Only threads on this version")],
        responses={200: CommentThreadSerializer(many=True), 400: BAD_FILTER},
    ),
    retrieve=extend_schema(summary="One thread (a reply's id gives its thread)"),
)
class CommentViewSet(
    TrackScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Timestamped comments on a track's versions, in threads. Everyone who reaches the track
    reads them; members who edit or comment and guests on the release write (``review.comment``:
    not viewers). A thread's id, or any of its replies' ids, names the thread."""

    serializer_class = CommentThreadSerializer
    queryset = Comment.objects.none()
    filter_backends: list[Any] = []
    lookup_value_converter = "int"
    write_action = Action.REVIEW_COMMENT

    def get_queryset(self) -> QuerySet[Comment]:
        qs = _threads(self.track)
        version = id_filter(self.request, "version")
        return qs if version is None else qs.filter(version_id=version)

    def get_object(self) -> Comment:
        comment = one_or_404(
            Comment.objects.filter(track=self.track).select_related("parent"),
            self.kwargs["pk"], "comment on this track",
        )  # fmt: skip
        root = comment.parent or comment
        root.track = self.track
        return root

    def _thread(self, root: Comment, code: int = status.HTTP_200_OK) -> Response:
        thread = _threads(self.track).get(pk=root.pk)
        return Response(CommentThreadSerializer(thread).data, status=code)

    def retrieve(self, request: Request, workspace_slug: str, track_id: int, pk: int) -> Response:
        return self._thread(self.get_object())

    @extend_schema(
        summary="Start a thread at a moment of a version",
        request=CommentInputSerializer,
        responses={201: CommentThreadSerializer, 403: _COMMENT_FORBIDDEN, 404: VERSION_NOT_FOUND},
    )
    def create(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        comment = review.comment_add(
            version=track_version(self.track, v["version"]), user=request.user, at_s=v["at_s"],
            body=v["body"],
        )  # fmt: skip
        return self._thread(comment, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Reply in the thread (the answer is the thread, the reply last)",
        request=CommentReplyInputSerializer,
        responses={201: CommentThreadSerializer, 403: _COMMENT_FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def replies(self, request: Request, workspace_slug: str, track_id: int, pk: int) -> Response:
        root = self.get_object()
        data = CommentReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review.comment_reply(parent=root, user=request.user, body=data.validated_data["body"])
        return self._thread(root, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Mark the thread resolved (one resolved already stays as it was)",
        request=None,
        responses={200: CommentThreadSerializer, 403: _COMMENT_FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, workspace_slug: str, track_id: int, pk: int) -> Response:
        return self._thread(review.comment_resolve(comment=self.get_object(), user=request.user))

    @extend_schema(
        summary="Open the thread again",
        request=None,
        responses={200: CommentThreadSerializer, 403: _COMMENT_FORBIDDEN},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, workspace_slug: str, track_id: int, pk: int) -> Response:
        return self._thread(review.comment_reopen(comment=self.get_object(), user=request.user))
