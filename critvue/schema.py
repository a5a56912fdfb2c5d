"""OpenAPI tweaks: canonical paths, the one error body, and every error status an operation can answer.

The statuses are worked out from what each view is made of (a body and its parsers, query and path
parameters, authentication, content negotiation, rate limits, stored files), so a new endpoint is
documented without a word of its own; what only a view knows (409, 410, 202, …) it declares itself.
"""

from drf_spectacular import openapi
from rest_framework.negotiation import DefaultContentNegotiation

ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a sentence for people and a stable snake_case code for programs, and for some "
    "errors more fields that say what exactly went wrong.",
    "properties": {
        "detail": {"type": "string", "description": "A sentence for people; never an internal name."},
        "code": {
            "type": "string",
            "description": "Stable snake_case code, e.g. `file_too_large`, "
            "`unsupported_type`, `rate_limited`, `service_unavailable`.",
        },
        "errors": {
            "type": "object",
            "additionalProperties": True,
            "description": "Validation errors by field (a list of sentences per field, nested like the "
            "body): sent with `400` when the body or query failed validation; `detail` "
            "repeats the first one.",
        },
        "existing_id": {
            "type": "integer",
            "description": "With `409 duplicate_file`: the media file that already holds these bytes.",
        },
        "messages": {
            "type": "array",
            "description": "With `401 token_not_valid`: why each kind of token was refused.",
            "items": {
                "type": "object",
                "additionalProperties": True,
                "properties": {"token_type": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}
DESCRIPTIONS = {
    "400": "Invalid request: `detail` says what is wrong, `code` names it (and `errors` lists each field's "
    "problems when the body or query failed validation).",
    "401": "Missing, expired or forged credentials (`WWW-Authenticate: Bearer`).",
    "403": "Not allowed: a cookie-authenticated unsafe request from an untrusted origin, or a refusal that "
    "`code` names (e.g. `uploads_suspended`).",
    "404": "No such object, or not the caller's.",
    "406": "None of the types in `Accept` can be answered (this operation answers JSON).",
    "408": "The request body did not arrive in time (`code: request_timeout`).",
    "409": "Conflicts with the current state: `code` says how.",
    "410": "Gone on purpose: `code` says why.",
    "411": "The body was sent without a Content-Length (chunked): `code: length_required`.",
    "413": "The body is larger than this operation accepts (`code: file_too_large`, or `quota_exceeded`).",
    "415": "The body is not in a format this operation reads.",
    "429": "Rate-limited: try again after `Retry-After` seconds (`code: rate_limited`).",
    "503": "A service this operation needs (database, cache or storage) is down or not answering; "
    "`code: service_unavailable`, try again after `Retry-After` seconds.",
    "507": "The storage is full; nothing was stored (`code: insufficient_storage`).",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}
WITH_RETRY_AFTER = {"429", "503"}


def strip_trailing_slash(endpoints, **kwargs):
    """Routes accept both forms; document the canonical one, without the trailing slash."""
    return [(path.rstrip("/") or "/", regex, method, view) for path, regex, method, view in endpoints]


def error_response(status: str) -> dict:
    return {
        "description": DESCRIPTIONS.get(status, "An error: see `detail` and `code`."),
        "content": {"application/json": {"schema": ERROR_REF}},
        **({"headers": RETRY_AFTER} if status in WITH_RETRY_AFTER else {}),
    }


def _serializer_class(serializer):
    return serializer if isinstance(serializer, type) or serializer is None else type(serializer)


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, adding the error responses each operation can give."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation.setdefault("responses", {})
        for status in self.error_statuses(operation):
            responses.setdefault(status, error_response(status))
        for status, response in responses.items():
            if status[0] in "45" and not response.get("description"):  # declared by a view with no words
                response["description"] = DESCRIPTIONS.get(status, "An error: see `detail` and `code`.")
            if status in WITH_RETRY_AFTER:
                response.setdefault("headers", RETRY_AFTER)
        return operation

    def error_statuses(self, operation: dict) -> list[str]:
        parameters = operation.get("parameters", [])
        body = "requestBody" in operation
        security = operation.get("security") or []
        statuses = []
        if body or any(p.get("in") == "query" for p in parameters):
            statuses.append("400")
        if security:  # optional credentials too: forged ones are refused
            statuses.append("401")
        if security and {} not in security and self.method not in ("GET", "HEAD"):
            statuses.append("403")
        if any(p.get("in") == "path" for p in parameters) or any(p.get("name") == "page" for p in parameters):
            statuses.append("404")
        if self._negotiates_strictly():
            statuses.append("406")
        if body:
            statuses += ["408", "411", "413", "415"]
        if self._rate_limited():
            statuses.append("429")
        statuses.append("503")  # every operation reads the database, and most the cache or storage
        return statuses

    def _negotiates_strictly(self) -> bool:
        negotiation = getattr(self.view, "content_negotiation_class", None)
        return isinstance(negotiation, type) and issubclass(negotiation, DefaultContentNegotiation)

    def _rate_limited(self) -> bool:
        # mediakit.api's per-user limits name their rates per method; DRF's own throttles apply to every method.
        if hasattr(self.view, "rate_limits"):
            return bool(self.view.rate_limits.get(self.method))
        return bool(getattr(self.view, "throttle_classes", []))

    def _get_request_body(self, direction="request"):
        """A DELETE that declares its body (extend_schema(request=...)) gets it documented, as POST's would be.

        drf-spectacular documents bodies of POST, PUT and PATCH only; erasing an account takes a password."""
        if self.method == "DELETE" and self._declares_body():
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def _declares_body(self) -> bool:
        declared = _serializer_class(self.get_request_serializer())
        default = _serializer_class(openapi.AutoSchema.get_request_serializer(self))
        return declared is not None and declared is not default


def _stores_a_file(operation: dict, schemas: dict) -> bool:
    """Whether the operation's multipart body has a binary field (it stores a file)."""
    schema = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {}).get("schema", {})
    schema = schemas.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    return any(field.get("format") == "binary" for field in schema.get("properties", {}).values())


def document_errors(result, generator, request, public):
    """The one error body every error response refers to, with every field an error can carry; `507` for
    operations that store a file (known once every component exists)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR_SCHEMA
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if _stores_a_file(operation, schemas):
                operation.setdefault("responses", {}).setdefault("507", error_response("507"))
    return result
