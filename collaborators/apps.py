from django.apps import AppConfig


class CollaboratorsConfig(AppConfig):
    name = "collaborators"
    verbose_name = "Workspaces and people"

    def ready(self) -> None:
        from django.core import checks

        from .jobs.checks import job_tasks_check

        checks.register(job_tasks_check)
