"""API shapes for workspaces, members, people and invitations. Output serializers never query:
the selectors prefetch what they read."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .currencies import CURRENCY_CODES
from .identifiers import IdentifierError, ipi_normalize, isni_normalize
from .models import PRO, Invitation, Membership, Person, PersonRole, User, Workspace
from .permissions import Role

# Input fields shared by every app: the schema states what they accept (an enum or a pattern),
# and they refuse the rest with the model's own words.

CURRENCY_CHOICES = sorted(CURRENCY_CODES)
TIME_ZONE_CHOICES = sorted(zoneinfo.available_timezones())  # what validate_timezone accepts


class CurrencyField(serializers.ChoiceField):
    """An ISO 4217 code; lower case is read as upper case (``sek`` is SEK)."""

    default_error_messages = {
        "invalid_choice": "“{input}” is not an ISO 4217 currency code (e.g. USD, EUR, GBP)."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "An ISO 4217 currency code, e.g. USD, EUR, GBP.")
        super().__init__(choices=CURRENCY_CHOICES, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data.strip().upper() if isinstance(data, str) else data)


class TimeZoneField(serializers.ChoiceField):
    default_error_messages = {
        "invalid_choice": "“{input}” is not a time zone name (e.g. Europe/London)."
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "An IANA time zone name, e.g. Europe/London.")
        super().__init__(choices=TIME_ZONE_CHOICES, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        return super().to_internal_value(data.strip() if isinstance(data, str) else data)


_SEP = r"[\s.-]*"  # spaces, dots and hyphens are ignored in identifiers
ISNI_PATTERN = (
    rf"^{_SEP}(?:[Ii]{_SEP}[Ss]{_SEP}[Nn]{_SEP}[Ii]{_SEP})?(?:[0-9]{_SEP}){{15}}[0-9Xx]{_SEP}$"
)
IPI_PATTERN = (
    rf"^{_SEP}(?:[Ii]{_SEP}[Pp]{_SEP}[Ii]{_SEP})?(?:[0-9]{_SEP}){{9}}(?:[0-9]{_SEP}[0-9]{_SEP})?$"
)


class _IdentifierField(serializers.CharField):
    """Checked here, check digits included, as the schema describes; the service stores the
    compact form."""

    shape = ""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def normalize(self, value: str) -> str:
        raise NotImplementedError

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not value:
            return value
        try:
            compact = self.normalize(value)
        except IdentifierError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        except ValueError as exc:  # "²" passes str.isdigit(), then int() refuses it
            raise serializers.ValidationError(self.shape) from exc
        if not compact.isascii():  # other scripts' digits: not an identifier's
            raise serializers.ValidationError(self.shape)
        return value


@extend_schema_field({"type": "string", "pattern": ISNI_PATTERN})
class IsniField(_IdentifierField):
    shape = "An ISNI has 16 characters: 15 digits and a final digit or X."

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "ISNI (ISO 27729): 15 digits and a check character, a digit or X (ISO 7064 MOD "
            "11-2), e.g. 0000 0001 2281 955X. Spaces, dots and hyphens are ignored; a value "
            "whose check character does not match is refused.",
        )
        super().__init__(max_length=24, **kwargs)

    def normalize(self, value: str) -> str:
        return isni_normalize(value)


@extend_schema_field({"type": "string", "pattern": IPI_PATTERN})
class IpiField(_IdentifierField):
    shape = "An IPI name number has 11 digits."

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            "IPI name number: 11 digits, the last two check digits (CISAC, MOD 101), e.g. "
            "00052210040; a 9-digit CAE number is read with two leading zeros. Spaces, dots "
            "and hyphens are ignored; a value whose check digits do not match is refused.",
        )
        super().__init__(max_length=16, **kwargs)

    def normalize(self, value: str) -> str:
        return ipi_normalize(value)


@extend_schema_field({"type": "string", "format": "uri", "pattern": "^https?://"})
class WebAddressField(serializers.URLField):
    """An http or https address: the schemes a person's links may use (``validate_links``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "A web address: http:// or https://, with a domain name.")
        super().__init__(**kwargs)
        web = URLValidator(schemes=["http", "https"], message=self.error_messages["invalid"])
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)] + [web]


_ROLE_HELP = (
    "A manager may give the roles manager, member and viewer; only an owner may make an owner."
)


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
    default_currency = CurrencyField(default="USD")
    timezone = TimeZoneField(default="UTC")


class WorkspaceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    kind = serializers.ChoiceField(choices=Workspace.Kind.choices, required=False)
    default_currency = CurrencyField(required=False)
    timezone = TimeZoneField(required=False)


class MemberOutputSerializer(serializers.ModelSerializer):
    user = UserBriefSerializer(read_only=True)
    joined_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "role", "joined_at"]


class MemberRoleInputSerializer(serializers.Serializer):
    partial_on_patch = False  # PATCH changes the role, so the role is required

    role = serializers.ChoiceField(choices=Role.choices, help_text=_ROLE_HELP)


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
    email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        help_text="Unique in the workspace's address book.",
    )
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=PersonRole.choices), required=False, max_length=20
    )
    isni = IsniField()
    ipi = IpiField()
    pro = serializers.ChoiceField(choices=PRO.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    links = serializers.ListField(
        child=WebAddressField(max_length=500), required=False, max_length=20
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
    email = serializers.EmailField(
        max_length=254, help_text="Not a member yet, and with no open invitation here."
    )
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER, help_text=_ROLE_HELP)
    message = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InvitationAcceptInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class InvitationAcceptOutputSerializer(serializers.Serializer):
    workspace = serializers.SlugField()
    role = serializers.ChoiceField(choices=Role.choices)
