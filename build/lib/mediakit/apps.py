from django.apps import AppConfig


class MediakitConfig(AppConfig):
    name = "mediakit"
    verbose_name = "Stored files"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mediakit import checks  # noqa: F401  (checks register themselves)
