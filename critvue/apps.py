from django.apps import AppConfig


class CritvueConfig(AppConfig):
    name = "critvue"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the configuration checks)
