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
    "415": "The body is not in a format this operation reads.",
}


def strip_trailing_slash(endpoints, **kwargs):
    """Routes accept both forms; document the canonical one, without the trailing slash."""
    return [(path.rstrip("/") or "/", regex, method, view) for path, regex, method, view in endpoints]


def _statuses(path: str, operation: dict) -> list[str]:
    found = []
    query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if operation.get("requestBody") or query:
        found.append("400")
    if operation.get("security") and {} not in operation["security"]:
        found += ["401", "403"]
    if "{" in path or any(p.get("name") == "page" for p in operation.get("parameters", [])):
        found.append("404")
    if operation.get("requestBody"):
        found.append("415")
    return found


def document_errors(result, generator, request, public):
    """Add the generic error responses (400/401/403/404/415) that an operation can give."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", ERROR_SCHEMA)
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, operation):
                responses.setdefault(status, {"description": DESCRIPTIONS[status],
                                              "content": {"application/json": {"schema": ERROR_REF}}})
    return result
