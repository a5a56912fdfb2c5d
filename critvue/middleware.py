"""Request checks that come before any view, and JSON for every error the server answers."""

from http import HTTPStatus

from django.http import JsonResponse

from mediakit.faults import dependency_failure


class RequireContentLength:
    """Refuse chunked request bodies with 411: Django reads a body only up to its Content-Length.

    Without this, a chunked JSON body or upload would silently arrive empty.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chunked = "chunked" in request.META.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not request.META.get("CONTENT_LENGTH"):
            return JsonResponse(
                {
                    "detail": "Send the request body with a Content-Length header; chunked "
                    "request bodies are not supported.",
                    "code": "length_required",
                },
                status=411,
            )
        return self.get_response(request)


class DependencyFailures:
    """Plain Django views (not DRF's) answer a failed database, cache or storage as the API does: 503/507."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        failure = dependency_failure(exception)
        if failure is None:
            return None
        wait = getattr(failure, "wait", None)
        return JsonResponse(
            {"detail": str(failure.detail), "code": failure.default_code},
            status=failure.status_code,
            headers={"Retry-After": str(wait)} if wait else None,
        )


# The sentences of the errors Django itself answers (the rest: the status's own phrase).
ERROR_SENTENCES = {
    400: ("The request was refused as malformed.", "bad_request"),
    403: ("You do not have permission to perform this action.", "permission_denied"),
    404: ("Not found.", "not_found"),
    405: ("This method is not allowed here.", "method_not_allowed"),
    500: ("The server failed to handle the request; it has been logged.", "server_error"),
}
# Headers of the original answer that still hold for its JSON replacement.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary", "Cache-Control")


def is_admin(request) -> bool:
    """Moderators in the admin get Django's HTML pages; every other path is an API."""
    return request.path.startswith("/admin/")


def is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


def json_error(status: int) -> JsonResponse:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    detail, code = ERROR_SENTENCES.get(status, (f"{phrase}.", phrase.lower().replace(" ", "_").replace("-", "_")))
    return JsonResponse({"detail": detail, "code": code}, status=status)


class JSONErrorPages:
    """Every error outside the admin is `{detail, code}` JSON, DEBUG on or off.

    Views and handlers answer JSON already; what is left are Django's own pages: with DEBUG on, its
    technical 404 (unknown URLs, a missing avatar file) and 500 pages, never sent to clients in
    production either; the CSRF failure page; a bare 405 of a plain view. Outermost, so it sees them
    after Django has logged them (and error tracking has had its exception).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or is_admin(request) or is_json(response):
            return response
        replacement = json_error(response.status_code)
        for header in KEPT_HEADERS:
            if header in response:
                replacement[header] = response[header]
        for cookie in response.cookies.values():
            replacement.cookies[cookie.key] = cookie
        return replacement
