"""The releases app's REST API, a module per area: ``catalogue`` (releases, tracks, credits,
editions, artwork, catalogue settings), whose views are re-exported here; mix review in
``review`` (versions, comments; the routes and who gets in) and ``signoff`` (approvers,
sign-offs, review state, the master lock)."""

from .catalogue import (
    CatalogueScopedMixin,
    CatalogueSettingsView,
    CreditViewSet,
    EditionViewSet,
    ReleaseViewSet,
    TrackFilterMixin,
    TrackViewSet,
)

__all__ = [
    "CatalogueScopedMixin",
    "CatalogueSettingsView",
    "CreditViewSet",
    "EditionViewSet",
    "ReleaseViewSet",
    "TrackFilterMixin",
    "TrackViewSet",
]
