from typing import Any

from django.apps import AppConfig


def _seed_releases(**kwargs: Any) -> Any:
    # Imported when the demo is seeded, not at start-up: the demo synthesises audio (numpy).
    from .demo import seed_releases

    return seed_releases(**kwargs)


class ReleasesConfig(AppConfig):
    name = "releases"
    verbose_name = "Releases"

    def ready(self) -> None:
        from collaborators.demo import register_demo_seeder
        from collaborators.home import register_home_destinations
        from collaborators.jobs.registry import register_job_model

        from .access import guest_destinations
        from .models import BundleJob
        from .services import guests

        # Invitations (collaborators) can make someone a guest on one release.
        guests.register()
        register_demo_seeder("releases", _seed_releases)
        register_home_destinations("releases", guest_destinations)
        register_job_model(model=BundleJob, tasks="releases.tasks.TASKS")
