"""The Moderators group: exactly the permissions moderation needs (viewing, and `moderate`; no delete)."""
from moderation.conf import GROUP_NAME

# (app label, model, codename). Approving, rejecting, suspending and restoring need `moderate`;
# removing an avatar or deleting a media file outright stays with those who hold delete rights.
PERMISSIONS = (
    ("moderation", "moderationevent", "moderate"),
    ("moderation", "moderationevent", "view_moderationevent"),
    ("moderation", "avatarreview", "view_avatarreview"),
    ("moderation", "mediareview", "view_mediareview"),
    ("avatars", "avatar", "view_avatar"),
    ("avatars", "avatarvariant", "view_avatarvariant"),
    ("persona_media", "mediafile", "view_mediafile"),  # the staff preview of a media file
    ("persona_media", "persona", "view_persona"),
    ("accounts", "user", "view_user"),  # suspend and restore are actions on the users' list
)


def sync_moderators_group(apps, schema_editor=None) -> None:
    """Create the group (and any permission rows not made yet) and give it exactly PERMISSIONS."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    wanted = []
    for app_label, model, codename in PERMISSIONS:
        # Permissions are normally created after migrate; making them here lets the group be whole now.
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        verb = "Can approve and reject uploads and suspend uploaders" if codename == "moderate" else f"Can view {model}"
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": verb})
        wanted.append(permission)
    group.permissions.set(wanted)


def remove_moderators_group(apps, schema_editor=None) -> None:
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()
