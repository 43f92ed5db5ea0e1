from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "rights"
    verbose_name = "Rights"

    def ready(self) -> None:
        from collaborators.jobs.registry import register_job_model

        from . import demo, readiness
        from .models import StatementJob

        register_job_model(model=StatementJob, tasks="rights.tasks.TASKS")
        # "Every track has an agreed split sheet" in the readiness gate, and the master splits
        # in what a locked master covers (releases.registry).
        readiness.register()
        demo.register()
