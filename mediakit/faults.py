"""Failures of the services a request needs, as answers: 503 service_unavailable (with Retry-After) or 507.

The one place that knows which exceptions mean "the database, cache or storage is down, hung, full or
read-only": DRF's exception handler and the middleware for plain Django views both ask it.
"""

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from rest_framework import exceptions, status

from mediakit import conf

log = logging.getLogger(__name__)

FULL = (errno.ENOSPC, errno.EDQUOT)
UNWRITABLE = (errno.EROFS, errno.EACCES)


class ServiceUnavailable(exceptions.APIException):
    """503 naming the component; DRF sends `wait` as the Retry-After header."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"

    def __init__(self, component: str):
        super().__init__(f"The {component} is unavailable right now; try again later.")
        self.component = component
        self.wait = conf.settings.RETRY_AFTER_SECONDS


class InsufficientStorage(exceptions.APIException):
    status_code = status.HTTP_507_INSUFFICIENT_STORAGE
    default_detail = "The storage is full; nothing was stored."
    default_code = "insufficient_storage"


def _classify(exc: BaseException) -> exceptions.APIException | None:
    if isinstance(exc, (OperationalError, InterfaceError)):
        return ServiceUnavailable("database")
    # Redis and S3 errors are looked up only where their clients were imported: a host on the local
    # cache and local files never loads them.
    redis = sys.modules.get("redis.exceptions")
    if redis is not None and isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
        return ServiceUnavailable("cache")
    botocore = sys.modules.get("botocore.exceptions")
    if botocore is not None:
        if isinstance(exc, (botocore.ConnectionError, botocore.HTTPClientError)):  # refused, timed out, dropped
            return ServiceUnavailable("storage")
        if isinstance(exc, botocore.ClientError):  # S3 answered, with a server-side error
            code = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return InsufficientStorage() if code == 507 else ServiceUnavailable("storage") if code >= 500 else None
    if isinstance(exc, OSError):
        if exc.errno in FULL:
            return InsufficientStorage()
        if exc.errno in UNWRITABLE or isinstance(exc, (ConnectionError, TimeoutError)):
            return ServiceUnavailable("storage")
    return None


def dependency_failure(exc: BaseException) -> exceptions.APIException | None:
    """The API error for a failed dependency (also when it is the explicit cause), else None; logged."""
    seen = 0
    cause: BaseException | None = exc
    while cause is not None and seen < 5:
        answer = _classify(cause)
        if answer is not None:
            log.error(
                "a service the request needs failed: %s", answer.detail, exc_info=(type(exc), exc, exc.__traceback__)
            )
            return answer
        cause, seen = cause.__cause__, seen + 1
    return None
