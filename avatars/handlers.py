"""Stored files follow their variant rows: removed once the deleting transaction commits."""
from django.contrib.auth import get_user_model

from avatars import conf
from mediakit.files import file_cleanup_handler

# However a variant row goes (API, admin, shell, a user's cascade), its file goes after commit.
remove_variant_file = file_cleanup_handler(conf.STORAGE_ALIAS, lambda variant: [variant.name])


def clear_profile_url(sender, instance, **kwargs) -> None:
    """However an avatar row goes, the profile stops pointing at its files."""
    if kwargs.get("raw"):
        return
    get_user_model().objects.filter(pk=instance.user_id).update(avatar_url=None)
