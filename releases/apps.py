from django.apps import AppConfig


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        from collaborators.demo import register_demo_seeder
        from collaborators.home import register_home_destinations

        from .access import guest_destinations
        from .demo import seed_releases
        from .services import guests

        # Invitations (collaborators) can make someone a guest on one release.
        guests.register()
        register_demo_seeder("releases", seed_releases)
        register_home_destinations("releases", guest_destinations)
