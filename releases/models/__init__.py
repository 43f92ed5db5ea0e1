"""The releases app's models, one module per concern (catalogue, review, guests, notifications)."""

from .budget import Expense, ExpenseCategory
from .catalogue import (
    DDEX_PARENTAL,
    DDEX_ROLES,
    CatalogueSettings,
    Credit,
    CreditRole,
    Explicit,
    IsrcCounter,
    PhysicalEdition,
    Release,
    Track,
)
from .delivery import BundleJob, Deliverable, DeliverableGroup, EditionTrack
from .guests import ReleaseGuest
from .notifications import Notification, NotificationKind, NotificationSetting
from .planning import Applies, CalendarFeed, Milestone, Phase, TemplateMilestone
from .review import Approver, Comment, MasterLock, MixVersion, SignOff

__all__ = [
    "Applies",
    "BundleJob",
    "CalendarFeed",
    "Deliverable",
    "DeliverableGroup",
    "EditionTrack",
    "Expense",
    "ExpenseCategory",
    "Milestone",
    "Phase",
    "TemplateMilestone",
    "DDEX_PARENTAL",
    "DDEX_ROLES",
    "Approver",
    "CatalogueSettings",
    "Comment",
    "Credit",
    "CreditRole",
    "Explicit",
    "IsrcCounter",
    "MasterLock",
    "MixVersion",
    "Notification",
    "NotificationKind",
    "NotificationSetting",
    "PhysicalEdition",
    "Release",
    "ReleaseGuest",
    "SignOff",
    "Track",
]
