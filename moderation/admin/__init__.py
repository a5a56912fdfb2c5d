"""Moderation's admin: the review queues, the audit log, and moderation on the users' pages."""
from moderation.admin import events, queues, users  # noqa: F401  (each registers its admin)
