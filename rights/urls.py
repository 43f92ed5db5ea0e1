"""Rights pages under /w/<slug>/rights/ (each area's module lists its own routes)."""

from django.urls import path

from .views import licences, overview, payouts, statements, works

urlpatterns = [
    path("", overview.index, name="rights-index"),
    *works.urlpatterns,
    *licences.urlpatterns,
    *statements.urlpatterns,
    *payouts.urlpatterns,
]
