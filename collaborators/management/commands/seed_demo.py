"""Create the demo workspace, users and address book. Running it again changes nothing."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test.utils import override_settings

from collaborators import services
from collaborators.demo import demo_seeders
from collaborators.models import Membership, Person, User, Workspace
from collaborators.permissions import Role

DEMO_PASSWORD = "liner-demo"

USERS = [
    ("artist@liner.test", "Maya Lind"),
    ("manager@liner.test", "Theo Okafor"),
    ("engineer@liner.test", "Sam Reyes"),
    ("outsider@liner.test", "Jules Marchetti"),
]

# A realistic address book for an independent artist. ISNI and IPI values are made up but
# carry valid check digits.
PEOPLE: list[dict[str, Any]] = [
    {
        "name": "Maya Lind",
        "email": "artist@liner.test",
        "roles": ["artist", "writer"],
        "pro": "PRS",
        "ipi": "00052210040",
        "isni": "000000012146438X",
    },
    {
        "name": "Theo Okafor",
        "email": "manager@liner.test",
        "roles": ["manager"],
        "organisation": "North Pier Management",
    },
    {
        "name": "Sam Reyes",
        "email": "engineer@liner.test",
        "roles": ["mixing_engineer", "mastering_engineer"],
        "organisation": "Blue Hour Studio",
        "links": ["https://bluehour.example/studio"],
    },
    {
        "name": "Ines Duarte",
        "email": "ines@cowrite.example",
        "roles": ["writer", "producer"],
        "pro": "SACEM",
        "ipi": "00273512966",
    },
    {
        "name": "Ravi Shah",
        "email": "ravi@sessions.example",
        "roles": ["performer"],
        "notes": "Bass on 'Low Tide' and 'Glasshouse'. Prefers to be paid by bank transfer.",
    },
    {
        "name": "Clara Weiss",
        "email": "clara@nightfeed.example",
        "roles": ["press"],
        "organisation": "Nightfeed Magazine",
        "notes": "Covers Nordic indie pop. Liked the last EP.",
    },
    {
        "name": "Owen Price",
        "email": "owen@lists.example",
        "roles": ["curator"],
        "organisation": "Late Night Drive (playlist)",
        "links": ["https://lists.example/late-night-drive"],
    },
    {
        "name": "The Lantern Room",
        "email": "booking@lanternroom.example",
        "roles": ["venue"],
        "phone": "+44 20 7946 0321",
        "organisation": "The Lantern Room, London",
    },
    {
        "name": "Harbour Lights Publishing",
        "email": "admin@harbourlights.example",
        "roles": ["publisher"],
        "pro": "PRS",
    },
]


class Command(BaseCommand):
    help = "Create the demo workspace, users and data (idempotent). Prints the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--password", default=DEMO_PASSWORD, help="Password of demo users.")
        parser.add_argument("--json", action="store_true", help="Print the logins as JSON.")
        parser.add_argument(
            "--quick",
            action="store_true",
            help="Only users, workspaces and people: skip the generated demo audio.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            demo, users = self._core(options["password"])
        if not options["quick"]:
            self._extras(demo, users["artist@liner.test"])
        self._print_logins(options["password"], as_json=options["json"])

    def _extras(self, demo: Workspace, owner: User) -> None:
        """Each app's demo content (audio tracks, ...), with its background jobs run here and
        now so the demo is complete before the first page is opened."""
        from config.celery import app

        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        # The demo's review emails go to made-up addresses: keep them out of the console.
        quiet = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        quiet.enable()
        try:
            for name, seeder in demo_seeders().items():
                self.stderr.write(f"Demo {name}: generating …")
                with transaction.atomic():
                    seeder(workspace=demo, user=owner)
        finally:
            quiet.disable()
            app.conf.task_always_eager = eager

    def _core(self, password: str) -> tuple[Workspace, dict[str, User]]:
        users = {}
        for email, name in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=password, name=name)
            elif not user.check_password(password):
                user.set_password(password)
                user.save(update_fields=["password"])
            users[email] = user

        demo = self._workspace(
            users["artist@liner.test"], "Maya Lind", "maya-lind", "EUR", "Europe/Stockholm"
        )
        self._member(demo, users["manager@liner.test"], Role.MANAGER)
        # engineer@liner.test is not a member: the releases demo makes them a guest on one
        # album (see releases/demo.py).
        other = self._workspace(
            users["outsider@liner.test"],
            "Marchetti Records",
            "marchetti-records",
            "USD",
            "America/New_York",
        )
        for spec in PEOPLE:
            data = dict(spec)
            roles = data.pop("roles", [])
            existing = Person.objects.filter(workspace=demo, email__iexact=data["email"]).first()
            if existing is None:
                services.person_create(workspace=demo, roles=roles, **data)
        if not Person.objects.filter(workspace=other).exists():
            services.person_create(
                workspace=other,
                name="Private Contact",
                email="private@marchetti.example",
                roles=["label"],
                notes="Belongs to Marchetti Records only.",
            )
        return demo, users

    def _print_logins(self, password: str, *, as_json: bool) -> None:
        logins = [
            {"email": "artist@liner.test", "role": "owner of Maya Lind"},
            {"email": "manager@liner.test", "role": "manager of Maya Lind"},
            {"email": "engineer@liner.test", "role": "guest on the album Glasshouse only"},
            {"email": "outsider@liner.test", "role": "owner of Marchetti Records only"},
        ]
        if as_json:
            self.stdout.write(json.dumps({"password": password, "logins": logins}))
            return
        self.stdout.write(self.style.SUCCESS("Demo data ready. Log in with:"))
        for login in logins:
            self.stdout.write(f"  {login['email']:<22} password: {password:<12} ({login['role']})")

    def _workspace(self, owner: User, name: str, slug: str, currency: str, tz: str) -> Workspace:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            workspace = services.workspace_create(
                user=owner, name=name, slug=slug, default_currency=currency, timezone_name=tz
            )
        self._member(workspace, owner, Role.OWNER)
        return workspace

    def _member(self, workspace: Workspace, user: User, role: str) -> None:
        Membership.objects.update_or_create(workspace=workspace, user=user, defaults={"role": role})
