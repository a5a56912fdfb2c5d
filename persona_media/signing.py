"""Signed URLs of a media file's download and preview: they work without credentials until MEDIA_URL_TTL.

A URL carries `?sig=`, Django's timestamped signature of the file's id and the URL's kind, so it can
sit in `<img src>` / `<video src>`. Altered, or used for another file or kind → 403 bad_signature;
older than MEDIA_URL_TTL → 403 url_expired.
"""

from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse
from rest_framework import status

from mediakit.api import api_error
from persona_media import conf

SALT = "persona_media.signed-url"
PARAMETER = "sig"
KINDS = ("download", "preview")


UrlExpired = api_error(
    "UrlExpired", status.HTTP_403_FORBIDDEN, "url_expired", "This link has expired; ask the API for a fresh one."
)
BadUrlSignature = api_error(
    "BadUrlSignature", status.HTTP_403_FORBIDDEN, "bad_signature", "This link's signature is not valid for this file."
)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def signed_url(request, pk: int, kind: str) -> str:
    """The absolute signed URL of the file's `kind` ("download" or "preview"), fresh from now."""
    path = reverse(f"persona_media:file-{kind}", kwargs={"pk": pk})
    query = urlencode({PARAMETER: _signer().sign_object([pk, kind], compress=False)})
    url = f"{path}?{query}"
    return request.build_absolute_uri(url) if request is not None else url


def signed_for(request, pk: int, kind: str) -> bool:
    """Whether the request carries a valid signature for this file and kind (False when it has none)."""
    token = request.query_params.get(PARAMETER)
    if token is None:
        return False
    try:
        claim = _signer().unsign_object(token, max_age=conf.url_ttl())
    except signing.SignatureExpired:
        raise UrlExpired() from None
    except signing.BadSignature:
        raise BadUrlSignature() from None
    if claim != [pk, kind]:
        raise BadUrlSignature()
    return True
