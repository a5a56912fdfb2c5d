"""`{% load avatars %}{% avatar_url user "medium" %}`: the user's public avatar URL, empty when none."""

from django import template

import avatars

register = template.Library()


@register.simple_tag
def avatar_url(user, size: str = "medium") -> str:
    return avatars.avatar_url(user, size)
