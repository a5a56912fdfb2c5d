"""Every API error is a JSON object with `detail` (a sentence) and `code` (stable snake_case)."""
from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import JsonResponse, UnreadablePostError
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler

from critvue.faults import dependency_failure
from mediakit.rejections import Rejected


class Refused(exceptions.APIException):
    """A check's verdict (mediakit.rejections.Rejected) as an API error."""

    def __init__(self, rejected: Rejected):
        super().__init__(rejected.sentence, rejected.code)
        self.status_code = rejected.status_code


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "file_too_large"


class RateLimited(exceptions.Throttled):
    """429 with Retry-After (DRF sets it from `wait`) and the API's `rate_limited` code."""

    default_detail = "Too many requests."
    default_code = "rate_limited"


def api_error(name: str, status_code: int, code: str, detail: str) -> type[exceptions.APIException]:
    """An API error class: its status, its stable `code` and the sentence it says by default."""
    return type(name, (exceptions.APIException,), {"status_code": status_code, "default_code": code,
                                                    "default_detail": detail})


RequestTimeout = api_error("RequestTimeout", status.HTTP_408_REQUEST_TIMEOUT, "request_timeout",
                           "The request body did not arrive in time.")


def _translate(exc: Exception) -> Exception:
    """Check verdicts and Django's refusals of a request body become API errors (not 400 HTML pages).

    A row that went away meanwhile (a persona deleted during an upload into it) is a 404; a database,
    cache or storage that is down, hung or full is a 503 or 507 (critvue.faults).
    """
    if isinstance(exc, Rejected):
        return Refused(exc)
    if isinstance(exc, ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, UnreadablePostError):  # the client stalled mid-body (gunicorn.conf.py) or left
        return RequestTimeout()
    if isinstance(exc, (TooManyFilesSent, TooManyFieldsSent)):
        return exceptions.ValidationError(str(exc) or "Too many parts in the request.", code="too_many_parts")
    if isinstance(exc, SuspiciousOperation):
        return exceptions.ValidationError("The request was refused as malformed.", code="bad_request")
    return dependency_failure(exc) or exc


def _first_error(data, prefix: str = "") -> tuple[str, str]:
    """The first (message, code) of a DRF error structure, with its field name in front."""
    if isinstance(data, dict):
        key, value = next(iter(data.items()))
        label = "" if key in ("non_field_errors", "detail") else f"{prefix}{key}: "
        return _first_error(value, label)
    if isinstance(data, list) and data:
        return _first_error(data[0], prefix)
    return f"{prefix}{data}", getattr(data, "code", None) or "invalid"


def api_exception_handler(exc, context):
    """DRF's handler, then reshape the body to {detail, code[, errors]}."""
    response = exception_handler(_translate(exc), context)
    if response is None:
        return None
    if isinstance(exc, Rejected):  # a verdict may name more, e.g. the existing_id of a duplicate
        response.data = {"detail": response.data["detail"], "code": exc.code, **getattr(exc, "extra", {})}
        return response
    data = response.data
    if isinstance(data, dict) and set(data) <= {"detail", "code"} and "detail" in data:
        detail = data["detail"]
        response.data = {"detail": str(detail), "code": data.get("code") or getattr(detail, "code", "error")}
    elif isinstance(data, dict) and isinstance(data.get("detail"), str):
        # Extra fields supplied on purpose (e.g. by simplejwt) are kept beside detail and code.
        response.data = {**data, "detail": str(data["detail"]),
                         "code": str(data.get("code") or getattr(data["detail"], "code", "error"))}
    else:
        detail, code = _first_error(data)
        response.data = {"detail": detail, "code": code, "errors": data}
    return response


def _json_error(status_code: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status_code)


def bad_request(request, exception=None):
    translated = _translate(exception) if exception else None
    if isinstance(translated, RequestTooLarge):
        return _json_error(413, str(translated.detail), "file_too_large")
    return _json_error(400, "The request was refused as malformed.", "bad_request")


def permission_denied(request, exception=None):
    return _json_error(403, "You do not have permission to perform this action.", "permission_denied")


def _is_admin(request) -> bool:
    # Moderators in the admin get Django's HTML pages; everything else is an API.
    return request.path.startswith("/admin/")


def page_not_found(request, exception=None):
    if _is_admin(request):
        return defaults.page_not_found(request, exception)
    return _json_error(404, "Not found.", "not_found")


def server_error(request):
    if _is_admin(request):
        return defaults.server_error(request)
    return _json_error(500, "The server failed to handle the request; it has been logged.", "server_error")
