"""The releases app's models, one module per concern (catalogue, review, guests, notifications)."""

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
from .guests import ReleaseGuest
from .notifications import Notification, NotificationKind, NotificationSetting
from .review import Approver, Comment, MasterLock, MixVersion, SignOff

__all__ = [
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
