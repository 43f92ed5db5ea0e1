"""API shapes for workspaces, members, people and invitations. Output serializers never query:
the selectors prefetch what they read."""

from __future__ import annotations

from rest_framework import serializers

from .models import PRO, Invitation, Membership, Person, PersonRole, User, Workspace
from .permissions import Role


class TokenInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(trim_whitespace=False, style={"input_type": "password"})


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "name"]


class WorkspaceOutputSerializer(serializers.ModelSerializer):
    role = serializers.ChoiceField(choices=Role.choices, source="my_role", read_only=True)

    class Meta:
        model = Workspace
        fields = ["slug", "name", "kind", "default_currency", "timezone", "role", "created_at"]


class WorkspaceInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    kind = serializers.ChoiceField(choices=Workspace.Kind.choices, default=Workspace.Kind.ARTIST)
    default_currency = serializers.CharField(max_length=3, default="USD")
    timezone = serializers.CharField(max_length=64, default="UTC")


class WorkspaceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Workspace.Kind.choices, required=False)
    default_currency = serializers.CharField(max_length=3, required=False)
    timezone = serializers.CharField(max_length=64, required=False)


class MemberOutputSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "joined_at"]


class MemberRoleInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class PersonOutputSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonRole.choices), source="role_list"
    )
    has_login = serializers.SerializerMethodField()

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "organisation",
            "roles",
            "isni",
            "ipi",
            "pro",
            "notes",
            "links",
            "has_login",
            "created_at",
            "updated_at",
        ]

    def get_has_login(self, obj: Person) -> bool:
        return obj.user_id is not None


class PersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonRole.choices), required=False, max_length=20
    )
    isni = serializers.CharField(max_length=24, required=False, allow_blank=True)
    ipi = serializers.CharField(max_length=16, required=False, allow_blank=True)
    pro = serializers.ChoiceField(choices=PRO.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    links = serializers.ListField(
        child=serializers.URLField(max_length=500), required=False, max_length=20
    )


class InvitationOutputSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=Invitation.Status.choices, read_only=True)
    invited_by = serializers.EmailField(source="invited_by.email", read_only=True, default=None)

    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "status",
            "message",
            "invited_by",
            "created_at",
            "expires_at",
            "sent_at",
            "accepted_at",
        ]


class InvitationInputSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvitationAcceptInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class InvitationAcceptOutputSerializer(serializers.Serializer):
    workspace = serializers.SlugField()
    role = serializers.ChoiceField(choices=Role.choices)
