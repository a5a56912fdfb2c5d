from django.apps import AppConfig
from django.db.models.signals import post_delete


class PersonaMediaConfig(AppConfig):
    name = "persona_media"
    verbose_name = "Persona media"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mediakit import export as exports
        from mediakit import review as reviews
        from persona_media import checks, export, handlers, metrics, review  # noqa: F401  (checks register themselves)
        from persona_media.models import MediaFile

        post_delete.connect(
            handlers.remove_stored_file, sender=MediaFile, dispatch_uid="persona_media.remove_stored_file"
        )
        exports.register("persona_media", export.persona_media_part)
        reviews.register(review.MEDIA)
        metrics.register_job_metrics()
