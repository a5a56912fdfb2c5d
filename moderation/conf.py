"""Moderation settings, read at call time."""
from django.conf import settings

POST = "post"  # a new upload is live at once and waits for review
PRE = "pre"  # a new avatar stays private until a moderator approves it
MODES = (POST, PRE)
GROUP_NAME = "Moderators"
# Offered on the reject page; a moderator may add their own words, or write a reason of their own.
PRESET_REASONS = (
    "Nudity or sexual content",
    "Violence or gore",
    "Hate symbols or harassment",
    "Spam or advertising",
    "Copyrighted material",
    "Not a picture of a person (avatars)",
)


def mode() -> str:
    return getattr(settings, "MODERATION_MODE", POST)


def pre_moderated() -> bool:
    return mode() == PRE
