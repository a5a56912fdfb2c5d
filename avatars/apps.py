from django.apps import AppConfig
from django.db.models.signals import post_delete


class AvatarsConfig(AppConfig):
    name = "avatars"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from avatars import checks, export, handlers, review  # noqa: F401  (checks register themselves)
        from avatars.models import AvatarVariant
        from mediakit import export as exports
        from mediakit import review as reviews

        post_delete.connect(
            handlers.remove_variant_file, sender=AvatarVariant, dispatch_uid="avatars.remove_variant_file"
        )
        exports.register("avatar", export.avatar_part)
        reviews.register(review.AVATARS)
