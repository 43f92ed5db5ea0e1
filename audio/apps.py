from django.apps import AppConfig


class AudioConfig(AppConfig):
    name = "audio"
    verbose_name = "Audio"

    def ready(self) -> None:
        from collaborators.demo import register_demo_seeder

        from .demo import seed_audio

        register_demo_seeder("audio", seed_audio)
