"""OpenAPI tweaks: canonical paths and the error responses every operation can give."""
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a sentence for people and a stable snake_case code for programs.",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail", "code"],
}
DESCRIPTIONS = {
    "400": "Invalid request: `detail` and `code` say what is wrong.",
    "401": "Missing, expired or forged credentials.",
    "403": "A cookie-authenticated unsafe request from an untrusted origin.",
    "404": "No such object, or not the caller's.",
    "411": "The body was sent without a Content-Length (chunked): `code: length_required`.",
    "415": "The body is not in a format this operation reads.",
    "503": "A service this operation needs (database, cache or storage) is down or not answering; "
           "`code: service_unavailable`, try again after `Retry-After` seconds.",
    "507": "The storage is full; nothing was stored (`code: insufficient_storage`).",
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait before trying again.", "schema": {"type": "integer"}}}


def strip_trailing_slash(endpoints, **kwargs):
    """Routes accept both forms; document the canonical one, without the trailing slash."""
    return [(path.rstrip("/") or "/", regex, method, view) for path, regex, method, view in endpoints]


def _uploads_a_file(operation: dict, schemas: dict) -> bool:
    """Whether the operation's multipart body has a binary field (it stores a file)."""
    schema = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data", {}).get("schema", {})
    schema = schemas.get(schema.get("$ref", "").rsplit("/", 1)[-1], schema)
    return any(field.get("format") == "binary" for field in schema.get("properties", {}).values())


def _statuses(path: str, operation: dict, schemas: dict) -> list[str]:
    found = []
    query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if operation.get("requestBody") or query:
        found.append("400")
    if operation.get("security") and {} not in operation["security"]:
        found += ["401", "403"]
    if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
        found.append("404")
    if operation.get("requestBody"):
        found += ["411", "415"]
    if found:  # anything past authentication or a body reads the database (and maybe the storage)
        found.append("503")
    if _uploads_a_file(operation, schemas):
        found.append("507")
    return found


def document_errors(result, generator, request, public):
    """Add the generic error responses (400/401/403/404/411/415, 503/507) that an operation can give."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, operation, schemas):
                responses.setdefault(status, {"description": DESCRIPTIONS[status],
                                              "content": {"application/json": {"schema": ERROR_REF}},
                                              **({"headers": RETRY_AFTER} if status == "503" else {})})
    return result
