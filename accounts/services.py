"""Account operations that span several apps' rows and stored files."""
from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken


def account_erase(*, user) -> bool:
    """Erase the user and everything they own; False if a concurrent request erased them first.

    Their refresh tokens are blacklisted before the user row goes (the outstanding-token rows
    outlive it, with no user). The row's cascade takes avatars, personas and media files, whose
    post_delete handlers remove every stored file after commit (refusals are kept for a retry).
    """
    with transaction.atomic():
        locked = get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if locked is None:
            return False
        open_tokens = OutstandingToken.objects.filter(user=locked, blacklistedtoken__isnull=True)
        BlacklistedToken.objects.bulk_create([BlacklistedToken(token=t) for t in open_tokens],
                                             ignore_conflicts=True)
        locked.delete()
    return True
