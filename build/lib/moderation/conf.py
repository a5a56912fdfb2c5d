"""Moderation settings, `MODERATION = {...}` in the host's settings, read at call time.

| key | default | meaning |
|---|---|---|
| MODE | "post" | "post": a new upload is live at once and waits for review; "pre": a new avatar stays private until a moderator approves it (media files are always post-moderated) |
"""
from mediakit.appsettings import AppSettings

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

settings = AppSettings("MODERATION", {"MODE": POST}, check_id="moderation.E003")


def mode() -> str:
    return settings.MODE


def pre_moderated() -> bool:
    return mode() == PRE
