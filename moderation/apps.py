from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ModerationConfig(AppConfig):
    name = "moderation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mediakit import review
        from moderation import checks, groups, metrics, services  # noqa: F401  (checks register themselves)
        from moderation.policy import ModerationPolicy

        review.install_policy(ModerationPolicy())
        review.removed_by_staff.connect(services.record_removal, dispatch_uid="moderation.record_removal")
        post_migrate.connect(groups.after_migrate, dispatch_uid="moderation.sync_moderators_group")
        metrics.register_pending_gauge()
        if self.apps is not None and self.apps.is_installed("django.contrib.admin"):
            from moderation.admin import moderate_site

            moderate_site()  # the apps' admins become review queues (if the admin was discovered already)
