"""accounts settings and their defaults; read on every call, so tests can override them."""

from django.conf import settings

# API.md: passwords are at most 128 characters, refused before any hashing is spent on them.
PASSWORD_MAX_LENGTH = 128
# API.md: after 10 failed logins for one email within 15 minutes, or 50 from one client address,
# further attempts are refused until the window ends (django-ratelimit rates: fixed windows).
DEFAULT_LOGIN_FAILURES_PER_EMAIL = "10/15m"
DEFAULT_LOGIN_FAILURES_PER_ADDRESS = "50/15m"


def login_failures_per_email() -> str:
    """Failed logins allowed for one email per window."""
    return getattr(settings, "LOGIN_FAILURES_PER_EMAIL", DEFAULT_LOGIN_FAILURES_PER_EMAIL)


def login_failures_per_address() -> str:
    """Failed logins allowed from one client address per window."""
    return getattr(settings, "LOGIN_FAILURES_PER_ADDRESS", DEFAULT_LOGIN_FAILURES_PER_ADDRESS)
