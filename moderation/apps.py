from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"

    def ready(self) -> None:
        from moderation import checks, metrics  # noqa: F401  (checks register themselves)

        metrics.register_pending_gauge()
