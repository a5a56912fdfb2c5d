"""Configuration errors of moderation, caught by `manage.py check` and at start-up."""

import re

from django.core.checks import CheckMessage, Error, Warning, register

from mediakit import fingerprint, review
from mediakit.checks import CONFIGURATION
from moderation import conf

RATE = re.compile(r"\d+/\d*[smhd]")


@register(CONFIGURATION)
def check_settings(app_configs=None, **kwargs) -> list[CheckMessage]:
    errors: list[CheckMessage] = list(conf.settings.check())
    if errors:
        return errors
    if conf.mode() not in conf.MODES:
        errors.append(
            Error(
                f"MODERATION['MODE'] is {conf.mode()!r}.",
                hint="Set it to 'post' (the default) or 'pre'.",
                id="moderation.E001",
            )
        )
    rate = conf.settings.REPORT_RATE
    if rate is not None and not (isinstance(rate, str) and RATE.fullmatch(rate)):
        errors.append(
            Error(
                f"MODERATION['REPORT_RATE'] is {rate!r}.",
                id="moderation.E004",
                hint="Set it to a rate such as '10/m' (django-ratelimit's notation: count/period, "
                "period s, m, h or d, optionally with a number: '50/15m'), or None for no limit.",
            )
        )
    if not review.reviewables():
        errors.append(
            Error(
                "moderation is installed but nothing it moderates is.",
                hint="Add 'avatars' and/or 'persona_media' to INSTALLED_APPS.",
                id="moderation.E002",
            )
        )
    if not fingerprint.available():
        errors.append(
            Warning(
                "pdqhash is not installed: a rejected picture is blocked by its exact bytes only, "
                "not its re-encoded, resized or converted copies.",
                hint="pip install 'critvue-media[pdq]' (it builds with a C++ compiler).",
                id="moderation.W002",
            )
        )
    return errors


@register()
def check_admin_queues(app_configs=None, **kwargs) -> list[CheckMessage]:
    """Each reviewable model registered in the admin must have become a review queue."""
    from django.apps import apps

    if not apps.is_installed("django.contrib.admin"):
        return []
    from django.contrib import admin

    from moderation.admin.queues import ReviewQueueMixin

    return [
        Warning(
            f"The admin of {r.model._meta.label} has no Approve and Reject actions.",
            hint="List 'moderation' after 'django.contrib.admin', 'avatars' and 'persona_media' in INSTALLED_APPS, or "
            "call moderation.admin.moderate_site(site) for an admin site of your own.",
            id="moderation.W001",
        )
        for r in review.reviewables()
        if r.model in admin.site._registry and not isinstance(admin.site._registry[r.model], ReviewQueueMixin)
    ]
