"""Moderation settings, `MODERATION = {...}` in the host's settings, read at call time.

| key | default | meaning |
|---|---|---|
| MODE | "post" | "post": a new upload is live at once and waits for review; "pre": a new avatar stays private until a moderator approves it (media files are always post-moderated) |
| REPORT_RATE | "10/m" | Reports (POST /api/v1/reports) one user may file per fixed window (django-ratelimit's notation); None: unlimited |
"""

from mediakit.appsettings import AppSettings

POST = "post"  # a new upload is live at once and waits for review
PRE = "pre"  # a new avatar stays private until a moderator approves it
MODES = (POST, PRE)
GROUP_NAME = "Moderators"
# Offered on the reject and suspend pages, by what is decided on (the review seam's kinds, and "user" for a
# suspension); a moderator may add their own words, or write a reason of their own.
COMMON_REASONS = ("Nudity or sexual content", "Violence or gore", "Hate symbols or harassment")
PRESET_REASONS = {
    "avatar": (*COMMON_REASONS, "Spam or advertising", "Impersonates someone else", "Not a picture of a person"),
    "media": (*COMMON_REASONS, "Spam or advertising", "Copyrighted material", "Personal information of others"),
    "user": ("Uploads spam", "Uploads content that breaks the rules again and again", "Account under investigation"),
}

settings = AppSettings("MODERATION", {"MODE": POST, "REPORT_RATE": "10/m"}, check_id="moderation.E003")


def mode() -> str:
    return settings.MODE


def pre_moderated() -> bool:
    return mode() == PRE
