"""Avatars: uploads checked, made into five square variants, stored and served; see README "Use the apps"."""


def avatar_url(user, size: str = "medium") -> str:
    """The URL of the user's public avatar at `size` (thumbnail … full), or "" when there is none.

    Public means current and not rejected: a pre-moderated avatar waiting for approval is not shown.
    """
    from avatars import conf
    from avatars.models import Avatar

    if size not in conf.VARIANT_SIZES:
        raise ValueError(f"size must be one of {', '.join(conf.VARIANT_SIZES)}, not {size!r}")
    if getattr(user, "pk", None) is None:  # None, or an anonymous user
        return ""
    avatar = Avatar.objects.current().filter(user=user).prefetch_related("variants").first()
    if avatar is None or avatar.is_rejected:
        return ""
    return avatar.urls.get(size, "")
