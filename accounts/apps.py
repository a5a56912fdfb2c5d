from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import pre_delete


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        from accounts import export, handlers, schema  # noqa: F401  (schema registers the OpenAPI auth extension)
        from mediakit import export as exports

        user_login_failed.connect(handlers.count_failed_login, dispatch_uid="accounts.count_failed_login")
        exports.register("profile", export.profile_part)
        pre_delete.connect(handlers.erase_tokens, sender=self.get_model("User"), dispatch_uid="accounts.erase_tokens")
