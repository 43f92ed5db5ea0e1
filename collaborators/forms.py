from __future__ import annotations

import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from .currencies import COMMON_CURRENCIES, CURRENCY_CODES
from .models import PRO, PersonRole, Workspace
from .permissions import Role


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError next to the fields it names (or at the top)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "That email and password don't match an account. Check both and try again."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class SignupForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=150,
        required=False,
        help_text="How collaborators will see you, e.g. your artist name.",
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only numbers, not a common password.",
    )


class InvitedSignupForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=150, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only numbers, not a common password.",
    )


def _currency_choices() -> list[tuple[str, str]]:
    rest = sorted(CURRENCY_CODES - set(COMMON_CURRENCIES))
    return [(c, c) for c in (*COMMON_CURRENCIES, *rest)]


def _timezone_choices() -> list[tuple[str, str]]:
    return [(z, z.replace("_", " ")) for z in sorted(zoneinfo.available_timezones())]


class WorkspaceForm(forms.ModelForm):
    default_currency = forms.ChoiceField(
        label="Currency",
        choices=_currency_choices,
        help_text="Budgets and royalty statements are shown in this currency by default.",
    )
    timezone = forms.ChoiceField(choices=_timezone_choices, initial="UTC")

    class Meta:
        model = Workspace
        fields = ["name", "kind", "default_currency", "timezone"]
        labels = {"name": "Artist or label name", "kind": "This workspace is for"}


class PersonForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    organisation = forms.CharField(
        max_length=200, required=False, help_text="Label, publication, venue, company …"
    )
    roles = forms.MultipleChoiceField(
        choices=PersonRole.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="What they do",
    )
    isni = forms.CharField(
        label="ISNI",
        max_length=24,
        required=False,
        help_text="16 characters, e.g. 0000 0001 2281 955X.",
    )
    ipi = forms.CharField(
        label="IPI name number",
        max_length=16,
        required=False,
        help_text="11 digits, from the writer's PRO.",
    )
    pro = forms.ChoiceField(label="PRO", choices=PRO.choices, required=False)
    links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="One web address per line: website, Instagram, Spotify …",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class InviteForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MEMBER)
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        label="Personal note",
    )

    def __init__(self, *args: object, roles: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["role"].choices = [(r, labels[r]) for r in roles]
