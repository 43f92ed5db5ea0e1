"""The no-login signing page (/sign/<token>/), outside the workspace URLs."""

from .views.sign import urlpatterns

__all__ = ["urlpatterns"]
