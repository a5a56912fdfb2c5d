"""Every error is a JSON object with `detail` (a sentence) and `code` (stable snake_case).

The API's handler is mediakit's (the apps' views use it whatever the host configures); Critvue's
own views (accounts) get it through REST_FRAMEWORK's EXCEPTION_HANDLER. Here: Django's error pages
(400, 403, 404, 500) as JSON for every path but the admin's.
"""

from django.http import JsonResponse
from django.views import defaults

from critvue.middleware import is_admin as _is_admin
from mediakit.api import RequestTooLarge, translate


def _json_error(status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def bad_request(request, exception=None):
    translated = translate(exception) if exception else None
    if isinstance(translated, RequestTooLarge):
        return _json_error(413, str(translated.detail), "file_too_large")
    return _json_error(400, "The request was refused as malformed.", "bad_request")


def permission_denied(request, exception=None):
    return _json_error(403, "You do not have permission to perform this action.", "permission_denied")


def page_not_found(request, exception=None):
    if _is_admin(request):
        return defaults.page_not_found(request, exception)
    return _json_error(404, "Not found.", "not_found")


def server_error(request):
    if _is_admin(request):
        return defaults.server_error(request)
    return _json_error(500, "The server failed to handle the request; it has been logged.", "server_error")
