from django.apps import AppConfig


class AudioConfig(AppConfig):
    name = "audio"
    verbose_name = "Audio"

    def ready(self) -> None:
        from collaborators.demo import register_demo_seeder
        from collaborators.jobs.registry import register_job_model

        from .demo import seed_audio
        from .models import Job

        register_demo_seeder("audio", seed_audio)
        register_job_model(model=Job, tasks="audio.tasks.TASKS")
