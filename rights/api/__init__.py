"""Rights' REST API under /api/workspaces/<slug>/, a module per area (works and splits,
licences, statements, payouts); each module lists its own ``urlpatterns``."""
