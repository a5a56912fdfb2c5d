"""Log lines name the client they were written for (its address behind trusted proxies)."""

import logging
from contextvars import ContextVar

from django.http import HttpRequest

from critvue.clients import client_address

_client: ContextVar[str | None] = ContextVar("critvue_log_client", default=None)


class ClientAddress:
    """Middleware: lines logged while a request is handled carry `client`, its address."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client.set(client_address(request))
        try:
            return self.get_response(request)
        finally:
            _client.reset(token)


class RequestClient(logging.Filter):
    """Adds `client` to a record: from the request it names (django.request's lines are written after the
    middleware has returned), else from the request being handled in this thread."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "client", None) is None:
            request = getattr(record, "request", None)
            client = client_address(request) if isinstance(request, HttpRequest) else _client.get()
            if client is not None:
                record.client = client
        return True
