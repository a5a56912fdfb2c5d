"""Changing one key of an app's settings dict (AVATARS, PERSONA_MEDIA, MEDIAKIT, MODERATION) in a test."""


def app_settings(settings, name: str, **values) -> None:
    """`settings` is pytest-django's fixture: the dict is replaced (never mutated), so it is undone after the test."""
    setattr(settings, name, {**getattr(settings, name, {}), **values})
