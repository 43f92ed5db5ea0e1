"""REST API for workspaces, members, people and invitations. Thin: services do the work."""

from __future__ import annotations

from typing import Any

import django_filters
from django.contrib.auth import authenticate
from django.db.models import F, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, mixins, permissions, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from . import selectors, services
from .api_support import error_response
from .audit import AuditEntry
from .models import Invitation, Membership, Person, PersonRole, Workspace
from .permissions import Action
from .serializers import (
    InvitationAcceptInputSerializer,
    InvitationAcceptOutputSerializer,
    InvitationInputSerializer,
    InvitationOutputSerializer,
    MemberOutputSerializer,
    MemberRoleInputSerializer,
    PersonInputSerializer,
    PersonOutputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
    WorkspaceInputSerializer,
    WorkspaceOutputSerializer,
    WorkspaceUpdateSerializer,
)


class TokenView(APIView):
    """Exchange an email and password for an API token (throttled)."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # django-axes counts failures against the plain HttpRequest, so pass that one.
        user = authenticate(
            request._request,
            username=data.validated_data["email"].lower(),
            password=data.validated_data["password"],
        )
        if user is None or not user.is_active:
            # 400 like DRF's own token view: there is no auth scheme to challenge with here.
            raise ValidationError("Email or password is not right.", code="invalid_credentials")
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


# WorkspaceViewSet checks roles itself, not through WorkspaceScopedMixin, so it says which
# writes a role can forbid (collaborators.schema documents the other errors).
_CSRF = "Logged in with a session: the CSRF token is missing or wrong."
_EDIT_FORBIDDEN = error_response(
    f"Changing a workspace needs the manager or owner role (`permission_denied`). {_CSRF}"
)
_DELETE_FORBIDDEN = error_response(
    f"Deleting a workspace needs the owner role (`permission_denied`). {_CSRF}"
)


class WorkspaceScopedMixin:
    """Resolves ``workspace_slug`` from the URL through the access check, before any handler.

    Reading needs ``read_action``; anything else ``write_action``. A non-member gets a 404.
    """

    read_action: Action = Action.WORKSPACE_VIEW
    write_action: Action = Action.WORKSPACE_EDIT
    workspace: Workspace

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        wanted = (
            self.read_action if request.method in permissions.SAFE_METHODS else self.write_action
        )
        self.workspace = selectors.access_workspace(
            user=request.user, slug=kwargs["workspace_slug"], action=wanted
        )


class ContentScopedMixin(WorkspaceScopedMixin):
    """A workspace's content (audio, releases): reading needs content.view, anything else
    content.edit; serializers get the workspace's slug to build links with."""

    read_action = Action.CONTENT_VIEW
    write_action = Action.CONTENT_EDIT

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()  # type: ignore[misc]
        context["workspace_slug"] = self.kwargs.get("workspace_slug")  # type: ignore[attr-defined]
        return context


