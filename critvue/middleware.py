"""Request checks that come before any view."""
from django.http import JsonResponse


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
