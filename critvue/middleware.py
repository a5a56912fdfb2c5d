"""Request checks that come before any view."""
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
            return JsonResponse({"detail": "Send the request body with a Content-Length header; chunked "
                                           "request bodies are not supported.", "code": "length_required"},
                                status=411)
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
        return JsonResponse({"detail": str(failure.detail), "code": failure.default_code},
                            status=failure.status_code, headers={"Retry-After": str(wait)} if wait else None)
