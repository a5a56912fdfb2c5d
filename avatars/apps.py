from django.apps import AppConfig
from django.db.models.signals import post_delete


class AvatarsConfig(AppConfig):
    name = "avatars"

    def ready(self) -> None:
        from avatars import checks, export, handlers  # noqa: F401  (checks register themselves)
        from mediakit import export as exports
        from avatars.models import AvatarVariant

        post_delete.connect(handlers.remove_variant_file, sender=AvatarVariant,
                            dispatch_uid="avatars.remove_variant_file")
        exports.register("avatar", export.avatar_part)
