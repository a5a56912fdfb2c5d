"""Account operations that span several apps' rows and stored files."""

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import RefreshToken


def account_erase(*, user) -> bool:
    """Erase the user and everything they own; False if a concurrent request erased them first.

    Their refresh tokens are erased with them (API.md; accounts.handlers.erase_tokens, on every
    deletion of a user row); their blacklist entries go by cascade. A refresh with one of those
    tokens is still refused, since it names a user that no longer exists (accounts.views.RefreshView;
    ids are never reused). The row's cascade takes avatars, personas and media files, whose
    post_delete handlers remove every stored file after commit (refusals are kept for a retry).
    """
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if locked is None:
            return False
        locked.delete()
    return True


def refresh_token_revoke(*, raw: str) -> None:
    """Make a refresh token unusable (log-out); doing it again, or to an invalid token, changes nothing.

    A token of an erased account is unusable already and is not written down again: simplejwt's
    blacklist() would store it whole in a new outstanding-token row. The owner's row is locked as
    account_erase locks it, so a log-out racing an erasure cannot bring a token back after it.
    """
    try:
        token = RefreshToken(raw)  # type: ignore[arg-type]  # simplejwt decodes a raw token string
    except TokenError:
        return
    owner = {jwt_settings.USER_ID_FIELD: token.payload.get(jwt_settings.USER_ID_CLAIM)}
    with transaction.atomic():
        if get_user_model().objects.select_for_update().filter(**owner).exists():
            token.blacklist()
