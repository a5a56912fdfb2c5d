"""mediakit.faults: which failures of the database, cache and storage become 503 or 507 (and which do not)."""

import errno

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from mediakit.faults import dependency_failure


def s3_error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "PutObject")


def caused_by(cause: BaseException) -> Exception:
    try:
        raise RuntimeError("the operation failed") from cause
    except RuntimeError as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), (507, "insufficient_storage", None)),
        (OSError(errno.EDQUOT, "Disk quota exceeded"), (507, "insufficient_storage", None)),
        (s3_error(507, "XMinioStorageFull"), (507, "insufficient_storage", None)),
        (OSError(errno.EROFS, "Read-only file system"), (503, "service_unavailable", "storage")),
        (PermissionError(errno.EACCES, "Permission denied"), (503, "service_unavailable", "storage")),
        (ConnectionResetError(errno.ECONNRESET, "reset"), (503, "service_unavailable", "storage")),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), (503, "service_unavailable", "storage")),
        (ConnectTimeoutError(endpoint_url="http://127.0.0.1:1"), (503, "service_unavailable", "storage")),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), (503, "service_unavailable", "storage")),
        (s3_error(503, "SlowDown"), (503, "service_unavailable", "storage")),
        (RedisConnectionError("Connection refused"), (503, "service_unavailable", "cache")),
        (RedisTimeoutError("Timeout reading from socket"), (503, "service_unavailable", "cache")),
        (OperationalError("connection refused"), (503, "service_unavailable", "database")),
        (InterfaceError("connection already closed"), (503, "service_unavailable", "database")),
        (caused_by(OSError(errno.ENOSPC, "No space left on device")), (507, "insufficient_storage", None)),
    ],
)
def test_dependency_failures_are_503_or_507(exc, expected):
    failure = dependency_failure(exc)
    status, code, component = expected
    assert (failure.status_code, failure.default_code) == (status, code)
    if component:
        assert component in str(failure.detail) and failure.wait > 0


@pytest.mark.parametrize(
    "exc",
    [
        FileNotFoundError(errno.ENOENT, "No such file or directory"),
        OSError("image file is truncated"),  # Pillow's decoding errors carry no errno
        s3_error(403, "AccessDenied"),
        s3_error(404, "NoSuchKey"),
        IntegrityError("duplicate key value"),
        DatabaseError("could not serialize access"),
        ResponseError("WRONGTYPE"),
        ValueError("a bug"),
    ],
)
def test_other_errors_are_left_alone(exc):
    assert dependency_failure(exc) is None


@pytest.mark.django_db
def test_the_schema_documents_503_and_507():
    from rest_framework.test import APIClient

    paths = APIClient().get("/api/schema", HTTP_ACCEPT="application/json").json()["paths"]
    stores = {
        ("post", "/api/v1/profile/me/avatar"),
        ("post", "/upload/persona/{persona_id}/image"),
        ("post", "/upload/persona/{persona_id}/video"),
    }
    assert {(m, p) for p, ops in paths.items() for m, op in ops.items() if "507" in op["responses"]} == stores
    unavailable = paths["/upload/files/{id}/download"]["get"]["responses"]["503"]
    assert "Retry-After" in unavailable["headers"]
    assert "503" in paths["/api/v1/personas"]["post"]["responses"]
