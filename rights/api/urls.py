"""Rights' API routes, included by ``config.api_urls`` under /api/workspaces/<slug>/."""

from . import licences, payouts, statements, works

urlpatterns = [
    *works.urlpatterns,
    *licences.urlpatterns,
    *statements.urlpatterns,
    *payouts.urlpatterns,
]
