"""JWT from the `Authorization: Bearer` header or the httpOnly `access_token` cookie."""

from urllib.parse import urlsplit

from django.conf import settings
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class CrossSiteRequest(exceptions.PermissionDenied):
    default_detail = "Cookie-authenticated requests from another site are refused."
    default_code = "cross_site_request"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    return f"{parts.scheme}://{parts.hostname}:{port}"


def trusted_origins(request) -> set[str]:
    """The server's own origin and CSRF_TRUSTED_ORIGINS, each as scheme://host:port."""
    origins = (_origin(f"{request.scheme}://{request.get_host()}"), *map(_origin, settings.CSRF_TRUSTED_ORIGINS))
    return {origin for origin in origins if origin is not None}


def enforce_same_site(request) -> None:
    """Refuse an unsafe cookie-authenticated request that comes from an untrusted origin."""
    if request.method in SAFE_METHODS:
        return
    meta = request.META
    if meta.get("HTTP_SEC_FETCH_SITE") == "cross-site":
        raise CrossSiteRequest()
    source = meta.get("HTTP_ORIGIN") or meta.get("HTTP_REFERER")
    if source is not None and _origin(source) not in trusted_origins(request):
        raise CrossSiteRequest()


class JWTCookieAuthentication(JWTAuthentication):
    """The Bearer header when present, else the access cookie (with the same-site rule)."""

    www_authenticate_realm = "api"

    def authenticate(self, request):
        header = self.get_header(request)
        if header is not None:
            raw_token = self.get_raw_token(header)
        else:
            raw_token = request.COOKIES.get(settings.JWT_ACCESS_COOKIE) or None
        if raw_token is None:
            return None
        token = self.get_validated_token(raw_token)
        user = self.get_user(token)
        if header is None:
            enforce_same_site(request)
        return user, token
