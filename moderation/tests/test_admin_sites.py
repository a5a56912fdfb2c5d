"""The apps' admins and moderation's extensions work on an admin site of the host's own."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from avatars.admin import AvatarAdmin
from avatars.models import Avatar
from moderation.admin import moderate_site
from moderation.admin.queues import ReviewQueueMixin
from moderation.admin.users import UserModerationMixin
from persona_media.admin import MediaFileAdmin
from persona_media.models import MediaFile


def test_moderate_site_turns_a_custom_sites_admins_into_queues():
    site = admin.AdminSite(name="staff")
    site.register(Avatar, AvatarAdmin)
    site.register(MediaFile, MediaFileAdmin)
    site.register(get_user_model(), admin.ModelAdmin)
    moderate_site(site)
    moderate_site(site)  # idempotent
    for model in (Avatar, MediaFile):
        model_admin = site._registry[model]
        assert isinstance(model_admin, ReviewQueueMixin) and type(model_admin).__mro__.count(ReviewQueueMixin) == 1
        assert {"approve", "reject"} <= set(model_admin.actions)
    assert isinstance(site._registry[get_user_model()], UserModerationMixin)
    assert not isinstance(admin.site._registry[Avatar], type(site._registry[Avatar]))  # the default site is untouched


def test_the_default_sites_queues_were_made_at_start_up():
    assert isinstance(admin.site._registry[Avatar], ReviewQueueMixin)
    assert isinstance(admin.site._registry[MediaFile], ReviewQueueMixin)
