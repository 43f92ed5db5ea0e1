"""The releases app's REST API, a module per area: ``catalogue`` (releases, tracks, credits,
editions, artwork, catalogue settings). Its views are re-exported here."""

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
