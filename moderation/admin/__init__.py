"""Moderation's admin: the audit log, suspensions, reports, blocked content, and review queues made of the apps'
own admins."""

from django.contrib import admin
from django.contrib.auth import get_user_model

from mediakit import review
from moderation.admin import blocked, events, reports, users  # noqa: F401  (each registers its admin)
from moderation.admin.counts import count_in_app_list
from moderation.admin.queues import ReviewQueueMixin, extend
from moderation.admin.users import UserModerationMixin


def moderate_site(site: admin.AdminSite = admin.site) -> None:
    """Give the admins registered on `site` for reviewable models Approve and Reject, the user admin
    Suspend and Restore, and the site's index and side bar the number of items waiting in each queue;
    idempotent. Call it for an admin site of your own after registering on it."""
    for reviewable in review.reviewables():
        extend(site, reviewable.model, ReviewQueueMixin)
    extend(site, get_user_model(), UserModerationMixin)
    count_in_app_list(site)


# Autodiscovery imports this module after the apps listed before moderation registered their admins
# (moderation's ready() does it again once every app is ready).
moderate_site()
