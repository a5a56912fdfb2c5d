"""Optional error tracking: with SENTRY_DSN set, sentry-sdk's Django integration reports errors, and no
personal data: no user, address, cookies, headers that identify, request bodies, query strings (signed
URLs are credentials), local variables of frames, nor email addresses in messages."""

import re
from typing import Any

# Log lines' extra fields that name a person (critvue.logs adds the client's address to every line).
PERSONAL_FIELDS = {"client", "email", "ip_address", "remote_addr", "user", "user_id"}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
HIDDEN = "[Filtered]"


def start(dsn: str, *, environment: str, release: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration()],
        send_default_pii=False,  # no user, no IP address, no cookies, no identifying headers
        include_local_variables=False,  # frames' variables hold emails, passwords and tokens
        max_request_body_size="never",  # bodies hold emails and passwords
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
    )


def _without_email(text):
    return EMAIL.sub(HIDDEN, text) if isinstance(text, str) else text


def _drop_personal(data) -> None:
    if isinstance(data, dict):
        for key in PERSONAL_FIELDS.intersection(data):
            data[key] = HIDDEN


def scrub_event(event: Any, hint: Any) -> Any:
    """What sentry-sdk keeps even without PII that can still name someone: query strings and log extras."""
    request = event.get("request") or {}
    request.pop("query_string", None)
    request.pop("cookies", None)
    request.pop("data", None)
    if "url" in request:
        request["url"] = request["url"].split("?", 1)[0]
    event.pop("user", None)
    _drop_personal(event.get("extra"))
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = _without_email(exception.get("value"))
    logentry = event.get("logentry") or {}
    for key in ("message", "formatted"):
        if key in logentry:
            logentry[key] = _without_email(logentry[key])
    if "message" in event:
        event["message"] = _without_email(event["message"])
    for crumb in (event.get("breadcrumbs") or {}).get("values") or []:
        scrub_breadcrumb(crumb, None)
    return event


def scrub_breadcrumb(crumb: Any, hint: Any) -> Any:
    _drop_personal(crumb.get("data"))
    if "message" in crumb:
        crumb["message"] = _without_email(crumb["message"])
    return crumb
