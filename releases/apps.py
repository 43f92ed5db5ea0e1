from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        from .services import guests

        # Invitations (collaborators) can make someone a guest on one release.
        guests.register()
