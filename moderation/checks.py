"""Configuration errors of moderation, caught by `manage.py check` and at start-up."""
from django.core.checks import Error, register

from moderation import conf


@register()
def check_mode(app_configs=None, **kwargs) -> list[Error]:
    if conf.mode() in conf.MODES:
        return []
    return [Error(f"MODERATION_MODE is {conf.mode()!r}.", hint="Set it to 'post' (the default) or 'pre'.",
                  id="moderation.E001")]
