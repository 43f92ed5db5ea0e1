"""python manage.py payouts --workspace SLUG --period YYYY-MM [--json]: calculate a month (an
open one; a closed one is reported as stored) and print what each payee receives."""

from __future__ import annotations

import json as jsonlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from collaborators.models import Workspace
from rights.models import Period
from rights.services.payouts import period_calculate
from rights.services.periods import period_parse


class Command(BaseCommand):
    help = "Calculate a month's payouts and print each payee's amount."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--period", required=True, help="The month, as YYYY-MM.")
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, workspace: str, period: str, json: bool = False, **options):
        try:
            month = period_parse(period)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from None
        ws = Workspace.objects.filter(slug=workspace).first()
        if ws is None:
            raise CommandError(f"There is no workspace “{workspace}”.")
        stored = Period.objects.filter(workspace=ws, month=month).first()
        if stored is None or not stored.closed:
            stored = period_calculate(workspace=ws, month=month)
        payees = [
            {"name": s.payee.name, "amount": str(s.earnings)}
            for s in stored.statements.select_related("payee").order_by("payee__name", "pk")
            if s.earnings
        ]
        total = sum((Decimal(p["amount"]) for p in payees), Decimal("0.00"))
        if json:
            self.stdout.write(_dumps(stored, total, payees))
            return
        state = "closed, as stored" if stored.closed else "calculated"
        self.stdout.write(f"{stored.label} ({state}), {stored.currency}")
        for payee in payees:
            self.stdout.write(f"  {payee['name']}: {payee['amount']}")
        self.stdout.write(f"Total: {total:.2f}")
        for problem in stored.problems:
            self.stdout.write(self.style.WARNING(f"Problem: {problem}"))


def _dumps(period: Period, total: Decimal, payees: list[dict]) -> str:
    return jsonlib.dumps(
        {
            "period": period.label,
            "currency": period.currency,
            "total": f"{total:.2f}",
            "payees": payees,
        }
    )
