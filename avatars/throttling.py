"""Per-user rate limits in fixed windows, counted in the shared cache (django-ratelimit)."""
from django_ratelimit.core import get_usage
from rest_framework.throttling import BaseThrottle

from avatars import conf


class UserRateLimit(BaseThrottle):
    """Allows `view.rate_limits[method]` (e.g. "5/m") requests per user and window."""

    time_left: int | None = None

    def allow_request(self, request, view) -> bool:
        rate = getattr(view, "rate_limits", {}).get(request.method)
        if rate is None or not conf.rate_limiting():
            return True
        usage = get_usage(request, group=f"avatars.{request.method.lower()}", key="user", rate=rate,
                          method=request.method, increment=True)
        if usage is None or not usage["should_limit"]:
            return True
        self.time_left = usage["time_left"]
        return False

    def wait(self) -> int:
        # A window that ends this very second still asks for one; -1 means the cache failed.
        return max(1, self.time_left or 0)