@extend_schema_view(
    list=extend_schema(summary="Your workspaces, with your role in each"),
    create=extend_schema(
        request=WorkspaceInputSerializer, responses={201: WorkspaceOutputSerializer}
    ),
    partial_update=extend_schema(
        request=WorkspaceUpdateSerializer,
        responses={200: WorkspaceOutputSerializer, 403: _EDIT_FORBIDDEN},
    ),
)
class WorkspaceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = WorkspaceOutputSerializer
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_fields = ["kind"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name", "created_at"]
    ordering = ["name"]

    def get_queryset(self) -> QuerySet[Workspace]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Workspace.objects.none()
        # The annotation reuses the join of the filter, so my_role is the caller's own role.
        return Workspace.objects.filter(memberships__user=self.request.user).annotate(
            my_role=F("memberships__role")
        )

    def _access(self, action_: Action) -> Workspace:
        workspace = selectors.access_workspace(
            user=self.request.user, slug=self.kwargs["slug"], action=action_
        )
        workspace.my_role = workspace.membership.role
        return workspace

    def get_object(self) -> Workspace:
        return self._access(Action.WORKSPACE_VIEW)

    def create(self, request: Request) -> Response:
        data = WorkspaceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        workspace = services.workspace_create(
            user=request.user,
            name=v["name"],
            kind=v["kind"],
            default_currency=v["default_currency"],
            timezone_name=v["timezone"],
        )
        workspace.my_role = "owner"
        return Response(WorkspaceOutputSerializer(workspace).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, slug: str) -> Response:
        workspace = self._access(Action.WORKSPACE_EDIT)
        data = WorkspaceUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.workspace_update(
            workspace=workspace, actor_role=workspace.membership.role, **data.validated_data
        )
        return Response(WorkspaceOutputSerializer(workspace).data)

    @extend_schema(responses={204: None, 403: _DELETE_FORBIDDEN})
    def destroy(self, request: Request, slug: str) -> Response:
        workspace = self._access(Action.WORKSPACE_DELETE)
        services.workspace_delete(workspace=workspace, actor_role=workspace.membership.role)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    partial_update=extend_schema(
        request=MemberRoleInputSerializer, responses={200: MemberOutputSerializer}
    ),
)
class MemberViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """The workspace's members. Managers change roles and remove members; anyone may leave."""

    serializer_class = MemberOutputSerializer
    read_action = Action.MEMBERS_VIEW
    # Anyone may DELETE their own membership (leave); the service checks the rest.
    write_action = Action.MEMBERS_VIEW
    filterset_fields = ["role"]
    search_fields = ["user__email", "user__name"]
    queryset = Membership.objects.none()

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.members_list(workspace=self.workspace)

    def get_object(self) -> Membership:
        return selectors.access_membership(
            workspace=self.workspace, membership_id=self.kwargs["pk"]
        )

    def partial_update(self, request: Request, workspace_slug: str, pk: str) -> Response:
        target = self.get_object()  # a foreign id is a 404 before any input is judged
        data = MemberRoleInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_role_change(
            actor=self.workspace.membership, membership=target, role=data.validated_data["role"]
        )
        return Response(MemberOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        services.membership_remove(actor=self.workspace.membership, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(
        choices=PersonRole.choices, field_name="role_set__role", distinct=True
    )
    has_login = django_filters.BooleanFilter(field_name="user", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Person
        fields = ["role", "pro", "has_login"]


@extend_schema_view(
    create=extend_schema(request=PersonInputSerializer, responses={201: PersonOutputSerializer}),
    partial_update=extend_schema(
        request=PersonInputSerializer, responses={200: PersonOutputSerializer}
    ),
    update=extend_schema(request=PersonInputSerializer, responses={200: PersonOutputSerializer}),
)
class PersonViewSet(WorkspaceScopedMixin, viewsets.ModelViewSet):
    """The workspace's address book: collaborators, press, curators, venues, labels …"""

    serializer_class = PersonOutputSerializer
    read_action = Action.PEOPLE_VIEW
    write_action = Action.PEOPLE_EDIT
    filterset_class = PersonFilter
    search_fields = ["name", "email", "organisation"]
    ordering_fields = ["name", "created_at", "updated_at"]
    ordering = ["name"]
    queryset = Person.objects.none()

    def get_queryset(self) -> QuerySet[Person]:
        return selectors.people_list(workspace=self.workspace)

    def get_object(self) -> Person:
        return selectors.access_person(workspace=self.workspace, person_id=self.kwargs["pk"])

    def _input(self, request: Request, *, partial: bool) -> dict[str, Any]:
        data = PersonInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def create(self, request: Request, workspace_slug: str) -> Response:
        fields = self._input(request, partial=False)
        roles = fields.pop("roles", [])
        person = services.person_create(workspace=self.workspace, roles=roles, **fields)
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonOutputSerializer(person).data, status=status.HTTP_201_CREATED)

    def update(
        self, request: Request, workspace_slug: str, pk: str, partial: bool = False
    ) -> Response:
        person = self.get_object()
        fields = self._input(request, partial=partial)
        roles = fields.pop("roles", None if partial else [])
        services.person_update(person=person, roles=roles, **fields)
        person = self.get_queryset().get(pk=person.pk)
        return Response(PersonOutputSerializer(person).data)

    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        services.person_delete(person=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationFilter(django_filters.FilterSet):
    role = django_filters.ChoiceFilter(choices=Invitation._meta.get_field("role").choices)

    class Meta:
        model = Invitation
        fields = ["role"]


@extend_schema_view(
    create=extend_schema(
        request=InvitationInputSerializer, responses={201: InvitationOutputSerializer}
    ),
)
class InvitationViewSet(
    WorkspaceScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Invitations to join the workspace. DELETE withdraws one; ``resend`` sends it again."""

    serializer_class = InvitationOutputSerializer
    read_action = Action.MEMBERS_VIEW
    write_action = Action.MEMBERS_MANAGE
    filterset_class = InvitationFilter
    search_fields = ["email"]
    queryset = Invitation.objects.none()

    def get_queryset(self) -> QuerySet[Invitation]:
        return selectors.invitations_list(workspace=self.workspace)

    def get_object(self) -> Invitation:
        return selectors.access_invitation(
            workspace=self.workspace, invitation_id=self.kwargs["pk"]
        )

    def create(self, request: Request, workspace_slug: str) -> Response:
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(
            workspace=self.workspace, actor=self.workspace.membership, **data.validated_data
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: InvitationOutputSerializer})
    def destroy(self, request: Request, workspace_slug: str, pk: str) -> Response:
        invitation = services.invitation_revoke(
            actor=self.workspace.membership, invitation=self.get_object()
        )
        return Response(InvitationOutputSerializer(invitation).data)

    @extend_schema(request=None, responses={200: InvitationOutputSerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, workspace_slug: str, pk: str) -> Response:
        invitation = services.invitation_resend(
            actor=self.workspace.membership, invitation=self.get_object()
        )
        return Response(InvitationOutputSerializer(invitation).data)


class InvitationAcceptView(APIView):
    """Accept an invitation with the token from its link, as the logged-in user."""

    @extend_schema(
        request=InvitationAcceptInputSerializer, responses={200: InvitationAcceptOutputSerializer}
    )
    def post(self, request: Request) -> Response:
        data = InvitationAcceptInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            membership = services.invitation_accept(
                token=data.validated_data["token"], user=request.user
            )
        except services.InvitationError as exc:
            raise ValidationError({"token": [str(exc)]}) from exc
        return Response({"workspace": membership.workspace.slug, "role": membership.role})


class AuditEntryOutputSerializer(drf_serializers.ModelSerializer):
    class Meta:
        model = AuditEntry
        fields = [
            "id", "at", "actor", "actor_name", "action", "summary", "subject_type",
            "subject_id", "data", "finance", "prev_hash", "hash",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_view(
    get=extend_schema(
        summary="The workspace's audit log, newest first (money entries need finance.view)",
        parameters=[
            OpenApiParameter(
                "action", str, description="Only actions starting with this, e.g. releases."
            )
        ],
    )
)
class AuditEntryListView(WorkspaceScopedMixin, generics.ListAPIView):
    """Read-only: entries are written by the services whose changes they record."""

    serializer_class = AuditEntryOutputSerializer
    read_action = Action.WORKSPACE_VIEW
    filter_backends: list[Any] = []
    queryset = AuditEntry.objects.none()

    def get_queryset(self) -> QuerySet[AuditEntry]:
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        qs = AuditEntry.objects.visible_to(
            workspace=self.workspace, role=self.workspace.membership.role
        )
        prefix = self.request.query_params.get("action", "").strip()
        if prefix:
            qs = qs.filter(action__startswith=prefix[:60])
        return qs
