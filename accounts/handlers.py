"""Side effects of authentication (every failed login counts towards the throttle) and of a user's deletion."""

from django.contrib.auth import get_user_model

from accounts import throttling


def count_failed_login(sender, credentials: dict, request=None, **kwargs) -> None:
    if request is None:  # authenticate() called outside a request: no client to throttle
        return
    email = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username") or ""
    throttling.record_failed_login(request, str(email))


def erase_tokens(sender, instance, **kwargs) -> None:
    """However a user row goes (the API's erasure, the admin, a shell), their refresh tokens go with it:
    simplejwt's outstanding-token rows would otherwise outlive it (SET_NULL), each holding a token whole."""
    from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

    OutstandingToken.objects.filter(user=instance).delete()
