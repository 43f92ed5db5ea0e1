"""REST API of a release's guests, under ``/api/workspaces/<slug>/releases/<release_id>/``:
``guests/`` (GET the guests and open invitations; POST to invite by email, or to add an
existing login at once) and ``guests/<user_id>/`` (DELETE to take someone off the release).

Members only, like the rest of the catalogue; owners and managers change who is a guest
(``releases.services.guests`` checks and says so).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from collaborators.models import Invitation, User
from collaborators.serializers import InvitationOutputSerializer, UserBriefSerializer

from ..models import ReleaseGuest
from ..services import guests
from .catalogue import CatalogueScopedMixin


class GuestOutputSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    added_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ReleaseGuest
        fields = ["user", "added_at"]


class GuestListSerializer(serializers.Serializer):
    guests = GuestOutputSerializer(many=True)
    invitations = InvitationOutputSerializer(many=True)


class GuestInviteInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    add_now = serializers.BooleanField(
        default=False,
        help_text="If the address has a Liner login, make it a guest at once (no email).",
    )


@extend_schema_view(
    list=extend_schema(
        summary="The release's guests and open guest invitations", responses=GuestListSerializer
    ),  # fmt: skip
    create=extend_schema(
        summary="Invite a guest by email, or add an existing login at once",
        request=GuestInviteInputSerializer,
        responses={
            201: OpenApiResponse(GuestOutputSerializer, description="Added at once"),
            202: OpenApiResponse(InvitationOutputSerializer, description="Invitation sent"),
        },
    ),
    destroy=extend_schema(summary="Take a guest off the release (by user id)"),
)
class ReleaseGuestViewSet(
    CatalogueScopedMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    serializer_class = GuestOutputSerializer
    queryset = ReleaseGuest.objects.none()
    filter_backends: list[Any] = []
    pagination_class = None

    def list(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        body = {
            "guests": release.guests.select_related("user").order_by("user__email"),
            "invitations": Invitation.objects.pending()
            .filter(workspace=self.workspace, grant_kind=guests.GRANT_KIND, grant_id=release.pk)
            .select_related("invited_by"),
        }
        return Response(GuestListSerializer(body).data)

    def create(self, request: Request, workspace_slug: str, release_id: int) -> Response:
        release = self.url_release()
        data = GuestInviteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = User.objects.filter(email__iexact=v["email"], is_active=True).first()
        if v["add_now"] and user is not None:
            guest = guests.release_guest_add(release=release, user=user, actor=request.user)
            return Response(GuestOutputSerializer(guest).data, status=status.HTTP_201_CREATED)
        invitation = guests.release_guest_invite(
            release=release, email=v["email"], actor=request.user, message=v.get("message", "")
        )
        return Response(
            InvitationOutputSerializer(invitation).data, status=status.HTTP_202_ACCEPTED
        )

    def destroy(self, request: Request, workspace_slug: str, release_id: int, pk: str) -> Response:
        release = self.url_release()
        guest = release.guests.filter(user_id=pk).select_related("user").first()
        if guest is None:
            raise Http404("No such guest on this release.")
        guests.release_guest_remove(release=release, guest=guest.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
