"""Log lines are JSON without the objects runserver and django.request attach to every record."""
import json
import logging
import socket


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
        line = _formatted("django.server", '"GET /health HTTP/1.1" 200 98',
                          {"request": sock, "server_time": "01/Dec/2026 19:00:00", "status_code": 200})
    assert set(line) == {"time", "level", "logger", "message", "status_code"}
    assert line["logger"] == "django.server"
    assert line["status_code"] == 200
    assert "socket" not in json.dumps(line)


def test_the_app_own_extra_fields_are_kept():
    line = _formatted("mediakit.files", "could not delete a stored file", {"file": "a/b.jpg"})
    assert line["file"] == "a/b.jpg"
    assert line["message"] == "could not delete a stored file"
