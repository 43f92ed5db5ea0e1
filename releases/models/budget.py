"""A release's budget: planned and actual expenses by category, in Decimal with a currency."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from collaborators.models import Person, validate_currency

from .catalogue import Release


class ExpenseCategory(models.TextChoices):
    RECORDING = "recording", "Recording"
    MIXING = "mixing", "Mixing"
    MASTERING = "mastering", "Mastering"
    SESSION = "session", "Session musicians"
    ARTWORK = "artwork", "Artwork and design"
    PHOTO = "photo", "Photography"
    VIDEO = "video", "Video"
    MANUFACTURING = "manufacturing", "Manufacturing (CD, vinyl, cassette)"
    DISTRIBUTION = "distribution", "Distribution fees"
    PROMOTION = "promotion", "Promotion and PR"
    ADVERTISING = "advertising", "Advertising"
    LEGAL = "legal", "Legal and clearances"
    TRAVEL = "travel", "Travel"
    OTHER = "other", "Other"


class Expense(models.Model):
    """A line of the budget: what was planned, what it really cost, who was paid.

    ``planned`` and ``actual`` are both optional (a plan made before the invoice; an invoice
    nobody planned), never negative. A recoupable expense is paid back from the artist's
    royalties before they share in them (the rights app reads the flag).
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="expenses")
    category = models.CharField(max_length=16, choices=ExpenseCategory.choices)
    description = models.CharField(max_length=200)
    payee = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="expenses"
    )
    payee_name = models.CharField(max_length=200, blank=True, help_text="If not in People.")
    currency = models.CharField(max_length=3, validators=[validate_currency])
    planned = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    actual = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    recoupable = models.BooleanField(default=False)
    spent_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "spent_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned__isnull=True) | Q(planned__gte=0), name="expense_planned_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0), name="expense_actual_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(planned__isnull=False) | Q(actual__isnull=False),
                name="expense_has_an_amount",
            ),
            models.CheckConstraint(
                condition=Q(category__in=ExpenseCategory.values), name="expense_category_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.currency} {self.actual or self.planned})"
