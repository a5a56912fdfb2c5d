"""Failed logins counted per email and per client address, in the rate-limit cache (django-ratelimit).

Counts live in fixed windows of the shared cache, so every server process sees them. The client address is
the one behind trusted proxies (TRUSTED_PROXIES, critvue.clients, which RATELIMIT_IP_META_KEY names), so
behind nginx each client counts for itself, not the proxy for all. Only failures
count; once a count is full, every attempt for that email or from that address is refused, even one
with the right password, until its window ends.
"""

from django.http import HttpRequest
from django_ratelimit.core import get_usage

from accounts import conf


def _limits(email: str) -> list[tuple[str, object, str]]:
    email = email.strip().lower()
    return [
        ("accounts.login.email", lambda group, request: email, conf.login_failures_per_email()),
        ("accounts.login.address", "ip", conf.login_failures_per_address()),
    ]


def seconds_locked_out(request: HttpRequest, email: str) -> int:
    """Seconds until this email and this client may try to log in again; 0 when they may now."""
    waits = []
    for group, key, rate in _limits(email):
        usage = get_usage(request, group=group, key=key, rate=rate)
        if usage is not None and usage["count"] >= usage["limit"]:
            # time_left counts to the window's last second, which still belongs to it.
            waits.append(usage["time_left"] + 1)
    return max(waits, default=0)


def record_failed_login(request: HttpRequest, email: str) -> None:
    """Count one failed login against the email and the client address."""
    for group, key, rate in _limits(email):
        get_usage(request, group=group, key=key, rate=rate, increment=True)
