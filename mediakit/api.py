"""What the apps' REST views share: their own parsers, renderers, pagination and error handling.

A host project's REST_FRAMEWORK settings may be anything (a stock project has none): the apps'
views state their own, so their answers keep the contract's shapes — `{detail, code}` errors,
`{count, next, previous, results}` pages — whatever the host chose. Authentication stays the host's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import (
    ObjectDoesNotExist,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import UnreadablePostError
from django_ratelimit.core import get_usage
from rest_framework import exceptions, pagination, parsers, permissions, renderers, status
from rest_framework.throttling import BaseThrottle

from mediakit import review
from mediakit.faults import dependency_failure
from mediakit.rejections import Rejected


def api_error(name: str, status_code: int, code: str, detail: str) -> type[exceptions.APIException]:
    """An API error class: its status, its stable `code` and the sentence it says by default."""
    return type(
        name, (exceptions.APIException,), {"status_code": status_code, "default_code": code, "default_detail": detail}
    )


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


RequestTimeout = api_error(
    "RequestTimeout", status.HTTP_408_REQUEST_TIMEOUT, "request_timeout", "The request body did not arrive in time."
)


def translate(exc: Exception) -> Exception:
    """Check verdicts and Django's refusals of a request body become API errors (not 400 HTML pages).

    A row that went away meanwhile (a persona deleted during an upload into it) is a 404; a database,
    cache or storage that is down, hung or full is a 503 or 507 (mediakit.faults).
    """
    if isinstance(exc, Rejected):
        return Refused(exc)
    if isinstance(exc, ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge()
    if isinstance(exc, UnreadablePostError):  # the client stalled mid-body or left
        return RequestTimeout()
    if isinstance(exc, (TooManyFilesSent, TooManyFieldsSent)):
        # Django's message names its setting (DATA_UPLOAD_MAX_NUMBER_FILES): the client gets a sentence.
        return exceptions.ValidationError("The request has too many files or fields.", code="too_many_parts")
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


def exception_handler(exc, context):
    """DRF's handler on the translated error, then the body reshaped to {detail, code[, errors]}."""
    # Imported here: a host's REST_FRAMEWORK settings name classes of this module, and DRF's views
    # module reads those settings while it loads.
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(translate(exc), context)
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
        response.data = {
            **data,
            "detail": str(data["detail"]),
            "code": str(data.get("code") or getattr(data["detail"], "code", "error")),
        }
    else:
        detail, code = _first_error(data)
        response.data = {"detail": detail, "code": code, "errors": data}
    return response


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested too deeply for Python's decoder is a 400, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - the document is nested too deeply.") from None


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=N&page_size=M` with a bounded page size: `{count, next, previous, results}`."""

    page_size = 20
    page_size_query_param = "page_size"
    # A page of 100 rows is as much as one request should serialise.
    max_page_size = 100

    def get_page_size(self, request) -> int:
        """A whole number from 1 (larger ones are served as max_page_size); anything else is a 400, not
        silently the default page (DRF's way), which a client could not tell from what it asked for."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and int(raw) >= 1):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 (at most {self.max_page_size} are served)."]},
                code="invalid",
            )
        return min(int(raw), self.max_page_size)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"Results per page, from 1 ({self.page_size} by default; at most {self.max_page_size} are served)."
                )
            elif parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class UserRateLimit(BaseThrottle):
    """Allows `view.rate_limits[method]` (e.g. "5/m"; None: unlimited) requests per user and fixed window.

    Counted by django-ratelimit in its cache (RATELIMIT_USE_CACHE, the host's default cache unless it
    names another), so every server process shares the count; RATELIMIT_ENABLE = False turns it off.
    """

    time_left: int | None = None

    def allow_request(self, request, view) -> bool:
        from django.conf import settings

        rate = getattr(view, "rate_limits", {}).get(request.method)
        if rate is None or not getattr(settings, "RATELIMIT_ENABLE", True):
            return True
        group = f"{view.rate_limit_group}.{request.method.lower()}"
        usage = get_usage(request, group=group, key="user", rate=rate, method=request.method, increment=True)
        if usage is None or not usage["should_limit"]:
            return True
        self.time_left = usage["time_left"]
        return False

    def wait(self) -> int:
        # A window that ends this very second still asks for one; -1 means the cache failed.
        return max(1, self.time_left or 0)


class UploadsAllowed(permissions.BasePermission):
    """Refuses uploads (POST) of a user the reviewer's policy suspends; reading and deleting still work."""

    def has_permission(self, request, view) -> bool:
        if request.method == "POST" and request.user.is_authenticated:
            refusal = review.policy().upload_refusal(request.user)
            if refusal is not None:
                raise refusal
        return True


if TYPE_CHECKING:  # at run time a mixin: DRF's views module must not load while settings name this module
    from rest_framework.views import APIView as _APIView
else:
    _APIView = object


class AppAPIView(_APIView):
    """Mixin for the apps' DRF views: their own renderers, parsers, pagination, throttles and errors."""

    # Annotated as DRF's views declare them, so the mixin's choices type-check against theirs.
    renderer_classes: Sequence[type[renderers.BaseRenderer]] = [renderers.JSONRenderer]
    parser_classes: Sequence[type[parsers.BaseParser]] = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
    pagination_class: type[pagination.BasePagination] | None = PageNumberPagination
    permission_classes: Sequence[Any] = [permissions.IsAuthenticated]
    throttle_classes: Sequence[type[BaseThrottle]] = []

    def get_exception_handler(self):
        return exception_handler

    def get_authenticate_header(self, request):
        """The first challenge any of the host's authentication classes offers: missing credentials are a
        401 whenever one can be answered (DRF asks only the first class, and a stock project's first,
        session authentication, has none, which turns every 401 into a 403)."""
        for authenticator in self.get_authenticators():
            header = authenticator.authenticate_header(request)
            if header:
                return header
        return None

    def throttled(self, request, wait):
        raise RateLimited(wait)
