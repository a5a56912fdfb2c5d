"""Side effects of authentication: every failed login (API or admin) counts towards the throttle."""
from django.contrib.auth import get_user_model

from accounts import throttling


def count_failed_login(sender, credentials: dict, request=None, **kwargs) -> None:
    if request is None:  # authenticate() called outside a request: no client to throttle
        return
    email = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    throttling.record_failed_login(request, str(email))
