"""REST API of approvers, sign-offs, a track's review state and its master lock (the routes,
and who gets in, guests included: ``releases.api.review``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from collaborators.api_support import error_response
from collaborators.models import User
from collaborators.permissions import Action

from ..models import Approver, MasterLock, SignOff
from ..serializers_review import (
    ApproverInputSerializer,
    ApproverOutputSerializer,
    MasterLockInputSerializer,
    MasterLockStateSerializer,
    MasterUnlockInputSerializer,
    SignOffInputSerializer,
    SignOffOutputSerializer,
    TrackReviewStateSerializer,
)
from ..services import review
from .review import (
    BAD_FILTER,
    EDIT_FORBIDDEN,
    VERSION_NOT_FOUND,
    ReleaseScopedMixin,
    TrackScopedMixin,
    forbidden,
    id_filter,
    one_or_404,
    track_version,
)

# --- Sign-off and the review state ------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Every decision on the track, newest first, superseded included"),
)
class SignOffViewSet(TrackScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Sign-offs. Everyone who reaches the track reads them; only the track's approvers (for
    the release or this track; members or guests) decide, on its latest version, while its
    master is not locked. A decision replaces the approver's previous one."""

    serializer_class = SignOffOutputSerializer
    queryset = SignOff.objects.none()
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[SignOff]:
        return (
            SignOff.objects.filter(track=self.track)
            .select_related("user", "version")
            .order_by("-created_at", "-id")
        )

    @extend_schema(
        summary="Approve the latest version, or ask for changes (with a note)",
        request=SignOffInputSerializer,
        responses={
            201: SignOffOutputSerializer,
            400: error_response(
                "The input is not valid (`fields`); or the version is not the latest "
                "(`fields.version`), changes are asked without a note (`fields.note`), or the "
                "master is locked (`detail`)."
            ),
            403: forbidden("Only this track's approvers sign it off"),
            404: VERSION_NOT_FOUND,
        },
    )
    def create(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        data = SignOffInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        signoff = review.signoff_record(
            track=self.track, version=track_version(self.track, v["version"]), user=request.user,
            decision=v["decision"], note=v["note"],
        )  # fmt: skip
        signoff = self.get_queryset().get(pk=signoff.pk)
        return Response(SignOffOutputSerializer(signoff).data, status=status.HTTP_201_CREATED)


class TrackReviewStateView(TrackScopedMixin, APIView):
    """Where the track's review stands: for members and guests on its release."""

    @extend_schema(
        summary="Who approved what, who is pending, whether the latest version is fully approved",
        responses={200: TrackReviewStateSerializer},
    )
    def get(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        state = review.track_review_state(self.track)
        body = {
            "track": self.track, "latest": state.latest, "approvers": state.approvers,
            "pending_users": [a.user for a in state.pending],
            "fully_approved": state.fully_approved, "locked": state.lock is not None,
        }  # fmt: skip
        return Response(TrackReviewStateSerializer(body).data)


# --- The master lock --------------------------------------------------------------------------


class MasterLockScopedMixin(TrackScopedMixin):
    write_action = Action.CONTENT_EDIT

    def _state(self, code: int = status.HTTP_200_OK) -> Response:
        lock = (
            MasterLock.objects.filter(track=self.track)
            .select_related("version", "locked_by")
            .order_by("-locked_at", "-id")
            .first()
        )
        body = {"locked": lock is not None and lock.active, "lock": lock}
        return Response(MasterLockStateSerializer(body).data, status=code)


class MasterLockView(MasterLockScopedMixin, APIView):
    """The track's master lock. Everyone who reaches the track reads it; locking and unlocking
    need ``content.edit`` (members who edit; not viewers, not guests). A new version, or a
    change to what the lock covers (ISRC, credits …), ends it, saying why."""

    @extend_schema(
        summary="The lock: what it covers, and when and why it ended",
        responses={200: MasterLockStateSerializer},
    )
    def get(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        return self._state()

    @extend_schema(
        summary="Lock the latest version, approved by every approver, as the master",
        request=MasterLockInputSerializer,
        responses={
            201: MasterLockStateSerializer,
            400: error_response(
                "The input is not valid (`fields`); or the version is not the latest, not "
                "approved by every approver, or a lock is open already (`detail`)."
            ),
            403: EDIT_FORBIDDEN,
            404: VERSION_NOT_FOUND,
        },
    )
    def post(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        data = MasterLockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = track_version(self.track, data.validated_data["version"])
        review.master_lock(track=self.track, version=version, user=request.user)
        return self._state(status.HTTP_201_CREATED)


class MasterUnlockView(MasterLockScopedMixin, APIView):
    """Unlock the master by hand, saying why (``content.edit``: members who edit; not viewers,
    not guests). Sign-offs stay, so the same version can be locked again once what needed
    fixing is fixed."""

    @extend_schema(
        summary="Unlock the master, saying why",
        request=MasterUnlockInputSerializer,
        responses={
            200: MasterLockStateSerializer,
            400: error_response(
                "The input is not valid (`fields`), or the master is not locked (`detail`)."
            ),
            403: EDIT_FORBIDDEN,
        },
    )
    def post(self, request: Request, workspace_slug: str, track_id: int) -> Response:
        data = MasterUnlockInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review.master_unlock(
            track=self.track, user=request.user, reason=data.validated_data["reason"]
        )
        return self._state()


# --- Approvers --------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="The release's approvers: for every track, or for one",
        parameters=[
            OpenApiParameter("track", int, description="Only those who sign off this track"),
        ],
        responses={200: ApproverOutputSerializer(many=True), 400: BAD_FILTER},
    ),
    destroy=extend_schema(
        summary="Remove an approver (their current sign-offs stop counting)",
        responses={204: None, 403: EDIT_FORBIDDEN},
    ),
)
class ReleaseApproverViewSet(
    ReleaseScopedMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Who signs off the release's tracks: members of the workspace or guests on the release,
    for every track or one. Members and guests on the release read the list; adding and
    removing needs ``content.edit`` (not viewers, not guests)."""

    serializer_class = ApproverOutputSerializer
    queryset = Approver.objects.none()
    filter_backends: list[Any] = []
    lookup_value_converter = "int"

    def get_queryset(self) -> QuerySet[Approver]:
        qs = Approver.objects.filter(release=self.release).select_related("user", "added_by")
        track = id_filter(self.request, "track")
        if track is not None:
            if not self.release.tracks.filter(pk=track).exists():
                raise ValidationError({"track": ["No such track on this release."]})
            qs = qs.filter(Q(track__isnull=True) | Q(track_id=track))
        return qs.order_by("created_at", "id")

    def get_object(self) -> Approver:
        qs = Approver.objects.filter(release=self.release).select_related("user", "release")
        return one_or_404(qs, self.kwargs["pk"], "approver of this release")

    @extend_schema(
        summary="Make a member or a guest on the release an approver of every track, or one",
        request=ApproverInputSerializer,
        responses={
            201: ApproverOutputSerializer,
            403: EDIT_FORBIDDEN,
            404: error_response(
                "No such release (or not yours), or `track` is not a track of it (`not_found`)."
            ),
        },
    )
    def create(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        data = ApproverInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        track = None
        if v["track"] is not None:
            track = one_or_404(self.release.tracks.all(), v["track"], "track on this release")
        user = User.objects.filter(pk=v["user"], is_active=True).first()
        if user is None:  # the same words as for a login that is neither member nor guest
            raise ValidationError(
                {"user": ["Only members of this workspace or guests on this release can sign off."]}
            )
        approver = review.approver_add(
            release=self.release, user=user, track=track, actor=request.user
        )
        approver = Approver.objects.select_related("user", "added_by").get(pk=approver.pk)
        return Response(ApproverOutputSerializer(approver).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, workspace_slug: str, release_id: int, pk: int) -> Response:
        review.approver_remove(approver=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
