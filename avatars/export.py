"""The avatars part of a user's export: the current avatar's full variant, as stored."""

from avatars import conf
from avatars.models import AvatarVariant
from mediakit.export import Member

EXPORTED_SIZE = "full"


def avatar_part(user, request):
    variant = AvatarVariant.objects.filter(avatar__user=user, avatar__is_current=True, label=EXPORTED_SIZE).first()
    if variant is not None:
        name = f"avatar/{variant.stored_name.rsplit('/', 1)[-1]}"
        yield Member.stored(name, conf.storage(), variant.stored_name, variant.size_bytes)
