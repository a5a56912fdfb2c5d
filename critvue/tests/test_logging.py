"""Log lines are JSON without the objects runserver and django.request attach to every record."""

import io
import json
import logging
import socket

import pytest
from django.http import HttpResponse
from django.test import Client

from critvue.logs import ClientAddress, RequestClient


def _formatted(logger_name, message, extra):
    logger = logging.getLogger(logger_name)
    owner = logger
    while not owner.handlers:  # the record goes up to the first logger with a handler (settings.LOGGING's)
        owner = owner.parent
    formatter = owner.handlers[0].formatter
    record = logger.makeRecord(logger_name, logging.INFO, __file__, 1, message, (), None, extra=extra)
    return json.loads(formatter.format(record))


def test_runserver_lines_carry_no_socket_nor_second_timestamp():
    with socket.socket() as sock:  # runserver passes the connection's socket as `request`
        line = _formatted(
            "django.server",
            '"GET /health HTTP/1.1" 200 98',
            {"request": sock, "server_time": "01/Dec/2026 19:00:00", "status_code": 200},
        )
    assert set(line) == {"time", "level", "logger", "message", "status_code"}
    assert line["logger"] == "django.server"
    assert line["status_code"] == 200
    assert "socket" not in json.dumps(line)


def test_the_app_own_extra_fields_are_kept():
    line = _formatted("mediakit.files", "could not delete a stored file", {"file": "a/b.jpg"})
    assert line["file"] == "a/b.jpg"
    assert line["message"] == "could not delete a stored file"


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


@pytest.mark.django_db
def test_lines_written_for_a_request_name_its_client_behind_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    handler = logging.getLogger("django").handlers[0]  # settings.LOGGING's stdout handler
    written = io.StringIO()
    stream = handler.setStream(written)
    try:
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.7").get("/no-such-path-here")
        Client(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.8").get("/no-such-path-either")
    finally:
        handler.setStream(stream)
    lines = {line["message"]: line for line in _lines(written.getvalue())}
    assert lines["Not Found: /no-such-path-here"]["client"] == "198.51.100.7"
    assert lines["Not Found: /no-such-path-either"]["client"] == "203.0.113.5"  # the header of an untrusted peer


def test_lines_written_during_a_request_name_its_client(rf, settings):
    """Lines of the app's own loggers, written while a request is handled, carry the client too."""
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    seen = {}

    def view(request):
        record = logging.getLogger("mediakit.files").makeRecord(
            "mediakit.files", logging.ERROR, __file__, 1, "storage refused", (), None
        )
        RequestClient().filter(record)
        seen["client"] = record.client
        return HttpResponse()

    ClientAddress(view)(rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9"))
    assert seen == {"client": "198.51.100.9"}
    record = logging.getLogger("x").makeRecord("x", logging.INFO, __file__, 1, "outside a request", (), None)
    RequestClient().filter(record)
    assert not hasattr(record, "client")
