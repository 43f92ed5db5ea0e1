"""Payouts: the workspace's settings, advances, monthly periods with what was converted,
recouped and allocated in them, payee statements and payments.

Everything is in the workspace's currency with two decimal places. A period's rows are worked
out again each time it is calculated while it is open; closing it (marking it paid) freezes
them: nothing writes to a closed period again (``Period.status``), later lines for it are
booked into the next open month.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from collaborators.models import Person, Workspace, validate_currency
from releases.models import Expense, Release, Track

from .splits import SplitSet


class RightsSettings(models.Model):
    """Per workspace: who receives a recording's money when it has no agreed master split, and
    the smallest balance worth paying out (smaller ones are carried forward)."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="rights_settings"
    )
    default_payee = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    minimum_payout = models.DecimalField(
        max_digits=14, decimal_places=2, default=Decimal("10.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip

    class Meta:
        verbose_name_plural = "rights settings"
        constraints = [
            models.CheckConstraint(condition=Q(minimum_payout__gte=0), name="minimum_payout_gte_0")
        ]

    def __str__(self) -> str:
        return f"Rights settings of {self.workspace}"


class Advance(models.Model):
    """Money paid ahead against a release's future earnings, recouped from them.

    ``recoup_from`` "top": from the release's earnings before anyone shares (like a recoupable
    expense); "recipient": from the recipient's own share only.
    """

    class RecoupFrom(models.TextChoices):
        TOP = "top", "The release's earnings, before the split"
        RECIPIENT = "recipient", "The recipient's share"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="advances")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="advances")
    recipient = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="advances")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    currency = models.CharField(max_length=3, validators=[validate_currency])
    paid_on = models.DateField()
    recoup_from = models.CharField(
        max_length=9, choices=RecoupFrom.choices, default=RecoupFrom.RECIPIENT
    )
    description = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="advance_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Advance {self.currency} {self.amount} to {self.recipient}"


class Period(models.Model):
    """A month of a workspace's royalties (``month`` is its first day)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed (paid)"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="periods")
    month = models.DateField()
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    currency = models.CharField(max_length=3, validators=[validate_currency])
    # The figures of the latest calculation (all in ``currency``).
    earnings = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    recouped = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    allocated = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # Unmatched lines' money, not allocated until someone matches them in the review queue.
    unmatched = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    # Problems that keep the period from closing ("no USD rate for 2026-03").
    problems = models.JSONField(default=list, blank=True)
    calculated_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "month"], name="period_month_once"),
            models.CheckConstraint(
                condition=Q(status__in=["open", "closed"]), name="period_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(closed_at__isnull=False),
                name="period_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} ({self.status})"

    @property
    def label(self) -> str:
        return f"{self.month:%Y-%m}"

    @property
    def closed(self) -> bool:
        return self.status == self.Status.CLOSED


class Conversion(models.Model):
    """One currency's earnings of a period turned into the workspace's currency, with the rate
    that was used (1 for the workspace's own currency)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="conversions")
    currency = models.CharField(max_length=3)
    rate = models.DecimalField(max_digits=18, decimal_places=8)
    source_amount = models.DecimalField(max_digits=24, decimal_places=10)
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["currency"]
        constraints = [
            models.UniqueConstraint(fields=["period", "currency"], name="conversion_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source_amount} {self.currency} × {self.rate} = {self.amount}"


class Recoupment(models.Model):
    """What a period paid back of one recoupable expense or advance."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="recoupments")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    expense = models.ForeignKey(
        Expense, on_delete=models.RESTRICT, null=True, blank=True, related_name="recoupments"
    )
    advance = models.ForeignKey(
        Advance, on_delete=models.RESTRICT, null=True, blank=True, related_name="recoupments"
    )
    # For an advance recouped from its recipient's share: that payee.
    payee = models.ForeignKey(
        Person, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(expense__isnull=False, advance__isnull=True)
                | Q(expense__isnull=True, advance__isnull=False),
                name="recoupment_of_one_item",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="recoupment_positive"),
        ]

    def __str__(self) -> str:
        return f"Recouped {self.amount} in {self.period}"


class Allocation(models.Model):
    """A payee's part of one recording's money in a period.

    ``split_set`` is the agreed master split that decided it, or None when the recording had
    none and its money went to the default payee (``via_default``).
    """

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="allocations")
    track = models.ForeignKey(Track, on_delete=models.RESTRICT, related_name="+")
    release = models.ForeignKey(Release, on_delete=models.RESTRICT, related_name="+")
    payee = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="allocations")
    split_set = models.ForeignKey(
        SplitSet, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    percent = models.DecimalField(max_digits=7, decimal_places=4)
    via_default = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["period", "track", "payee"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "track", "payee"], name="allocation_once_per_payee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee}: {self.amount} of {self.track} in {self.period}"


class PayeeStatement(models.Model):
    """A payee's account for a period: opening balance, what they earned, what was recouped from
    their share, what was paid, the closing balance, and whether it is due (at least the
    workspace's minimum payout) or carried forward."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="statements")
    payee = models.ForeignKey(Person, on_delete=models.RESTRICT, related_name="payee_statements")
    opening = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    earnings = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    recouped = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    payments = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    closing = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    due = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    carried_forward = models.BooleanField(default=False)

    class Meta:
        ordering = ["period", "payee__name"]
        constraints = [
            models.UniqueConstraint(fields=["period", "payee"], name="payee_statement_once"),
        ]

    def __str__(self) -> str:
        return f"{self.payee} {self.period.label}"


class Payment(models.Model):
    """Money paid to a payee against a period's statement."""

    statement = models.ForeignKey(
        PayeeStatement, on_delete=models.RESTRICT, related_name="payment_set"
    )
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    paid_on = models.DateField()
    reference = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"Paid {self.amount} on {self.paid_on}"
