"""The Moderators group: exactly the permissions moderation needs (viewing, and `moderate`; no delete).

Kept in step after every `migrate` (post_migrate), so a host that installs one more reviewable app
later finds its models in the group too.
"""

from django.contrib.auth import get_user_model
from django.db.models import Model

from mediakit import review
from moderation.conf import GROUP_NAME

MODERATE = ("moderation", "moderationevent", "moderate", "Can approve and reject uploads and suspend uploaders")
# Approving, rejecting, suspending and restoring need `moderate`; removing an avatar or deleting a media
# file outright stays with those who hold delete rights.
OWN_VIEWS = (
    ("moderation", "moderationevent"),
    ("moderation", "uploadsuspension"),
    ("moderation", "report"),
    ("moderation", "blockedcontent"),
)


def wanted_permissions() -> list[tuple[str, str, str, str]]:
    """(app label, model, codename, name) of every permission the group holds, for the apps installed now."""
    models: list[type[Model]] = [r.model for r in review.reviewables()]
    models += [m for r in review.reviewables() for m in r.related_models]
    models.append(get_user_model())  # suspend and restore are actions on the users' list
    views = [*OWN_VIEWS, *((m._meta.app_label, str(m._meta.model_name)) for m in models)]
    return [MODERATE, *((app, model, f"view_{model}", f"Can view {model}") for app, model in dict.fromkeys(views))]


def sync_moderators_group(apps=None, schema_editor=None) -> None:
    """Create the group (and any permission rows not made yet) and give it exactly these permissions."""
    from django.apps import apps as global_apps

    apps = apps or global_apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    wanted = []
    for app_label, model, codename, name in wanted_permissions():
        # Permissions are normally created after migrate; making them here lets the group be whole now.
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        wanted.append(permission)
    group.permissions.set(wanted)


def after_migrate(sender, app_config=None, using="default", apps=None, plan=None, **kwargs) -> None:
    """post_migrate receiver: once per migrate (for the moderation app), when the tables exist."""
    from django.apps import apps as global_apps

    if app_config is None or app_config.label != "moderation":
        return
    sync_moderators_group(global_apps)


def remove_moderators_group(apps, schema_editor=None) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()
