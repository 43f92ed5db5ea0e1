"""Rights pages, a module per area; each module lists its own ``urlpatterns``."""
