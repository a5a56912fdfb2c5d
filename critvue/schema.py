"""OpenAPI tweaks."""


def strip_trailing_slash(endpoints, **kwargs):
    """Routes accept both forms; document the canonical one, without the trailing slash."""
    return [(path.rstrip("/") or "/", regex, method, view) for path, regex, method, view in endpoints]
